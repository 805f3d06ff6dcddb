/// TCP content inspection of a proxy (`tcp-request inspect-delay`,
/// `tcp-request content accept|reject [if|unless COND]`): what lets a
/// mode tcp frontend wait for a ClientHello and route on its SNI without
/// terminating TLS, as HAProxy 2.6 does.
public struct TCPContentRules: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        case accept, reject
        /// `set-var(NAME) EXPR`, `set-var-fmt(NAME) FMT`, `unset-var(NAME)`:
        /// done, then the next rule is evaluated.
        case setVar(VariableName, SampleFetch)
        case setVarFormat(VariableName, LogFormat)
        case unsetVar(VariableName)
        /// `track-sc*`, `sc-inc-gpc*`, `sc-set-gpt*`: done, then the next rule.
        case stick(StickCounterAction)

        public init?(rawValue: String) {
            switch rawValue {
            case "accept": self = .accept
            case "reject": self = .reject
            default: return nil
            }
        }

        /// The action's keyword, for messages.
        public var rawValue: String {
            switch self {
            case .accept: return "accept"
            case .reject: return "reject"
            case .setVar(let n, _): return "set-var(\(n))"
            case .setVarFormat(let n, _): return "set-var-fmt(\(n))"
            case .unsetVar(let n): return "unset-var(\(n))"
            case .stick(let a): return a.keyword
            }
        }
    }

    public struct Rule: Equatable, Sendable {
        public var location: SourceLocation
        public var action: Action
        public var condition: RuleCondition?
        public init(location: SourceLocation, action: Action, condition: RuleCondition?) {
            self.location = location; self.action = action; self.condition = condition
        }
    }

    /// How long the rules may wait for bytes (ms); nil: they decide on what
    /// is there at once, as HAProxy without an inspect-delay.
    public var inspectDelay: Int? = nil
    public var rules: [Rule] = []
    public init() {}

    /// Whether a stream has anything to inspect here at all.
    public var isEmpty: Bool { rules.isEmpty }
}

/// `tcp-request connection` rules of a frontend, evaluated at accept before
/// anything is read (HAProxy 2.6's tcp_exec_l4_rules). Fulcrum carries out
/// `expect-proxy layer4`: a connection whose condition holds must start with
/// a PROXY header, as on a `bind ... accept-proxy` line.
public struct TCPConnectionRules: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        case expectProxy
        /// `accept`: the rules stop, the connection goes on; `reject`: it is closed.
        case accept, reject
        /// `track-sc*`, `sc-inc-gpc*`, `sc-set-gpt*` (the session's counters).
        case stick(StickCounterAction)
    }

    public struct Rule: Equatable, Sendable {
        public var location: SourceLocation
        public var action: Action
        public var condition: RuleCondition?
        public init(location: SourceLocation, action: Action, condition: RuleCondition?) {
            self.location = location; self.action = action; self.condition = condition
        }
    }

    public var rules: [Rule] = []
    public init() {}
    public var isEmpty: Bool { rules.isEmpty }
}
