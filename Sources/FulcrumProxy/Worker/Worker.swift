import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumLog
import FulcrumPosix

/// A worker process: one EventLoop, its own SO_REUSEPORT listeners, the
/// control channel to the master, and the stream engine that serves what it
/// accepts. Single-threaded; state shared with other processes lives only in
/// the SharedTable.
public final class Worker: EventHandler {
    typealias TokenKind = StreamEngine.TokenKind

    struct ListenerState {
        var fd: FileDescriptor
        var frontend: Int
        var bindLine: Int
        var maxconn: Int
        var active: Bool
        /// The sibling slot whose socket this is, nil for this worker's own
        /// (WorkerSetup.Listener).
        var ownerSlot: Int? = nil
        /// Its frontend is disabled or shut down (runtime API): not watched.
        var adminOff = false
    }

    let configuration: Configuration
    let table: SharedTable
    let control: FileDescriptor
    let loop: EventLoop
    /// Global limits the runtime API may change.
    let limits: RuntimeLimits
    let engine: StreamEngine
    /// Certificates and crt-list lines the runtime API commits.
    private let certificates: RuntimeCertificates
    var listeners: [ListenerState] = []
    var pausedListeners = 0
    /// Out of descriptors (EMFILE/ENFILE on accept): listeners stay paused
    /// until this time (loop clock, ms), as HAProxy retries after 100 ms,
    /// instead of being resumed at the end of the turn into the same error.
    private var descriptorsExhaustedUntil: Int64 = 0
    /// Idle pool buffers go back to the system about once a second.
    private var lastShrink: Int64 = 0
    /// `tune.maxaccept`: connections taken from one listener per wakeup.
    let acceptBurst: Int
    /// Multi-queue: this worker watches its siblings' sockets and publishes
    /// its own load for them (Worker+SiblingAccept).
    let watchesSiblings: Bool
    /// A recheck of the siblings' queues is scheduled (Worker+SiblingAccept).
    var siblingRecheckAt: Int64? = nil
    /// Global `grace`: when a soft stop ordered with a grace period starts
    /// (loop clock, ms); listeners keep accepting until then.
    private var graceEnds: Int64?
    /// Idle server connections pooled at the last once-a-second pass (they keep that pass coming).
    private var idlePooled = 0
    /// The clock and the loop's waited time at the last `publishLoopFigures`.
    private var lastFigures: (clock: Int64, waited: Int64) = (0, 0)
    /// When the loop started, and how long it had waited by then (`show activity`'s average loop time).
    var loopStarted: (clock: Int64, waited: Int64) = (0, 0)
    var slot: Int { engine.slot }
    /// Answers runtime-API commands forwarded by the master (`@N show stat`):
    /// (command, level) -> text. Set by the worker role.
    public var cliHandler: ((String, Int) -> String)?
    /// The stats page's view of every worker's counters, and the writer of
    /// its admin changes (the runtime API's, over the shared table). Set by the worker role.
    public func wireLocalServices(snapshot: @escaping () -> RuntimeSnapshot,
                                  apply: @escaping ([RuntimeServerChange], RuntimeSnapshot) -> Void) {
        engine.services.snapshot = snapshot
        engine.services.apply = apply
    }

    /// Sends an order to the master, which passes it to every worker of
    /// this generation (the stats page's "Kill Sessions").
    public func tellMaster(_ message: ControlMessage) {
        UnixSocket.sendMessage(control, message.encode())
    }

    /// An admin change made from the stats page, to the backend's `log`
    /// targets as the master logs the CLI's (HAProxy logs both alike).
    public func logAdminEvent(_ line: String, level: LogLevel, backend: Int) {
        guard backend < configuration.backends.count else { return }
        let b = configuration.backends[backend]
        let targets = engine.logOutput.destinations(for: b.logging.targets, tag: b.logging.tag)
        if !targets.isEmpty { engine.logOutput.send(line, level: level, to: targets) }
    }

    public init(_ setup: WorkerSetup) throws(Errno) {
        configuration = setup.configuration
        table = setup.table
        control = setup.control
        loop = try EventLoop(capacity: setup.configuration.global.maxPollEvents ?? 512)
        limits = RuntimeLimits(table: setup.table, global: setup.configuration.global)
        watchesSiblings = setup.listeners.contains { $0.ownerSlot != nil }
        acceptBurst = setup.configuration.global.acceptBurst(watchingSiblings: watchesSiblings)
        engine = StreamEngine(setup, loop: loop)
        certificates = RuntimeCertificates(binds: setup.bindTLS)
        let index = TableIndex(configuration)
        for l in setup.listeners {
            let bind = configuration.frontends[l.frontend].binds[l.bindLine]
            listeners.append(ListenerState(fd: l.fd, frontend: l.frontend,
                                           bindLine: index.bindLine(frontend: l.frontend, bind: l.bindLine),
                                           maxconn: bind.maxconn ?? 0, active: false, ownerSlot: l.ownerSlot))
        }
    }

    /// Runs until drained or told to stop; returns the process exit status.
    public func run() -> Int32 {
        do {
            try loop.register(control, .readable, EventToken(kind: TokenKind.control.rawValue))
            // Frontends the runtime API disabled stay unwatched from the start.
            for i in listeners.indices { listeners[i].adminOff = adminOff(frontend: listeners[i].frontend) }
            // The master queued what the runtime API committed before this
            // worker started: apply it before the first connection.
            readControl()
            for i in listeners.indices {
                // Accepted sockets inherit it: no setsockopt per connection.
                Socket.setNoDelay(listeners[i].fd)
                if !listeners[i].adminOff && !listeners[i].active { try activate(listener: i) }
            }
        } catch {
            Log.alert("cannot register sockets: \(error)")
            return 1
        }
        UnixSocket.sendMessage(control, ControlMessage.ready.encode())
        Log.debug("ready with \(listeners.count) listeners")
        lastShrink = loop.now
        lastFigures = (MonotonicClock.nowMicroseconds(), loop.waitedMicroseconds)
        loopStarted = lastFigures
        table.worker(slot, .idlePercent).store(100)
        table.worker(slot, .pid).store(UInt64(getpid()))
        loop.run(self)
        table.worker(slot, .pid).store(0)
        return 0
    }

    // MARK: EventHandler

    @inline(__always)
    public func descriptorReady(_ token: EventToken, _ events: Epoll.Events) {
        guard let kind = TokenKind(rawValue: token.kind) else { return }
        switch kind {
        case .client, .server, .pooled:
            engine.handle(token: token, kind: kind, events: events)
        case .listener:
            if listeners[token.index].ownerSlot == nil { _ = acceptConnections(listener: token.index, upTo: acceptBurst) } else { siblingQueued(listener: token.index) }
        case .control:
            readControl()
        case .log:
            engine.logOutput.senders.descriptorReady(token, events)
        }
    }

    public func timerDue(_ token: EventToken, deadline: Int64) {
        if token.kind == TokenKind.log.rawValue {
            engine.logOutput.senders.timerDue(token, deadline: deadline)
            return
        }
        if token.kind == TokenKind.listener.rawValue { recheckSiblings(deadline: deadline); return }
        engine.timerDue(token, deadline: deadline)
    }

    /// Per turn: streams that yielded, queues, paused listeners, the end of a
    /// drain, and about once a second idle memory given back. Bounds the next
    /// wait: at once while streams yielded, 10 ms while waiting on slots other
    /// workers may free, ~1 s while idle memory is held.
    public func turnEnded() -> Int64? {
        if !engine.pending.isEmpty { engine.runPending() }
        if watchesSiblings { publishTurnEnd() }
        if let graceEnds, loop.now >= graceEnds {
            self.graceEnds = nil
            startDrain()
        }
        engine.logger?.output.publishDrops(to: table.header(.droppedLogs))
        if engine.queuedStreams > 0 { engine.serveQueues() }
        if pausedListeners > 0 && !engine.draining { resumeListeners() }
        if engine.draining && engine.activeStreams == 0 { loop.stop(); return nil }
        if loop.now - lastShrink >= 1000 {
            lastShrink = loop.now
            engine.shrink()
            idlePooled = engine.dropIdleOfServersInMaintenance()
            publishLoopFigures()
        }
        if !engine.pending.isEmpty { return 0 }
        var bound: Int64? = nil
        if engine.queuedStreams > 0 || (pausedListeners > 0 && !engine.draining) { bound = 10 }
        if engine.buffers.freeCount > 16 || engine.streams.retained > 16 || idlePooled > 0 { bound = min(bound ?? 1100, 1100) }
        if let graceEnds { bound = min(bound ?? Int64.max, max(0, graceEnds - loop.now)) }
        return bound
    }

    /// Once a second: the share of the last period spent waiting, and the
    /// loop's tasks and memory, for `show info` (Idle_pct, Tasks, Run_queue, Pool*).
    func publishLoopFigures() {
        let clock = MonotonicClock.nowMicroseconds(), waited = loop.waitedMicroseconds
        let elapsed = clock - lastFigures.clock
        if elapsed > 0 {
            let idle = Int64(100) * (waited - lastFigures.waited) / elapsed
            table.worker(slot, .idlePercent).store(UInt64(min(100, max(0, idle))))
        }
        lastFigures = (clock, waited)
        table.worker(slot, .tasks).store(UInt64(engine.activeStreams + loop.pendingTimers))
        table.worker(slot, .runQueue).store(UInt64(engine.pending.count))
        let size = UInt64(engine.bufferSize)
        table.worker(slot, .poolAllocated).store(UInt64(engine.buffers.inUse + engine.buffers.freeCount) * size)
        table.worker(slot, .poolUsed).store(UInt64(engine.buffers.inUse) * size)
        table.worker(slot, .pipesUsed).store(UInt64(engine.pipesInUse))
        table.worker(slot, .pipesFree).store(UInt64(engine.pipePool.count))
        table.worker(slot, .pipesLimit).store(UInt64(engine.maxPipes))
    }

    // MARK: control channel

    /// Carries out an order from the master (or from this worker's own
    /// runtime API, `@N shutdown sessions server`).
    /// Returns false for a message that is no order to a worker.
    @discardableResult
    public func obey(_ message: ControlMessage) -> Bool {
        switch message {
        case .drain:
            let grace = Int64(configuration.global.grace ?? 0)
            if grace > 0, !engine.draining {
                if graceEnds == nil { graceEnds = loop.now + grace }
            } else {
                startDrain()
            }
        case .clearCounters(let all): table.clearBlock(slot, all: all)
        case .frontendStates: followFrontendStates()
        case .shutdownSessions(let line, let cause):
            engine.shutdownSessions(serverLine: line, cause: TerminationCause(rawValue: cause) ?? .killed)
        default: return false
        }
        return true
    }

    private func readControl() {
        while let msg = UnixSocket.receiveMessage(control) {
            if msg.isEmpty {
                // The master is gone: no orphan keeps serving on its own.
                Log.debug("control channel closed, exiting")
                exit(0)
            }
            let message = ControlMessage.decode(msg)
            if let message, certificates.handle(message) { continue }
            switch message {
            case .cliRequest(let id, let level, let command)?:
                let text = cliHandler?(command, level) ?? "No runtime API in this process.\n"
                // What the master replays to a new worker is not waited for.
                if id == ControlMessage.unansweredRequest { continue }
                for reply in ControlMessage.replies(id: id, text: text) {
                    UnixSocket.sendMessage(control, reply.encode())
                }
            case let order? where obey(order):
                break
            default:
                Log.warning("unknown control message")
            }
        }
    }

    /// Graceful stop: accept nothing more, finish what is in flight, exit.
    func startDrain() {
        guard !engine.draining else { return }
        for i in listeners.indices {
            // Take what already waits in the accept queue: if this is the last
            // copy of the socket (a bind the new configuration dropped), closing
            // it would reset those clients. They are served, then closed.
            if listeners[i].active { _ = acceptConnections(listener: i, upTo: acceptBurst) }
            if listeners[i].active { loop.remove(listeners[i].fd) }
            listeners[i].active = false
            listeners[i].fd.close()
        }
        pausedListeners = 0
        engine.startDrain()
        Log.debug("draining \(engine.activeStreams) streams")
    }

    // MARK: listeners and accept

    private func activate(listener i: Int) throws(Errno) {
        // A sibling's socket wakes its owner and one sibling (EPOLLEXCLUSIVE),
        // not every worker, and once per new connection (edge-triggered): the
        // sibling that declines it is not woken again for it.
        try loop.register(listeners[i].fd, listeners[i].ownerSlot != nil ? [.readable, .exclusive, .edgeTriggered] : .readable,
                          EventToken(kind: TokenKind.listener.rawValue, index: i))
        listeners[i].active = true
    }

    /// The frontend's maxconn in force: `set maxconn frontend`'s, else the
    /// configuration's (0: none); -1 when the CLI set 0, which accepts nothing (as HAProxy).
    @inline(__always) func frontendMaxconn(_ fi: Int) -> Int {
        guard let set = limits.frontendMaxconnSetting(fi) else { return engine.frontends[fi].maxconn }
        return set == 0 ? -1 : set
    }

    /// The global maxconn in force: `set maxconn global`'s, else the configuration's (0: none).
    @inline(__always) var currentGlobalMaxconn: Int { limits.maxconn }

    /// A rate limit is reached (`maxconnrate`, `maxsessrate`, the
    /// frontend's `rate-limit sessions`, or what `set rate-limit` set), counted
    /// over all workers: the listener waits, as HAProxy's does.
    @inline(__always) func rateLimited(frontend fi: Int) -> Bool {
        let fe = engine.frontends[fi].config.rateLimitSessions ?? 0, conns = limits.connectionRate, sess = limits.sessionRate
        if fe == 0 && conns == 0 && sess == 0 { return false }
        let now = loop.now
        if fe > 0 && table.frontendRate(fi, .sessionRate).rate(milliseconds: now) >= fe { return true }
        if conns > 0 && table.globalRate(.connectionRate).rate(milliseconds: now) >= conns { return true }
        if sess > 0 && table.globalRate(.sessionRate).rate(milliseconds: now) >= sess { return true }
        return false
    }

    private func pause(listener i: Int) {
        guard listeners[i].active else { return }
        loop.remove(listeners[i].fd)
        listeners[i].active = false
        pausedListeners += 1
    }

    /// Resumes listeners whose limits have room again (slots may have been
    /// freed by this worker or by another).
    func resumeListeners() {
        guard loop.now >= descriptorsExhaustedUntil else { return }
        for i in listeners.indices where !listeners[i].active && !listeners[i].adminOff {
            if !hasRoom(listener: i) { continue }
            if (try? activate(listener: i)) != nil { pausedListeners -= 1 }
        }
    }

    private func hasRoom(listener i: Int) -> Bool {
        let l = listeners[i]
        let feMax = frontendMaxconn(l.frontend), globalMax = currentGlobalMaxconn
        if feMax < 0 || rateLimited(frontend: l.frontend) { return false }
        if globalMax > 0 && table.header(.globalConns).load() >= UInt64(globalMax) { return false }
        if feMax > 0 && table.frontend(l.frontend, .conns).load() >= UInt64(feMax) { return false }
        if l.maxconn > 0 && table.bind(l.bindLine, .conns).load() >= UInt64(l.maxconn) { return false }
        return true
    }

    /// Accepts up to `limit` connections; true when all were taken (more
    /// may be queued), false when the queue ran dry or the listener paused.
    func acceptConnections(listener li: Int, upTo limit: Int) -> Bool {
        let l = listeners[li]
        let feMax = frontendMaxconn(l.frontend), globalMax = currentGlobalMaxconn
        if feMax < 0 { pause(listener: li); return false }
        let global = table.header(.globalConns)
        let feConns = table.frontend(l.frontend, .conns)
        let bindConns = table.bind(l.bindLine, .conns)
        var peer = SocketAddress(storage: .init(), length: 0)
        for _ in 0..<limit {
            if rateLimited(frontend: l.frontend) { pause(listener: li); return false }
            // Reserve before accepting so the limits hold across workers.
            guard global.reserve(limit: globalMax) else { pause(listener: li); return false }
            guard feConns.reserve(limit: feMax) else { global.subtract(1); pause(listener: li); return false }
            guard bindConns.reserve(limit: l.maxconn) else {
                global.subtract(1); feConns.subtract(1); pause(listener: li); return false
            }
            let fd: FileDescriptor
            do {
                fd = try Socket.accept(l.fd, peer: &peer)
            } catch {
                global.subtract(1); feConns.subtract(1); bindConns.subtract(1)
                if error.rawValue == EMFILE || error.rawValue == ENFILE {
                    Log.warning("accept: \(error); pausing listener")
                    descriptorsExhaustedUntil = loop.now + 100
                    pause(listener: li)
                }
                return false
            }
            engine.start(client: fd, peer: peer, frontend: l.frontend, bindLine: l.bindLine)
        }
        return true
    }
}
