import Glibc
import FulcrumCompression
import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

/// `mode http`: one request/response exchange after another on each client
/// connection. Heads are parsed strictly (FulcrumHTTP) and refused with
/// HAProxy's status codes before anything reaches a server; bodies are
/// forwarded as they arrive, framed by Content-Length or chunked encoding;
/// server connections are kept alive and pooled per server.
extension Worker {
    // MARK: sessions

    func allocateHTTPSession() -> HTTPSession {
        if let i = freeHTTPSlots.popLast() { return httpSessions[i] }
        let s = HTTPSession(index: httpSessions.count)
        httpSessions.append(s)
        return s
    }

    func httpSession(for token: UInt64) -> HTTPSession? {
        let idx = Worker.slot(of: token)
        guard idx < httpSessions.count else { return nil }
        let s = httpSessions[idx]
        return s.generation == UInt32(truncatingIfNeeded: token >> 32) && s.phase != .idle ? s : nil
    }

    func startHTTPSession(client: FileDescriptor, peer: SocketAddress, frontend: Int, bindLine: Int) {
        let s = allocateHTTPSession()
        s.client = client
        s.peer = peer
        s.local = Socket.localAddress(client) ?? peer
        s.frontend = frontend
        s.bindLine = bindLine
        s.phase = .request
        s.clientActivity = now
        s.headStarted = now
        acceptedClient(client, frontend: frontend)
        do {
            try epoll.add(client, events: [.readable, .writable, .readHangup, .edgeTriggered],
                          token: s.token | TokenKind.httpClient.rawValue)
        } catch {
            closeHTTP(s)
            return
        }
        scheduleHTTP(s)
    }

    func dispatchHTTP(token: UInt64, kind: TokenKind, events: Epoll.Events) {
        guard let s = httpSession(for: token) else { return }
        let readable = !events.isDisjoint(with: [.readable, .readHangup, .error, .hangup])
        let writable = !events.isDisjoint(with: [.writable, .error, .hangup])
        let eof = !events.isDisjoint(with: [.readHangup, .hangup, .error])
        if kind == .httpClient {
            if readable { s.clientReadable = true }
            if writable { s.clientWritable = true }
            if eof { s.clientEOF = true }
        } else {
            if readable { s.serverReadable = true }
            if writable { s.serverWritable = true }
            if eof { s.serverEOF = true }
        }
        advanceHTTP(s)
    }

    /// Accounting for a session that leaves the queue other than by being served.
    func leaveQueue(_ s: HTTPSession) {
        guard s.phase == .queued else { return }
        queuedSessions -= 1
        if s.backend >= 0 { table.backendCounter(worker: slot, backend: s.backend, .queued).drop() }
        s.phase = .connecting
    }

    /// Closes the client side (and any server connection not pooled).
    func closeHTTP(_ s: HTTPSession) {
        leaveQueue(s)
        releaseAttached(s)
        if s.client.rawValue >= 0 { s.client.close() }
        leaveBackend(s, reusable: false)
        table.header(.globalConns).subtract(1)
        table.frontend(s.frontend, .conns).subtract(1)
        table.bind(s.bindLine, .conns).subtract(1)
        table.frontendCounter(worker: slot, frontend: s.frontend, .current).drop()
        table.frontendCounter(worker: slot, frontend: s.frontend, .bytesIn).bump(by: s.bytesIn)
        table.frontendCounter(worker: slot, frontend: s.frontend, .bytesOut).bump(by: s.bytesOut)
        s.generation &+= 1
        s.reset()
        freeHTTPSlots.append(s.index)
        activeSessions -= 1
        if pausedListeners > 0 && !draining { resumeListeners() }
    }

    // MARK: the state machine

    /// Moves the session forward as far as readiness allows.
    func advanceHTTP(_ s: HTTPSession) {
        var progress = true
        var rounds = 0
        while progress && rounds < 64 {
            rounds += 1
            progress = false
            switch s.phase {
            case .idle:
                return
            case .request:
                if s.fromClient.count == 0 || s.request == nil {
                    if !readClient(s) { return }
                }
                guard s.request == nil else { break }
                switch parseRequest(s) {
                case .wait: break
                case .done: return
                case .progress: progress = true
                }
            case .queued:
                return
            case .connecting:
                if s.serverWritable { finishHTTPConnect(s); progress = s.phase != .connecting }
            case .exchange:
                progress = exchange(s)
                if s.phase == .idle { return }
            case .tunnel:
                progress = tunnel(s)
                if s.phase == .idle { return }
            case .lingering:
                // Read and drop what the client still sends, until it closes.
                if !discardClient(s) { return }
                return
            case .responding:
                if !flushClient(s) { return }
                if s.toClient.isEmpty {
                    if s.closeAfterFlush { lingerClose(s); return }
                    s.phase = .request
                    s.resetExchange()
                    s.headStarted = now
                    progress = true
                }
            }
        }
        if s.phase != .idle {
            // Out of rounds while still able to move: edge-triggered epoll will
            // not report these sockets again, so run it again next loop turn.
            if progress && rounds >= 64 && !s.pendingRun {
                s.pendingRun = true
                pendingHTTP.append(s.token | TokenKind.httpClient.rawValue)
            }
            scheduleHTTP(s)
        }
    }

    /// Sessions that yielded with work left (fairness between sessions).
    func runPendingHTTP() {
        let tokens = pendingHTTP
        pendingHTTP.removeAll(keepingCapacity: true)
        for t in tokens {
            guard let s = httpSession(for: t) else { continue }
            s.pendingRun = false
            advanceHTTP(s)
        }
    }

    /// Reads what the client sent. False when the session was closed.
    private func readClient(_ s: HTTPSession) -> Bool {
        guard s.clientReadable else { return true }
        let limit = configuration.global.bufferSize * 4
        do {
            let n = try s.fromClient.read(from: s.client, limit: limit)
            if n == 0 {
                // Client closed: nothing pending means a clean end of keep-alive.
                closeHTTP(s)
                return false
            }
            if n > 0 {
                s.clientActivity = now
                s.bytesIn &+= UInt64(n)
                // Edge-triggered: a short read drained the socket (a later
                // arrival raises a new event) unless a FIN is pending.
                if !s.fromClient.lastReadFilled && !s.clientEOF { s.clientReadable = false }
            }
        } catch {
            if error == .again { s.clientReadable = false } else { closeHTTP(s); return false }
        }
        return true
    }

    private enum ParseStep { case wait, progress, done }

    /// A request head is complete: frame it, route it, connect.
    private func parseRequest(_ s: HTTPSession) -> ParseStep {
        let fe = frontends[s.frontend]
        let g = configuration.global
        let limits = HTTPLimits(maxHeadSize: g.bufferSize - g.maxRewrite, maxFields: g.maxHeaders,
                                acceptInvalid: fe.config.http.acceptInvalidRequest)
        let outcome = s.fromClient.withReadable { HTTPParser.parseRequest($0, limits: limits) }
        switch outcome {
        case .incomplete:
            if s.fromClient.count >= limits.maxRawHeadSize {
                respondHTTP(s, bytes: HTTPErrorPages.connectionError(status: HTTPParser.tooLargeStatus), close: true)
                return .done
            }
            return .wait
        case .invalid(let status, _):
            respondHTTP(s, bytes: HTTPErrorPages.connectionError(status: status), close: true)
            return .done
        case .complete(var head, let length):
            s.fromClient.consume(length)
            let lengths = HTTPFraming.lengthFields(head)
            switch lengths.flatMap(HTTPFraming.request) {
            case .failure(let e):
                respondHTTP(s, bytes: HTTPErrorPages.connectionError(status: e.status), close: true)
                return .done
            case .success(let framing):
                s.requestFraming = framing
                if case .contentLength(let n) = framing { s.requestRemaining = n }
                s.requestDone = framing == .none
                // What is already buffered of a chunked body is checked before
                // any server is contacted, as HAProxy does with its buffer.
                if framing == .chunked {
                    var probe = ChunkedBodyParser()
                    if case .invalid(let e) = s.fromClient.withReadable({ probe.feed($0) }) {
                        respondHTTP(s, bytes: HTTPErrorPages.connectionError(status: e.status), close: true)
                        return .done
                    }
                }
            }
            s.requestCount += 1
            // Into the session's kept storage (cleared by resetExchange): no allocation.
            s.requestMethod.removeAll(keepingCapacity: true)
            s.requestMethod.append(contentsOf: head.method)
            s.keepClient = clientWantsKeepAlive(head) && fe.config.http.connectionMode != .close && !draining
            // Content-Length beside Transfer-Encoding: served, then closed (RFC 9112 §6.3).
            if case .success(let lf) = lengths, lf.transferEncoding && lf.contentLengthCount > 0 {
                s.keepClient = false
            }
            // Rules in HAProxy's order: frontend http-request, redirect,
            // use_backend; then the backend's own rules (not again for a listen).
            var backend = fe.backend
            if let rules = frontendRules[s.frontend], rules.hasRequestRules || backendHasRequestRules(fe.backend) {
                var ctx = HTTPRuleContext(request: head, connection: connectionInfo(s))
                switch HTTPRequestProcessing.frontend(rules, defaultBackend: fe.config.defaultBackend, context: &ctx,
                                                      backendExists: { self.backendIndexByName[$0] != nil }) {
                case .respond(let bytes, let close):
                    respondHTTP(s, bytes: bytes, close: close)
                    return .done
                case .forward(let name):
                    backend = name.flatMap { backendIndexByName[$0] } ?? fe.backend
                }
                if let bi = backend, configuration.backends[bi].name != fe.config.name, let brules = backendRules[bi] {
                    if case .respond(let bytes, let close) = HTTPRequestProcessing.backend(brules, context: &ctx) {
                        respondHTTP(s, bytes: bytes, close: close)
                        return .done
                    }
                }
                head = ctx.request
            }
            prepareRequestHead(&head, session: s)
            s.request = head
            guard let be = backend else {
                respondHTTP(s, status: 503, close: !s.keepClient)
                return .done
            }
            routeHTTP(s, backend: be)
            return .progress
        }
    }

    /// Hop-by-hop handling toward the server (HAProxy's http-keep-alive /
    /// http-server-close / httpclose) and X-Forwarded-For.
    private func prepareRequestHead(_ head: inout HTTPHead, session s: HTTPSession) {
        let fe = frontends[s.frontend].config.http
        let closeServer = fe.connectionMode != .keepAlive
        HTTPNormalization.apply(&head)
        // Servers get HTTP/1.1 (or 1.0) whatever later version the client wrote.
        if head.version == .http11, !head.raw[head.part3].elementsEqual("HTTP/1.1".utf8) {
            head.versionOverride = Array("HTTP/1.1".utf8)
        }
        // Hop-by-hop fields: only walk the fields when there is one to drop.
        if !HTTPConnectionHeader.tokens(head).isEmpty { head.remove("Connection") }
        if head.fields.count > 0 { head.remove("Proxy-Connection"); head.remove("Keep-Alive") }
        if closeServer {
            head.add("Connection", "close")
        } else if head.version == .http10 {
            head.add("Connection", "keep-alive")
        }

    }

    private func backendHasRequestRules(_ be: Int?) -> Bool {
        guard let be, let rules = backendRules[be] else { return false }
        return rules.hasRequestRules
    }

    func connectionInfo(_ s: HTTPSession) -> HTTPConnectionInfo {
        HTTPConnectionInfo(source: (s.peer.withAddressBytes { Array($0) }, s.peer.port),
                           destination: (s.local.withAddressBytes { Array($0) }, s.local.port))
    }

    private func clientWantsKeepAlive(_ head: HTTPHead) -> Bool { HTTPConnectionHeader.isKeepAlive(head) }

    // MARK: routing and connecting

    private func routeHTTP(_ s: HTTPSession, backend be: Int) {
        s.backend = be
        s.routedBackend = be
        // option forwardfor: the backend's setting wins over the frontend's.
        if let ff = backends[be].config.http.forwardFor ?? frontends[s.frontend].config.http.forwardFor, var head = s.request {
            ForwardedFor.apply(ff, head: &head, source: s.peer.withAddressBytes { Array($0) })
            s.request = head
        }
        table.backendCounter(worker: slot, backend: be, .sessions).bump()
        table.backendCounter(worker: slot, backend: be, .current).bump()
        table.backendCounter(worker: slot, backend: be, .lastSession).store(wallNow)
        table.backend(be, .conns).add(1)
        connectHTTP(s)
    }

    /// Chooses a server and gets a connection to it: the session's own kept
    /// one, an idle pooled one (http-reuse), or a new one.
    /// Returns false when every usable server is full: from the queue, the
    /// caller keeps the session queued; otherwise it is queued here.
    @discardableResult
    func connectHTTP(_ s: HTTPSession, fromQueue: Bool = false) -> Bool {
        let be = backends[s.backend]
        if s.attachedBackend < 0 { dropServer(s, reusable: false) }
        let someFull = be.observe(table, now: now)
        func full() -> Bool {
            if !fromQueue { enqueueHTTP(s) }
            return false
        }
        let table = self.table
        var chosen: Int? = nil
        if let cookie = be.config.http.cookie, var head = s.request, s.retriesUsed == 0 {
            // Persistence: the cookie's server when it is usable; a cookie naming
            // an unusable server is broken only with `option redispatch`.
            s.cookieState = CookiePersistence.parseRequest(cookie, serverCookies: be.serverCookies,
                                                           head: &head, now: Int(wallNow))
            s.request = head
            // A cookie naming an unusable server is ignored: HAProxy balances
            // the request (only `option persist` would insist on that server).
            if let i = s.cookieState.server, serverUsable(be, i) { chosen = i }
        }
        if chosen == nil {
            var key: UInt32? = nil
            switch be.config.balance {
            case .uri, .urlParam, .header:
                if let head = s.request { key = HTTPBalanceKey.key(be.config.balance, hashType: be.config.hashType, head: head) }
            case .source:
                key = s.peer.withAddressBytes { bytes in
                    bytes.count == 4 ? be.balancer.hashKey(sourceIPv4: UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
                                     : be.balancer.hashKey(sourceIPv6: bytes)
                }
            default:
                break
            }
            chosen = be.balancer.pick(hashKey: key, excluding: s.excludedServer, load: { idx in
                Int(table.server(be.servers[idx].tableLine, .conns).load())
            })
        }
        guard let i = chosen else {
            if someFull { return full() }
            respondHTTP(s, status: 503, close: !s.keepClient)
            return true
        }
        let entry = be.servers[i]
        guard table.server(entry.tableLine, .conns).reserve(limit: entry.maxconn) else { return full() }
        table.server(entry.tableLine, .maxConns).raise(to: table.server(entry.tableLine, .conns).load())
        table.serverCounter(worker: slot, server: entry.tableLine, .chosen).bump()
        table.serverCounter(worker: slot, server: entry.tableLine, .current).bump()
        s.holdsServerSlot = true
        s.serverIndex = i
        if s.attachedBackend >= 0 {
            if s.attachedBackend == s.backend && s.attachedServer == i && !s.serverEOF && !s.serverReadable && s.server.rawValue >= 0 {
                // The session's own connection from its previous exchange:
                // still registered, nothing to look up.
                s.attachedBackend = -1; s.attachedServer = -1
                s.serverConnected = true
                s.serverWritable = true
                startExchange(s)
                return true
            }
            releaseAttached(s)
        }
        let reuse = be.config.http.reuse
        if reuse == .always || reuse == .aggressive || (reuse == .safe && s.requestCount > 1),
           let fd = takePooled(server: entry.tableLine) {
            s.server = fd
            s.serverConnected = true
            s.serverReadable = false
            s.serverWritable = true
            s.serverEOF = false
            try? epoll.modify(fd, events: [.readable, .writable, .readHangup, .edgeTriggered],
                              token: s.token | TokenKind.httpServer.rawValue)
            startExchange(s)
            return true
        }
        var address = entry.address
        if entry.useClientPort { address.port = s.local.port }
        do {
            let fd = try Socket.stream(family: address.family)
            Socket.setNoDelay(fd)
            s.server = fd
            s.serverConnected = false
            s.serverReadable = false; s.serverWritable = false; s.serverEOF = false
            try epoll.add(fd, events: [.readable, .writable, .readHangup, .edgeTriggered],
                          token: s.token | TokenKind.httpServer.rawValue)
            if try Socket.connect(fd, to: address) {
                s.serverConnected = true
                startExchange(s)
            } else {
                s.phase = .connecting
                s.phaseDeadline = be.config.timeouts.connect.map { now + Int64($0) } ?? 0
            }
        } catch {
            httpConnectFailed(s)
        }
        return true
    }

    /// Waits for a free server slot (HAProxy's queue), bounded by `timeout queue`.
    private func enqueueHTTP(_ s: HTTPSession) {
        let be = backends[s.backend]
        s.phase = .queued
        be.queue.push(s.token | TokenKind.httpClient.rawValue)
        queuedSessions += 1
        table.backendCounter(worker: slot, backend: s.backend, .queued).bump()
        s.phaseDeadline = be.config.timeouts.effectiveQueue.map { now + Int64($0) } ?? 0
    }

    private func finishHTTPConnect(_ s: HTTPSession) {
        if Socket.pendingError(s.server) == 0 {
            s.serverConnected = true
            startExchange(s)
        } else {
            httpConnectFailed(s)
        }
    }

    /// Retries and redispatch as in mode tcp; out of retries: 503.
    func httpConnectFailed(_ s: HTTPSession) {
        let be = backends[s.backend]
        let line = be.servers[s.serverIndex].tableLine
        table.serverCounter(worker: slot, server: line, .connectErrors).bump()
        table.backendCounter(worker: slot, backend: s.backend, .connectErrors).bump()
        if be.observesLayer4[s.serverIndex] || be.observesLayer7[s.serverIndex] { table.server(line, .observeErrors).add(1) }
        dropServer(s, reusable: false)
        guard s.retriesUsed < be.config.retries, be.config.http.retryOn.contains("connect-failure") else {
            respondHTTP(s, status: 503, close: !s.keepClient)
            return
        }
        countRetry(s, be)
        connectHTTP(s)
    }

    /// One more try of the request (connect failure or `retry-on`): counted
    /// on the server and backend; `option redispatch` says whether the next
    /// pick avoids the server that failed.
    private func countRetry(_ s: HTTPSession, _ be: BackendRuntime) {
        let line = be.servers[s.serverIndex].tableLine
        s.retriesUsed += 1
        table.serverCounter(worker: slot, server: line, .retries).bump()
        table.backendCounter(worker: slot, backend: s.backend, .retries).bump()
        if let interval = be.config.redispatch, Worker.redispatches(retry: s.retriesUsed, of: be.config.retries, interval: interval) {
            s.excludedServer = s.serverIndex
            table.backendCounter(worker: slot, backend: s.backend, .redispatches).bump()
        }
    }

    private func serverUsable(_ be: BackendRuntime, _ i: Int) -> Bool {
        table.serverTakesTraffic(be.servers[i].tableLine)
    }

    /// Hands the session's kept server connection to the worker's pool (it
    /// may serve another client) or closes it when it cannot be reused.
    func releaseAttached(_ s: HTTPSession) {
        guard s.attachedBackend >= 0 else { return }
        let be = backends[s.attachedBackend]
        if s.server.rawValue >= 0 {
            if !s.serverEOF && !s.serverReadable {
                poolServer(s.server, line: be.servers[s.attachedServer].tableLine,
                           limit: be.config.servers[s.attachedServer].params.poolMaxConn)
            } else {
                s.server.close()
            }
        }
        s.server = FileDescriptor(-1)
        s.serverConnected = false
        s.attachedBackend = -1
        s.attachedServer = -1
    }

    /// Ends the session's use of its backend: the server connection goes back
    /// to the pool (when `reusable`) or is closed, then the backend's counts drop.
    func leaveBackend(_ s: HTTPSession, reusable: Bool) {
        dropServer(s, reusable: reusable)
        if s.backend >= 0 {
            table.backend(s.backend, .conns).subtract(1)
            table.backendCounter(worker: slot, backend: s.backend, .current).drop()
        }
        s.backend = -1
        s.serverIndex = -1
    }

    /// Releases the server connection: to the idle pool when `reusable`.
    func dropServer(_ s: HTTPSession, reusable: Bool) {
        if s.server.rawValue >= 0 {
            if reusable, s.serverIndex >= 0, s.backend >= 0 {
                poolServer(s.server, line: backends[s.backend].servers[s.serverIndex].tableLine,
                           limit: backends[s.backend].config.servers[s.serverIndex].params.poolMaxConn)
            } else {
                s.server.close()
            }
            s.server = FileDescriptor(-1)
        }
        s.serverConnected = false
        if s.holdsServerSlot {
            let be = backends[s.backend]
            let line = be.servers[s.serverIndex].tableLine
            table.server(line, .conns).subtract(1)
            table.serverCounter(worker: slot, server: line, .current).drop()
            s.holdsServerSlot = false
        }
    }

    // MARK: the exchange

    private func startExchange(_ s: HTTPSession) {
        guard var head = s.request else { return }
        let line = backends[s.backend].servers[s.serverIndex].tableLine
        table.serverCounter(worker: slot, server: line, .sessions).bump()
        table.serverCounter(worker: slot, server: line, .lastSession).store(wallNow)
        // observe layer4: a connection ends a run of errors (layer7 judges responses).
        if backends[s.backend].observesLayer4[s.serverIndex] {
            let errors = table.server(line, .observeErrors)
            if errors.load() != 0 { errors.store(0) }
        }
        s.phase = .exchange
        s.phaseDeadline = 0
        s.serverActivity = now
        let comp = compressionConfig(s)
        if !comp.algorithms.isEmpty {
            let accept = head.values(of: "Accept-Encoding").map { String(decoding: $0, as: UTF8.self) }
            s.compressionChoice = CompressionNegotiation.negotiate(acceptEncoding: accept, configured: comp.algorithms.compactMap { CompressionAlgorithm(rawValue: $0.rawValue) },
                                                                   userAgent: head.value(of: "User-Agent"))
            apply(CompressionHeaderEdits.request(choice: s.compressionChoice, offload: comp.offload), to: &head)
        }
        appendHead(head, to: &s.toServer)
        s.request = head
        s.responseDone = false
        s.response = nil
    }

    /// One round of the exchange; true if anything moved.
    private func exchange(_ s: HTTPSession) -> Bool {
        var moved = false
        // Request body: client → toServer.
        if !s.requestDone {
            if s.fromClient.isEmpty && s.clientReadable {
                if !readClient(s) { return false }
            }
            if !s.fromClient.isEmpty {
                let before = s.fromClient.count
                if !forwardBody(from: &s.fromClient, to: &s.toServer, framing: s.requestFraming,
                                remaining: &s.requestRemaining, chunks: &s.requestChunks, done: &s.requestDone) {
                    respondHTTP(s, status: 400, close: true)
                    return false
                }
                moved = moved || s.fromClient.count != before
            }
        }
        // Flush to the server.
        if !s.toServer.isEmpty && s.serverWritable {
            do {
                // Likewise the client is not idle while a slow server reads its request.
                if try s.toServer.send(to: s.server) > 0 { moved = true; s.serverActivity = now; s.clientActivity = now }
            } catch {
                if error == .again { s.serverWritable = false } else { serverFailed(s, status: 502); return false }
            }
        }
        // Response: server → fromServer → toClient.
        if !s.responseDone && s.serverReadable && s.toClient.count < configuration.global.bufferSize * 2 {
            do {
                let n = try s.fromServer.read(from: s.server, limit: configuration.global.bufferSize * 4)
                if n == 0 {
                    s.serverEOF = true
                    if s.response == nil { serverFailed(s, status: 502, retryReason: "empty-response"); return false }
                    if s.responseFraming == .untilClose {
                        s.responseDone = true; s.keepServer = false; moved = true
                        if s.compressing, let c = s.compressor {
                            var out: [UInt8] = []
                            c.finish(into: &out)
                            s.toClient.append(out)
                        }
                    }
                    else { serverFailed(s, status: 502); return false }
                } else if n > 0 {
                    moved = true
                    s.serverActivity = now
                    s.bytesOut &+= UInt64(n)
                    if !s.fromServer.lastReadFilled && !s.serverEOF { s.serverReadable = false }
                }
            } catch {
                if error == .again { s.serverReadable = false } else { serverFailed(s, status: 502); return false }
            }
        }
        while s.response == nil && !s.fromServer.isEmpty {
            switch parseResponse(s) {
            case .wait: break
            case .progress: moved = true; continue
            case .done: return false
            }
            break
        }
        if s.response != nil && !s.responseDone && !s.fromServer.isEmpty {
            let before = s.fromServer.count
            let ok = s.compressing ? compressBody(s)
                : forwardBody(from: &s.fromServer, to: &s.toClient, framing: s.responseFraming,
                              remaining: &s.responseRemaining, chunks: &s.responseChunks, done: &s.responseDone)
            if !ok {
                serverFailed(s, status: 502)
                return false
            }
            moved = moved || s.fromServer.count != before
        }
        if s.phase == .tunnel { return true }
        // Flush to the client; room made there lets the server side be read
        // again (edge-triggered: no new event would come for bytes already
        // waiting), so it counts as progress.
        let waiting = s.toClient.count
        if !flushClient(s) { return false }
        if s.toClient.count < waiting {
            moved = true
            // The server is not idle while it waits for a slow client to read.
            s.serverActivity = now
        }
        if s.responseDone && s.toClient.isEmpty {
            finishExchange(s)
            return s.phase != .idle
        }
        return moved
    }

    /// Parses the response head (1xx are forwarded and parsing goes on).
    private func parseResponse(_ s: HTTPSession) -> ParseStep {
        let g = configuration.global
        let limits = HTTPLimits(maxHeadSize: g.bufferSize - g.maxRewrite, maxFields: g.maxHeaders, acceptInvalid: false)
        let outcome = s.fromServer.withReadable { HTTPParser.parseResponse($0, limits: limits) }
        switch outcome {
        case .incomplete:
            if s.fromServer.count >= limits.maxHeadSize { serverFailed(s, status: 502); return .done }
            return .wait
        case .invalid:
            serverFailed(s, status: 502, retryReason: "junk-response")
            return .done
        case .complete(var head, let length):
            s.fromServer.consume(length)
            if head.status >= 100 && head.status < 200 && head.status != 101 {
                appendHead(head, to: &s.toClient)
                return .progress
            }
            switch HTTPFraming.response(head, requestMethod: s.requestMethod[...]) {
            case .failure:
                serverFailed(s, status: 502)
                return .done
            case .success(let framing):
                s.responseFraming = framing
                if framing == .chunked { s.responseChunks = ChunkedBodyParser(errorStatus: 502) }
                if case .contentLength(let n) = framing { s.responseRemaining = n }
                s.responseDone = framing == .none
            }
            observeLayer7(s, ok: head.status < 500)
            if retryHTTP(s, reason: String(head.status)) { return .done }
            if draining { s.keepClient = false }
            if !HTTPConnectionHeader.isKeepAlive(head)
                || s.responseFraming == .untilClose || frontends[s.frontend].config.http.connectionMode != .keepAlive {
                s.keepServer = false
            }
            if s.responseFraming == .untilClose && head.status != 101 { s.keepClient = false }
            if head.status == 101 { s.keepClient = false }
            head.remove("Connection")
            head.remove("Keep-Alive")
            // http-response rules (backend's, then frontend's), then persistence cookies.
            if let request = s.request, s.backend >= 0 {
                let fe = frontends[s.frontend].config
                let backendSet = configuration.backends[s.backend].name != fe.name ? backendRules[s.backend] : nil
                let frontendSet = frontendRules[s.frontend]
                if backendSet?.hasResponseRules == true || frontendSet?.hasResponseRules == true {
                    var ctx = HTTPRuleContext(request: request, response: head, connection: connectionInfo(s))
                    for rules in [backendSet, frontendSet] {
                        guard let rules, rules.hasResponseRules else { continue }
                        if case .respond(let bytes, let close) = HTTPRequestProcessing.response(rules, context: &ctx) {
                            s.keepServer = false
                            serverFailedWith(s, bytes: bytes, close: close || !s.keepClient)
                            return .done
                        }
                    }
                    head = ctx.response ?? head
                }
                let be = backends[s.backend]
                if let cookie = be.config.http.cookie, s.serverIndex >= 0 {
                    CookiePersistence.editResponse(cookie, serverCookie: be.config.servers[s.serverIndex].params.cookie,
                                                   requestHadValidCookie: s.cookieState.server == s.serverIndex,
                                                   response: &head, requestMethod: String(decoding: s.requestMethod, as: UTF8.self),
                                                   now: Int(wallNow), request: s.cookieState)
                }
            }
            if let choice = s.compressionChoice, head.status != 101 { startCompression(s, choice: choice, response: &head) }
            if head.status == 101 {
                head.add("Connection", "upgrade")
            } else if !s.keepClient {
                head.add("Connection", "close")
            } else if s.request?.version == .http10 {
                head.add("Connection", "keep-alive")
            }
            appendHead(head, to: &s.toClient)
            s.response = head
            if head.status == 101 || (head.status / 100 == 2 && s.requestMethod.elementsEqual("CONNECT".utf8)) {
                s.phase = .tunnel
                // Whatever followed the head already belongs to the tunnel.
                s.toClient.take(s.fromServer.count, from: &s.fromServer)
                s.toServer.take(s.fromClient.count, from: &s.fromClient)
            }
            return .progress
        }
    }

    /// Moves the bytes of the current message body from `src` to `dst`.
    /// False on a framing error (bad chunk).
    private func forwardBody(from src: inout ByteBuffer, to dst: inout ByteBuffer, framing: HTTPBodyFraming,
                             remaining: inout Int, chunks: inout ChunkedBodyParser, done: inout Bool) -> Bool {
        switch framing {
        case .none:
            done = true
        case .contentLength:
            let n = min(remaining, src.count)
            dst.take(n, from: &src)
            remaining -= n
            if remaining == 0 { done = true }
        case .chunked:
            // Decoded and chunked again with CRLF, as HAProxy rewrites the
            // framing, so the next hop parses the body exactly as we did.
            chunkScratch.removeAll(keepingCapacity: true)
            let step = src.withReadable { chunks.decode($0, into: &chunkScratch) }
            let consumed: Int
            switch step {
            case .consumed(let n): consumed = n
            case .done(let n): consumed = n; done = true
            case .invalid: return false
            }
            src.consume(consumed)
            if !chunkScratch.isEmpty {
                chunkSizeLine.removeAll(keepingCapacity: true)
                ChunkedEncoding.appendSizeLine(chunkScratch.count, to: &chunkSizeLine)
                dst.append(chunkSizeLine)
                dst.append(contentsOf: chunkScratch[...])
                dst.append(ChunkedEncoding.crlf)
            }
            if done { dst.append(ChunkedEncoding.lastChunk) }
        case .untilClose:
            dst.take(src.count, from: &src)
        }
        return true
    }

    /// Sends pending bytes to the client; false when the session was closed.
    private func flushClient(_ s: HTTPSession) -> Bool {
        guard !s.toClient.isEmpty, s.clientWritable else { return true }
        do {
            if try s.toClient.send(to: s.client) > 0 { s.clientActivity = now }
        } catch {
            if error == .again { s.clientWritable = false } else { closeHTTP(s); return false }
        }
        return true
    }

    /// The response went out: pool the server connection, then wait for the
    /// next request on this client connection or close it.
    private func finishExchange(_ s: HTTPSession) {
        let requestComplete = s.requestDone
        let reusable = s.keepServer && requestComplete && !s.serverEOF
        if reusable && s.keepClient && s.server.rawValue >= 0 && s.serverIndex >= 0 {
            // Keep the connection with the session for its next request (as
            // HAProxy does); the server slot is free meanwhile.
            let attachedBackend = s.backend, attachedServer = s.serverIndex
            let fd = s.server
            s.server = FileDescriptor(-1)
            leaveBackend(s, reusable: false)
            s.server = fd
            s.serverConnected = true
            s.attachedBackend = attachedBackend
            s.attachedServer = attachedServer
        } else {
            leaveBackend(s, reusable: reusable)
        }
        // A draining worker said Connection: close on this response already
        // when it could; a response that went out before the drain keeps the
        // connection for one more request, answered with close.
        if !s.keepClient || !requestComplete {
            closeHTTP(s)
            return
        }
        s.resetExchange()
        s.phase = .request
        s.headStarted = now
    }

    private func tunnel(_ s: HTTPSession) -> Bool {
        var moved = false
        if s.clientReadable && s.toServer.count < configuration.global.bufferSize {
            do {
                let n = try s.toServer.read(from: s.client, limit: configuration.global.bufferSize * 2)
                if n == 0 { closeHTTP(s); return false }
                if n > 0 { moved = true; s.clientActivity = now; s.bytesIn &+= UInt64(n) }
            } catch { if error == .again { s.clientReadable = false } else { closeHTTP(s); return false } }
        }
        if s.serverReadable && s.toClient.count < configuration.global.bufferSize {
            do {
                let n = try s.toClient.read(from: s.server, limit: configuration.global.bufferSize * 2)
                if n == 0 { s.closeAfterFlush = true; s.serverReadable = false }
                if n > 0 { moved = true; s.serverActivity = now; s.bytesOut &+= UInt64(n) }
            } catch { if error == .again { s.serverReadable = false } else { closeHTTP(s); return false } }
        }
        if !s.toServer.isEmpty && s.serverWritable {
            do { if try s.toServer.send(to: s.server) > 0 { moved = true } }
            catch { if error == .again { s.serverWritable = false } else { closeHTTP(s); return false } }
        }
        if !flushClient(s) { return false }
        if s.closeAfterFlush && s.toClient.isEmpty { closeHTTP(s); return false }
        return moved
    }

    /// The server failed before the response was complete.
    /// `observe layer7`: a 5xx, invalid or missing response is an error, a
    /// good one ends a run of errors (the checker acts at error-limit).
    private func observeLayer7(_ s: HTTPSession, ok: Bool) {
        guard s.backend >= 0, s.serverIndex >= 0, backends[s.backend].observesLayer7[s.serverIndex] else { return }
        let word = table.server(backends[s.backend].servers[s.serverIndex].tableLine, .observeErrors)
        if ok { if word.load() != 0 { word.store(0) } } else { word.add(1) }
    }

    private func serverFailed(_ s: HTTPSession, status: Int, retryReason: String? = nil) {
        if s.response == nil { observeLayer7(s, ok: false) }
        if let reason = retryReason, retryHTTP(s, reason: reason) { return }
        if s.response == nil {
            leaveBackend(s, reusable: false)
            respondHTTP(s, status: status, close: !s.keepClient)
        } else {
            // Part of the response already left: only closing tells the client.
            closeHTTP(s)
        }
    }

    /// `retry-on`: replays a request that can safely be replayed (fully sent,
    /// no body, nothing of the response forwarded yet) on a new connection,
    /// redispatching as `option redispatch` says. False when it cannot.
    private func retryHTTP(_ s: HTTPSession, reason: String) -> Bool {
        guard s.backend >= 0, s.serverIndex >= 0, s.requestFraming == .none, s.requestDone,
              s.toClient.isEmpty, s.response == nil else { return false }
        let be = backends[s.backend]
        guard be.config.http.retryOn.contains(reason), s.retriesUsed < be.config.retries else { return false }
        countRetry(s, be)
        dropServer(s, reusable: false)
        s.fromServer.clear()
        s.toServer.clear()
        s.response = nil
        s.responseDone = false
        s.responseFraming = .none
        s.serverEOF = false
        s.phase = .connecting
        connectHTTP(s)
        return true
    }

    /// A response rule refused the server's response: send its page instead.
    private func serverFailedWith(_ s: HTTPSession, bytes: [UInt8], close: Bool) {
        leaveBackend(s, reusable: false)
        respondHTTP(s, bytes: bytes, close: close)
    }

    /// Answers locally (error page, deny, redirect), then closes or goes on.
    /// HAProxy keeps the client connection after its error pages except 400
    /// and 408 (and when the request body was not read: see respondHTTP(bytes:)).
    func respondHTTP(_ s: HTTPSession, status: Int, close: Bool) {
        respondHTTP(s, bytes: errorPage(status, session: s), close: close || status == 400 || status == 408)
    }

    func respondHTTP(_ s: HTTPSession, bytes: [UInt8], close: Bool) {
        leaveBackend(s, reusable: false)
        s.toClient.append(bytes)
        s.closeAfterFlush = close || !s.requestDone || !s.keepClient
        s.phase = .responding
        s.phaseDeadline = 0
        if !flushClient(s) { return }
        if s.toClient.isEmpty && s.closeAfterFlush { lingerClose(s) }
    }

    /// Closing a socket with unread input makes the kernel send a reset,
    /// which can destroy the answer we just sent. HAProxy's way: shut our
    /// side, drain what the client still sends for a moment, then close.
    private func lingerClose(_ s: HTTPSession) {
        Socket.shutdownWrite(s.client)
        leaveBackend(s, reusable: false)
        s.phase = .lingering
        s.phaseDeadline = now + 1000
        s.fromClient.clear()
        _ = discardClient(s)
        if s.phase == .lingering { scheduleHTTP(s) }
    }

    /// Drops client bytes; closes on EOF or error. False when closed.
    private func discardClient(_ s: HTTPSession) -> Bool {
        while s.clientReadable {
            do {
                let n = try s.fromClient.read(from: s.client, limit: 65536)
                s.fromClient.clear()
                if n == 0 { closeHTTP(s); return false }
            } catch {
                if error == .again { s.clientReadable = false } else { closeHTTP(s); return false }
            }
        }
        return true
    }

    /// The backend's `errorfile` (when a backend was chosen), else the
    /// frontend's, else HAProxy's default page.
    func errorPage(_ status: Int, session s: HTTPSession) -> [UInt8] {
        if s.routedBackend >= 0, s.routedBackend < backendErrorFiles.count,
           let custom = backendErrorFiles[s.routedBackend][status] { return custom }
        if s.frontend < errorFiles.count, let custom = errorFiles[s.frontend][status] { return custom }
        return HTTPErrorPages.response(status: status)
    }

    /// The head as it goes out: its received bytes when nothing changed,
    /// else serialized through the worker's reused scratch buffer.
    func appendHead(_ head: HTTPHead, to out: inout ByteBuffer) {
        if head.isUnmodified {
            out.append(contentsOf: head.raw[...])
            return
        }
        headScratch.removeAll(keepingCapacity: true)
        head.serialize(into: &headScratch)
        out.append(contentsOf: headScratch[...])
    }

    // MARK: compression

    /// The backend's `compression` settings when it has any, else the frontend's.
    private func compressionConfig(_ s: HTTPSession) -> CompressionConfig {
        if s.backend >= 0, !backends[s.backend].config.http.compression.algorithms.isEmpty {
            return backends[s.backend].config.http.compression
        }
        return frontends[s.frontend].config.http.compression
    }

    private func apply(_ edits: [HeaderEdit], to head: inout HTTPHead) {
        for e in edits {
            switch e {
            case .remove(let name): head.remove(name)
            case .add(let name, let value): head.add(name, value)
            case .set(let name, let value): head.set(name, value)
            }
        }
    }

    /// HAProxy's eligibility rules; on yes the head is edited (chunked,
    /// Content-Encoding, Vary, weak ETag) and the body goes through zlib.
    private func startCompression(_ s: HTTPSession, choice: CompressionChoice, response head: inout HTTPHead) {
        let comp = compressionConfig(s)
        let contentLength: Int?
        if case .contentLength(let n) = s.responseFraming { contentLength = n } else { contentLength = nil }
        let chunked = s.responseFraming == .chunked
        let eligible = CompressionNegotiation.responseEligible(
            status: head.status, contentEncoding: head.value(of: "Content-Encoding"),
            cacheControl: head.values(of: "Cache-Control").map { String(decoding: $0, as: UTF8.self) },
            contentType: head.value(of: "Content-Type"), contentLength: contentLength, types: comp.types,
            requestMethod: String(decoding: s.requestMethod, as: UTF8.self), chunked: chunked,
            etags: head.values(of: "ETag").map { String(decoding: $0, as: UTF8.self) },
            requestIsHTTP11: s.request?.version == .http11, responseIsHTTP11: head.version == .http11)
        guard eligible, s.responseFraming != .none else { return }
        apply(CompressionHeaderEdits.response(algorithm: choice.algorithm, chunked: chunked, etag: head.value(of: "ETag")),
              to: &head)
        if let c = s.compressor { c.reset(algorithm: choice.algorithm) }
        else { s.compressor = try? ResponseCompressor(algorithm: choice.algorithm) }
        s.compressing = s.compressor != nil
    }

    /// Takes the body's payload (de-chunked) and sends it compressed, chunked.
    private func compressBody(_ s: HTTPSession) -> Bool {
        guard let c = s.compressor else { return false }
        // Compressed chunks are built in the worker's reused scratch; a body
        // framed by length or close is compressed straight from the read buffer.
        chunkScratch.removeAll(keepingCapacity: true)
        switch s.responseFraming {
        case .contentLength:
            let n = min(s.responseRemaining, s.fromServer.count)
            s.fromServer.withReadable { c.compress(UnsafeRawBufferPointer(rebasing: $0[0..<n]), into: &chunkScratch) }
            s.fromServer.consume(n)
            s.responseRemaining -= n
            if s.responseRemaining == 0 { s.responseDone = true }
        case .chunked:
            s.plain.removeAll(keepingCapacity: true)
            let step = s.fromServer.withReadable { s.responseChunks.decode($0, into: &s.plain) }
            switch step {
            case .consumed(let n): s.fromServer.consume(n)
            case .done(let n): s.fromServer.consume(n); s.responseDone = true
            case .invalid: return false
            }
            s.plain.withUnsafeBytes { c.compress($0, into: &chunkScratch) }
        case .untilClose:
            s.fromServer.withReadable { c.compress($0, into: &chunkScratch) }
            s.fromServer.consume(s.fromServer.count)
        case .none:
            s.responseDone = true
        }
        if s.responseDone { c.finish(into: &chunkScratch) }
        s.toClient.append(chunkScratch)
        return true
    }

    // MARK: idle server connections

    func poolServer(_ fd: FileDescriptor, line: Int, limit: Int) {
        let cap = limit < 0 ? 256 : limit
        if idlePools[line].count >= cap {
            fd.close()
            return
        }
        idlePools[line].append(fd)
        try? epoll.modify(fd, events: [.readable, .readHangup, .edgeTriggered],
                          token: UInt64(line) << Worker.kindBits | TokenKind.pooled.rawValue)
    }

    /// An idle connection that is still open (the server may have closed it).
    func takePooled(server line: Int) -> FileDescriptor? {
        while let fd = idlePools[line].popLast() {
            var byte: UInt8 = 0
            let r = recv(fd.rawValue, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
            if r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return fd }
            fd.close()
        }
        return nil
    }

    /// A pooled connection became readable: the server closed it (or sent
    /// something unsolicited); either way it cannot be reused.
    func pooledEvent(token: UInt64) {
        let line = Worker.slot(of: token)
        guard line < idlePools.count else { return }
        var kept: [FileDescriptor] = []
        for fd in idlePools[line] {
            var byte: UInt8 = 0
            let r = recv(fd.rawValue, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
            if r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { kept.append(fd) } else { fd.close() }
        }
        idlePools[line] = kept
    }

    // MARK: timeouts

    func httpDeadline(_ s: HTTPSession) -> Int64 {
        let fe = frontends[s.frontend].config.timeouts
        switch s.phase {
        case .idle: return 0
        case .request:
            // Draining: an idle keep-alive connection closes after the grace.
            if draining && s.fromClient.isEmpty {
                return max(s.clientActivity, drainStartedAt) + drainIdleGrace
            }
            // Waiting for a head: http-request from its first byte, or
            // http-keep-alive between requests (HAProxy's rules).
            let waitingNext = s.requestCount > 0 && s.fromClient.isEmpty
            if waitingNext, let ka = fe.httpKeepAlive ?? fe.httpRequest ?? fe.client { return s.headStarted + Int64(ka) }
            if let hr = fe.httpRequest ?? fe.client { return s.headStarted + Int64(hr) }
            return 0
        case .connecting, .queued, .lingering:
            return s.phaseDeadline
        case .exchange, .responding:
            var d: Int64 = 0
            if let c = fe.client { d = s.clientActivity + Int64(c) }
            if s.backend >= 0, let v = backends[s.backend].config.timeouts.server {
                let dv = s.serverActivity + Int64(v)
                d = d == 0 ? dv : min(d, dv)
            }
            return d
        case .tunnel:
            let t = s.backend >= 0 ? backends[s.backend].config.timeouts.tunnel : nil
            if let t = t ?? fe.client { return max(s.clientActivity, s.serverActivity) + Int64(t) }
            return 0
        }
    }

    func scheduleHTTP(_ s: HTTPSession) {
        let d = httpDeadline(s)
        if d != 0 && (s.scheduled == 0 || d < s.scheduled) {
            timers.push(d, s.token | TokenKind.httpClient.rawValue)
            s.scheduled = d
        }
    }

    func expireHTTP(_ s: HTTPSession) {
        switch s.phase {
        case .request:
            // A head that started and did not finish: 408; an idle keep-alive: close.
            if s.fromClient.isEmpty { closeHTTP(s) } else { respondHTTP(s, status: 408, close: true) }
        case .connecting:
            httpConnectFailed(s)
        case .queued:
            // HAProxy answers 503 when the queue timeout strikes.
            leaveQueue(s)
            respondHTTP(s, status: 503, close: !s.keepClient)
        case .exchange:
            if s.response == nil && s.requestDone { serverFailed(s, status: 504, retryReason: "response-timeout") } else { closeHTTP(s) }
        case .tunnel, .responding, .lingering:
            closeHTTP(s)
        case .idle:
            break
        }
    }
}
