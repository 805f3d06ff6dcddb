import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumLog
import FulcrumPosix
import FulcrumProxy

/// The checker's loop: one timer per checked server (its next check, or its
/// probe's deadline), one probe in flight at most per server, results applied
/// to the shared table (the only place health lives, so a respawned checker
/// carries on where this one stopped and every worker sees a change at once).
final class Checker: EventHandler {
    /// Event and timer kinds: the control channel, a probe's socket (index:
    /// target; generation: its probe), a target's timer, the observe poll,
    /// a log target's socket (index: its sender).
    enum Kind: UInt8 { case control, probe, schedule, observe, log, slots, track }

    final class Target {
        let index: Int
        let backend: Int
        let line: Int
        let backendName: String
        let serverName: String
        let backup: Bool
        let params: ServerParams
        let config: HealthCheckConfig
        var address: SocketAddress
        /// What `address` was derived from: the table's address sequence and check-port override.
        var addressSequence: UInt64 = 0
        var checkTargetWord: UInt64 = 0
        /// The check's own port (`port`, `http-check connect port`), or nil: the server's.
        var fixedPort: Int?
        /// `addr` / `http-check connect addr`: checks do not follow `set server addr`.
        var fixedAddress = false
        let connectTimeout: Int
        let readTimeout: Int?
        let expect: HTTPCheck.Expect?
        let matchers: [TCPCheck.Matcher?]
        /// Checks over TLS: `check-ssl`, or `ssl` on a server checked on its own address and port.
        var tls: CheckProbe.TLS?
        var next: Int64 = 0
        /// A dynamic server's target: the addition it checks, and whether
        /// `del server` (or a new occupant of the slot) retired it.
        var addedOrder: UInt64 = 0
        var retired = false
        var probe: CheckProbe?
        var timer = LazyTimer()
        /// An agent check's target (Checker+Agent.swift), not a health check's.
        var agent = false
        var agentSettingsSequence: UInt64 = 0

        init(index: Int, backend: Int, line: Int, backendName: String, server: Server, config: HealthCheckConfig,
             address: SocketAddress, timeouts: Timeouts) {
            self.index = index; self.backend = backend; self.line = line; self.backendName = backendName
            self.serverName = server.name; self.backup = server.params.backup
            self.params = server.params; self.config = config; self.address = address
            let inter = server.params.inter
            if let check = timeouts.check {
                connectTimeout = min(timeouts.connect ?? inter, inter)
                readTimeout = check
            } else {
                connectTimeout = inter
                readTimeout = nil
            }
            expect = config.expect.map(Checker.expect)
            matchers = config.tcpRules.map { rule in
                guard case .expect(_, let m) = rule else { return nil }
                switch m {
                case .string(let s): return .string(s)
                case .binary(let b): return .binary(b)
                case .rstring(let r): return (try? CheckRegex(r)).map { .rstring($0) }
                }
            }
        }
        var rise: Int { params.rise }
        var fall: Int { params.fall }
    }

    let configuration: Configuration
    let table: SharedTable
    let control: FileDescriptor
    let loop: EventLoop
    var targets: [Target] = []
    /// One slot per target; a new probe retires the previous one's tokens.
    var probeSlots = EventSlots()
    let index: TableIndex
    /// Each backend's server-set word as last scanned (dynamic servers).
    var serverSetSeen: [UInt64] = []
    private var random = SystemRandomNumberGenerator()
    /// The runtime API's server changes, for agents' admin words and weights.
    lazy var agentService: RuntimeService = {
        let s = RuntimeService(configuration: configuration, table: table, scope: .allWorkers, addresses: addresses)
        s.events = { [unowned self] line, level, backend in self.logs.send(line, level: level, to: self.backendLogs[backend]) }
        return s
    }()
    let addresses: [[SocketAddress]]
    /// `email-alert` senders still running (Checker+EmailAlert), reaped each turn.
    var mailerProcesses: [pid_t] = []
    /// Tracking servers in chain order (`track`).
    var trackers: [ServerPosition] = []

    /// A line to backend `backend`'s log targets.
    func sendLog(_ line: String, level: LogLevel, backend: Int) { logs.send(line, level: level, to: backendLogs[backend]) }
    /// Server state changes go to each backend's `log` targets, at HAProxy's levels.
    private let logs: LogOutput
    private var backendLogs: [[Int]] = []

    init(configuration: Configuration, table: SharedTable, control: FileDescriptor,
         addresses: [[SocketAddress]]) throws(Errno) {
        self.configuration = configuration
        self.table = table
        self.control = control
        self.addresses = addresses
        loop = try EventLoop(capacity: 128)
        index = TableIndex(configuration)
        logs = LogOutput(loop: loop, kind: Kind.log.rawValue, global: configuration.global, rings: configuration.rings)
        backendLogs = configuration.backends.map { logs.destinations(for: $0.logging.targets, tag: $0.logging.tag) }
        serverSetSeen = Array(repeating: 0, count: configuration.backends.count)
        for (bi, b) in configuration.backends.enumerated() {
            for (si, s) in b.servers.enumerated() where s.params.check || s.params.observe != nil {
                targets.append(makeTarget(backend: bi, line: index.serverLine(backend: bi, server: si), server: s,
                                          address: addresses[bi][si]))
            }
            for (si, s) in b.servers.enumerated() where s.params.agent.enabled {
                targets.append(makeAgentTarget(backend: bi, line: index.serverLine(backend: bi, server: si), server: s,
                                               address: addresses[bi][si]))
            }
        }
    }

    /// A check target for a server whose traffic goes to `serverAddress`.
    func makeTarget(backend bi: Int, line: Int, server s: Server, address serverAddress: SocketAddress) -> Target {
        let b = configuration.backends[bi]
        var address = serverAddress
        if let a = s.params.checkAddr, let resolved = SocketAddress.resolve(host: a, port: address.port) {
            address = resolved
        }
        if let p = s.params.checkPort { address.port = p }
        let connect = b.healthCheck.connect
        if let a = connect?.address, let resolved = SocketAddress.resolve(host: a, port: address.port) { address = resolved }
        if let p = connect?.port { address.port = p }
        let target = Target(index: probeSlots.acquire(), backend: bi, line: line,
                            backendName: b.name, server: s, config: b.healthCheck, address: address, timeouts: b.timeouts)
        target.fixedPort = connect?.port ?? s.params.checkPort
        target.fixedAddress = connect?.address != nil || s.params.checkAddr != nil
        let t = s.params.tls
        // An `http-check connect` rule says whether the check speaks TLS (`ssl`), the
        // server's check settings only with `default`.
        let serverSettings = connect?.useServerSettings ?? true
        let speaksTLS = connect?.ssl == true
            || (serverSettings && t.checksSpeakTLS(separateCheckTarget: s.params.checkPort != nil || s.params.checkAddr != nil))
        if speaksTLS, let context = try? TLSServerContext(s, global: configuration.global.tls) {
            target.tls = CheckProbe.TLS(context: context.context,
                                        serverName: connect?.sni ?? (serverSettings ? t.checkSNI : nil),
                                        alpn: connect?.alpn ?? (serverSettings ? t.checkALPN : nil))
        }
        return target
    }

    static func expect(_ e: HTTPCheckExpect) -> HTTPCheck.Expect {
        switch e.matcher {
        case .status(let r): return .init(negated: e.negated, matcher: .status(r))
        case .string(let s): return .init(negated: e.negated, matcher: .string(s))
        case .rstatus(let p): return .init(negated: e.negated, matcher: (try? CheckRegex(p)).map { .rstatus($0) } ?? .string(p))
        case .rstring(let p): return .init(negated: e.negated, matcher: (try? CheckRegex(p)).map { .rstring($0) } ?? .string(p))
        }
    }

    func run() -> Int32 {
        do { try loop.register(control, .readable, EventToken(kind: Kind.control.rawValue)) } catch { return 1 }
        loop.refreshClock()
        let now = loop.now
        let checked = targets.filter { $0.params.check }
        let delays = HealthSchedule.initialDelays(checked.map { $0.params.inter })
        for (t, d) in zip(checked, delays) { t.next = now + Int64(d); arm(t) }
        // Observed traffic errors are polled every 100 ms (the table has no events).
        if targets.contains(where: { $0.params.observe != nil }) { loop.schedule(EventToken(kind: Kind.observe.rawValue), at: now + 100) }
        // Tracking servers follow theirs every 100 ms (Checker+Track.swift).
        let trackers = trackingOrder()
        if !trackers.isEmpty {
            self.trackers = trackers
            followTracked(trackers)
            loop.schedule(EventToken(kind: Kind.track.rawValue), at: now + 100)
        }
        // Servers added at run time get their checks from a scan of the spare slots.
        if index.spareServers.contains(where: { $0 > 0 }) { loop.schedule(EventToken(kind: Kind.slots.rawValue), at: now + 200) }
        UnixSocket.sendMessage(control, ControlMessage.ready.encode())
        loop.run(self)
        return 0
    }

    func descriptorReady(_ token: EventToken, _ events: Epoll.Events) {
        switch Kind(rawValue: token.kind) {
        case .control?:
            // The master closed our channel (it is gone): stop.
            if UnixSocket.receiveMessage(control) == [] { loop.stop() }
        case .probe?:
            // A probe that finished this turn leaves its socket's events stale.
            guard probeSlots.isCurrent(token) else { return }
            let t = targets[token.index]
            guard let probe = t.probe else { return }
            if let result = probe.handle(loop: loop, token: token, now: loop.now) { finish(t, result, now: loop.now) }
            arm(t)
        case .log?:
            logs.senders.descriptorReady(token, events)
        default:
            break
        }
    }

    /// A target's next check or its probe's deadline; the observe poll.
    func timerDue(_ token: EventToken, deadline: Int64) {
        let now = loop.now
        switch Kind(rawValue: token.kind) {
        case .schedule?:
            let t = targets[token.index]
            guard t.timer.fire(deadline) else { return }
            if let probe = t.probe {
                if now >= probe.deadline { finish(t, probe.timedOut(now: now), now: now) }
            } else if t.params.check && now >= t.next {
                start(t, now: now)
            }
            arm(t)
        case .observe?:
            observeTraffic(now: now)
            loop.schedule(token, at: now + 100)
        case .slots?:
            scanDynamicServers(now: now)
            loop.schedule(token, at: now + 200)
        case .track?:
            followTracked(trackers)
            loop.schedule(token, at: now + 100)
        case .log?:
            logs.senders.timerDue(token, deadline: deadline)
        default:
            break
        }
    }

    func turnEnded() -> Int64? {
        if !mailerProcesses.isEmpty { reapMailers() }
        logs.publishDrops(to: table.header(.droppedLogs))
        return nil
    }

    /// Makes sure the target's timer comes due by its probe's deadline, or
    /// by its next check when none is in flight.
    func arm(_ t: Target) {
        if t.retired { return }
        let wanted = t.probe?.deadline ?? (t.params.check ? t.next : 0)
        t.timer.arm(wanted, EventToken(kind: Kind.schedule.rawValue, index: t.index), in: loop)
    }

    private func start(_ t: Target, now: Int64) {
        if t.retired { return }
        if t.agent { return startAgent(t, now: now) }
        // No checks while in maintenance (HAProxy) or disabled from the CLI; the state is kept.
        let admin = SharedTable.Admin(rawValue: table.server(t.line, .admin).load())
        if admin.inMaintenance || admin.contains(.checksDisabled) {
            t.next = now + Int64(t.params.inter)
            return
        }
        followAddress(t)
        let probe = CheckProbe(config: requestConfig(t), address: t.address, expect: t.expect, matchers: t.matchers,
                               now: now, connectTimeout: t.connectTimeout, readTimeout: t.readTimeout, tls: t.tls,
                               sendProxy: Self.checkProxyVersion(t.params), disableOn404: disableOn404(t),
                               socks4: t.params.checkViaSocks4 ? t.params.socks4.flatMap { SocketAddress.resolve(host: $0.host, port: $0.port) } : nil)
        if let external = t.config.external { probe.program = externalProgram(t, external) }
        t.probe = probe
        // HAProxy's HCHK_STATUS_START: in flight, and no description until the result.
        let agents = AgentTable(table)
        agents.setFlag(t.line, .checkInProgress, true)
        agents.setCheckDescription(t.line, "")
        if let r = probe.start(loop: loop, token: probeSlots.token(kind: Kind.probe.rawValue, index: t.index), now: now) {
            finish(t, r, now: now)
        }
    }

    /// The PROXY header version a check sends (0: none), as HAProxy decides:
    /// `check-send-proxy` always (the server's version, else v1); otherwise
    /// the server's `send-proxy[-v2]` unless the check has its own port or addr.
    static func checkProxyVersion(_ p: ServerParams) -> Int {
        if p.checkSendProxy { return max(p.sendProxy, 1) }
        return p.checkPort == nil && p.checkAddr == nil ? p.sendProxy : 0
    }

    /// `set server addr` and `set server check-port`, read from the table
    /// when they moved: checks go where traffic goes (unless the check has
    /// its own address), on the check port set at run time if any.
    private func followAddress(_ t: Target) {
        let sequence = table.addressSequence(t.line), word = table.checkTargetWord(t.line)
        guard sequence != t.addressSequence || word != t.checkTargetWord else { return }
        t.addressSequence = sequence
        t.checkTargetWord = word
        if let ip = table.checkAddressOverride(t.line) {
            t.address = SocketAddress(ip, port: t.address.port)
        } else if !t.fixedAddress, let a = table.serverAddress(t.line) {
            t.address = SocketAddress(a.ip, port: t.fixedPort ?? a.port)
        }
        let override = table.checkPortOverride(t.line)
        if let override, override > 0 { t.address.port = override } else if let p = t.fixedPort { t.address.port = p }
    }

    func finish(_ t: Target, _ result: CheckResult, now: Int64) {
        let reply = t.probe?.agentReply
        t.probe?.close()
        t.probe = nil
        probeSlots.invalidate(t.index)
        if t.agent {
            finishAgent(t, result, reply: reply, now: now)
            t.next = now + Int64(t.params.inter)
            return
        }
        var state = currentState(t)
        let before = state.health
        var transition = state.record(result.status.passed, rise: t.rise, fall: t.fall, now: now)
        // HAProxy's check_notify_success: an agent that said down keeps the server down.
        if transition?.to == .up, agentHoldsDown(t) { transition = nil; state.operational = .down }
        if configuration.backends[t.backend].logging.healthChecks,
           let line = HealthLog.checkResult(backend: t.backendName, server: t.serverName, backup: t.backup, result: result,
                                            healthBefore: before, healthAfter: state.health, rise: t.rise, fall: t.fall) {
            Log.warning(line)
            logs.send(line, level: .notice, to: backendLogs[t.backend])
        }
        let wall = UInt64(WallClock.nowSeconds())
        table.server(t.line, .checkStatus).store(result.status.rawCode)
        table.server(t.line, .checkCode).store(UInt64(result.code ?? 0))
        table.server(t.line, .checkDuration).store(UInt64(max(0, result.durationMs)))
        table.server(t.line, .lastCheck).store(wall)
        let agents = AgentTable(table)
        agents.setCheckDescription(t.line, result.info ?? "")
        agents.setFlag(t.line, .checkInProgress, false)
        if !result.status.passed { table.server(t.line, .checkFailures).bump() }
        if result.status.passed { resetObserved(t) }
        commit(t, state, transition, result: result, now: now)
        if transition == nil { applyStopping(t, result, now: now) }
        let interval = state.nextInterval(rise: t.rise, fall: t.fall, inter: t.params.inter,
                                          fastinter: t.params.fastinter, downinter: t.params.downinter)
        t.next = now + Int64(HealthSchedule.spread(interval, percent: configuration.global.spreadChecks,
                                                   random01: Double.random(in: 0...1, using: &random)))
    }

    /// Whether the server's enabled agent check last said "down" (its health is 0).
    private func agentHoldsDown(_ t: Target) -> Bool {
        guard let s = configuredServer(t), s.params.agent.enabled else { return false }
        let agents = AgentTable(table)
        return !agents.flags(t.line).contains(.disabled) && agents.word(t.line, .health).load() == 0
    }

    /// `observe layer4`: workers count consecutive connect errors in the table;
    /// at `error-limit` the `on-error` action applies here.
    private func observeTraffic(now: Int64) {
        for t in targets where t.params.observe != nil {
            let word = table.server(t.line, .observeErrors)
            let errors = word.load()
            guard errors >= UInt64(t.params.errorLimit) else { continue }
            word.store(0)
            var state = currentState(t)
            let transition = state.apply(t.params.onError, rise: t.rise, fall: t.fall, now: now)
            let last = t.params.observe == .layer7 ? "Wrong http response" : "L4 unsuccessful connection"
            let result = CheckResult(status: .healthAnalyze,
                                     info: "Detected \(errors) consecutive errors, last one was: \(last)",
                                     durationMs: -1)
            // HAProxy's __health_adjust: every action but fastinter is a failed
            // check of status HANA with this description (last_chk).
            if t.params.onError != .fastinter {
                table.server(t.line, .checkFailures).bump()
                table.server(t.line, .checkStatus).store(result.status.rawCode)
                table.server(t.line, .checkDuration).store(0)  // its -1, shown as 0
                AgentTable(table).setCheckDescription(t.line, result.info ?? "")
            }
            commit(t, state, transition, result: result, now: now)
            t.next = HealthSchedule.advanced(deadline: t.next, now: now, fastinter: t.params.fastinter)
            arm(t)
        }
    }

    private func resetObserved(_ t: Target) {
        let word = table.server(t.line, .observeErrors)
        if word.load() != 0 { word.store(0) }
    }

    /// The state as the table has it (the CLI may have forced it since).
    func currentState(_ t: Target) -> HealthState {
        var s = HealthState(rise: t.rise, fall: t.fall, now: 0)
        s.operational = table.server(t.line, .operational).load() == SharedTable.Operational.down.rawValue ? .down : .up
        s.health = Int(table.server(t.line, .checkHealth).load())
        return s
    }

    func commit(_ t: Target, _ state: HealthState, _ transition: HealthTransition?, result: CheckResult, now: Int64) {
        table.server(t.line, .checkHealth).store(UInt64(state.health))
        guard let transition else { return }
        let wall = UInt64(WallClock.nowSeconds())
        let last = table.server(t.line, .lastChange).load()
        if transition.to == .up {
            // Time spent DOWN adds to downtime; slowstart ramps from now.
            table.server(t.line, .downtime).bump(by: wall >= last ? wall - last : 0)
            table.server(t.line, .upSince).store(UInt64(now))
            table.server(t.line, .operational).store(SharedTable.Operational.up.rawValue)
        } else {
            table.server(t.line, .operational).store(SharedTable.Operational.down.rawValue)
            table.server(t.line, .checkDowns).bump()
        }
        table.server(t.line, .lastChange).store(wall)
        let (active, backup) = table.usableServers(backend: t.backend, of: configuration, index: index)
        // With log-health-checks the check's own line carries the details.
        let detailed = !configuration.backends[t.backend].logging.healthChecks
        let line = HealthLog.stateChange(backend: t.backendName, server: t.serverName, backup: t.backup,
                                         to: transition.to, result: detailed ? result : nil, activeLeft: active, backupLeft: backup,
                                         sessionsActive: Int(table.server(t.line, .conns).load()),
                                         requeued: 0, queued: 0)
        Log.warning(line)
        // HAProxy's levels: a server DOWN is an alert, UP a notice.
        logs.send(line, level: transition.to == .down ? .alert : .notice, to: backendLogs[t.backend])
        emailAlert(backend: t.backend, line: line, level: transition.to == .down ? .alert : .notice)
        if transition.to == .down && active == 0 && backup == 0 {
            let empty = HealthLog.noServerAvailable(backend: t.backendName, in: configuration)
            Log.alert(empty)
            logs.send(empty, level: .emerg, to: backendLogs[t.backend])
        }
        shutdownSessions(after: transition, of: t)
    }

    /// `on-marked-down shutdown-sessions` and `on-marked-up
    /// shutdown-backup-sessions`: the master passes the order to every worker.
    private func shutdownSessions(after transition: HealthTransition, of t: Target) {
        var lines: [(Int, Character)] = []
        if transition.to == .down, t.params.shutdownSessionsWhenDown { lines.append((t.line, "D")) }
        if transition.to == .up, t.params.shutdownBackupSessionsWhenUp, !t.backup {
            for (i, s) in configuration.backends[t.backend].servers.enumerated() where s.params.backup {
                lines.append((index.serverLine(backend: t.backend, server: i), "U"))
            }
        }
        for (line, cause) in lines {
            UnixSocket.sendMessage(control, ControlMessage.shutdownSessions(serverLine: line, cause: cause.asciiValue!).encode())
        }
    }
}
