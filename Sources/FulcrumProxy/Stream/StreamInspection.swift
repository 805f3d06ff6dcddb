import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

/// mode tcp content inspection, as HAProxy's tcp_inspect_request: the
/// client's first bytes are read into the request flow (forwarded from
/// there once connected) and the frontend's `tcp-request content` rules,
/// then `use_backend`, then the backend's rules decide on them. A rule that
/// cannot decide yet holds the stream (no server connection) until more
/// bytes come, the client closes, the buffer is full or inspect-delay
/// expires; then the rules decide on what is there.
extension StreamEngine {
    /// Holds `s` in the inspecting phase for `rules` (its frontend's while
    /// it has no backend, its backend's after).
    func beginInspection(_ s: Stream, _ rules: TCPCompiledRules) {
        s.phase = .inspecting
        s.phaseDeadline = rules.inspectDelay.map { now + Int64($0) } ?? 0
        inspect(s)
    }

    /// Reads what the client sent and runs the rules of the current stage.
    func inspect(_ s: Stream) {
        let rules = s.backend >= 0 ? backendTCPRules[s.backend] : frontendTCPRules[s.frontend]
        guard let rules else { finishInspection(s); return }
        let limit = bufferSize - configuration.global.maxRewrite
        if !readForInspection(s, limit: limit, response: false) { return }
        let final = rules.inspectDelay == nil || (s.phaseDeadline != 0 && s.phaseDeadline <= now)
            || s.request.sourceClosed || s.request.buffer.count >= limit
        // Decided before acting, so the context (and its hold on the
        // scratch array) is gone when routing fills the array again.
        let verdict = rules.inspect(inspectionContext(s, limit: limit, final: final))
        switch verdict {
        case .wait:
            schedule(s)
        case .reject, .close, .silentDrop:
            // (`close` and `silent-drop` are response actions: not met here.)
            s.record.deniedRequest = true
            s.record.terminate(.proxy, .request)
            close(s, abort: true)
        case .accept:
            finishInspection(s)
        case .switchToHTTP:
            s.phaseDeadline = 0
            switchToHTTP(s, policy: frontends[s.frontend].httpPolicy)
        }
    }

    /// One stage accepted: the frontend's leads to use_backend and the
    /// backend's own rules, the backend's to the server.
    private func finishInspection(_ s: Stream) {
        s.phaseDeadline = 0
        if s.backend >= 0 {
            dispatchOrQueue(s)
        } else {
            routeTCP(s)
        }
    }

    /// `use_backend` (first rule whose condition holds on what was
    /// received), else `default_backend`; then that backend's content rules,
    /// unless it is the frontend's own listen section (one rule set).
    func routeTCP(_ s: Stream) {
        let fe = frontends[s.frontend]
        var target = fe.backend
        if let rules = frontendTCPRules[s.frontend],
           let name = rules.route(inspectionContext(s, limit: bufferSize - configuration.global.maxRewrite, final: true)),
           let i = backendIndexByName[name] {
            target = i
        }
        guard let be = target else {
            Log.debug("frontend '\(fe.config.name)' has no backend; closing")
            s.record.terminate(.proxy, .request)
            close(s, abort: true)
            return
        }
        if backends[be].config.mode == .http { upgradeToHTTP(s, backend: be); return }
        enter(s, backend: be)
        let config = backends[be].config
        if let rules = backendTCPRules[be], rules.inspects,
           config.name != fe.config.name || config.location != fe.config.location {
            beginInspection(s, rules)
            return
        }
        s.phase = .starting
        dispatchOrQueue(s)
    }

    /// Reads the client (or, `response`, the server) for inspection, counting
    /// the bytes; false when the read failed and the stream was closed.
    func readForInspection(_ s: Stream, limit: Int, response: Bool) -> Bool {
        let read = response ? readForInspection(&s.server, into: &s.response, limit: limit)
                            : readForInspection(&s.client, into: &s.request, limit: limit)
        if response { s.bytesOut &+= UInt64(read.bytes) } else { s.bytesIn &+= UInt64(read.bytes) }
        guard read.failed else { return true }
        s.record.terminate(response ? .serverAbort : .clientAbort, response ? .data : .request)
        close(s, abort: true)
        return false
    }

    /// Reads one side into its flow up to `limit` bytes: the client into
    /// the request (`tcp-request content`), or the server into the response
    /// (`tcp-response content`). Returns the bytes read, and whether the read
    /// failed (the caller ends the stream).
    func readForInspection(_ side: inout StreamSide, into flow: inout Flow, limit: Int) -> (bytes: Int, failed: Bool) {
        var total = 0
        while side.readable && !flow.sourceClosed && flow.buffer.count < limit {
            let space = flow.buffer.writableSpace(upTo: limit - flow.buffer.count, pool: buffers)
            let n: Int
            do {
                n = try side.transport.receive(into: space.baseAddress!, count: space.count)
            } catch {
                if error == .again { side.readable = false; break }
                return (total, true)
            }
            if n == 0 { flow.sourceClosed = true; break }
            flow.buffer.commit(n)
            total += n
            side.activity = now
            if n < space.count && !side.eof { side.readable = false }
        }
        flow.buffer.releaseIfEmpty(to: buffers)
        return (total, false)
    }

    /// What the rules see: the received bytes of the request (or the
    /// response), copied into the reused scratch array whose slice the
    /// fetches return, and the connection.
    func inspectionContext(_ s: Stream, limit: Int, final: Bool, response: Bool = false) -> HTTPRuleContext {
        inspectScratch.removeAll(keepingCapacity: true)
        (response ? s.response : s.request).buffer.withReadable { inspectScratch.append(contentsOf: $0) }
        let local = localAddress(s)
        var context = HTTPRuleContext(request: noHead, connection: HTTPConnectionInfo(
            source: s.peer.ipAddress, sourcePort: s.peer.port, destination: local.ipAddress, destinationPort: local.port))
        context.connection.tls = s.tls
        context.variables = s.variables
        context.stick = stickTracker(s)
        context.payload = inspectScratch[...]
        context.payloadLimit = limit
        context.payloadFinal = final
        context.payloadIsResponse = response
        return context
    }
}
