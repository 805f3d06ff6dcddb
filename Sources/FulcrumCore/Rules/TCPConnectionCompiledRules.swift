import FulcrumConfig

/// A frontend's `tcp-request connection` rules compiled once per worker,
/// evaluated at accept on the connection alone (layer 4: src, dst, ports),
/// as HAProxy's tcp_exec_l4_rules. `expect-proxy layer4` does not end the
/// evaluation: every rule whose condition holds is applied.
public final class TCPConnectionCompiledRules: Sendable {
    let rules: [(action: TCPConnectionRules.Action, condition: ACLCondition?)]
    let acls: ACLSet

    public init(_ connection: TCPConnectionRules, http: HTTPProxySettings, userlists: [Userlist],
                crypt: @escaping (String, String) -> String?) throws {
        let acls = try ACLSet(http.acls, userlists: userlists, crypt: crypt)
        self.acls = acls
        rules = try connection.rules.map { ($0.action, try acls.compile($0.condition)) }
    }

    /// Whether the connection must start with a PROXY header.
    public func expectsProxy(_ context: HTTPRuleContext) -> Bool {
        var final = context
        final.payloadFinal = true
        var expect = false
        for rule in rules where HTTPConditions.evaluate(rule.condition, acls: acls, context: final) {
            switch rule.action {
            case .expectProxy: expect = true
            }
        }
        return expect
    }
}
