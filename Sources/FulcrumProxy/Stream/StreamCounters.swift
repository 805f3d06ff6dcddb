import FulcrumCore
import FulcrumHTTP

/// HAProxy's stats counters, written from the stream: at accept, when a
/// request head is parsed, and once when an exchange (mode http) or the
/// stream (mode tcp) ends, from its record. Per-worker lines are single
/// writer (plain stores); rates and maxima are shared words every worker
/// updates atomically, so `show stat` is exact across workers.
extension StreamEngine {
    /// A connection accepted and kept: counted as a connection, and open
    /// (scur) until the stream closes; its session counts come once the
    /// session rules let it through (`countSession`).
    func countAccepted(frontend fi: Int, bindLine: Int, http: Bool) {
        countConnection(frontend: fi, bindLine: bindLine, http: http)
        table.frontendCounter(worker: slot, frontend: fi, .current).bump()
        table.bindCounter(worker: slot, bind: bindLine, .current).bump()
    }

    /// A connection accepted, kept or not (conn_tot, the connection rates,
    /// smax), on the frontend and on its listener (`option socket-stats` rows).
    func countConnection(frontend fi: Int, bindLine: Int, http: Bool) {
        let counter = { (c: SharedTable.Counter) in self.table.frontendCounter(worker: self.slot, frontend: fi, c) }
        counter(.connections).bump()
        table.bind(bindLine, .maxConns).raise(to: table.bind(bindLine, .conns).load())
        let second = UInt64(now / 1000)
        table.frontendRate(fi, .connectionRate).count(second: second)
        table.globalRate(.connectionRate).count(second: second)
        table.frontend(fi, .maxConns).raise(to: table.frontend(fi, .conns).load())
    }

    /// The connection became a session (HAProxy's conn_complete_session,
    /// after the PROXY header, the TLS handshake and the session rules):
    /// stot, the session rates, lastsess, h1 connections.
    func countSession(_ s: Stream) {
        let fi = s.frontend
        let counter = { (c: SharedTable.Counter) in self.table.frontendCounter(worker: self.slot, frontend: fi, c) }
        if s.isHTTP { counter(.h1Connections).bump() }
        counter(.sessions).bump()
        counter(.lastSession).store(wallNow)
        table.bindCounter(worker: slot, bind: s.bindLine, .sessions).bump()
        let second = UInt64(now / 1000)
        table.frontendRate(fi, .sessionRate).count(second: second)
        table.globalRate(.sessionRate).count(second: second)
    }

    /// A request head arrived, well formed or not (req_tot, req_rate).
    func countRequest(_ s: Stream) {
        table.frontendCounter(worker: slot, frontend: s.frontend, .requests).bump()
        table.frontendCounter(worker: slot, frontend: s.frontend, .h1Streams).bump()
        table.frontendCounter(worker: slot, frontend: s.frontend, .h1OpenStreams).bump()
        s.record.streamOpen = true
        table.frontendRate(s.frontend, .requestRate).count(second: UInt64(now / 1000))
    }

    /// The stream entered backend `be` (stot, rate, lastsess, scur of the backend).
    func countBackendSession(_ be: Int) {
        table.backendCounter(worker: slot, backend: be, .sessions).bump()
        table.backendCounter(worker: slot, backend: be, .current).bump()
        table.backendCounter(worker: slot, backend: be, .lastSession).store(wallNow)
        table.backendRate(be).count(second: UInt64(now / 1000))
    }

    /// The stream got a connection to server `line` (stot, rate, lastsess).
    func countServerSession(line: Int) {
        table.serverCounter(worker: slot, server: line, .sessions).bump()
        table.serverCounter(worker: slot, server: line, .lastSession).store(wallNow)
        table.serverRate(line).count(second: UInt64(now / 1000))
    }

    /// A request goes to a server of the stream's backend, once per attempt
    /// as HAProxy's h1 mux counts its streams (h1_total_streams).
    func countServerStream(_ s: Stream) {
        table.backendCounter(worker: slot, backend: s.backend, .h1Streams).bump()
    }

    /// Bytes on the wire with the servers of a backend (h1_bytes_in, h1_bytes_out).
    @inline(__always) func countServerBytes(_ s: Stream, _ c: SharedTable.Counter, _ n: Int) {
        table.backendCounter(worker: slot, backend: s.backend, c).bump(by: UInt64(n))
    }

    /// `option http-ignore-probes`: a connection that ended (closed or timed
    /// out) before its first request sent a byte was a browser's pre-connect:
    /// HAProxy neither answers, logs nor counts it.
    func isIgnoredProbe(_ s: Stream) -> Bool {
        s.isHTTP && !s.record.isFollowUp && s.bytesIn == 0 && s.record.requestComplete == 0 && s.record.status == 0
            && frontends[s.frontend].config.connection.ignoreProbes
    }

    /// A stream joined backend `be`'s queue: qmax over all workers.
    func countQueued(backend be: Int) {
        table.backendCounter(worker: slot, backend: be, .queued).bump()
        var total: UInt64 = 0
        for w in 0..<table.workers { total &+= table.backendCounter(worker: w, backend: be, .queued).load() }
        table.backend(be, .maxQueued).raise(to: total)
    }

    /// The status HAProxy's transaction ends with: the response's, the
    /// proxy's own answer, 400/408 for a request that never came whole, -1
    /// for one parsed and never answered; 0 in mode tcp.
    func finalStatus(_ s: Stream) -> Int {
        guard s.isHTTP else { return 0 }
        let rec = s.record
        if rec.requestComplete == 0 {
            return rec.status != 0 ? rec.status : (rec.cause == .clientTimeout ? 408 : 400)
        }
        return rec.status != 0 ? rec.status : -1
    }

    /// The end of an exchange (mode http) or of the stream (mode tcp):
    /// responses by class, denials, errors, aborts and the four timers.
    func countEnd(_ s: Stream) {
        guard !s.record.counted else { return }
        s.record.counted = true
        let rec = s.record
        if rec.streamOpen { table.frontendCounter(worker: slot, frontend: s.frontend, .h1OpenStreams).drop() }
        let sent = s.bytesOut &- rec.bytesOutMark
        if sent > 0 {
            table.globalRate(.bytesOutRate).count(second: UInt64(now / 1000), by: sent)
            table.header(.bytesOut).add(sent)
        }
        // A keep-alive connection closed between requests: no exchange.
        if s.isHTTP && rec.requestStarted == 0 && rec.requestComplete == 0 && rec.cause != .clientTimeout
            && s.bytesIn == rec.bytesInMark { return }
        if isIgnoredProbe(s) { return }
        if let t = s.stick { countStick(s, t) }
        let be = s.routedBackend
        let serverLine = be >= 0 && rec.server >= 0 ? backends[be].servers[rec.server].tableLine : -1
        let fe = { (c: SharedTable.Counter) in self.table.frontendCounter(worker: self.slot, frontend: s.frontend, c) }
        let li = { (c: SharedTable.Counter) in self.table.bindCounter(worker: self.slot, bind: s.bindLine, c) }
        let bk = { (c: SharedTable.Counter) in self.table.backendCounter(worker: self.slot, backend: be, c) }
        let sv = { (c: SharedTable.Counter) in self.table.serverCounter(worker: self.slot, server: serverLine, c) }

        if s.isHTTP {
            // mode http counts bytes as HAProxy's stream does (HTX sizes, the
            // same as %U and %B), on each part the exchange went through.
            // What `option contstats` counted already is left out.
            let bytesIn = UInt64(max(0, rec.requestBytes - rec.countedRequestBytes))
            let bytesOut = UInt64(max(0, rec.responseBytes - rec.countedResponseBytes))
            fe(.bytesIn).bump(by: bytesIn); fe(.bytesOut).bump(by: bytesOut)
            li(.bytesIn).bump(by: bytesIn); li(.bytesOut).bump(by: bytesOut)
            if be >= 0 { bk(.bytesIn).bump(by: bytesIn); bk(.bytesOut).bump(by: bytesOut) }
            if serverLine >= 0 && rec.connected != 0 { sv(.bytesIn).bump(by: bytesIn); sv(.bytesOut).bump(by: bytesOut) }
            let status = finalStatus(s)
            let responses = SharedTable.Counter.responses(status: status)
            fe(responses).bump()
            if be >= 0 {
                bk(responses).bump()
                bk(.requests).bump()
            }
            if serverLine >= 0 && rec.responseHeaders != 0 {
                sv(rec.serverStatus != 0 ? SharedTable.Counter.responses(status: rec.serverStatus) : responses).bump()
                sv(.requests).bump()
            }
            if rec.requestComplete == 0 && rec.status != 0 || rec.cause == .clientTimeout && rec.phase == .request || rec.bodyTimedOut {
                fe(.requestErrors).bump()
                li(.requestErrors).bump()
            }
        }
        if rec.deniedRequest {
            fe(.deniedRequests).bump()
            li(.deniedRequests).bump()
            if be >= 0 { bk(.deniedRequests).bump() }
        }
        if rec.deniedResponse {
            fe(.deniedResponses).bump()
            li(.deniedResponses).bump()
            if be >= 0 { bk(.deniedResponses).bump() }
            if serverLine >= 0 { sv(.deniedResponses).bump() }
        }
        if be >= 0 {
            switch (rec.cause, rec.phase) {
            case (.serverAbort, .headers), (.serverTimeout, .headers):
                bk(.responseErrors).bump()
                if serverLine >= 0 { sv(.responseErrors).bump() }
            case (.proxy, .headers) where !rec.deniedResponse:
                bk(.responseErrors).bump()
                if serverLine >= 0 { sv(.responseErrors).bump() }
            case (.serverAbort, .data), (.serverTimeout, .data):
                bk(.serverAborts).bump()
                if serverLine >= 0 { sv(.serverAborts).bump() }
            case (.clientAbort, .data), (.clientAbort, .last), (.clientTimeout, .data), (.clientTimeout, .last):
                bk(.clientAborts).bump()
                if serverLine >= 0 { sv(.clientAborts).bump() }
            default: break
            }
        }
        // HAProxy's stream_update_time_stats(): only streams that reached a
        // server (and, in mode http, got its response head) are sampled.
        guard be >= 0, rec.connected != 0, !s.isHTTP || rec.responseHeaders != 0 else { return }
        let ended = rec.ended != 0 ? rec.ended : now
        let request = s.isHTTP && rec.requestComplete != 0 ? rec.requestComplete - rec.accepted : 0
        let queue = (rec.connectStarted != 0 ? rec.connectStarted : rec.connected) - rec.accepted
        let connect = rec.connected - rec.accepted
        let data = s.isHTTP ? rec.responseHeaders - rec.accepted : connect
        let timers = SharedTable.StreamTimers(queue: UInt64(max(0, queue - request)),
                                              connect: UInt64(max(0, connect - queue)),
                                              response: UInt64(max(0, data - connect)),
                                              total: UInt64(max(0, ended - rec.accepted)))
        table.record(timers, into: bk)
        if serverLine >= 0 { table.record(timers, into: sv) }
    }
}
