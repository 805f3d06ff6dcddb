import Glibc
import FulcrumCore
import FulcrumPosix

/// The master's turn on the event loop: signals, CLI connections and the
/// children's control channels are events; after each turn the master checks
/// its state (a generation ready or failed, respawns and drain limits due,
/// stop complete). Its deadlines live in that state, so one wake-up timer,
/// armed for the earliest of them, is all the timers it needs.
extension Master: EventHandler {
    /// Event kinds. A CLI connection's token names its server (index) and its
    /// connection id (generation); a child's, its index in its generation and
    /// the generation's number.
    enum Kind: UInt8 { case signals, cliListener, cliClient, child, vrrp, wake, log, resolver }

    func childToken(_ i: Int, of g: Generation) -> EventToken {
        EventToken(kind: Kind.child.rawValue, index: i, generation: UInt32(truncatingIfNeeded: g.number))
    }

    /// Serves until stopped; the exit status.
    func serve() -> Int32 {
        loop.run(self)
        cleanup()
        if exitStatus == 0 { Log.notice("Exiting Master process...") }
        return exitStatus
    }

    func descriptorReady(_ token: EventToken, _ events: Epoll.Events) {
        switch Kind(rawValue: token.kind) {
        case .signals?:
            while let sig = signals.next() { handleSignal(sig) }
        case .cliListener?:
            let server = token.index
            cliServers[server].acceptClients(loop: loop) { id in
                EventToken(kind: Kind.cliClient.rawValue, index: server, generation: UInt32(id))
            }
        case .cliClient?:
            cliServers[token.index].serve(client: Int(token.generation), runner: self)
        case .vrrp?:
            vrrpMessages()
        case .child?:
            childMessages(generation: Int(token.generation), child: token.index)
        case .log?:
            eventLog?.senders.descriptorReady(token, events)
        case .resolver?:
            resolverReadable(token)
        case .wake?, nil:
            break
        }
    }

    func timerDue(_ token: EventToken, deadline: Int64) {
        if token.kind == Kind.log.rawValue { eventLog?.senders.timerDue(token, deadline: deadline); return }
        // The turn hook does what is due; this only wakes the loop.
        _ = wakeTimer.fire(deadline)
    }

    func turnEnded() -> Int64? {
        let now = loop.now
        if let g = current, let log = eventLog { log.publishDrops(to: g.table.header(.droppedLogs)) }
        expireForwards(now: now)
        for c in cliServers { c.expireIdle(now: now) }
        if let starting = generations.first(where: { $0.state == .starting }) {
            if starting.allReady {
                promote(starting)
            } else if starting.startFailed || now - starting.startedAt > Master.startTimeout {
                if current == nil {
                    Log.alert("Workers failed to start; exiting.")
                    kill(starting, SIGKILL)
                    exitStatus = 1
                    loop.stop()
                    return nil
                }
                abandon(starting, reason: "the new workers failed to start")
            }
        }
        if let c = current, phase == .running {
            respawnDue(c, now: now)
            if let at = vrrpRespawnAt, at <= now, vrrp == nil { spawnVRRP(c) }
            reportProxyWorkers()
        }
        if bgpDrainDeadline != nil && (bgpDrained || vrrp == nil || now >= bgpDrainDeadline!) {
            if !bgpDrained { Log.warning("BGP routes not drained by the deadline; stopping anyway.") }
            bgpDrainDeadline = nil
            stopServing()
        }
        enforceDrainLimits(now: now)
        collectGoneGenerations()
        if phase == .stoppingGracefully || phase == .stoppingFast {
            for g in generations where g.workersGone {
                if let ci = g.roles.firstIndex(of: .checker), let c = g.children[ci] { Processes.signal(c.pid, SIGTERM) }
                if let pi = g.roles.firstIndex(of: .peers), let c = g.children[pi] { Processes.signal(c.pid, SIGTERM) }
            }
            if generations.allSatisfy({ $0.isGone }) && programPids.allSatisfy({ $0 == nil }) && vrrp == nil {
                loop.stop()
                return nil
            }
            if now >= stopDeadline {
                Log.warning("Children still alive after stop deadline; killing them.")
                if let v = vrrp { Processes.signal(v.pid, SIGKILL) }
                for g in generations { kill(g, SIGKILL) }
                for case let p? in programPids { Processes.signal(p, SIGKILL) }
                stopDeadline = now + 1000
            }
        }
        let resolverDeadline = serveResolvers(now: now)
        if let next = [nextDeadline(now: now), resolverDeadline].compactMap({ $0 }).min() {
            wakeTimer.arm(next, EventToken(kind: Kind.wake.rawValue), in: loop)
        }
        return nil
    }

    /// A new generation whose children are not all ready by then is abandoned.
    static let startTimeout: Int64 = 15_000

    /// The earliest deadline the state holds: a start timeout, a respawn, a
    /// hard-stop-after, a CLI answer or idle connection, the stop deadline.
    private func nextDeadline(now: Int64) -> Int64? {
        var next: Int64? = nil
        func consider(_ d: Int64) { next = min(next ?? d, d) }
        for g in generations {
            if g.state == .starting { consider(g.startedAt + Master.startTimeout + 1) }
            for case let d? in g.respawnAt { consider(d) }
            if g.state == .draining, let hard = g.loaded.configuration.global.hardStopAfter { consider(g.drainStarted + Int64(hard)) }
        }
        for f in forwards.values { consider(f.deadline) }
        if let at = vrrpRespawnAt { consider(at) }
        if let at = bgpDrainDeadline { consider(at) }
        for c in cliServers { if let d = c.expireIdle(now: now) { consider(d) } }
        if (phase == .stoppingFast || phase == .stoppingGracefully) && stopDeadline != .max { consider(stopDeadline) }
        return next
    }

    /// What a child says on its control channel: `ready`, CLI replies.
    private func childMessages(generation number: Int, child i: Int) {
        guard let g = generations.first(where: { $0.number == number }), i < g.children.count,
              let c = g.children[i] else { return }
        while let bytes = UnixSocket.receiveMessage(c.control) {
            if bytes.isEmpty { break }
            switch ControlMessage.decode(bytes) {
            case .ready?:
                g.children[i]?.ready = true
                Log.debug("generation \(g.number) \(c.role.name) (pid \(c.pid)) ready")
            case .cliReply(let id, let final, let text)?:
                forwardAnswered(id, child: i, final: final, text: text)
            case .shutdownSessions(let line, let cause)?:
                // The checker's on-marked-down/up orders go to the generation's workers.
                g.tellWorkers(.shutdownSessions(serverLine: line, cause: cause))
            case .patternChange(let text)?:
                // A rule's set-map & co.: every worker makes it, the one that made it too, in this order.
                if g.patterns.ruleChange(text) {
                    g.tellWorkers(.cliRequest(id: ControlMessage.unansweredRequest, level: 2, command: text))
                    passPatternChanges([text], from: g)
                }
            default:
                Log.warning("unexpected control message from \(c.role.name)")
            }
        }
    }

    private func handleSignal(_ sig: Int32) {
        switch sig {
        case SIGCHLD:
            reapChildren()
        case SIGTERM, SIGINT:
            guard phase != .stoppingFast else { return }
            event("\(SignalChannel.name(sig)) received: fast stop.", level: .notice)
            // HAProxy 2.6's master exits 130 after SIGINT (its workers die of
            // it) and 0 after SIGTERM.
            exitStatus = sig == SIGINT ? 128 + SIGINT : 0
            notifier.stopping()
            phase = .stoppingFast
            stopDeadline = loop.now + 3000
            for g in generations {
                g.respawnAt = g.respawnAt.map { _ in nil }
                kill(g, SIGTERM)
            }
            for case let p? in programPids { Processes.signal(p, SIGTERM) }
            if let v = vrrp { Processes.signal(v.pid, SIGTERM) }
            vrrpRespawnAt = nil
        case SIGUSR1:
            guard phase == .running || phase == .starting else { return }
            event("SIGUSR1 received: graceful stop, waiting for workers to finish their connections.", level: .notice)
            notifier.stopping()
            phase = .stoppingGracefully
            stopDeadline = Int64.max
            vrrpRespawnAt = nil
            // Announced routes go first: the workers serve until their drain ends.
            if !withdrawRoutesBeforeStopping() { stopServing() }
        case SIGUSR2, SIGHUP:
            event("\(SignalChannel.name(sig)) received: reloading.", level: .notice)
            reload()
        default:
            break
        }
    }
}
