import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// `tcp-request connection` rules, run at accept before anything is read
/// (HAProxy's tcp_exec_l4_rules), and `tcp-request session` rules, run once
/// the PROXY header and the TLS handshake are done (tcp_exec_l5_rules), so
/// the addresses a header carried apply. A refused connection never
/// becomes a session: HAProxy counts it in conn_tot and dcon (reject at
/// connection), dses (reject at session) or dreq (silent-drop), not in
/// stot, and logs nothing.
extension StreamEngine {
    /// Runs `rules` on the stream's connection: variables, address edits
    /// (kept by the stream), and the verdict.
    func runLayerRules(_ s: Stream, _ rules: TCPConnectionCompiledRules,
                       expectProxy: inout Bool) -> TCPConnectionCompiledRules.Verdict {
        var context = HTTPRuleContext(request: noHead, connection: connectionInfo(s))
        context.variables = s.variables
        context.stick = stickTracker(s)
        let verdict = rules.run(&context, expectProxy: &expectProxy)
        adoptAddresses(s, context.connection)
        return verdict
    }

    /// A connection a `tcp-request connection` rule refused: counted as a
    /// connection and a denial, then closed, with a reset (HAProxy sets no
    /// linger) or, `silent-drop`, without telling the client anything.
    func refuseConnection(_ s: Stream, _ verdict: TCPConnectionCompiledRules.Verdict) {
        countConnection(frontend: s.frontend, bindLine: s.bindLine, http: false)
        countRefusal(s, verdict, connection: true)
        if verdict == .silentDrop { Socket.silence(s.client.transport.fd) }
        s.client.close(abort: verdict == .reject)
        endRefused(s)
        // Counters the rules tracked are given back (conn_cur, the entry's use).
        s.stick?.endSession()
        freeStream(s)
    }

    /// A session a `tcp-request session` rule refused: the client's
    /// connection is closed (silently for `silent-drop`); no stream is
    /// counted. After a PROXY header or a TLS handshake HAProxy kills an
    /// embryonic session, whose line says "Success" (no connection error;
    /// `dontlognull` drops it); without one, nothing is logged.
    func refuseSession(_ s: Stream, _ verdict: TCPConnectionCompiledRules.Verdict) {
        countRefusal(s, verdict, connection: false)
        if s.phase == .proxyHeader || s.phase == .handshake {
            logConnectionError(s, message: "Success", null: true)
        }
        if verdict == .silentDrop { Socket.silence(s.client.transport.fd) }
        endRefused(s)
        s.phase = .starting   // a live stream for close()
        close(s, abort: false)
    }

    /// dcon / dses / dreq of the frontend and its listener.
    private func countRefusal(_ s: Stream, _ verdict: TCPConnectionCompiledRules.Verdict, connection: Bool) {
        let counter: SharedTable.Counter = verdict == .silentDrop ? .deniedRequests
            : connection ? .deniedConnections : .deniedSessions
        table.frontendCounter(worker: slot, frontend: s.frontend, counter).bump()
        table.bindCounter(worker: slot, bind: s.bindLine, counter).bump()
    }

    /// Nothing of a refused stream is logged or counted at its end.
    private func endRefused(_ s: Stream) {
        s.record.logged = true
        s.record.counted = true
        s.record.terminate(.proxy, .request)
    }
}
