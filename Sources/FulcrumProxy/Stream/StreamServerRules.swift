import FulcrumConfig
import FulcrumCore

/// `use-server`, `force-persist` and `ignore-persist` at server choice, in
/// HAProxy's order: the persist rules decide whether the persistence cookie
/// counts (ignore) and whether a DOWN or disabled server may still be used
/// (force, as `option persist`); then the cookie; then the first
/// `use-server` whose condition holds and whose server may take the stream;
/// then the balancer.
extension StreamEngine {
    /// What the rules of backend `be` see: the request (mode http) and the
    /// connection.
    func serverRuleContext(_ s: Stream) -> HTTPRuleContext {
        var context = HTTPRuleContext(request: s.isHTTP ? s.http.request : noHead, connection: connectionInfo(s))
        context.variables = s.variables
        return context
    }

    /// The server a `use-server` rule names, when one holds and its server
    /// is UP (or persistence is insisted on).
    func ruleServer(_ s: Stream, _ rules: ServerRulesCompiled, context: HTTPRuleContext,
                    persistence: ServerRulesCompiled.Persistence) -> Int? {
        guard rules.hasUseServer else { return nil }
        let be = backends[s.backend]
        let insist = be.config.connection.persist || persistence == .force
        return rules.server(context) { i in i < be.servers.count && (insist || table.serverTakesTraffic(be.servers[i].tableLine)) }
    }
}

extension Worker {
    /// `set dynamic-cookie-key` / `enable|disable dynamic-cookie`, sent by
    /// the master to every worker: this worker's copy of the backend's
    /// server cookies follows (requests read them at their next choice).
    public func applyDynamicCookie(_ command: DynamicCookieCommand) {
        guard let i = engine.backendIndexByName[command.backend] else { return }
        engine.backends[i].apply(command)
    }
}
