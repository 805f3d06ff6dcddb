import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// A worker process's event loop: one epoll, its own SO_REUSEPORT listeners,
/// and the sessions it accepted. Single-threaded; state shared with other
/// processes lives only in the SharedTable.
public final class Worker {
    /// Epoll and timer token kinds (low three bits of the 64-bit token); the
    /// slot index follows, and a session's generation fills the high 32 bits.
    enum TokenKind: UInt64 {
        case client = 0, server = 1, listener = 2, control = 3
        /// `mode http` sessions: client and server sides, and idle pooled server connections.
        case httpClient = 4, httpServer = 5, pooled = 6
    }
    static let kindBits: UInt64 = 3
    static let kindMask: UInt64 = 7
    @inline(__always) static func slot(of token: UInt64) -> Int { Int((token >> kindBits) & 0x1FFF_FFFF) }

    struct FrontendRuntime {
        var config: Frontend
        var backend: Int?
        var maxconn: Int
    }
    struct ListenerState {
        var fd: FileDescriptor
        var frontend: Int
        var bindLine: Int
        var maxconn: Int
        var active: Bool
    }

    let configuration: Configuration
    let slot: Int
    let table: SharedTable
    let control: FileDescriptor
    let epoll: Epoll
    let globalMaxconn: Int
    var frontends: [FrontendRuntime] = []
    var listeners: [ListenerState] = []
    var backends: [BackendRuntime] = []

    var sessions: [TCPSession] = []
    var freeSlots: [Int] = []
    var httpSessions: [HTTPSession] = []
    var freeHTTPSlots: [Int] = []
    /// Idle keep-alive server connections per server table line (mode http).
    var idlePools: [[FileDescriptor]] = []
    /// `errorfile` contents per frontend: status → complete response bytes.
    var errorFiles: [[Int: [UInt8]]] = []
    var backendErrorFiles: [[Int: [UInt8]]] = []
    var frontendRules: [HTTPCompiledRules?] = []
    var backendRules: [HTTPCompiledRules?] = []
    var backendIndexByName: [String: Int] = [:]
    /// Reused for serializing edited HTTP heads and re-chunking bodies.
    var headScratch: [UInt8] = []
    /// HTTP sessions to advance again on the next loop turn.
    var pendingHTTP: [UInt64] = []
    var chunkScratch: [UInt8] = []
    /// The re-chunked size line, reused so no chunk allocates one.
    var chunkSizeLine: [UInt8] = []
    var activeSessions = 0
    var queuedSessions = 0
    var pausedListeners = 0

    var timers = TimerHeap()
    var now: Int64 = 0
    /// Wall-clock seconds, refreshed once per loop turn (lastsess, stats).
    var wallNow: UInt64 = 0
    var draining = false
    var drainStartedAt: Int64 = 0
    /// A draining worker closes a keep-alive connection idle this long.
    let drainIdleGrace: Int64 = 1000
    var running = true
    /// Answers runtime-API commands forwarded by the master (`@N show stat`):
    /// (command, level) -> text. Set by the worker role.
    public var cliHandler: ((String, Int) -> String)?

    /// Read buffer shared by all sessions: data is written straight on from
    /// here and copied into a pooled buffer only when the destination is full.
    let bufferSize = 16384
    let scratch: UnsafeMutableRawPointer
    var bufferPool: [UnsafeMutableRawPointer] = []
    var pipePool: [Pipe] = []
    var pipesInUse = 0
    let maxPipes = 1024
    let spliceChunk = 65536

    public init(_ setup: WorkerSetup) throws(Errno) {
        configuration = setup.configuration
        slot = setup.slot
        table = setup.table
        control = setup.control
        epoll = try Epoll(capacity: 512)
        globalMaxconn = setup.configuration.global.maxconn ?? 0
        scratch = UnsafeMutableRawPointer.allocate(byteCount: bufferSize, alignment: 64)

        let index = TableIndex(configuration)
        for (i, b) in configuration.backends.enumerated() {
            backends.append(BackendRuntime(index: i, config: b, firstLine: index.firstServer[i],
                                           addresses: setup.serverAddresses[i]))
        }
        idlePools = Array(repeating: [], count: index.serverCount)
        errorFiles = setup.errorFiles
        backendErrorFiles = setup.backendErrorFiles
        frontendRules = setup.frontendRules
        backendRules = setup.backendRules
        for (i, b) in configuration.backends.enumerated() { backendIndexByName[b.name] = i }
        for f in configuration.frontends {
            let be = f.defaultBackend.flatMap { name in configuration.backends.firstIndex { $0.name == name } }
            frontends.append(FrontendRuntime(config: f, backend: be, maxconn: f.maxconn ?? 0))
        }
        for l in setup.listeners {
            let bind = configuration.frontends[l.frontend].binds[l.bindLine]
            listeners.append(ListenerState(fd: l.fd, frontend: l.frontend,
                                           bindLine: index.bindLine(frontend: l.frontend, bind: l.bindLine),
                                           maxconn: bind.maxconn ?? 0, active: false))
        }
    }

    deinit {
        scratch.deallocate()
        for b in bufferPool { b.deallocate() }
        for p in pipePool { p.close() }
    }

    /// Runs until drained or told to stop; returns the process exit status.
    public func run() -> Int32 {
        do {
            try epoll.add(control, events: .readable, token: TokenKind.control.rawValue)
            for i in listeners.indices { try activate(listener: i) }
        } catch {
            Log.alert("cannot register sockets: \(error)")
            return 1
        }
        UnixSocket.sendMessage(control, ControlMessage.ready.encode())
        Log.debug("ready with \(listeners.count) listeners")

        while running {
            epoll.wait(timeout: pollTimeout())
            now = MonotonicClock.nowMilliseconds()
            wallNow = UInt64(WallClock.nowSeconds())
            for i in 0..<epoll.count {
                dispatch(token: epoll.token(at: i), events: epoll.events(at: i))
            }
            expireTimers()
            if !pendingHTTP.isEmpty { runPendingHTTP() }
            if queuedSessions > 0 { serveQueues() }
            if pausedListeners > 0 && !draining { resumeListeners() }
            if draining && activeSessions == 0 { break }
        }
        return 0
    }

    private func pollTimeout() -> Int32 {
        var timeout: Int64 = -1
        if !pendingHTTP.isEmpty { return 0 }
        if let next = timers.nextDeadline {
            timeout = max(0, next - MonotonicClock.nowMilliseconds() + 1)
        }
        // Queues and paused listeners wait on slots other workers may free.
        if queuedSessions > 0 || (pausedListeners > 0 && !draining) {
            timeout = timeout < 0 ? 10 : min(timeout, 10)
        }
        return Int32(clamping: timeout)
    }

    @inline(__always)
    private func dispatch(token: UInt64, events: Epoll.Events) {
        let kind = TokenKind(rawValue: token & Worker.kindMask)!
        switch kind {
        case .client, .server:
            let s = sessions[Worker.slot(of: token)]
            guard s.generation == UInt32(truncatingIfNeeded: token >> 32), s.state != .idle else { return }
            let hup = !events.isDisjoint(with: [.error, .hangup])
            if kind == .client {
                if !events.isDisjoint(with: [.readable, .readHangup, .error, .hangup]) { s.clientReadable = true }
                if !events.isDisjoint(with: [.writable, .error, .hangup]) { s.clientWritable = true }
                if !events.isDisjoint(with: [.readHangup, .hangup, .error]) { s.clientEOFPending = true }
                if hup && s.state != .established { close(s, abort: true); return }
            } else {
                if !events.isDisjoint(with: [.readable, .readHangup, .error, .hangup]) { s.serverReadable = true }
                if !events.isDisjoint(with: [.writable, .error, .hangup]) { s.serverWritable = true }
                if !events.isDisjoint(with: [.readHangup, .hangup, .error]) { s.serverEOFPending = true }
            }
            process(s)
        case .httpClient, .httpServer:
            dispatchHTTP(token: token, kind: kind, events: events)
        case .pooled:
            pooledEvent(token: token)
        case .listener:
            acceptConnections(listener: Worker.slot(of: token))
        case .control:
            readControl()
        }
    }

    // MARK: control channel

    private func readControl() {
        while let msg = UnixSocket.receiveMessage(control) {
            if msg.isEmpty {
                // The master is gone: no orphan keeps serving on its own.
                Log.debug("control channel closed, exiting")
                exit(0)
            }
            switch ControlMessage.decode(msg) {
            case .drain?:
                startDrain()
            case .cliRequest(let id, let level, let command)?:
                let text = cliHandler?(command, level) ?? "No runtime API in this process.\n"
                for reply in ControlMessage.replies(id: id, text: text) {
                    UnixSocket.sendMessage(control, reply.encode())
                }
            default:
                Log.warning("unknown control message")
            }
        }
    }

    /// Graceful stop: accept nothing more, finish what is in flight, exit.
    func startDrain() {
        guard !draining else { return }
        draining = true
        for i in listeners.indices {
            // Take what already waits in the accept queue: if this is the last
            // copy of the socket (a bind the new configuration dropped), closing
            // it would reset those clients. They are served, then closed.
            if listeners[i].active { acceptConnections(listener: i) }
            if listeners[i].active { epoll.remove(listeners[i].fd) }
            listeners[i].active = false
            listeners[i].fd.close()
        }
        pausedListeners = 0
        // Keep-alive HTTP connections answer their next request with
        // Connection: close; one that stays idle for the grace period is closed
        // then, when no request can be in flight on it (see httpDeadline).
        drainStartedAt = MonotonicClock.nowMilliseconds()
        for h in httpSessions where h.phase == .request { scheduleHTTP(h) }
        Log.debug("draining \(activeSessions) sessions")
    }

    // MARK: listeners and accept

    private func activate(listener i: Int) throws(Errno) {
        try epoll.add(listeners[i].fd, events: .readable, token: UInt64(i) << Worker.kindBits | TokenKind.listener.rawValue)
        listeners[i].active = true
    }

    private func pause(listener i: Int) {
        guard listeners[i].active else { return }
        epoll.remove(listeners[i].fd)
        listeners[i].active = false
        pausedListeners += 1
    }

    /// Resumes listeners whose limits have room again (slots may have been
    /// freed by this worker or by another).
    func resumeListeners() {
        for i in listeners.indices where !listeners[i].active {
            if !hasRoom(listener: i) { continue }
            if (try? activate(listener: i)) != nil { pausedListeners -= 1 }
        }
    }

    private func hasRoom(listener i: Int) -> Bool {
        let l = listeners[i]
        let fe = frontends[l.frontend]
        if globalMaxconn > 0 && table.header(.globalConns).load() >= UInt64(globalMaxconn) { return false }
        if fe.maxconn > 0 && table.frontend(l.frontend, .conns).load() >= UInt64(fe.maxconn) { return false }
        if l.maxconn > 0 && table.bind(l.bindLine, .conns).load() >= UInt64(l.maxconn) { return false }
        return true
    }

    private func acceptConnections(listener li: Int) {
        let l = listeners[li]
        let fe = frontends[l.frontend]
        let global = table.header(.globalConns)
        let feConns = table.frontend(l.frontend, .conns)
        let bindConns = table.bind(l.bindLine, .conns)
        var peer = SocketAddress(storage: .init(), length: 0)
        for _ in 0..<64 {
            // Reserve before accepting so the limits hold across workers.
            guard global.reserve(limit: globalMaxconn) else { pause(listener: li); return }
            guard feConns.reserve(limit: fe.maxconn) else { global.subtract(1); pause(listener: li); return }
            guard bindConns.reserve(limit: l.maxconn) else {
                global.subtract(1); feConns.subtract(1); pause(listener: li); return
            }
            let fd: FileDescriptor
            do {
                fd = try Socket.accept(l.fd, peer: &peer)
            } catch {
                global.subtract(1); feConns.subtract(1); bindConns.subtract(1)
                if error.rawValue == EMFILE || error.rawValue == ENFILE {
                    Log.warning("accept: \(error); pausing listener")
                    pause(listener: li)
                }
                return
            }
            if fe.config.mode == .http {
                startHTTPSession(client: fd, peer: peer, frontend: l.frontend, bindLine: l.bindLine)
            } else {
                startSession(client: fd, peer: peer, frontend: l.frontend, bindLine: l.bindLine)
            }
        }
    }

    // MARK: sessions

    private func allocateSession() -> TCPSession {
        if let i = freeSlots.popLast() { return sessions[i] }
        let s = TCPSession(index: sessions.count)
        sessions.append(s)
        return s
    }

    /// Accounting and socket options shared by every accepted client (tcp or http).
    func acceptedClient(_ client: FileDescriptor, frontend: Int) {
        activeSessions += 1
        Socket.setNoDelay(client)
        table.frontendCounter(worker: slot, frontend: frontend, .sessions).bump()
        table.frontendCounter(worker: slot, frontend: frontend, .current).bump()
        table.frontendCounter(worker: slot, frontend: frontend, .lastSession).store(wallNow)
        table.frontend(frontend, .maxConns).raise(to: table.frontend(frontend, .conns).load())
    }

    private func startSession(client: FileDescriptor, peer: SocketAddress, frontend: Int, bindLine: Int) {
        let s = allocateSession()
        s.client = client
        s.peer = peer
        s.frontend = frontend
        s.bindLine = bindLine
        s.state = .starting
        s.clientActivity = now
        acceptedClient(client, frontend: frontend)
        do {
            try epoll.add(client, events: [.readable, .writable, .readHangup, .edgeTriggered],
                          token: s.token | TokenKind.client.rawValue)
        } catch {
            close(s, abort: true)
            return
        }
        guard let be = frontends[frontend].backend else {
            Log.debug("frontend '\(frontends[frontend].config.name)' has no backend; closing")
            close(s, abort: true)
            return
        }
        s.backend = be
        table.backendCounter(worker: slot, backend: be, .sessions).bump()
        table.backendCounter(worker: slot, backend: be, .current).bump()
        table.backendCounter(worker: slot, backend: be, .lastSession).store(wallNow)
        table.backend(be, .conns).add(1)
        table.backend(be, .maxConns).raise(to: table.backend(be, .conns).load())
        dispatchToServer(s)
    }

    /// Closes both sides and returns the slot. `abort` resets the client
    /// connection instead of a clean FIN (connect failures, timeouts).
    func close(_ s: TCPSession, abort: Bool) {
        if s.client.rawValue >= 0 { if abort { Socket.abort(s.client) } else { s.client.close() } }
        if s.server.rawValue >= 0 { s.server.close() }
        release(&s.toServer)
        release(&s.toClient)
        if s.holdsServerSlot { releaseServerSlot(s) }
        table.header(.globalConns).subtract(1)
        table.frontend(s.frontend, .conns).subtract(1)
        table.bind(s.bindLine, .conns).subtract(1)
        table.frontendCounter(worker: slot, frontend: s.frontend, .current).drop()
        table.frontendCounter(worker: slot, frontend: s.frontend, .bytesIn).bump(by: s.bytesIn)
        table.frontendCounter(worker: slot, frontend: s.frontend, .bytesOut).bump(by: s.bytesOut)
        if abort { table.frontendCounter(worker: slot, frontend: s.frontend, .aborts).bump() }
        if s.backend >= 0 {
            table.backend(s.backend, .conns).subtract(1)
            table.backendCounter(worker: slot, backend: s.backend, .current).drop()
            table.backendCounter(worker: slot, backend: s.backend, .bytesIn).bump(by: s.bytesIn)
            table.backendCounter(worker: slot, backend: s.backend, .bytesOut).bump(by: s.bytesOut)
            if s.state == .queued {
                queuedSessions -= 1
                table.backendCounter(worker: slot, backend: s.backend, .queued).drop()
            }
        }
        let backend = s.backend
        s.generation &+= 1
        s.reset()
        freeSlots.append(s.index)
        activeSessions -= 1
        if backend >= 0 && !backends[backend].queue.isEmpty { serveQueue(backends[backend]) }
        if pausedListeners > 0 && !draining { resumeListeners() }
    }

    func releaseServerSlot(_ s: TCPSession) {
        let be = backends[s.backend]
        let line = be.servers[s.serverIndex].tableLine
        table.server(line, .conns).subtract(1)
        table.serverCounter(worker: slot, server: line, .current).drop()
        if s.bytesIn > 0 || s.bytesOut > 0 {
            table.serverCounter(worker: slot, server: line, .bytesIn).bump(by: s.bytesIn)
            table.serverCounter(worker: slot, server: line, .bytesOut).bump(by: s.bytesOut)
        }
        s.holdsServerSlot = false
    }

    func session(for token: UInt64) -> TCPSession? {
        let idx = Worker.slot(of: token)
        guard idx < sessions.count else { return nil }
        let s = sessions[idx]
        return s.generation == UInt32(truncatingIfNeeded: token >> 32) && s.state != .idle ? s : nil
    }
}
