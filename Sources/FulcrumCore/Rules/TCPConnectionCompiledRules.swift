import FulcrumConfig

/// A frontend's `tcp-request connection` rules compiled once per worker,
/// evaluated at accept on the connection alone (layer 4: src, dst, ports),
/// as HAProxy's tcp_exec_l4_rules: in order, `accept` and `reject` end the
/// evaluation, `expect-proxy layer4` and the stick counter actions (the
/// session's counters) apply and go on.
public final class TCPConnectionCompiledRules: @unchecked Sendable {
    enum Action {
        case expectProxy, accept, reject
        case stick(CompiledStickAction)
    }
    let rules: [(action: Action, condition: ACLCondition?)]
    let acls: ACLSet
    public let proxyName: String

    public init(_ connection: TCPConnectionRules, http: HTTPProxySettings, userlists: [Userlist],
                crypt: @escaping (String, String) -> String?, proxyName: String = "") throws {
        let acls = try ACLSet(http.acls, userlists: userlists, crypt: crypt)
        self.acls = acls
        self.proxyName = proxyName
        rules = try connection.rules.map { r in
            let action: Action
            switch r.action {
            case .expectProxy: action = .expectProxy
            case .accept: action = .accept
            case .reject: action = .reject
            case .stick(let a): action = .stick(try CompiledStickAction(a, proxy: proxyName, session: true))
            }
            return (action, try acls.compile(r.condition))
        }
    }

    /// What the rules decide for a new connection.
    public struct Decision: Equatable {
        public var reject = false, expectProxy = false
        public init() {}
    }

    public func evaluate(_ context: HTTPRuleContext) -> Decision {
        var final = context
        final.payloadFinal = true
        final.stickProxy = proxyName
        var d = Decision()
        for rule in rules where HTTPConditions.evaluate(rule.condition, acls: acls, context: final) {
            switch rule.action {
            case .expectProxy: d.expectProxy = true
            case .accept: return d
            case .reject: d.reject = true; return d
            case .stick(let a): a.run(context: final, acls: acls)
            }
        }
        return d
    }

    /// Whether the connection must start with a PROXY header.
    public func expectsProxy(_ context: HTTPRuleContext) -> Bool { evaluate(context).expectProxy }
}
