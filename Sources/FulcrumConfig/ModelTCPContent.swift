import FulcrumLog

/// TCP content inspection of a proxy (`tcp-request inspect-delay`,
/// `tcp-request content accept|reject [if|unless COND]`): what lets a
/// mode tcp frontend wait for a ClientHello and route on its SNI without
/// terminating TLS, as HAProxy 2.6 does.
public struct TCPContentRules: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        case accept, reject
        /// `tcp-response content close`: what is there is forwarded, then
        /// the server connection ends.
        case close
        /// `set-var(NAME) EXPR`, `set-var-fmt(NAME) FMT`, `unset-var(NAME)`:
        /// done, then the next rule is evaluated.
        case setVar(VariableName, SampleFetch)
        case setVarFormat(VariableName, LogFormat)
        case unsetVar(VariableName)
        /// `track-sc*`, `sc-inc-gpc*`, `sc-set-gpt*`: done, then the next rule.
        case stick(StickCounterAction)
        /// `switch-mode http [proto h1]`: the stream becomes an HTTP one.
        case switchModeHTTP
        /// `silent-drop`: the client's connection is forgotten without a
        /// FIN or RST (TCP_REPAIR), the stream ends.
        case silentDrop
        /// `set-log-level LEVEL|silent` (nil: silent): the stream's log line.
        case setLogLevel(LogLevel?)
        /// `set-mark MARK`, `set-tos TOS`: a socket option of the client's
        /// connection, then the next rule.
        case setClientSocket(ClientSocketOption)

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
            case .close: return "close"
            case .setVar(let n, _): return "set-var(\(n))"
            case .setVarFormat(let n, _): return "set-var-fmt(\(n))"
            case .unsetVar(let n): return "unset-var(\(n))"
            case .stick(let a): return a.keyword
            case .switchModeHTTP: return "switch-mode"
            case .silentDrop: return "silent-drop"
            case .setLogLevel: return "set-log-level"
            case .setClientSocket(let o): return o.keyword
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
    /// A `switch-mode http` rule: the proxy's HTTP settings apply after it.
    public var switchesToHTTP: Bool { rules.contains { $0.action == .switchModeHTTP } }
}

/// `set-mark MARK` (SO_MARK, for netfilter and policy routing) and `set-tos
/// TOS` (IP_TOS / IPV6_TCLASS) on the client's connection: HAProxy's
/// conn_set_mark / conn_set_tos, which do nothing on a UNIX socket.
public enum ClientSocketOption: Equatable, Sendable {
    case mark(UInt32)
    case tos(Int32)

    public var keyword: String {
        switch self {
        case .mark: return "set-mark"
        case .tos: return "set-tos"
        }
    }
}

/// `tcp-request connection` rules of a frontend, evaluated at accept before
/// anything is read (HAProxy 2.6's tcp_exec_l4_rules), and `tcp-request
/// session` rules, evaluated once the PROXY header and the TLS handshake
/// are done (tcp_exec_l5_rules): one shape for both. The first `accept`,
/// `reject` or `silent-drop` whose condition holds ends the evaluation;
/// `expect-proxy layer4` (connection only), the variable and address
/// actions are done and the next rule evaluated.
public struct TCPConnectionRules: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        case expectProxy
        case accept, reject, silentDrop
        /// `track-sc*`, `sc-inc-gpc*`, `sc-set-gpt*` (the session's counters).
        case stick(StickCounterAction)
        case setVar(VariableName, SampleFetch)
        case setVarFormat(VariableName, LogFormat)
        case unsetVar(VariableName)
        /// `set-src|set-src-port|set-dst|set-dst-port EXPR`.
        case setAddress(ConnectionAddressField, SampleFetch)

        /// The action's keyword, for messages.
        public var name: String {
            switch self {
            case .expectProxy: return "expect-proxy"
            case .accept: return "accept"
            case .reject: return "reject"
            case .silentDrop: return "silent-drop"
            case .setVar(let n, _): return "set-var(\(n))"
            case .setVarFormat(let n, _): return "set-var-fmt(\(n))"
            case .unsetVar(let n): return "unset-var(\(n))"
            case .setAddress(let f, _): return f.rawValue
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

    public var rules: [Rule] = []
    public init() {}
    public var isEmpty: Bool { rules.isEmpty }
}
