import FulcrumConfig
import FulcrumCore
import FulcrumHTTP

/// The stream's stick counters: made with the stream slot the first time
/// the configuration's tables need them, then reused; counted at the end of
/// each exchange (HAProxy ends a stream per HTTP request) and released with
/// the connection.
extension StreamEngine {
    /// The stream's counters, nil when the configuration has no table.
    @inline(__always)
    func stickTracker(_ s: Stream) -> StickTracker? {
        guard let tables = stickTables else { return nil }
        if let t = s.stick { return t }
        let t = StickTracker(tables: tables)
        s.stick = t
        return t
    }

    /// An exchange (mode http) or the stream (mode tcp) ends: its status and
    /// bytes count in every tracked entry, then a request's own counters are
    /// released (conn_cur down).
    func countStick(_ s: Stream, _ t: StickTracker) {
        if s.isHTTP {
            t.countResponse(status: finalStatus(s))
            t.countBytes(in: UInt64(max(0, s.record.requestBytes - s.record.countedRequestBytes)),
                         out: UInt64(max(0, s.record.responseBytes - s.record.countedResponseBytes)))
            t.endExchange()
        } else {
            t.countBytes(in: s.bytesIn &- s.countedBytes.in, out: s.bytesOut &- s.countedBytes.out)
        }
    }
}

/// `stick on|match|store-*`: the server a stick table names for the
/// request, and recording the server it went to.
extension StreamEngine {
    /// Runs the backend's request-time stick rules once per exchange; the
    /// server an `on`/`match` rule found, when it may take the request
    /// (not DOWN nor in maintenance, unless `option persist`).
    func stickServer(_ s: Stream, _ be: BackendRuntime, assigned: Bool) -> Int? {
        guard be.index < backendStickRules.count, let rules = backendStickRules[be.index],
              let tracker = stickTracker(s) else { return nil }
        if tracker.stickRulesDone {
            // Dispatched again (after the queue): the same server, not a second match.
            return tracker.stickServer >= 0 && !assigned ? usable(be, tracker.stickServer) : nil
        }
        tracker.stickRulesDone = true
        var ctx = HTTPRuleContext(request: s.isHTTP ? s.http.request : noHead, connection: connectionInfo(s))
        ctx.variables = s.variables
        ctx.stick = tracker
        ctx.stickProxy = be.config.name
        guard let i = rules.matchAndCollect(tracker, context: ctx, assigned: assigned), i < be.servers.count else { return nil }
        tracker.stickServer = i
        return usable(be, i)
    }

    private func usable(_ be: BackendRuntime, _ i: Int) -> Int? {
        let line = be.servers[i].tableLine
        let admin = SharedTable.Admin(rawValue: table.server(line, .admin).load())
        let running = table.server(line, .operational).load() != SharedTable.Operational.down.rawValue && !admin.inMaintenance
        return running || be.config.connection.persist ? i : nil
    }

    /// The server answered (mode http: its response head; mode tcp: the
    /// connection is up): `store-response` rules add their keys, and every
    /// pending key records the server.
    func stickStore(_ s: Stream, responsePhase: Bool) {
        guard s.backend >= 0, s.backend < backendStickRules.count, let rules = backendStickRules[s.backend],
              let tracker = s.stick, rules.hasStores, s.serverIndex >= 0 else { return }
        var ctx: HTTPRuleContext? = nil
        if responsePhase, rules.hasResponseRules {
            var c = HTTPRuleContext(request: s.http.request, response: s.http.response, connection: connectionInfo(s))
            c.responsePhase = true
            c.variables = s.variables
            c.stick = tracker
            c.stickProxy = configuration.backends[s.backend].name
            ctx = c
        }
        let be = backends[s.backend]
        let nonStick = s.serverIndex < be.config.servers.count && be.config.servers[s.serverIndex].params.nonStick
        rules.store(tracker, context: ctx, server: s.serverIndex, nonStick: nonStick)
    }
}
