import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumTLS

/// Server choice, connection, retries, redispatch and the maxconn queue: one
/// path for both modes. What differs is what follows: mode tcp starts
/// forwarding or aborts, mode http starts the exchange or answers 503.
extension StreamEngine {
    enum DispatchOutcome: Equatable {
        case started, full, noServer
        /// The server named for the stream is full and so is its own queue
        /// (`maxqueue`); `persisted`: named by the persistence cookie.
        case serverQueueFull(Int, persisted: Bool)
    }

    /// Picks a server and connects, queues the stream when every usable
    /// server is at its maxconn, and gives up when no server is usable.
    func dispatchOrQueue(_ s: Stream) {
        switch dispatch(s) {
        case .started: break
        case .full: enqueue(s)
        case .noServer: noServer(s)
        case .serverQueueFull(let i, let persisted): serverQueueFull(s, server: i, persisted: persisted)
        }
    }

    /// Chooses a server (persistence cookie first, then with `option
    /// prefer-last-server` the one the client's connection is attached to,
    /// then the algorithm with the key its properties name) and starts
    /// getting a connection to it.
    func dispatch(_ s: Stream) -> DispatchOutcome {
        let be = backends[s.backend]
        // No server configured nor added (spare slots aside): the client's own destination.
        if be.liveCount == 0 && be.config.transparent {
            return connectOriginalDestination(s) ? .started : .noServer
        }
        s.queuedServer = -1
        let i: Int
        // The server was named (cookie or hash key): when full, the stream waits for it.
        var named = false
        var persisted = false
        let rules = backendServerRules[s.backend]
        let context = rules.map { _ in serverRuleContext(s) }
        let persistence = context.map { rules!.persistence($0) } ?? .normal
        // The cookie is read (and edited) even when a use-server rule wins.
        let cookieServer = s.isHTTP && !s.skipPersistence ? persistentServer(s, be, persistence: persistence) : nil
        if persistence == .ignore && s.isHTTP { s.http.skipsCookieInsert = true }
        let ruled = rules.flatMap { r in context.flatMap { ruleServer(s, r, context: $0, persistence: persistence) } }
        // Stick rules run even when a rule or the cookie chose: their stores record the server.
        let stuck = stickServer(s, be, assigned: ruled != nil || cookieServer != nil || s.skipPersistence)
        if let u = ruled {
            i = u
            named = true
            s.http.skipsCookieInsert = true
        } else if let p = cookieServer ?? stuck {
            i = p
            named = true
            persisted = true
        } else if s.isHTTP, let last = lastServer(s, be), reserve(s, server: last) || waitsForLastServer(s, be, last) {
            guard s.holdsServerSlot else { s.queuedServer = last; return .full }
            connect(s)
            return .started
        } else {
            let key = be.hashKey(peer: s.peer) { s.isHTTP ? s.http.request : nil }
            switch be.chooseServer(hashKey: key, excluding: s.excludedServer, table: table, now: now) {
            case .server(let picked):
                i = picked
                named = key != nil && be.properties.fullServer == .queue
            case .full: return .full
            case .noServer: return .noServer
            }
        }
        guard reserve(s, server: i) else {
            guard named else { return .full }
            let limit = be.servers[i].maxqueue
            if limit > 0 && be.serverQueueLength(i, table: table) >= limit { return .serverQueueFull(i, persisted: persisted) }
            s.queuedServer = i
            return .full
        }
        connect(s)
        return .started
    }

    /// `option prefer-last-server`: the server the client's kept connection
    /// goes to, while it takes traffic (not with hash algorithms, as HAProxy).
    /// HAProxy 2.6 only keeps a private connection (`http-reuse never`) with
    /// the client's session, others go to the server's idle pool, so only
    /// then is there a last server to prefer (checked side by side).
    func lastServer(_ s: Stream, _ be: BackendRuntime) -> Int? {
        guard be.config.connection.preferLastServer, be.config.http.reuse == .never, s.attachedBackend == s.backend,
              s.attachedServer >= 0, s.server.isOpen, !s.server.eof else { return nil }
        switch be.properties.lookup {
        case .hashMap, .hashRing, .weightedRandom: return nil
        default: break
        }
        let i = s.attachedServer
        return table.serverTakesTraffic(be.servers[i].tableLine) ? i : nil
    }

    /// The last server (`option prefer-last-server`) is at its maxconn: the
    /// request waits in its queue unless `max-keep-alive-queue N` is set and
    /// N requests wait there already (HAProxy's `queue + 1 < N + 1`), when
    /// the balancer chooses instead.
    private func waitsForLastServer(_ s: Stream, _ be: BackendRuntime, _ last: Int) -> Bool {
        guard let limit = be.config.connection.maxKeepAliveQueue else { return true }
        return be.serverQueueLength(last, table: table) < limit
    }

    /// The named server's queue is at its `maxqueue`: a cookie-persisted
    /// request goes to the balancer when `option redispatch` is on, anything
    /// else gets a 503 (HAProxy's queue error, logged sQ, a failed
    /// connection of the server and the backend).
    func serverQueueFull(_ s: Stream, server i: Int, persisted: Bool) {
        let be = backends[s.backend]
        if persisted && be.config.redispatch != nil && !s.skipPersistence {
            s.skipPersistence = true
            dispatchOrQueue(s)
            return
        }
        let line = be.servers[i].tableLine
        table.serverCounter(worker: slot, server: line, .connectErrors).bump()
        table.backendCounter(worker: slot, backend: s.backend, .connectErrors).bump()
        s.record.server = i
        s.record.terminate(.serverAbort, .queue)
        giveUp(s, status: 503)
    }

    /// Takes a connection slot on server `i` of the stream's backend; false
    /// when the server is at its maxconn (as slowstart ramps it).
    func reserve(_ s: Stream, server i: Int) -> Bool {
        let be = backends[s.backend]
        guard be.reserveSlot(i, table: table, now: now) else { return false }
        let line = be.servers[i].tableLine
        table.serverCounter(worker: slot, server: line, .chosen).bump()
        table.serverCounter(worker: slot, server: line, .current).bump()
        s.holdsServerSlot = true
        s.serverIndex = i
        s.serverBytesMark = (s.bytesIn, s.bytesOut)
        return true
    }

    func releaseServerSlot(_ s: Stream) {
        guard s.holdsServerSlot else { return }
        let line = backends[s.backend].servers[s.serverIndex].tableLine
        table.server(line, .conns).subtract(1)
        table.serverCounter(worker: slot, server: line, .current).drop()
        let bytesIn = s.bytesIn &- s.serverBytesMark.in, bytesOut = s.bytesOut &- s.serverBytesMark.out
        if !s.isHTTP && (bytesIn > 0 || bytesOut > 0) {
            table.serverCounter(worker: slot, server: line, .bytesIn).bump(by: bytesIn)
            table.serverCounter(worker: slot, server: line, .bytesOut).bump(by: bytesOut)
        }
        s.holdsServerSlot = false
    }

    /// Releases the server connection (to the idle pool when `reusable`) and
    /// the server slot.
    func dropServer(_ s: Stream, reusable: Bool) {
        if s.server.isOpen {
            if reusable, s.serverIndex >= 0, s.backend >= 0, !addressMoved(s, backend: s.backend, server: s.serverIndex) {
                let be = backends[s.backend]
                poolServer(s.server.transport, line: be.servers[s.serverIndex].tableLine,
                           limit: be.servers[s.serverIndex].poolMaxConn)
                s.server.detach()
            } else {
                s.server.close(abort: s.backend >= 0 && backends[s.backend].config.connection.noLinger)
            }
        }
        s.serverConnected = false
        releaseServerSlot(s)
    }

    /// Gets a connection to the reserved server: mode http's kept or idle
    /// pooled one when it may, else a new one.
    func connect(_ s: Stream) {
        let be = backends[s.backend]
        if be.refreshAddress(s.serverIndex, table) { dropPooled(server: be.servers[s.serverIndex].tableLine) }
        let entry = be.servers[s.serverIndex]
        // HAProxy's t_queue: when the stream first got a server (retries do not move it).
        if s.record.connectStarted == 0 { s.record.connectStarted = now }
        s.record.server = s.serverIndex
        // HAProxy counts a server session per connection attempt, reused or new.
        countServerSession(line: entry.tableLine)
        if s.isHTTP { countServerStream(s) }
        if s.isHTTP, let prefix = entry.redirectPrefix,
           let answer = ServerRedirect.response(prefix: prefix, method: s.http.request.method, target: s.http.request.target) {
            s.record.terminate(.local, .connect)
            respondHTTP(s, bytes: answer, close: true)
            return
        }
        s.serverProxyHeaderPending = false
        s.serverSOCKS4 = nil
        if s.isHTTP && !entry.useClientAddress && reuseConnection(s, be, entry) {
            table.serverCounter(worker: slot, server: entry.tableLine, .reuses).bump()
            table.backendCounter(worker: slot, backend: s.backend, .reuses).bump()
            return
        }
        table.serverCounter(worker: slot, server: entry.tableLine, .connectAttempts).bump()
        table.backendCounter(worker: slot, backend: s.backend, .connectAttempts).bump()
        var address = entry.address
        if entry.useClientAddress { address = SocketAddress(localAddress(s).ipAddress, port: address.port) }
        if entry.useClientPort { address.port = localAddress(s).port }
        s.serverProxyHeaderPending = entry.sendProxy != 0
        if s.isHTTP { s.serverAddressSequence = entry.addressSequence }
        s.serverSOCKS4 = entry.socks4.map { _ in SOCKS4Pending(destination: address) }
        if let proxy = entry.socks4 { address = proxy }
        openServerConnection(s, to: address, source: entry.source, fastOpen: entry.fastOpen, what: "\(be.config.name)/\(entry.name)")
    }

    /// A new server socket for `s`: bound to `source` if any, with the
    /// backend's keep-alive probes, then connecting under `timeout connect`
    /// (or ready at once). A failure at any step is the stream's connect
    /// failure. Shared by servers and `option transparent`'s destination.
    func openServerConnection(_ s: Stream, to address: SocketAddress, source: SourceBinding?, fastOpen: Bool = false,
                              what: @autoclosure () -> String) {
        let be = backends[s.backend]
        let fd: FileDescriptor
        do {
            fd = try Socket.stream(family: address.family)
        } catch {
            Log.warning("socket: \(error)")
            connectFailed(s, timedOut: false)
            return
        }
        if let source, !bindSource(fd, source, s) {
            fd.close()
            connectFailed(s, timedOut: false)
            return
        }
        Socket.setNoDelay(fd)
        let ka = be.config.connection.serverKeepAlive
        if ka.enabled { Socket.setKeepAlive(fd, idle: ka.idle, interval: ka.interval, count: ka.count) }
        Socket.setBufferSizes(fd, receive: serverSocketBuffers.receive, send: serverSocketBuffers.send)
        // HAProxy 2.6 delays the handshake's ACK only when bytes wait to go
        // with it at connect time: a PROXY header, or a tcp stream's client
        // bytes (not an HTTP request, which its muxes send later; strace).
        if be.config.connection.smartConnect && (s.serverProxyHeaderPending || (!s.isHTTP && !s.request.buffer.isEmpty)) {
            Socket.setQuickAck(fd, false)
        }
        if fastOpen { Socket.setFastOpenConnect(fd) }
        s.server.attach(.plain(fd))
        do {
            try loop.register(fd, [.readable, .writable, .readHangup, .edgeTriggered], s.token(.server))
            if try Socket.connect(fd, to: address) {
                serverReady(s)
            } else {
                s.phase = .connecting
                s.phaseDeadline = be.config.timeouts.connect.map { now + Int64($0) } ?? 0
                schedule(s)
            }
        } catch {
            Log.debug("connect to \(what()) failed: \(error)")
            connectFailed(s, timedOut: false)
        }
    }

    /// The outcome of a non-blocking connect, once the socket is writable:
    /// without EPOLLERR/HUP it succeeded (no getsockopt needed), otherwise
    /// SO_ERROR says why it failed.
    func finishConnect(_ s: Stream) {
        let err = s.server.failed ? Socket.pendingError(s.server.transport.fd) : 0
        if err == 0 {
            serverReady(s)
        } else {
            Log.debug("connect to \(backends[s.backend].config.name)/\(s.serverIndex >= 0 ? backends[s.backend].servers[s.serverIndex].name : "<transparent>") failed: \(Errno(err))")
            connectFailed(s, timedOut: false)
        }
    }

    /// Connected (or handed a live connection): counted, then the mode goes on.
    func serverReady(_ s: Stream) {
        let be = backends[s.backend]
        // `option transparent`: no server, nothing server-specific to do.
        if s.serverIndex < 0 { connectionEstablished(s); return }
        let line = be.servers[s.serverIndex].tableLine
        // `socks4`: the proxy's handshake comes before everything else.
        if s.serverSOCKS4 != nil && !advanceSOCKS4(s) { return }
        // `send-proxy[-v2]`: the header goes first, before a TLS handshake.
        if s.serverProxyHeaderPending {
            s.serverProxyHeaderPending = false
            if !sendProxyHeader(s, version: be.servers[s.serverIndex].sendProxy,
                                options: be.servers[s.serverIndex].proxyV2Options) {
                connectFailed(s, timedOut: false)
                return
            }
        }
        // `server ... ssl`: a new connection first does its TLS handshake,
        // within the connect timeout (a reused one already did).
        if line < serverTLS.count, let tls = serverTLS[line], table.sslOverride(line) != false, case .plain(let fd) = s.server.transport {
            let name: String?
            switch tls.serverName {
            case .none: name = nil
            case .constant(let n): name = n
            case .requestHost: name = s.isHTTP ? s.http.request.value(of: "Host") : nil
            case .clientSNI: name = s.tls?.serverName.map { String(decoding: $0, as: UTF8.self) }
            }
            let writable = s.server.writable
            do {
                let c = try TLSConnection(fd: fd, context: tls.context, serverName: name,
                                          verifyHostname: tls.context.options.verify == .required ? (tls.verifyHostname ?? name) : nil,
                                          session: tls.reuseSessions ? tls.lastSession : nil)
                s.server.attach(.tls(c))
            } catch {
                Log.debug("TLS to \(be.config.name)/\(be.servers[s.serverIndex].name): \(error)")
                connectFailed(s, timedOut: false)
                return
            }
            s.server.writable = writable
            s.serverHandshaking = true
            // The handshake belongs to the connect phase and its timeout.
            s.phase = .connecting
            if s.phaseDeadline == 0 { s.phaseDeadline = be.config.timeouts.connect.map { now + Int64($0) } ?? 0 }
            continueServerHandshake(s)
            if s.phase == .connecting { schedule(s) }
            return
        }
        // observe layer4: a connection ends a run of errors (layer7 judges responses).
        if be.observesLayer4[s.serverIndex] {
            let errors = table.server(line, .observeErrors)
            if errors.load() != 0 { errors.store(0) }
        }
        connectionEstablished(s)
    }

    /// The server side is ready: the mode's exchange or forwarding starts.
    func connectionEstablished(_ s: Stream) {
        s.phaseDeadline = 0
        s.record.connected = now
        s.client.activity = now
        s.server.activity = now
        if s.isHTTP {
            s.serverConnected = true
            startExchange(s)
        } else {
            stickStore(s, responsePhase: false)
            s.phase = .forwarding
            if s.backend >= 0, let rules = backendTCPResponseRules[s.backend] {
                s.inspectingResponse = true
                s.phaseDeadline = rules.inspectDelay.map { now + Int64($0) } ?? 0
            }
            forwardBoth(s)
        }
    }

    /// The connect phase, both modes: the TCP connect, then (`ssl`) the TLS handshake.
    func advanceConnect(_ s: Stream) {
        if s.serverHandshaking {
            continueServerHandshake(s)
        } else if s.serverSOCKS4?.awaitingReply == true {
            if s.server.readable || s.server.failed { serverReady(s) }
        } else if s.server.writable {
            finishConnect(s)
        }
    }

    /// Drives the TLS handshake with a server; once done, the connection is
    /// ready. A failed handshake is a failed connection (retries apply).
    func continueServerHandshake(_ s: Stream) {
        guard case .tls(let c) = s.server.transport else { return }
        do {
            guard try c.handshake() else { return }
        } catch {
            if error == .again {
                if c.wants == .write { s.server.writable = false } else { s.server.readable = false }
                return
            }
            let be = backends[s.backend]
            Log.debug("TLS handshake with \(be.config.name)/\(be.servers[s.serverIndex].name) failed: \(c.failure.map { "\($0)" } ?? "\(error)")")
            connectFailed(s, timedOut: false)
            return
        }
        s.serverHandshaking = false
        let line = backends[s.backend].servers[s.serverIndex].tableLine
        if let tls = serverTLS[line], tls.reuseSessions, let session = c.session { tls.lastSession = session }
        serverReady(s)
    }

    /// HAProxy's retry rules: `retries` further attempts (mode http: when
    /// `retry-on` has connect-failure, its default); a refused connection waits
    /// min(timeout connect, 1 s) before retrying the same server; `option
    /// redispatch N` moves the chosen retries to another server.
    func connectFailed(_ s: Stream, timedOut: Bool) {
        let be = backends[s.backend]
        if s.serverIndex < 0 {   // `option transparent`: no server to retry on
            dropServer(s, reusable: false)
            table.backendCounter(worker: slot, backend: s.backend, .connectErrors).bump()
            s.record.terminate(timedOut ? .serverTimeout : .serverAbort, .connect)
            giveUp(s, status: 503)
            return
        }
        let line = be.servers[s.serverIndex].tableLine
        if be.observesLayer4[s.serverIndex] || be.observesLayer7[s.serverIndex] { table.server(line, .observeErrors).add(1) }
        dropServer(s, reusable: false)
        let retries = be.config.retries
        guard s.retriesUsed < retries, !s.isHTTP || be.retryOn.covers(.connectFailure) else {
            Log.debug("giving up on \(be.config.name) after \(s.retriesUsed) retries")
            // HAProxy counts a connection error when no retry is left (econ).
            table.serverCounter(worker: slot, server: line, .connectErrors).bump()
            table.backendCounter(worker: slot, backend: s.backend, .connectErrors).bump()
            s.record.terminate(timedOut ? .serverTimeout : .serverAbort, .connect)
            giveUp(s, status: 503)
            return
        }
        if countRetry(s, be) {
            dispatchOrQueue(s)
        } else if !timedOut {
            s.phase = .retryWait
            s.phaseDeadline = now + Int64(min(be.config.timeouts.connect ?? 1000, 1000))
            schedule(s)
        } else {
            retrySameServer(s)
        }
    }

    func retrySameServer(_ s: Stream) {
        if reserve(s, server: s.serverIndex) { connect(s) } else { enqueue(s) }
    }

    /// One more try (connect failure or mode http's `retry-on`). Returns
    /// whether `option redispatch` says this retry goes to another server
    /// (the one that failed is then avoided). As HAProxy counts them: a retry
    /// on the same server is a retry (wretr), one moved elsewhere a
    /// redispatch (wredis), never both.
    func countRetry(_ s: Stream, _ be: BackendRuntime) -> Bool {
        let line = be.servers[s.serverIndex].tableLine
        s.retriesUsed += 1
        guard let interval = be.config.redispatch,
              StreamEngine.redispatches(retry: s.retriesUsed, of: be.config.retries, interval: interval) else {
            table.serverCounter(worker: slot, server: line, .retries).bump()
            table.backendCounter(worker: slot, backend: s.backend, .retries).bump()
            return false
        }
        table.serverCounter(worker: slot, server: line, .redispatches).bump()
        table.backendCounter(worker: slot, backend: s.backend, .redispatches).bump()
        s.excludedServer = s.serverIndex
        return true
    }

    /// HAProxy: a positive interval P redispatches every Pth retry; a negative
    /// N redispatches on the |N|th retry counted back from the last one.
    static func redispatches(retry: Int, of retries: Int, interval: Int) -> Bool {
        if interval > 0 { return retry % interval == 0 }
        if interval < 0 { return retry == retries + 1 + interval }
        return false
    }

    /// No server can take the stream.
    func noServer(_ s: Stream) {
        Log.debug("backend '\(backends[s.backend].config.name)' has no server available")
        // HAProxy counts the missing server as a failed connection of the backend.
        table.backendCounter(worker: slot, backend: s.backend, .connectErrors).bump()
        s.record.terminate(.serverAbort, .connect)
        giveUp(s, status: 503)
    }

    /// The backend cannot serve: mode tcp resets the client, mode http answers.
    func giveUp(_ s: Stream, status: Int) {
        if s.isHTTP {
            respondHTTP(s, status: status, close: !s.http.exchange.keepClient)
        } else {
            close(s, abort: true)
        }
    }

    /// `option abortonclose`: the client shut its side while its stream
    /// waits for a server slot or a connection; it is dropped before any
    /// server sees it (CQ / CC in the log). Mode tcp only, as HAProxy 2.6
    /// does it: there an HTTP/1 request whose client half-closes is still
    /// served (checked side by side).
    func abandonClosedClient(_ s: Stream) -> Bool {
        guard !s.isHTTP, s.backend >= 0, s.phase == .queued || s.phase == .connecting || s.phase == .retryWait,
              backends[s.backend].config.connection.abortOnClose else { return false }
        abandon(s, s.phase == .queued ? .queue : .connect)
        return true
    }

    /// Drops a stream whose client left before it reached a server: what
    /// the client sent is read and dropped first, so the close is a FIN (as
    /// HAProxy, which had read it), and the queue time ends now (HAProxy's
    /// t_queue at the abort, the log's Tw).
    private func abandon(_ s: Stream, _ phase: TerminationPhase) {
        if s.record.connectStarted == 0 { s.record.connectStarted = now }
        s.record.terminate(.clientAbort, phase)
        for _ in 0..<16 {
            guard let n = try? s.client.transport.receive(into: scratch, count: bufferSize), n > 0 else { break }
        }
        close(s, abort: false)
    }

    // MARK: queue

    /// Waits for a free server slot (HAProxy's queue), bounded by `timeout queue`.
    func enqueue(_ s: Stream) {
        let be = backends[s.backend]
        if !s.isHTTP && s.client.eof && be.config.connection.abortOnClose {
            abandon(s, .queue)
            return
        }
        s.phase = .queued
        if s.record.queued == 0 {
            s.record.queued = now
            s.record.backendQueue = be.queue.count
        }
        be.queue.push(s.token(.client).rawValue)
        markQueued(s)
        s.phaseDeadline = be.config.timeouts.effectiveQueue.map { now + Int64($0) } ?? 0
        schedule(s)
    }

    /// Accounting for a stream that joins the queue, as HAProxy's queues
    /// count: the server's own when it waits for one server (its qcur, qmax
    /// and `maxqueue`), else the backend's.
    func markQueued(_ s: Stream) {
        queuedStreams += 1
        guard s.queuedServer >= 0 else {
            countQueued(backend: s.backend)
            return
        }
        let be = backends[s.backend]
        table.serverCounter(worker: slot, server: be.servers[s.queuedServer].tableLine, .queued).bump()
        table.server(be.servers[s.queuedServer].tableLine, .maxQueued)
            .raise(to: UInt64(be.serverQueueLength(s.queuedServer, table: table)))
    }

    /// Accounting for a stream that leaves the queue (served or not).
    func leaveQueue(_ s: Stream) {
        guard s.phase == .queued else { return }
        queuedStreams -= 1
        if s.queuedServer >= 0 {
            table.serverCounter(worker: slot, server: backends[s.backend].servers[s.queuedServer].tableLine, .queued).drop()
            s.queuedServer = -1
        } else {
            table.backendCounter(worker: slot, backend: s.backend, .queued).drop()
        }
        s.phase = .connecting
    }

    func serveQueues() {
        for be in backends where !be.queue.isEmpty { serveQueue(be) }
    }

    /// Starts queued streams in order while servers have room.
    func serveQueue(_ be: BackendRuntime) {
        while let token = be.queue.peek() {
            guard let s = stream(for: EventToken(rawValue: token)), s.phase == .queued, s.backend == be.index else {
                _ = be.queue.pop()
                continue
            }
            leaveQueue(s)
            switch dispatch(s) {
            case .started:
                _ = be.queue.pop()
                // A kept server connection taken up again (its full last
                // server freed) reports no new readiness: run the stream.
                if s.isHTTP { runNextTurn(s) }
            case .full:
                s.phase = .queued
                queuedStreams += 1
                if s.queuedServer >= 0 {
                    table.serverCounter(worker: slot, server: be.servers[s.queuedServer].tableLine, .queued).bump()
                } else {
                    table.backendCounter(worker: slot, backend: be.index, .queued).bump()
                }
                return
            case .noServer:
                _ = be.queue.pop()
                noServer(s)
            case .serverQueueFull(let i, let persisted):
                _ = be.queue.pop()
                serverQueueFull(s, server: i, persisted: persisted)
            }
        }
    }
}
