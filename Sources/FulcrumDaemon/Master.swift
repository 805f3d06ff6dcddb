import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumProxy

/// The supervisor: owns listeners and control channels; starts each
/// generation's workers and checker by posix_spawn of its own binary;
/// respawns them; reloads without dropping a connection; answers the master
/// CLI and stats sockets; turns signals into stops. Single-threaded, one
/// event loop (Master+Loop).
final class Master {
    /// Descriptor numbers in a child (ProcessSpawner places them from 3 on).
    enum ChildFD { static let control: Int32 = 3, table: Int32 = 4, config: Int32 = 5, firstListener: Int32 = 6 }

    /// What a child process is: a worker in a slot, or the health checker.
    enum Role: Equatable {
        case worker(Int)
        case checker
        var name: String {
            switch self {
            case .worker(let s): return "worker \(s + 1)"
            case .checker: return "checker"
            }
        }
    }

    struct Child {
        var role: Role
        var pid: pid_t
        var control: FileDescriptor
        var startedAt: Int64
        var startedWall: Int64
        var ready = false
    }

    enum Phase { case starting, running, stoppingGracefully, stoppingFast }
    let options: CommandLineOptions
    let loop: EventLoop
    let signals: SignalChannel
    let listeners = ListenerPool()
    let notifier: SystemdNotifier
    /// Where the binary is installed: reload re-executes what is there now.
    let installedPath: String
    let startedWall: Int64

    /// Generations alive, oldest first; `current` is the one serving new connections.
    var generations: [Generation] = []
    var current: Generation?
    var nextGeneration = 1
    var reloads = 0
    var failedReloads = 0
    var lastReloadError: String?
    var reloadWaiters: [(server: Int, ticket: CLIServer.Ticket)] = []
    var reloadPending = false
    var phase = Phase.starting
    var stopDeadline: Int64 = 0
    /// Wakes the loop for the earliest deadline the state holds (see `nextDeadline`).
    var wakeTimer = LazyTimer()
    var exitStatus: Int32 = 0
    /// Running `program` sections: pid per program index (nil once exited).
    var programPids: [pid_t?] = []
    var programNames: [String] = []
    var cliServers: [CLIServer] = []
    /// CLI commands forwarded to a child and not answered yet.
    var forwards: [UInt32: Forward] = [:]
    private var nextRequest: UInt32 = 1
    var readyCallback: (() -> Void)?
    /// The VRRP child (see Master+VRRP), the states its instances last
    /// reported, and its respawn schedule.
    var vrrp: VRRPChild?
    var vrrpStates: [String: String] = [:]
    var vrrpRespawnAt: Int64?
    var vrrpFailures = 0
    var lastProxyWorkers = -1

    struct Forward {
        var server: Int
        var ticket: CLIServer.Ticket
        var generation: Int
        var child: Int
        var deadline: Int64
        var text = ""
    }

    init(options: CommandLineOptions, loaded: LoadedConfiguration, workers: Int) throws {
        self.options = options
        installedPath = ProcessSpawner.executablePath()
        startedWall = WallClock.nowSeconds()
        notifier = SystemdNotifier(enabled: options.systemd)
        loop = try EventLoop(capacity: 64)
        signals = try SignalChannel(Self.handledSignals)
        SignalChannel.ignore(SIGPIPE)
        ListenerPool.enableRequestMigration()
        let perSlot = try listeners.assign(loaded, slots: workers)
        let gen = try Generation(number: nextGeneration, loaded: loaded, slots: workers, perSlot: perSlot, previous: nil)
        nextGeneration += 1
        generations = [gen]

        try loop.register(signals.fd, .readable, EventToken(kind: Kind.signals.rawValue))
        if let path = options.masterSocket {
            cliServers.append(try CLIServer(path: path, mode: 0o600, isMasterCLI: true, level: 2))
        }
        for s in loaded.configuration.global.statsSockets {
            cliServers.append(try CLIServer(path: s.path, mode: s.mode.map { mode_t($0) }, isMasterCLI: false,
                                            level: s.level.privilege))
        }
        for (i, s) in cliServers.enumerated() {
            if let t = loaded.configuration.global.statsTimeout { s.idleTimeout = Int64(t) }
            try loop.register(s.listener, .readable, EventToken(kind: Kind.cliListener.rawValue, index: i))
        }
    }

    private static let handledSignals = [SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP]

    /// After a binary upgrade: takes over what the previous image handed
    /// over — listeners, CLI sockets and the client waiting for `reload`,
    /// generations with their tables and running children, programs.
    init(options: CommandLineOptions, handover h: MasterHandover) throws {
        self.options = options
        installedPath = ProcessSpawner.executablePath()
        startedWall = h.startedWall
        notifier = SystemdNotifier(enabled: options.systemd)
        loop = try EventLoop(capacity: 64)
        signals = try SignalChannel(Self.handledSignals)
        SignalChannel.ignore(SIGPIPE)
        try loop.register(signals.fd, .readable, EventToken(kind: Kind.signals.rawValue))
        reloads = h.reloads
        failedReloads = h.failedReloads
        nextGeneration = h.nextGeneration
        lastReloadError = h.lastReloadError
        reloadPending = h.reloadPending
        listeners.restore(h.listeners)
        for (i, c) in h.cli.enumerated() {
            let server = CLIServer(restoring: FileDescriptor(c.fd), path: c.path, isMasterCLI: c.isMasterCLI, level: c.level)
            server.idleTimeout = c.idleTimeout
            cliServers.append(server)
            try loop.register(server.listener, .readable, EventToken(kind: Kind.cliListener.rawValue, index: i))
        }
        for w in h.waiting where w.server < cliServers.count {
            let id = cliServers[w.server].adopt(fd: FileDescriptor(w.fd), answers: w.answers)
            for index in w.reloadIndexes { reloadWaiters.append((w.server, CLIServer.Ticket(client: id, index: index))) }
        }
        for r in h.generations {
            let perSlot = r.perSlot.map { $0.map { ListenerPool.Entry(fd: FileDescriptor($0.fd), frontend: $0.frontend, bind: $0.bind) } }
            let g = try Generation(restoring: r, perSlot: perSlot)
            for c in r.children where c.index < g.children.count {
                let control = FileDescriptor(c.control)
                try? control.setCloseOnExec(true)
                try? loop.register(control, .readable, childToken(c.index, of: g))
                g.children[c.index] = Child(role: g.roles[c.index], pid: c.pid, control: control, startedAt: c.startedAt,
                                            startedWall: c.startedWall, ready: c.ready)
            }
            // A child that died while the old image was exec'ing is reaped
            // by the SIGCHLD still pending; one that is not there at all is
            // respawned now.
            for i in g.children.indices where g.children[i] == nil && g.state == .active { g.respawnAt[i] = 0 }
            generations.append(g)
            if g.state == .active { current = g }
        }
        programPids = h.programs.map { $0.pid }
        programNames = h.programs.map { $0.name }
        vrrpStates = h.vrrpStates
        if let v = h.vrrp {
            let control = FileDescriptor(v.control)
            try? control.setCloseOnExec(true)
            try? loop.register(control, .readable, EventToken(kind: Kind.vrrp.rawValue))
            vrrp = VRRPChild(pid: v.pid, control: control, startedAt: v.startedAt, startedWall: v.startedWall)
        }
        phase = .running
    }

    // MARK: lifecycle

    /// Starts the first generation and serves until stopped; the exit status.
    func run() -> Int32 {
        loop.refreshClock()
        // (No local reference to the first generation: it must be freed, with
        // its descriptors, once it has drained after a reload.)
        startPrograms(generations[0].loaded.configuration, reload: false)
        guard startChildren(generations[0]) else {
            Log.alert("Failed to start the workers.")
            kill(generations[0], SIGKILL)
            cleanup()
            return 1
        }
        return serve()
    }

    /// The re-executed master finishes the reload the previous image began:
    /// it loads the configuration with this binary and starts the new
    /// generation; the restored ones serve meanwhile.
    func runAfterUpgrade() -> Int32 {
        loop.refreshClock()
        Log.notice("Re-executed as \(installedPath) (\(FulcrumVersion.string)); continuing reload \(reloads).")
        if current == nil {
            Log.alert("No serving generation was handed over; reload aborted.")
        } else if let loaded = loadForReload(current!) {
            startGeneration(loaded)
        }
        return serve()
    }

    /// A generation whose every child is ready starts serving; the previous
    /// current one drains (its workers finish what they have, then exit).
    func promote(_ g: Generation) {
        let previous = current
        g.state = .active
        current = g
        if let old = previous { drain(old) }
        // Binds the new generation dropped stop taking connections now (the
        // draining workers closed their copies): refused, not left waiting.
        listeners.retain(only: generations.filter { $0.state != .draining }.map { $0.perSlot })
        if phase == .starting { phase = .running }
        vrrpGenerationPromoted(g)
        if previous == nil {
            Log.notice("Loading success: \(g.slots) workers, \(listeners.count) listening sockets.")
            notifier.ready(status: "Ready.")
            readyCallback?()
        } else {
            Log.notice("Reload \(reloads) done: generation \(g.number) serves with \(g.slots) workers; generation \(previous!.number) drains.")
            notifier.ready(status: "Ready (reload \(reloads)).")
            answerReloadWaiters(success: true, errors: "")
            if reloadPending { reloadPending = false; reload() }
        }
    }

    /// A new generation that could not start: keep serving with the current one.
    func abandon(_ g: Generation, reason: String) {
        Log.alert("Reload failed: \(reason); generation \(current?.number ?? 0) keeps serving.")
        kill(g, SIGKILL)
        g.state = .draining
        failedReloads += 1
        lastReloadError = reason
        notifier.send("READY=1\nSTATUS=Reload failed: \(reason)")
        answerReloadWaiters(success: false, errors: reason + "\n")
        collectGoneGenerations()
    }

    func drain(_ g: Generation) {
        g.state = .draining
        g.drainStarted = loop.now
        for (i, c) in g.children.enumerated() {
            guard let c else { continue }
            g.respawnAt[i] = nil
            if case .worker = g.roles[i] { UnixSocket.sendMessage(c.control, ControlMessage.drain.encode()) }
            else { Processes.signal(c.pid, SIGTERM) } // its checks belong to the old table
        }
        // HAProxy counts the reload that made a worker old: with
        // mworker-max-reloads 1, it goes at the second reload.
        for other in generations where other.state == .draining && other !== g { other.reloadsSurvived += 1 }
        g.reloadsSurvived = 1
    }

    /// hard-stop-after and mworker-max-reloads bound how long old workers stay.
    func enforceDrainLimits(now: Int64) {
        for g in generations where g.state == .draining && !g.isGone {
            let global = current?.loaded.configuration.global ?? g.loaded.configuration.global
            let tooLong = global.hardStopAfter.map { now - g.drainStarted >= Int64($0) } ?? false
            let tooMany = global.maxReloads.map { g.reloadsSurvived > $0 } ?? false
            if tooLong || tooMany {
                Log.warning("Stopping generation \(g.number)'s remaining processes (\(tooLong ? "hard-stop-after" : "mworker-max-reloads")).")
                kill(g, tooLong ? SIGKILL : SIGTERM)
            }
        }
    }

    /// Forgets generations with no process left and closes the listening
    /// sockets nobody uses any more.
    func collectGoneGenerations() {
        let before = generations.count
        for g in generations where g.state == .draining && g.isGone {
            if let baseline = g.carriedTotals, let cur = current, cur !== g {
                TableCarryOver.addLate(final: TableCarryOver.totals(g.table, g.loaded.configuration), baseline: baseline,
                                       to: cur.table, cur.loaded.configuration)
            }
        }
        generations.removeAll { $0.state == .draining && $0.isGone }
        if generations.count != before { listeners.retain(only: generations.map { $0.perSlot }) }
    }

    func cleanup() {
        listeners.closeAll()
        for s in cliServers { s.close() }
        if let p = options.pidFile { unlink(p) }
    }

    // MARK: reload

    /// SIGUSR2, SIGHUP or `reload` on the master CLI: load and check the
    /// configuration; on success start a new generation next to the current
    /// one, which drains once the new one is ready. On error nothing changes.
    func reload(waiter: (Int, CLIServer.Ticket)? = nil) {
        if let w = waiter { reloadWaiters.append((w.0, w.1)) }
        if generations.contains(where: { $0.state == .starting }) {
            // One reload at a time: the newest request runs when this one is done.
            reloadPending = true
            return
        }
        guard let cur = current, phase == .running else {
            answerReloadWaiters(success: false, errors: "not running (starting or stopping)\n")
            return
        }
        reloads += 1
        notifier.send("RELOADING=1\nMONOTONIC_USEC=\(MonotonicClock.nowMicroseconds())\nSTATUS=Reloading")
        Log.notice("Reloading (reload \(reloads)).")
        guard loadForReload(cur) != nil else { return }
        // Returns only if the binary cannot take over; then nothing changed.
        let failure = reexecute()
        failedReloads += 1
        lastReloadError = failure
        Log.alert("Reload failed: \(failure); generation \(cur.number) keeps serving.")
        notifier.send("READY=1\nSTATUS=Reload failed: \(failure)")
        answerReloadWaiters(success: false, errors: failure + "\n")
    }

    /// The configuration for a reload, or nil after reporting its errors.
    private func loadForReload(_ cur: Generation) -> LoadedConfiguration? {
        let loaded = ConfigLoader.load(paths: options.configPaths)
        if loaded.hasErrors {
            let errors = loaded.diagnostics.filter { $0.severity == .alert }.map(\.description).joined(separator: "\n")
            for line in errors.split(separator: "\n") { Log.alert(String(line)) }
            failedReloads += 1
            lastReloadError = errors
            Log.alert("Reload failed: invalid configuration; generation \(cur.number) keeps serving.")
            notifier.send("READY=1\nSTATUS=Reload failed: invalid configuration")
            answerReloadWaiters(success: false, errors: errors + "\n")
            return nil
        }
        return loaded
    }

    /// Starts a generation for `loaded` next to the current one.
    private func startGeneration(_ loaded: LoadedConfiguration) {
        guard let cur = current else { return }
        let c = loaded.configuration
        let slots = max(1, c.global.workers ?? c.global.nbthread ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let g: Generation
        do {
            let perSlot = try listeners.assign(loaded, slots: slots)
            g = try Generation(number: nextGeneration, loaded: loaded, slots: slots, perSlot: perSlot, previous: cur)
        } catch let e as ListenerError {
            abandonConfig(e.messages.joined(separator: "\n"))
            return
        } catch {
            abandonConfig("\(error)")
            return
        }
        nextGeneration += 1
        generations.append(g)
        startPrograms(c, reload: true)
        if !startChildren(g) { abandon(g, reason: "cannot start the new workers") }
    }

    private func abandonConfig(_ reason: String) {
        failedReloads += 1
        lastReloadError = reason
        Log.alert("Reload failed: \(reason)")
        notifier.send("READY=1\nSTATUS=Reload failed")
        answerReloadWaiters(success: false, errors: reason + "\n")
        listeners.retain(only: generations.map { $0.perSlot })
    }

    private func answerReloadWaiters(success: Bool, errors: String) {
        let text = success ? "Success=1\n" : "Success=0\n--\n" + errors
        for w in reloadWaiters { cliServers[w.server].complete(w.ticket, text) }
        reloadWaiters.removeAll()
    }

    // MARK: children

    private func startChildren(_ g: Generation) -> Bool {
        for i in g.roles.indices where !spawn(g, i) { return false }
        return true
    }

    private func spawn(_ g: Generation, _ i: Int) -> Bool {
        let role = g.roles[i]
        let pair: (FileDescriptor, FileDescriptor)
        do { pair = try UnixSocket.seqpacketPair() } catch {
            Log.alert("socketpair: \(error)")
            return false
        }
        var args: [String]
        var inherited = [pair.1, g.tableMemory.fd, g.configBlob]
        switch role {
        case .worker(let slot):
            let entries = g.perSlot[slot]
            args = ["--role", "worker", "--slot", String(slot)]
            if !entries.isEmpty { args += ["--listeners", entries.map { "\($0.frontend).\($0.bind)" }.joined(separator: ",")] }
            inherited += entries.map { $0.fd }
        case .checker:
            args = ["--role", "checker"]
        }
        if options.debug { args.append("-d") }
        if options.quiet { args.append("-q") }
        do {
            let pid = try ProcessSpawner.spawn(path: ProcessSpawner.selfExecutable, arguments: args,
                                               environment: ProcessSpawner.currentEnvironment(), inherited: inherited,
                                               argv0: installedPath)
            pair.1.close()
            try? pair.0.setNonBlocking()
            try? loop.register(pair.0, .readable, childToken(i, of: g))
            g.children[i] = Child(role: role, pid: pid, control: pair.0, startedAt: loop.now,
                                  startedWall: WallClock.nowSeconds())
            Log.debug("generation \(g.number) \(role.name) started with pid \(pid)")
            return true
        } catch {
            pair.0.close(); pair.1.close()
            Log.alert("cannot start \(role.name): \(error)")
            return false
        }
    }

    private func startPrograms(_ c: Configuration, reload: Bool) {
        for (i, p) in c.programs.enumerated() {
            // HAProxy: on reload, programs with start-on-reload get a new instance.
            if reload {
                guard p.startOnReload else { continue }
                if let j = programNames.firstIndex(of: p.name), let old = programPids[j] { Processes.signal(old, SIGTERM) }
            }
            var args = ["--role", "program"]
            if let u = p.user { args += ["--user", u] }
            if let g = p.group { args += ["--group", g] }
            args += ["--"] + p.command
            do {
                let pid = try ProcessSpawner.spawn(path: ProcessSpawner.selfExecutable, arguments: args,
                                                   environment: ProcessSpawner.currentEnvironment(), inherited: [],
                                                   argv0: installedPath)
                programPids.append(pid)
                programNames.append(p.name)
                Log.notice("program '\(p.name)' started with pid \(pid)")
            } catch {
                Log.alert("cannot start program '\(p.name)': \(error)")
            }
            _ = i
        }
    }

    func reapChildren() {
        while let (pid, status) = Processes.reap() {
            if pid == vrrp?.pid {
                vrrpExited(status: status, stopping: phase == .stoppingFast || phase == .stoppingGracefully)
                continue
            }
            if let i = programPids.firstIndex(where: { $0 == pid }) {
                programPids[i] = nil
                // As HAProxy: a program that exits is reported, not restarted.
                let quiet = phase == .stoppingFast || phase == .stoppingGracefully
                Log.write(quiet ? .debug : .alert, "program '\(programNames[i])' (pid \(pid)) exited with \(status)")
                continue
            }
            guard let g = generations.first(where: { $0.children.contains { $0?.pid == pid } }),
                  let i = g.children.firstIndex(where: { $0?.pid == pid }), let child = g.children[i] else { continue }
            loop.remove(child.control)
            child.control.close()
            g.children[i] = nil
            failForwards(generation: g.number, child: i)
            if phase == .stoppingFast || phase == .stoppingGracefully || g.state == .draining {
                Log.debug("generation \(g.number) \(child.role.name) (pid \(pid)) exited: \(status)")
                continue
            }
            if g.state == .starting {
                Log.alert("New \(child.role.name) (pid \(pid)) exited with \(status) before it was ready.")
                g.startFailed = true
                continue
            }
            let lived = loop.now - child.startedAt
            Log.alert("Current \(child.role.name) (pid \(pid)) exited with \(status); respawning it.")
            // Back off when a child keeps dying soon after it starts.
            if lived < 2000 { g.failures[i] += 1 } else { g.failures[i] = 0 }
            let delay = g.failures[i] == 0 ? 0 : min(Int64(100) << min(g.failures[i] - 1, 7), 10_000)
            g.respawnAt[i] = loop.now + delay
        }
    }

    func respawnDue(_ g: Generation, now: Int64) {
        for i in g.roles.indices {
            guard let at = g.respawnAt[i], at <= now else { continue }
            g.respawnAt[i] = nil
            if !spawn(g, i) {
                g.failures[i] += 1
                g.respawnAt[i] = now + min(Int64(100) << min(g.failures[i], 7), 10_000)
            }
        }
    }

    func kill(_ g: Generation, _ signal: Int32) {
        for case let c? in g.children { Processes.signal(c.pid, signal) }
        if signal == SIGKILL {
            // Reap synchronously so nothing is left behind.
            for i in g.children.indices {
                if let c = g.children[i] {
                    var st: Int32 = 0
                    waitpid(c.pid, &st, 0)
                    loop.remove(c.control)
                    c.control.close()
                    g.children[i] = nil
                }
            }
        }
    }

    // MARK: CLI forwarding

    private func forward(_ command: String, to g: Generation, child i: Int, server: Int, ticket: CLIServer.Ticket) -> String? {
        guard let c = g.children[i] else { return "Can't find the target process.\n" }
        let id = nextRequest
        nextRequest &+= 1
        guard UnixSocket.sendMessage(c.control, ControlMessage.cliRequest(id: id, level: 2, command: command).encode()) else {
            return "Can't send the command to the \(c.role.name).\n"
        }
        forwards[id] = Forward(server: server, ticket: ticket, generation: g.number, child: i,
                               deadline: loop.now + 5000)
        return nil
    }

    func expireForwards(now: Int64) {
        for (id, f) in forwards where f.deadline <= now {
            forwards[id] = nil
            cliServers[f.server].complete(f.ticket, "Timeout waiting for the process to answer.\n")
        }
    }

    private func failForwards(generation: Int, child i: Int) {
        for (id, f) in forwards where f.generation == generation && f.child == i {
            forwards[id] = nil
            cliServers[f.server].complete(f.ticket, "The process exited before answering.\n")
        }
    }

    // MARK: views for the CLI

    /// `show proc`, in the shape of HAProxy's master CLI; old workers (draining
    /// generations) with the sessions they still hold.
    func showProc() -> String {
        let now = WallClock.nowSeconds()
        func up(_ since: Int64) -> Int { Int(max(0, now - since)) }
        var processes = [RuntimeFormat.Process(pid: getpid(), kind: .master, reloads: reloads,
                                               uptimeSeconds: up(startedWall), version: FulcrumVersion.string)]
        processes[0].failedReloads = failedReloads
        for g in generations where g.state != .starting {
            let leaving = g.state == .draining
            for (i, child) in g.children.enumerated() {
                guard let c = child else { continue }
                let kind: RuntimeFormat.Process.Kind = g.roles[i] == .checker ? .checker : .worker
                var p = RuntimeFormat.Process(pid: c.pid, kind: kind, reloads: reloads - (g.number - 1),
                                              uptimeSeconds: up(c.startedWall), version: FulcrumVersion.string,
                                              leaving: leaving)
                if leaving, case .worker(let slot) = g.roles[i] { p.remainingSessions = g.remainingSessions(slot: slot) }
                processes.append(p)
            }
        }
        if let v = vrrp {
            processes.append(.init(pid: v.pid, kind: .program(name: "vrrp"), reloads: 0,
                                   uptimeSeconds: up(v.startedWall), version: FulcrumVersion.string))
        }
        for (i, pid) in programPids.enumerated() {
            guard let pid else { continue }
            processes.append(.init(pid: pid, kind: .program(name: programNames[i]), reloads: 0,
                                   uptimeSeconds: up(startedWall), version: "-"))
        }
        var text = RuntimeFormat.showProc(processes)
        if let err = lastReloadError {
            text += "# last reload failed:\n" + err.split(separator: "\n").map { "#   " + $0 }.joined(separator: "\n") + "\n"
        }
        return text
    }
}

extension Master: CLICommandRunner {
    /// The master CLI routes `@N cmd` (worker N of the current generation,
    /// 1-based; `@0`/`@master` is the master) and `@!PID cmd` to that process,
    /// as HAProxy's master CLI does; anything else runs here over the current
    /// generation's counters. A stats socket runs everything here at its level.
    func run(_ command: String, from server: CLIServer, ticket: CLIServer.Ticket) -> String? {
        let serverIndex = cliServers.firstIndex { $0 === server } ?? 0
        guard let cur = current ?? generations.last else { return "Not ready.\n" }
        guard server.isMasterCLI else { return cur.runtime.execute(command, level: server.level) }
        if command.hasPrefix("@") {
            let parts = command.split(separator: " ", maxSplits: 1)
            let target = String(parts[0].dropFirst())
            let rest = parts.count > 1 ? String(parts[1]) : ""
            if target == "0" || target == "master" { return runMasterCommand(rest, serverIndex: serverIndex, ticket: ticket) }
            var found: (Generation, Int)? = nil
            if target.hasPrefix("!"), let pid = pid_t(target.dropFirst()) {
                for g in generations { if let i = g.children.firstIndex(where: { $0?.pid == pid }) { found = (g, i) } }
            } else if let n = Int(target), n >= 1, n <= cur.slots {
                found = (cur, n - 1)
            }
            guard let (g, i) = found, g.children[i] != nil else { return "Can't find the target process '\(target)'.\n" }
            if rest.isEmpty { return "Missing command after '@\(target)'.\n" }
            return forward(rest, to: g, child: i, server: serverIndex, ticket: ticket)
        }
        return runMasterCommand(command, serverIndex: serverIndex, ticket: ticket)
    }

    private func runMasterCommand(_ command: String, serverIndex: Int, ticket: CLIServer.Ticket) -> String? {
        switch command.split(separator: " ").map(String.init) {
        case ["show", "proc"]: return showProc()
        case ["show", "vrrp"]: return showVRRP()
        case ["help"]: return RuntimeFormat.help(master: true) + RuntimeCLI.endOfAnswer
        case ["reload"]:
            // Answered when the new generation serves or the reload failed.
            reload(waiter: (serverIndex, ticket))
            return nil
        default:
            guard let cur = current ?? generations.last else { return "Not ready.\n" }
            return cur.runtime.execute(command, level: 2)
        }
    }
}
