/// `http-request|http-response set-map(FILE) KEY VALUE`, `del-map(FILE) KEY`,
/// `add-acl(FILE) KEY`, `del-acl(FILE) KEY` (manual 4.2): a change to the
/// pattern reference named FILE, the one the runtime API's `add map` & co.
/// change. KEY and VALUE are log-format strings. A FILE no ACL or map
/// converter loads names no reference: the action then does nothing, as
/// HAProxy's lookup finds nothing.
public struct PatternFileAction: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable, CaseIterable {
        case setMap = "set-map", delMap = "del-map", addACL = "add-acl", delACL = "del-acl"

        /// Log-format arguments after the action word (HAProxy: exactly these).
        public var argumentCount: Int { self == .setMap ? 2 : 1 }
    }

    public var kind: Kind
    public var file: String
    public var key: LogFormat
    /// set-map's value; nil for the others.
    public var value: LogFormat?

    public init(kind: Kind, file: String, key: LogFormat, value: LogFormat?) {
        self.kind = kind; self.file = file; self.key = key; self.value = value
    }
}
