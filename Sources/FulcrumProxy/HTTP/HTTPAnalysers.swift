import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

/// mode http on top of the stream: one request/response exchange after
/// another on each client connection. Heads are parsed strictly (FulcrumHTTP)
/// and refused with HAProxy's status codes before anything reaches a server;
/// bodies are forwarded as they arrive, framed by Content-Length or chunked
/// encoding; server connections are kept alive and pooled per server.
extension StreamEngine {
    /// Moves an HTTP stream forward as far as readiness allows.
    func advanceHTTP(_ s: Stream) {
        var progress = true
        var rounds = 0
        while progress && rounds < 64 {
            rounds += 1
            progress = false
            switch s.phase {
            case .idle, .proxyHeader, .handshake, .inspecting:
                return
            case .request:
                // A keep-alive connection waiting for its next request holds
                // no transaction (Stream.setHTTPAside): one is lent once the
                // client has something to read.
                guard let http = s.lentHTTP else {
                    if !s.client.readable { break }
                    if !readClient(s) { return }
                    // Nothing came after all (a TLS record without data): aside again.
                    if s.lentHTTP?.fromClient.isEmpty ?? true { s.setHTTPAside() } else { progress = true }
                    break
                }
                if http.awaitingBody != -1 {
                    switch continueBufferingBody(s) {
                    case .wait: progress = s.client.readable && s.client.eof
                    case .done: return
                    case .progress: progress = true
                    }
                    break
                }
                if http.pendingService != nil {
                    // A local service reading the request body.
                    if !readClient(s) { return }
                    switch continueLocalService(s) {
                    case .wait: progress = s.client.readable
                    case .done: return
                    case .progress: progress = true
                    }
                    break
                }
                if s.http.fromClient.isEmpty || !s.http.requestReady {
                    if !readClient(s) { return }
                }
                guard !s.http.requestReady, !s.http.fromClient.isEmpty else { break }
                switch analyseRequest(s) {
                case .wait:
                    // A FIN behind the partial head: read it (the client aborted).
                    if s.client.readable && s.client.eof { progress = true }
                case .done:
                    // A rule answered (deny, return, redirect) on a connection
                    // kept open: on to `.responding`, which ends the exchange
                    // (log line, counters, heads given back) once it is sent,
                    // not at the client's next event.
                    guard s.phase == .responding else { return }
                    progress = true
                case .progress: progress = true
                }
            case .starting, .queued, .retryWait, .tarpit:
                return
            case .connecting:
                advanceConnect(s)
                progress = s.phase != .connecting
            case .exchange:
                progress = exchange(s)
                if s.phase == .idle { return }
            case .forwarding:
                forwardBoth(s)
                return
            case .lingering:
                // Read and drop what the client still sends, until it closes.
                _ = discardClient(s)
                return
            case .responding:
                if !flushClient(s) { return }
                if s.response.buffer.isEmpty {
                    if s.http.exchange.answerSent().closeClient { lingerClose(s); return }
                    nextExchange(s)
                    progress = true
                }
            }
        }
        if s.phase != .idle {
            // Out of rounds while still able to move: edge-triggered epoll will
            // not report these sockets again, so run it again next loop turn.
            if progress && rounds >= 64 { runNextTurn(s) }
            schedule(s)
        }
    }

    /// Waits for the next request on a keep-alive connection.
    func nextExchange(_ s: Stream) {
        s.record.ended = now
        countEnd(s)
        if logger != nil { logEnd(s) }
        // Between requests a keep-alive connection holds no buffer.
        s.http.fromClient.releaseIfEmpty(to: buffers)
        s.http.fromServer.release(to: buffers)
        releaseHeads(s)
        s.http.resetExchange()
        s.endTransactionVariables()
        s.routedBackend = -1
        s.retriesUsed = 0
        s.excludedServer = nil
        s.skipPersistence = false
        s.phase = .request
        s.headStarted = now
        s.record.restart(at: now, wallMicros: WallClock.nowMicroseconds(), bytesIn: s.bytesIn, bytesOut: s.bytesOut)
        s.record.number = exchangesStarted
        exchangesStarted &+= 1
        if !s.http.fromClient.isEmpty { s.record.requestStarted = now } else { s.setHTTPAside() }
    }

    /// Reads what the client sent. False when the stream was closed.
    func readClient(_ s: Stream) -> Bool {
        guard s.client.readable else { return true }
        do {
            let (n, filled) = try s.client.transport.receive(into: &s.http.fromClient, pool: buffers, limit: bufferSize)
            if n == 0 {
                // Client closed: nothing pending means a clean end of keep-alive.
                if s.phase != .request || !s.http.fromClient.isEmpty { s.record.terminate(.clientAbort, clientAbortPhase(s)) }
                close(s, abort: false)
                return false
            }
            if n > 0 {
                s.client.activity = now
                s.bytesIn &+= UInt64(n)
                if s.record.requestStarted == 0 { s.record.requestStarted = now }
                // Edge-triggered: a short read drained the socket (a later
                // arrival raises a new event) unless a FIN is pending.
                if !filled && !s.client.eof { s.client.readable = false }
            }
        } catch {
            if error == .again { if s.client.transport.receiveWaitsForReadable { s.client.readable = false } } else {
                s.record.terminate(.clientAbort, clientAbortPhase(s))
                close(s, abort: false)
                return false
            }
        }
        return true
    }

    enum AnalyserStep { case wait, progress, done }

    /// Where a client that left aborted: HAProxy 2.6 says 'L' while the
    /// request body was still coming (measured), else the stream's phase.
    func clientAbortPhase(_ s: Stream) -> TerminationPhase {
        if s.phase == .exchange && !s.http.responseReady && !s.http.exchange.requestBody.isDone { return .last }
        return phaseLetter(s)
    }

    /// A rule's answer: a redirect or `return` (2xx, 3xx) is processed
    /// locally ('L'), a deny or auth is the proxy's refusal ('P').
    static func answerCause(_ bytes: [UInt8]) -> TerminationCause {
        let status = HTTPErrorPages.status(of: bytes) ?? 0
        return (200..<400).contains(status) ? .local : .proxy
    }

    /// A request head is complete: frame it, run the rules, route it, connect.
    private func analyseRequest(_ s: Stream) -> AnalyserStep {
        let fe = frontends[s.frontend]
        let limits = fe.requestLimits
        if s.http.requestBox == nil { s.http.requestBox = heads.take(kind: .request) }
        let outcome = HTTPParser.parseRequest(s.http.fromClient.readable, limits: limits, into: &s.http.request)
        switch outcome {
        case .incomplete:
            if s.http.fromClient.count >= limits.maxRawHeadSize {
                countRequest(s)
                captureError(s, response: false, bytes: s.http.fromClient.readable, errorAt: s.http.fromClient.count)
                refuseRequest(s, status: HTTPParser.tooLargeStatus)
                return .done
            }
            return .wait
        case .invalid(let status, _):
            countRequest(s)
            captureError(s, response: false, bytes: s.http.fromClient.readable, errorAt: s.http.request.errorOffset)
            refuseRequest(s, status: status)
            return .done
        case .complete(let length):
            s.http.fromClient.consume(length)
            s.http.fromClient.releaseIfEmpty(to: buffers)
            s.record.requestComplete = now
            countRequest(s)
            s.stick?.countHTTPRequest()
            if case .refuse(let status) = s.http.exchange.requestHead(&s.http.request, draining: draining) {
                refuseRequest(s, status: status)
                return .done
            }
            s.record.requestBytes = HTTPMessageSize.htx(ofHead: &s.http.request)
            // What is already buffered of a chunked body is checked before
            // any server is contacted, as HAProxy does with its buffer.
            if s.http.exchange.requestBody.framing == .chunked {
                var probe = ChunkedBodyParser()
                if case .invalid(let e) = s.http.fromClient.withReadable({ probe.feed($0) }) {
                    // As HAProxy's buffer holds it: the head (consumed here already), then the body.
                    let message = s.http.request.raw + Array(s.http.fromClient.readable)
                    message.withUnsafeBytes { captureError(s, response: false, bytes: $0, errorAt: s.http.request.raw.count + (e.at ?? 0)) }
                    refuseRequest(s, status: e.status)
                    return .done
                }
            }
            if answerMonitorRequest(s) { return .done }
            // The frontend's `option http-buffer-request`: its rules see the body.
            if fe.config.connection.bufferRequest && !requestBodyBuffered(s) {
                s.http.awaitingBody = HTTPTransaction.beforeRules
                return .wait
            }
            return routeRequest(s)
        }
    }

    /// The request head is parsed (and with the frontend's `option
    /// http-buffer-request` its body buffered): the rules, then a backend.
    func routeRequest(_ s: Stream) -> AnalyserStep {
        let fe = frontends[s.frontend]
        // Rules in HAProxy's order: frontend http-request, redirect,
        // use_backend; then the backend's own rules (not again for a listen).
        // Either rule set may wait for the body (HTTPRuleStages.swift).
        if s.upgradedBackend >= 0 {
            if s.record.isFollowUp { s.upgradedBackend = upgradedRoute(s) }
            if backendHasRequestRules(s.upgradedBackend) {
                let end: HTTPRuleStageEnd
                do {
                    var ctx = HTTPRuleContext(request: s.http.request, connection: connectionInfo(s))
                    ctx.variables = s.variables
                    end = backendRuleStage(s, &ctx, backend: s.upgradedBackend, upgraded: true)
                }
                return afterStage(s, end)
            }
            return afterRules(s, backend: s.upgradedBackend)
        }
        if let rules = frontendRules[s.frontend], rules.hasRequestRules || backendHasRequestRules(fe.backend) {
            let end: HTTPRuleStageEnd
            do {
                var ctx = HTTPRuleContext(request: s.http.request, connection: connectionInfo(s))
                ctx.variables = s.variables
                if rules.waitsForBody { giveBody(s, &ctx) } else if fe.config.connection.bufferRequest { provideBody(s, &ctx) }
                ctx.cache.now = Int64(wallNow)
                ctx.stick = stickTracker(s)
                end = frontendRuleStage(s, &ctx)
            }
            return afterStage(s, end)
        }
        return afterRules(s, backend: fe.backend)
    }

    /// The rules are done (or there were none): a local service, or the
    /// backend's server.
    func afterRules(_ s: Stream, backend: Int?) -> AnalyserStep {
        let fe = frontends[s.frontend]
        if let step = startLocalService(s, backend: backend) { return step }
        s.http.exchange.prepareForServer(&s.http.request)
        if logger != nil { assignUniqueID(s) }
        guard let be = backend else {
            s.http.requestReady = true
            s.record.terminate(.proxy, .request)
            respondHTTP(s, status: 503, close: !s.http.exchange.keepClient)
            return .done
        }
        // option forwardfor: the backend's setting wins over the frontend's.
        // A unix client has no address to forward (HAProxy adds nothing).
        if let ff = backends[be].config.http.forwardFor ?? fe.config.http.forwardFor, !s.peer.isUnix {
            ForwardedFor.apply(ff, head: &s.http.request, source: s.peer.ipAddress)
        }
        let feOT = fe.config.http.originalTo, beOT = backends[be].config.http.originalTo
        if feOT != nil || beOT != nil {
            OriginalTo.apply(frontend: feOT, backend: beOT, head: &s.http.request, destination: localAddress(s).ipAddress)
        }
        s.http.requestReady = true
        enter(s, backend: be)
        if buffersRequestBody(s, backend: be) {
            s.http.awaitingBody = be
            return .wait
        }
        goToServer(s)
        return .progress
    }

    /// The request is in its backend (and its body buffered when asked):
    /// on to a server.
    func goToServer(_ s: Stream) {
        if s.attachedBackend < 0 { dropServer(s, reusable: false) }
        s.phase = .connecting
        dispatchOrQueue(s)
    }

    /// A rule set ended the request (answered, handed to a service, closed,
    /// tarpitted).
    func finishRules(_ s: Stream, _ outcome: HTTPRequestProcessing.Outcome, _ ctx: HTTPRuleContext, backend: Int?) {
        switch outcome {
        case .forward, .waitForBody:
            // Not an end: the rule stages go on or wait (HTTPRuleStages.swift).
            break
        case .respond(let bytes, let close):
            s.record.deniedRequest = ctx.denied
            s.record.terminate(StreamEngine.answerCause(bytes), .request)
            respondHTTP(s, bytes: bytes, close: close)
        case .service(let service):
            s.http.request = ctx.request
            runService(s, service)
        case .close(let silent):
            // `reject` and `silent-drop`: HAProxy counts a denied request and
            // logs PR; the client gets no answer at all.
            s.record.deniedRequest = true
            s.record.terminate(.proxy, .request)
            if silent { Socket.silence(s.client.transport.fd) }
            close(s, abort: !silent)
        case .tarpit(let status):
            s.record.deniedRequest = true
            s.http.tarpitStatus = status
            startTarpit(s, backend: backend)
        }
    }

    /// `set-src` / `set-dst` (and ports) changed the connection's endpoints:
    /// every later fetch, log line and `0.0.0.0` server sees the new ones.
    func adoptAddresses(_ s: Stream, _ c: HTTPConnectionInfo) {
        guard c.addressesChanged else { return }
        s.peer = SocketAddress(c.source.address, port: c.source.port)
        s.local = SocketAddress(c.destination.address, port: c.destination.port)
    }

    /// A head that cannot be served: HAProxy's page, then close.
    private func refuseRequest(_ s: Stream, status: Int) {
        s.record.terminate(.proxy, .request)
        _ = s.http.exchange.refuse(status)
        respondHTTP(s, bytes: HTTPErrorPages.connectionError(status: status), close: true, counted: false)
    }

    func backendHasRequestRules(_ be: Int?) -> Bool {
        guard let be, let rules = backendRules[be] else { return false }
        return rules.hasRequestRules
    }

    func connectionInfo(_ s: Stream) -> HTTPConnectionInfo {
        let local = localAddress(s)
        var info = HTTPConnectionInfo(source: s.peer.ipAddress, sourcePort: s.peer.port,
                                      destination: local.ipAddress, destinationPort: local.port)
        info.tls = s.tls
        info.captureSlots = frontendCaptureSlots[s.frontend]
        return info
    }

    /// Persistence: the server the request's cookie names, when it is usable.
    /// A cookie naming an unusable server is ignored: HAProxy balances the
    /// request (only `option persist` would insist on that server).
    func persistentServer(_ s: Stream, _ be: BackendRuntime,
                          persistence: ServerRulesCompiled.Persistence = .normal) -> Int? {
        guard let cookie = be.config.http.cookie, s.retriesUsed == 0 else { return nil }
        if !s.http.cookieParsed {
            s.http.cookieState = CookiePersistence.parseRequest(cookie, serverCookies: be.serverCookies,
                                                                head: &s.http.request, now: Int(wallNow))
            s.http.cookieParsed = true
            // `ignore-persist`: the cookie names no server (the response's is then set again).
            if persistence == .ignore { s.http.cookieState.server = nil }
        }
        // `option persist`, `force-persist`: the cookie wins even over a DOWN or disabled server.
        if let i = s.http.cookieState.server, be.config.connection.persist || persistence == .force
            || table.serverTakesTraffic(be.servers[i].tableLine) { return i }
        return nil
    }
}
