import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// Every stream's next deadline, in one place for both modes, and what its
/// expiry does. Timers are lazily deleted: a stream pushes a heap entry only
/// when its deadline moves earlier than the pending one.
extension StreamEngine {
    /// The stream's next deadline (0: none): the phase deadline while it waits
    /// for a server or lingers; HAProxy's http-request / http-keep-alive while
    /// a head is awaited; client and server inactivity (their -fin forms once
    /// a side is half-closed, or timeout tunnel for both when set) otherwise.
    func deadline(of s: Stream) -> Int64 {
        let ft = frontends[s.frontend].config.timeouts
        switch s.phase {
        case .idle, .starting:
            return 0
        case .inspecting:
            let client = ft.client.map { s.client.activity + Int64($0) } ?? 0
            if s.phaseDeadline == 0 || client == 0 { return max(s.phaseDeadline, client) }
            return min(s.phaseDeadline, client)
        case .queued, .connecting, .retryWait, .lingering, .handshake, .proxyHeader, .tarpit:
            return s.phaseDeadline
        case .request:
            // Read without lending a transaction: a keep-alive connection
            // waiting for its next request has none (Stream.setHTTPAside).
            let http = s.lentHTTP
            let noBytes = http?.fromClient.isEmpty ?? true
            // Draining: an idle keep-alive connection closes after the grace.
            if draining && noBytes {
                return max(s.client.activity, drainStartedAt) + drainIdleGrace
            }
            // An `http-request wait-for-body` rule: its time, and the client's inactivity.
            if let http, http.awaitingBody == HTTPTransaction.inRules {
                let client = ft.client.map { s.client.activity + Int64($0) } ?? 0
                let rule = http.ruleWaitDeadline
                return rule == 0 || client == 0 ? max(rule, client) : min(rule, client)
            }
            let waitingNext = s.httpRequests > 0 && noBytes && (http?.awaitingBody ?? -1) == -1
            if waitingNext, let ka = ft.httpKeepAlive ?? ft.httpRequest ?? ft.client { return s.headStarted + Int64(ka) }
            if let hr = ft.httpRequest ?? ft.client { return s.headStarted + Int64(hr) }
            return 0
        case .exchange, .responding:
            var d: Int64 = 0
            if let c = ft.client { d = s.client.activity + Int64(c) }
            // The server is not read while the response waits for the client
            // to take it: HAProxy arms no server timeout then, only the
            // client's runs (unless request bytes still wait for the server).
            let waitsForClient = !s.response.buffer.isEmpty && s.request.buffer.isEmpty
            if s.backend >= 0, !waitsForClient, let v = backends[s.backend].config.timeouts.server {
                let dv = s.server.activity + Int64(v)
                d = d == 0 ? dv : min(d, dv)
            }
            // An `http-response wait-for-body` rule's time.
            let rule = s.http.responseRuleWait != nil ? s.http.responseRuleDeadline : 0
            if rule != 0 { d = d == 0 ? rule : min(d, rule) }
            return d
        case .forwarding:
            let be = s.backend >= 0 ? s.backend : s.routedBackend
            let bt = be >= 0 ? backends[be].config.timeouts : nil
            if let tunnel = bt?.tunnel { return max(s.client.activity, s.server.activity) + Int64(tunnel) }
            let clientHalfClosed = s.request.sourceClosed || s.response.shutdownSent
            let serverHalfClosed = s.response.sourceClosed || s.request.shutdownSent
            let c = clientHalfClosed ? ft.effectiveClientFin : ft.client
            // As in .exchange: no server timeout while only the client holds things up.
            let waitsForClient = s.response.pending > 0 && s.request.pending == 0
            let v = waitsForClient ? nil : serverHalfClosed ? bt?.effectiveServerFin : bt?.server
            var d: Int64 = 0
            if let c { d = s.client.activity + Int64(c) }
            if let v { let dv = s.server.activity + Int64(v); d = d == 0 ? dv : min(d, dv) }
            // `tcp-response inspect-delay`: the rules decide when it expires.
            if s.inspectingResponse && s.phaseDeadline != 0 { d = d == 0 ? s.phaseDeadline : min(d, s.phaseDeadline) }
            return d
        }
    }

    @inline(__always)
    func schedule(_ s: Stream) {
        countWhileTransferring(s)
        let d = deadline(of: s)
        if d != 0 && (s.scheduled == 0 || d < s.scheduled) {
            loop.schedule(s.token(.client), at: d)
            s.scheduled = d
        }
    }

    /// A stream's timer is due: acted on only if it is the one last pushed
    /// (lazy deletion) and the stream's deadline has really passed.
    func timerDue(_ token: EventToken, deadline due: Int64) {
        guard let s = stream(for: token), s.scheduled == due else { return }
        s.scheduled = 0
        let d = deadline(of: s)
        if d == 0 { return }
        if d > now { schedule(s); return }
        expire(s)
    }

    private func expire(_ s: Stream) {
        switch s.phase {
        case .queued:
            Log.debug("queue timeout in backend '\(backends[s.backend].config.name)'")
            s.record.terminate(.serverTimeout, .queue)
            leaveQueue(s)
            // HAProxy answers 503 when the queue timeout strikes.
            giveUp(s, status: 503)
        case .connecting:
            connectFailed(s, timedOut: true)
        case .retryWait:
            retrySameServer(s)
        case .forwarding:
            if s.inspectingResponse && s.phaseDeadline != 0 && s.phaseDeadline <= now {
                forwardBoth(s)
                return
            }
            s.record.terminate(clientTimedOut(s) ? .clientTimeout : .serverTimeout, .data)
            close(s, abort: true)
        case .request:
            // A head that started and did not finish: 408; an idle keep-alive: close.
            // A body awaited for `option http-buffer-request`: 408 too (cD).
            if s.http.awaitingBody != -1 {
                s.http.awaitingBody = -1
                s.record.bodyTimedOut = true
                s.record.terminate(.clientTimeout, .data)
                respondHTTP(s, status: 408, close: true)
                return
            }
            s.record.terminate(.clientTimeout, .request)
            if s.http.fromClient.isEmpty { close(s, abort: false) } else { respondHTTP(s, status: 408, close: true) }
        case .exchange:
            if s.http.responseRuleWait != nil {
                // The response body did not come in time (HAProxy's abort_res: 504, sD).
                s.http.responseRuleWait = nil
                s.record.terminate(.serverTimeout, .data)
                serverFailed(s, status: 504)
                return
            }
            if !s.http.responseReady && s.http.exchange.requestBody.isDone {
                s.record.terminate(.serverTimeout, .headers)
                serverFailed(s, status: 504, retry: .responseTimeout)
            } else {
                s.record.terminate(clientTimedOut(s) ? .clientTimeout : .serverTimeout, .data)
                close(s, abort: false)
            }
        case .responding, .lingering:
            s.record.terminate(.clientTimeout, .last)
            close(s, abort: false)
        case .handshake:
            // HAProxy bounds the handshake with `timeout client`; nothing was logged yet.
            s.record.terminate(.clientTimeout, .request)
            close(s, abort: true)
        case .proxyHeader:
            proxyHeaderFailed(s, .timeout)
        case .inspecting:
            if s.phaseDeadline != 0 && s.phaseDeadline <= now {
                inspect(s)
            } else {
                s.record.terminate(.clientTimeout, .request)
                close(s, abort: false)
            }
        case .tarpit:
            s.record.terminate(.proxy, .tarpit)
            respondHTTP(s, status: s.http.tarpitStatus, close: true)
        case .idle, .starting:
            break
        }
    }

    /// `http-request tarpit`: the request waits `timeout tarpit` of the
    /// proxy whose rule matched (its `timeout connect` without one), then
    /// gets the rule's status and the connection closes, as in HAProxy.
    func startTarpit(_ s: Stream, backend: Int?) {
        let t = backend.map { backends[$0].config.timeouts } ?? frontends[s.frontend].config.timeouts
        guard let ms = t.tarpit ?? t.connect else {
            s.record.terminate(.proxy, .tarpit)
            respondHTTP(s, status: s.http.tarpitStatus, close: true)
            return
        }
        s.phase = .tarpit
        s.phaseDeadline = now + Int64(ms)
        schedule(s)
    }

    /// Whether the client side's inactivity deadline is the one that passed.
    private func clientTimedOut(_ s: Stream) -> Bool {
        guard let c = frontends[s.frontend].config.timeouts.client else { return false }
        return s.client.activity + Int64(c) <= now
    }
}
