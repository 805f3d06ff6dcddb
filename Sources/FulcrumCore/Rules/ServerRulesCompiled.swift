import FulcrumConfig

/// A backend's `use-server` and `force-persist` / `ignore-persist` rules
/// compiled once per worker (server names resolved to indexes), evaluated
/// when a request (mode http) or a stream (mode tcp) chooses its server,
/// as HAProxy's persist rules (process_switching_rules) and
/// process_server_rules.
public final class ServerRulesCompiled: Sendable {
    public enum Persistence: Sendable { case normal, force, ignore }

    let useServer: [(server: Int, condition: ACLCondition?)]
    let persist: [(kind: ServerRules.PersistKind, condition: ACLCondition?)]
    let acls: ACLSet

    public init(_ rules: ServerRules, servers: [String], http: HTTPProxySettings, userlists: [Userlist],
                crypt: @escaping (String, String) -> String?) throws {
        let acls = try ACLSet(http.acls, userlists: userlists, crypt: crypt)
        self.acls = acls
        useServer = try rules.useServer.compactMap { r in
            guard let i = servers.firstIndex(of: r.server) else { return nil }
            return (i, try acls.compile(r.condition))
        }
        persist = try rules.persist.map { ($0.kind, try acls.compile($0.condition)) }
    }

    /// The first persist rule whose condition holds decides.
    public func persistence(_ context: HTTPRuleContext) -> Persistence {
        for rule in persist where HTTPConditions.evaluate(rule.condition, acls: acls, context: context) {
            return rule.kind == .force ? .force : .ignore
        }
        return .normal
    }

    /// The server of the first `use-server` whose condition holds and which
    /// may take it (`usable`: UP, or persistence insisted on); a rule naming
    /// an unusable server lets the next rules be tried.
    public func server(_ context: HTTPRuleContext, usable: (Int) -> Bool) -> Int? {
        for rule in useServer where HTTPConditions.evaluate(rule.condition, acls: acls, context: context) {
            if usable(rule.server) { return rule.server }
        }
        return nil
    }

    public var hasUseServer: Bool { !useServer.isEmpty }
}
