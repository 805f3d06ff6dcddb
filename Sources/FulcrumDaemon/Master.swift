import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumProxy

/// The supervisor: owns listeners, the shared table and the control channels;
/// starts workers and the checker by posix_spawn of its own binary; respawns
/// them; answers the master CLI and stats sockets; turns signals into stops.
/// Single-threaded, one epoll loop.
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
    /// Epoll token kinds (low 3 bits). CLI tokens carry the server index in
    /// bits 3–10 and the connection id above; child tokens the child index.
    private enum Token: UInt64 { case signals = 0, cliListener = 1, cliClient = 2, child = 3 }

    let options: CommandLineOptions
    let loaded: LoadedConfiguration
    let slots: Int
    let roles: [Role]
    private let epoll: Epoll
    private let signals: SignalChannel
    private let listeners: ListenerSet
    private let tableMemory: SharedMemory
    let table: SharedTable
    private let configBlob: FileDescriptor
    private let notifier: SystemdNotifier
    private let executable: String
    let startedWall = WallClock.nowSeconds()

    private(set) var children: [Child?]
    private var respawnAt: [Int64?]
    private var failures: [Int]
    private(set) var restarts = 0
    private var phase = Phase.starting
    private var stopDeadline: Int64 = 0
    private var startFailed = false
    /// Running `program` sections: pid per program index (nil once exited).
    private var programPids: [pid_t?] = []
    private var cliServers: [CLIServer] = []
    private lazy var runtime = RuntimeService(configuration: loaded.configuration, table: table, scope: .allWorkers,
                                              addresses: loaded.serverAddresses)
    /// CLI commands forwarded to a child and not answered yet.
    private var forwards: [UInt32: Forward] = [:]
    private var nextRequest: UInt32 = 1
    var readyCallback: (() -> Void)?

    private struct Forward {
        var server: Int
        var ticket: CLIServer.Ticket
        var child: Int
        var deadline: Int64
        var text = ""
    }

    init(options: CommandLineOptions, loaded: LoadedConfiguration, workers: Int) throws {
        self.options = options
        self.loaded = loaded
        self.slots = workers
        let c = loaded.configuration
        var roles = (0..<workers).map { Role.worker($0) }
        if CheckerRole.isNeeded(c) { roles.append(.checker) }
        self.roles = roles
        executable = ProcessSpawner.executablePath()
        notifier = SystemdNotifier(enabled: options.systemd)
        epoll = try Epoll(capacity: 64)
        signals = try SignalChannel([SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP])
        SignalChannel.ignore(SIGPIPE)
        listeners = try ListenerSet(loaded, slots: workers)

        let index = TableIndex(c)
        tableMemory = try SharedMemory(create: "fulcrum-table", size: index.tableSize(workers: workers))
        table = SharedTable(base: tableMemory.base, servers: index.serverCount, frontends: index.frontendCount,
                            binds: index.bindCount, backends: index.backendCount, workers: workers,
                            initialize: true, startedAt: UInt64(WallClock.nowSeconds()))
        CheckerRole.initializeTable(table, configuration: c, index: index)
        configBlob = try SealedBlob.make(name: "fulcrum-config", bytes: ConfigBlob.encode(loaded.sources))
        children = Array(repeating: nil, count: roles.count)
        respawnAt = Array(repeating: nil, count: roles.count)
        failures = Array(repeating: 0, count: roles.count)

        try epoll.add(signals.fd, events: .readable, token: Token.signals.rawValue)
        if let path = options.masterSocket {
            cliServers.append(try CLIServer(path: path, mode: 0o600, isMasterCLI: true, level: 2))
        }
        for s in c.global.statsSockets {
            cliServers.append(try CLIServer(path: s.path, mode: s.mode.map { mode_t($0) }, isMasterCLI: false,
                                            level: s.level.privilege))
        }
        for (i, s) in cliServers.enumerated() {
            try epoll.add(s.listener, events: .readable, token: UInt64(i) << 3 | Token.cliListener.rawValue)
        }
    }

    // MARK: lifecycle

    /// Starts the children and serves until stopped. Returns the exit status.
    func run() -> Int32 {
        startPrograms()
        for i in roles.indices {
            if !spawn(i) {
                Log.alert("Failed to start the \(roles[i].name).")
                stopAll(signal: SIGKILL)
                cleanup()
                return 1
            }
        }
        let startDeadline = MonotonicClock.nowMilliseconds() + 15_000
        while true {
            epoll.wait(timeout: nextTimeout(startDeadline: startDeadline))
            for i in 0..<epoll.count { handle(token: epoll.token(at: i)) }
            let now = MonotonicClock.nowMilliseconds()
            expireForwards(now: now)
            if phase == .starting {
                if children.allSatisfy({ $0?.ready == true }) { becameReady() }
                else if now >= startDeadline || startFailed {
                    Log.alert("Workers failed to start; exiting.")
                    stopAll(signal: SIGKILL)
                    cleanup()
                    return 1
                }
            }
            if phase == .running { respawnDue(now: now) }
            if phase == .stoppingGracefully || phase == .stoppingFast {
                let workersGone = children.indices.allSatisfy { children[$0] == nil || roles[$0] == .checker }
                if workersGone, let ci = roles.firstIndex(of: .checker), let c = children[ci] {
                    // The checker has nothing to finish: stop it once the workers are done.
                    Processes.signal(c.pid, SIGTERM)
                }
                if children.allSatisfy({ $0 == nil }) && programPids.allSatisfy({ $0 == nil }) { break }
                if now >= stopDeadline {
                    Log.warning("Children still alive after stop deadline; killing them.")
                    stopAll(signal: SIGKILL)
                    stopDeadline = now + 1000
                }
            }
        }
        cleanup()
        Log.notice("Exiting Master process...")
        return 0
    }

    private func nextTimeout(startDeadline: Int64) -> Int32 {
        let now = MonotonicClock.nowMilliseconds()
        var t: Int64 = -1
        func consider(_ d: Int64) { let w = max(0, d - now); t = t < 0 ? w : min(t, w) }
        if phase == .starting { consider(startDeadline) }
        for case let d? in respawnAt { consider(d) }
        for f in forwards.values { consider(f.deadline) }
        if phase == .stoppingFast || phase == .stoppingGracefully { consider(stopDeadline) }
        return Int32(clamping: t)
    }

    private func becameReady() {
        phase = .running
        Log.notice("Loading success: \(slots) workers, \(listeners.count) listening sockets.")
        notifier.ready(status: "Ready.")
        readyCallback?()
    }

    private func cleanup() {
        listeners.closeAll()
        for s in cliServers { s.close() }
        if let p = options.pidFile { unlink(p) }
    }

    // MARK: children

    private func spawn(_ i: Int) -> Bool {
        let role = roles[i]
        let pair: (FileDescriptor, FileDescriptor)
        do { pair = try UnixSocket.seqpacketPair() } catch {
            Log.alert("socketpair: \(error)")
            return false
        }
        var args: [String]
        var inherited = [pair.1, tableMemory.fd, configBlob]
        switch role {
        case .worker(let slot):
            let entries = listeners.perSlot[slot]
            args = ["--role", "worker", "--slot", String(slot)]
            if !entries.isEmpty { args += ["--listeners", entries.map { "\($0.frontend).\($0.bind)" }.joined(separator: ",")] }
            inherited += entries.map { $0.fd }
        case .checker:
            args = ["--role", "checker"]
        }
        if options.debug { args.append("-d") }
        if options.quiet { args.append("-q") }
        do {
            let pid = try ProcessSpawner.spawn(path: executable, arguments: args,
                                               environment: ProcessSpawner.currentEnvironment(), inherited: inherited)
            pair.1.close()
            try? pair.0.setNonBlocking()
            try? epoll.add(pair.0, events: .readable, token: UInt64(i) << 3 | Token.child.rawValue)
            children[i] = Child(role: role, pid: pid, control: pair.0, startedAt: MonotonicClock.nowMilliseconds(),
                                startedWall: WallClock.nowSeconds())
            Log.debug("\(role.name) started with pid \(pid)")
            return true
        } catch {
            pair.0.close(); pair.1.close()
            Log.alert("cannot start \(role.name): \(error)")
            return false
        }
    }

    private func startPrograms() {
        for p in loaded.configuration.programs {
            var args = ["--role", "program"]
            if let u = p.user { args += ["--user", u] }
            if let g = p.group { args += ["--group", g] }
            args += ["--"] + p.command
            do {
                let pid = try ProcessSpawner.spawn(path: executable, arguments: args,
                                                   environment: ProcessSpawner.currentEnvironment(), inherited: [])
                programPids.append(pid)
                Log.notice("program '\(p.name)' started with pid \(pid)")
            } catch {
                programPids.append(nil)
                Log.alert("cannot start program '\(p.name)': \(error)")
            }
        }
    }

    private func reapChildren() {
        while let (pid, status) = Processes.reap() {
            if let i = programPids.firstIndex(where: { $0 == pid }) {
                programPids[i] = nil
                // As HAProxy: a program that exits is reported, not restarted.
                let level: Log.Level = (phase == .stoppingFast || phase == .stoppingGracefully) ? .debug : .alert
                Log.write(level, "program '\(loaded.configuration.programs[i].name)' (pid \(pid)) exited with \(status)")
                continue
            }
            guard let i = children.firstIndex(where: { $0?.pid == pid }), let child = children[i] else { continue }
            epoll.remove(child.control)
            child.control.close()
            children[i] = nil
            failForwards(toChild: i)
            switch phase {
            case .stoppingFast, .stoppingGracefully:
                Log.debug("\(child.role.name) (pid \(pid)) exited: \(status)")
            case .starting:
                Log.alert("Current \(child.role.name) (pid \(pid)) exited with \(status) before it was ready.")
                startFailed = true
            case .running:
                let lived = MonotonicClock.nowMilliseconds() - child.startedAt
                Log.alert("Current \(child.role.name) (pid \(pid)) exited with \(status); respawning it.")
                // Back off when a child keeps dying soon after it starts.
                if lived < 2000 { failures[i] += 1 } else { failures[i] = 0 }
                let delay = failures[i] == 0 ? 0 : min(Int64(100) << min(failures[i] - 1, 7), 10_000)
                respawnAt[i] = MonotonicClock.nowMilliseconds() + delay
            }
        }
    }

    private func respawnDue(now: Int64) {
        for i in roles.indices {
            guard let at = respawnAt[i], at <= now else { continue }
            respawnAt[i] = nil
            restarts += 1
            if !spawn(i) {
                failures[i] += 1
                respawnAt[i] = now + min(Int64(100) << min(failures[i], 7), 10_000)
            }
        }
    }

    private func stopAll(signal: Int32) {
        for case let c? in children { Processes.signal(c.pid, signal) }
        for case let p? in programPids { Processes.signal(p, signal) }
        if signal == SIGKILL {
            // Reap synchronously so nothing is left behind.
            for i in children.indices {
                if let c = children[i] { var st: Int32 = 0; waitpid(c.pid, &st, 0); c.control.close(); children[i] = nil }
            }
            for i in programPids.indices {
                if let p = programPids[i] { var st: Int32 = 0; waitpid(p, &st, 0); programPids[i] = nil }
            }
        }
    }

    // MARK: events

    private func handle(token: UInt64) {
        let index = Int((token >> 3) & 0xFF)
        switch Token(rawValue: token & 7)! {
        case .signals:
            while let sig = signals.next() { handleSignal(sig) }
        case .cliListener:
            cliServers[index].acceptClients(epoll: epoll) { id in
                UInt64(id) << 11 | UInt64(index) << 3 | Token.cliClient.rawValue
            }
        case .cliClient:
            cliServers[index].serve(client: Int(token >> 11), runner: self)
        case .child:
            let i = Int(token >> 3)
            guard i < children.count, let c = children[i] else { return }
            while let bytes = UnixSocket.receiveMessage(c.control) {
                if bytes.isEmpty { break }
                switch ControlMessage.decode(bytes) {
                case .ready?:
                    children[i]?.ready = true
                    Log.debug("\(c.role.name) (pid \(c.pid)) ready")
                case .cliReply(let id, let final, let text)?:
                    guard var f = forwards[id] else { break }
                    f.text += text
                    if final {
                        forwards[id] = nil
                        cliServers[f.server].complete(f.ticket, f.text)
                    } else {
                        forwards[id] = f
                    }
                default:
                    Log.warning("unexpected control message from \(c.role.name)")
                }
            }
        }
    }

    private func handleSignal(_ sig: Int32) {
        switch sig {
        case SIGCHLD:
            reapChildren()
        case SIGTERM, SIGINT:
            guard phase != .stoppingFast else { return }
            Log.notice("\(SignalChannel.name(sig)) received: fast stop.")
            notifier.stopping()
            phase = .stoppingFast
            stopDeadline = MonotonicClock.nowMilliseconds() + 3000
            respawnAt = respawnAt.map { _ in nil }
            stopAll(signal: SIGTERM)
        case SIGUSR1:
            guard phase == .running || phase == .starting else { return }
            Log.notice("SIGUSR1 received: graceful stop, waiting for workers to finish their connections.")
            notifier.stopping()
            phase = .stoppingGracefully
            stopDeadline = Int64.max
            respawnAt = respawnAt.map { _ in nil }
            for (i, c) in children.enumerated() {
                guard let c, case .worker = roles[i] else { continue }
                UnixSocket.sendMessage(c.control, ControlMessage.drain.encode())
            }
            for case let p? in programPids { Processes.signal(p, SIGTERM) }
            // Nobody accepts any more: close the queues so new clients are refused.
            listeners.closeAll()
        case SIGUSR2, SIGHUP:
            Log.warning("\(SignalChannel.name(sig)) received: reload is not supported yet; keeping the running configuration.")
        default:
            break
        }
    }

    // MARK: CLI forwarding

    private func forward(_ command: String, toChild i: Int, server: Int, ticket: CLIServer.Ticket) -> String? {
        guard let c = children[i] else { return "Can't find the target process.\n" }
        let id = nextRequest
        nextRequest &+= 1
        guard UnixSocket.sendMessage(c.control, ControlMessage.cliRequest(id: id, level: 2, command: command).encode()) else {
            return "Can't send the command to the \(c.role.name).\n"
        }
        forwards[id] = Forward(server: server, ticket: ticket, child: i, deadline: MonotonicClock.nowMilliseconds() + 5000)
        return nil
    }

    private func expireForwards(now: Int64) {
        for (id, f) in forwards where f.deadline <= now {
            forwards[id] = nil
            cliServers[f.server].complete(f.ticket, "Timeout waiting for the \(roles[f.child].name) to answer.\n")
        }
    }

    private func failForwards(toChild i: Int) {
        for (id, f) in forwards where f.child == i {
            forwards[id] = nil
            cliServers[f.server].complete(f.ticket, "The \(roles[i].name) exited before answering.\n")
        }
    }

    // MARK: views for the CLI

    /// Worker pids by slot (nil while being respawned).
    var workerPids: [pid_t?] { (0..<slots).map { children[$0]?.pid } }

    /// `show proc`, in the shape of HAProxy's master CLI.
    func showProc() -> String {
        let now = WallClock.nowSeconds()
        func up(_ since: Int64) -> Int { Int(max(0, now - since)) }
        var processes = [RuntimeFormat.Process(pid: getpid(), kind: .master, reloads: 0,
                                               uptimeSeconds: up(startedWall), version: FulcrumVersion.string)]
        for (i, child) in children.enumerated() {
            guard let c = child else { continue }
            let kind: RuntimeFormat.Process.Kind = roles[i] == .checker ? .checker : .worker
            processes.append(.init(pid: c.pid, kind: kind, reloads: 0, uptimeSeconds: up(c.startedWall),
                                   version: FulcrumVersion.string))
        }
        for (i, pid) in programPids.enumerated() {
            guard let pid else { continue }
            processes.append(.init(pid: pid, kind: .program(name: loaded.configuration.programs[i].name), reloads: 0,
                                   uptimeSeconds: up(startedWall), version: "-"))
        }
        return RuntimeFormat.showProc(processes)
    }
}

extension Master: CLICommandRunner {
    /// The master CLI routes `@N cmd` (worker N, 1-based; `@0`/`@master` is the
    /// master) and `@!PID cmd` to that process, as HAProxy's master CLI does;
    /// anything else runs here over all workers' counters. A stats socket runs
    /// everything here at its configured level.
    func run(_ command: String, from server: CLIServer, ticket: CLIServer.Ticket) -> String? {
        let serverIndex = cliServers.firstIndex { $0 === server } ?? 0
        guard server.isMasterCLI else { return runtime.execute(command, level: server.level) }
        if command.hasPrefix("@") {
            let parts = command.split(separator: " ", maxSplits: 1)
            let target = String(parts[0].dropFirst())
            let rest = parts.count > 1 ? String(parts[1]) : ""
            if target == "0" || target == "master" { return runMasterCommand(rest) }
            var child: Int? = nil
            if target.hasPrefix("!"), let pid = pid_t(target.dropFirst()) {
                child = children.firstIndex { $0?.pid == pid }
            } else if let n = Int(target), n >= 1, n <= slots {
                child = n - 1
            }
            guard let i = child, children[i] != nil else { return "Can't find the target process '\(target)'.\n" }
            if rest.isEmpty { return "Missing command after '@\(target)'.\n" }
            return forward(rest, toChild: i, server: serverIndex, ticket: ticket)
        }
        return runMasterCommand(command)
    }

    private func runMasterCommand(_ command: String) -> String {
        switch command.split(separator: " ").map(String.init) {
        case ["show", "proc"]: return showProc()
        case ["help"]: return RuntimeFormat.help(master: true) + RuntimeCLI.endOfAnswer
        case ["reload"]: return "Success=0\n--\nreload is not supported yet\n"
        default: return runtime.execute(command, level: 2)
        }
    }
}
