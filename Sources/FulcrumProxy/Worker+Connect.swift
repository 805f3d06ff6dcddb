import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// Server choice, connection, retries, redispatch and the maxconn queue.
extension Worker {
    enum DispatchOutcome { case started, full, noServer }

    /// Picks a server and connects, or queues the session when every usable
    /// server is at its maxconn.
    func dispatchToServer(_ s: TCPSession) {
        switch tryDispatch(s) {
        case .started: break
        case .full: enqueue(s)
        case .noServer:
            Log.debug("backend '\(backends[s.backend].config.name)' has no server available")
            close(s, abort: true)
        }
    }

    func tryDispatch(_ s: TCPSession) -> DispatchOutcome {
        let be = backends[s.backend]
        let someFull = be.observe(table, now: now)
        var key: UInt32? = nil
        if be.stickyHash {
            // HAProxy's get_server_sh: the address as a number (IPv6: XOR of its
            // words), not a string hash, so neighbouring clients spread.
            key = s.peer.withAddressBytes { bytes in
                bytes.count == 4 ? be.balancer.hashKey(sourceIPv4: UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
                                 : be.balancer.hashKey(sourceIPv6: bytes)
            }
        }
        let table = self.table
        guard let i = be.balancer.pick(hashKey: key, excluding: s.excludedServer, load: { idx in
            Int(table.server(be.servers[idx].tableLine, .conns).load())
        }) else { return someFull ? .full : .noServer }
        return connect(s, toServer: i) ? .started : .full
    }

    /// Reserves a connection slot on server `i` and starts connecting.
    /// Returns false when the server is at its maxconn.
    @discardableResult
    func connect(_ s: TCPSession, toServer i: Int) -> Bool {
        let be = backends[s.backend]
        let entry = be.servers[i]
        let conns = table.server(entry.tableLine, .conns)
        guard conns.reserve(limit: entry.maxconn) else { return false }
        table.server(entry.tableLine, .maxConns).raise(to: conns.load())
        table.serverCounter(worker: slot, server: entry.tableLine, .chosen).bump()
        table.serverCounter(worker: slot, server: entry.tableLine, .current).bump()
        s.holdsServerSlot = true
        s.serverIndex = i
        var address = entry.address
        if entry.useClientPort, let local = Socket.localAddress(s.client) { address.port = local.port }

        let fd: FileDescriptor
        do {
            fd = try Socket.stream(family: address.family)
        } catch {
            Log.warning("socket: \(error)")
            connectFailed(s, immediate: true)
            return true
        }
        Socket.setNoDelay(fd)
        s.server = fd
        s.serverReadable = false
        s.serverWritable = false
        s.serverEOFPending = false
        do {
            try epoll.add(fd, events: [.readable, .writable, .readHangup, .edgeTriggered],
                          token: s.token | TokenKind.server.rawValue)
            let done = try Socket.connect(fd, to: address)
            if done {
                established(s)
            } else {
                s.state = .connecting
                s.phaseDeadline = be.config.timeouts.connect.map { now + Int64($0) } ?? 0
                schedule(s)
            }
        } catch {
            Log.debug("connect to \(be.config.name)/\(entry.name) failed: \(error)")
            connectFailed(s, immediate: true)
        }
        return true
    }

    /// The outcome of a non-blocking connect, once the socket is writable.
    func finishConnect(_ s: TCPSession) {
        let err = Socket.pendingError(s.server)
        if err == 0 {
            established(s)
        } else {
            Log.debug("connect to \(backends[s.backend].config.name)/\(backends[s.backend].servers[s.serverIndex].name) failed: \(Errno(err))")
            connectFailed(s, immediate: true)
        }
    }

    func established(_ s: TCPSession) {
        s.state = .established
        s.phaseDeadline = 0
        s.clientActivity = now
        s.serverActivity = now
        let line = backends[s.backend].servers[s.serverIndex].tableLine
        table.serverCounter(worker: slot, server: line, .sessions).bump()
        table.serverCounter(worker: slot, server: line, .lastSession).store(wallNow)
        // observe layer4: a successful connect ends a run of errors.
        let errors = table.server(line, .observeErrors)
        if errors.load() != 0 { errors.store(0) }
        process(s)
    }

    /// HAProxy's retry rules: `retries` further attempts; a refused connection
    /// waits min(timeout connect, 1s) before retrying the same server;
    /// `option redispatch N` moves the chosen retries to another server.
    func connectFailed(_ s: TCPSession, immediate: Bool) {
        let be = backends[s.backend]
        let line = be.servers[s.serverIndex].tableLine
        table.serverCounter(worker: slot, server: line, .connectErrors).bump()
        table.backendCounter(worker: slot, backend: s.backend, .connectErrors).bump()
        if be.observesLayer4[s.serverIndex] { table.server(line, .observeErrors).add(1) }
        if s.server.rawValue >= 0 { s.server.close(); s.server = FileDescriptor(-1) }
        releaseServerSlot(s)
        let retries = be.config.retries
        guard s.retriesUsed < retries else {
            Log.debug("giving up on \(be.config.name) after \(retries) retries")
            close(s, abort: true)
            return
        }
        s.retriesUsed += 1
        table.serverCounter(worker: slot, server: line, .retries).bump()
        table.backendCounter(worker: slot, backend: s.backend, .retries).bump()
        if let interval = be.config.redispatch, Worker.redispatches(retry: s.retriesUsed, of: retries, interval: interval) {
            table.serverCounter(worker: slot, server: line, .redispatches).bump()
            table.backendCounter(worker: slot, backend: s.backend, .redispatches).bump()
            s.excludedServer = s.serverIndex
            dispatchToServer(s)
            return
        }
        if immediate {
            s.state = .retryWait
            s.phaseDeadline = now + Int64(min(be.config.timeouts.connect ?? 1000, 1000))
            schedule(s)
        } else if !connect(s, toServer: s.serverIndex) {
            enqueue(s)
        }
    }

    /// HAProxy: a positive interval P redispatches every Pth retry; a negative
    /// N redispatches on the |N|th retry counted back from the last one.
    static func redispatches(retry: Int, of retries: Int, interval: Int) -> Bool {
        if interval > 0 { return retry % interval == 0 }
        if interval < 0 { return retry == retries + 1 + interval }
        return false
    }

    // MARK: queue

    func enqueue(_ s: TCPSession) {
        let be = backends[s.backend]
        s.state = .queued
        be.queue.push(s.token)
        queuedSessions += 1
        table.backendCounter(worker: slot, backend: s.backend, .queued).bump()
        s.phaseDeadline = be.config.timeouts.effectiveQueue.map { now + Int64($0) } ?? 0
        schedule(s)
    }

    func serveQueues() {
        for be in backends where !be.queue.isEmpty { serveQueue(be) }
    }

    /// Starts queued sessions in order while servers have room.
    func serveQueue(_ be: BackendRuntime) {
        while let token = be.queue.peek() {
            if token & Worker.kindMask == TokenKind.httpClient.rawValue {
                guard let hs = httpSession(for: token), hs.phase == .queued else { _ = be.queue.pop(); continue }
                queuedSessions -= 1
                table.backendCounter(worker: slot, backend: be.index, .queued).drop()
                hs.phase = .connecting
                if connectHTTP(hs, fromQueue: true) {
                    _ = be.queue.pop()
                    continue
                }
                hs.phase = .queued
                queuedSessions += 1
                table.backendCounter(worker: slot, backend: be.index, .queued).bump()
                return
            }
            guard let s = session(for: token), s.state == .queued else {
                _ = be.queue.pop()
                continue
            }
            queuedSessions -= 1
            table.backendCounter(worker: slot, backend: be.index, .queued).drop()
            s.state = .retryWait // not queued while we try
            switch tryDispatch(s) {
            case .started:
                _ = be.queue.pop()
            case .full:
                s.state = .queued
                queuedSessions += 1
                table.backendCounter(worker: slot, backend: be.index, .queued).bump()
                return
            case .noServer:
                _ = be.queue.pop()
                close(s, abort: true)
            }
        }
    }
}
