/// A backend's `use-server NAME if|unless COND` rules and its
/// `force-persist` / `ignore-persist` rules (manual 4.2): which server a
/// request goes to when a condition holds, and whether persistence is
/// insisted on (even to a DOWN or disabled server) or skipped.
public struct ServerRules: Equatable, Sendable {
    public struct UseServer: Equatable, Sendable {
        public var location: SourceLocation
        public var server: String
        public var condition: RuleCondition
    }
    public enum PersistKind: String, Equatable, Sendable {
        case force = "force-persist", ignore = "ignore-persist"
    }
    public struct Persist: Equatable, Sendable {
        public var location: SourceLocation
        public var kind: PersistKind
        public var condition: RuleCondition
    }

    public var useServer: [UseServer] = []
    /// The first whose condition holds decides, as HAProxy's persist_rules.
    public var persist: [Persist] = []
    public init() {}
    public var isEmpty: Bool { useServer.isEmpty && persist.isEmpty }
}
