import FulcrumConfig

/// A frontend's `tcp-request connection` (or `tcp-request session`) rules
/// compiled once per worker, evaluated on the connection alone (layer 4:
/// src, dst, ports; and what the TLS handshake established, for session
/// rules), as HAProxy's tcp_exec_l4_rules / tcp_exec_l5_rules: the first
/// accept, reject or silent-drop whose condition holds ends the evaluation;
/// the other actions are done and the next rule evaluated.
public final class TCPConnectionCompiledRules: @unchecked Sendable {
    public enum Verdict: Equatable, Sendable {
        /// An `accept` rule, or no rule ended the evaluation.
        case accept
        case reject
        case silentDrop
    }

    enum Action {
        case expectProxy, accept, reject, silentDrop
        case setVar(VariableRef, CompiledSampleExpression)
        case setVarFormat(VariableRef, CompiledLogFormat)
        case unsetVar(VariableRef)
        case setAddress(ConnectionAddressField, CompiledSampleExpression)
        /// `track-sc*`, `sc-inc-gpc*`, `sc-set-gpt*`: the session's counters.
        case stick(CompiledStickAction)
        /// A variable of a scope that needs a stream (txn, req, res): with
        /// no stream yet, HAProxy finds no store and does nothing.
        case none
    }
    let rules: [(action: Action, condition: ACLCondition?)]
    let acls: ACLSet
    /// Whether an `expect-proxy layer4` rule exists at all.
    public let mayExpectProxy: Bool
    /// The proxy whose table `track-sc*` and `src_*` use when they name none.
    public let proxyName: String

    public init(_ connection: TCPConnectionRules, http: HTTPProxySettings, userlists: [Userlist],
                crypt: @escaping (String, String) -> String?, proxyName: String = "") throws {
        let acls = try ACLSet(http.acls, userlists: userlists, crypt: crypt)
        self.acls = acls
        self.proxyName = proxyName
        func sessionScoped(_ n: VariableName) -> Bool { n.scope == .sess || n.scope == .proc }
        rules = try connection.rules.map { r in
            let action: Action
            switch r.action {
            case .expectProxy: action = .expectProxy
            case .accept: action = .accept
            case .reject: action = .reject
            case .silentDrop: action = .silentDrop
            case .setVar(let n, let e):
                action = sessionScoped(n) ? .setVar(VariableRef(n), try CompiledSampleExpression(e)) : .none
            case .setVarFormat(let n, let f):
                action = sessionScoped(n) ? .setVarFormat(VariableRef(n), try CompiledLogFormat(f)) : .none
            case .unsetVar(let n): action = sessionScoped(n) ? .unsetVar(VariableRef(n)) : .none
            case .setAddress(let field, let e): action = .setAddress(field, try CompiledSampleExpression(e))
            case .stick(let a): action = .stick(try CompiledStickAction(a, proxy: proxyName, session: true))
            }
            return (action, try acls.compile(r.condition))
        }
        mayExpectProxy = connection.rules.contains { $0.action == .expectProxy }
    }

    /// Runs the rules on `context` (its connection endpoints edited in place
    /// by set-src/set-dst, `addressesChanged` then set). `expectProxy`: an
    /// `expect-proxy layer4` rule held before the evaluation ended.
    public func run(_ context: inout HTTPRuleContext, expectProxy: inout Bool) -> Verdict {
        context.payloadFinal = true
        context.stickProxy = proxyName
        for rule in rules where HTTPConditions.evaluate(rule.condition, acls: acls, context: context) {
            switch rule.action {
            case .accept: return .accept
            case .reject: return .reject
            case .silentDrop: return .silentDrop
            case .expectProxy: expectProxy = true
            case .setVar(let ref, let e): e.store(in: ref, context: context, acls: acls)
            case .setVarFormat(let ref, let lf): HTTPRequestProcessing.setVariable(ref, format: lf, context: context, acls: acls)
            case .unsetVar(let ref): context.variables?.unset(ref)
            case .setAddress(let field, let e):
                var connection = context.connection
                e.evaluate(context: context, acls: acls) { sample in
                    switch field {
                    case .source: if let a = sample.address { connection.source.address = a }
                    case .destination: if let a = sample.address { connection.destination.address = a }
                    case .sourcePort:
                        if let p = sample.integer { connection.source.port = Int(UInt16(truncatingIfNeeded: p)) }
                    case .destinationPort:
                        if let p = sample.integer { connection.destination.port = Int(UInt16(truncatingIfNeeded: p)) }
                    }
                }
                connection.addressesChanged = true
                context.connection = connection
            case .stick(let a): a.run(context: context, acls: acls)
            case .none: break
            }
        }
        return .accept
    }
}
