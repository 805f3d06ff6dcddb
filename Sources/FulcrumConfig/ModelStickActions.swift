/// The stick counter actions of `http-request`, `http-response` and `tcp-request`:
/// `track-scN KEY [table T]`, `sc-inc-gpc0|1(N)`, `sc-inc-gpc(IDX,N)`,
/// `sc-set-gpt0(N) VALUE`, `sc-set-gpt(IDX,N) VALUE`.
public enum StickCounterAction: Equatable, Sendable {
    /// Tracks the entry of `key` in `table` (the rule's proxy's table when
    /// nil) on stick counter `counter` (0...2).
    case track(counter: Int, key: SampleFetch, table: String?)
    /// Increments general purpose counter `index` (and its rate) of the
    /// entry tracked on `counter`; `legacy`: `sc-inc-gpc0/1`, which use
    /// gpc0/gpc1 (or the array's element when the table stores gpc(N)).
    case incrementGPC(counter: Int, index: Int, legacy: Bool)
    /// Sets general purpose tag `index` of the entry tracked on `counter`.
    case setGPT(counter: Int, index: Int, legacy: Bool, value: SampleFetch)

    /// The action's keyword, for messages.
    public var keyword: String {
        switch self {
        case .track(let c, _, _): return "track-sc\(c)"
        case .incrementGPC(let c, let i, true): return "sc-inc-gpc\(i)(\(c))"
        case .incrementGPC(let c, let i, false): return "sc-inc-gpc(\(i),\(c))"
        case .setGPT(let c, _, true, _): return "sc-set-gpt0(\(c))"
        case .setGPT(let c, let i, false, _): return "sc-set-gpt(\(i),\(c))"
        }
    }
}

/// `stick on|match|store-request|store-response PATTERN [table T]
/// [if|unless COND]` of a backend: persistence by a sample (the client's
/// address, a cookie...) kept in a stick table's `server_id` / `server_key`.
public struct StickRule: Equatable, Sendable {
    public enum Kind: String, Equatable, Sendable {
        case on, match
        case storeRequest = "store-request", storeResponse = "store-response"
        /// The rule looks the pattern up to choose the server.
        public var matches: Bool { self == .on || self == .match }
        /// The rule records the server the request went to.
        public var stores: Bool { self != .match }
    }
    public var location: SourceLocation
    public var kind: Kind
    public var pattern: SampleFetch
    /// The table (its proxy's name); the rule's own proxy's when it named none.
    public var table: String
    public var condition: RuleCondition?
    public init(location: SourceLocation, kind: Kind, pattern: SampleFetch, table: String, condition: RuleCondition?) {
        self.location = location; self.kind = kind; self.pattern = pattern; self.table = table; self.condition = condition
    }
}
