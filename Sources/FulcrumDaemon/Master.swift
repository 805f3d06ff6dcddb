import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumProxy

/// The supervisor: owns listeners, the shared table and the control channels;
/// starts workers by posix_spawn of its own binary; respawns them; answers the
/// master CLI; turns signals into stops. Single-threaded, one epoll loop.
final class Master {
    /// Descriptor numbers in a worker (ProcessSpawner places them from 3 on).
    enum ChildFD { static let control: Int32 = 3, table: Int32 = 4, config: Int32 = 5, firstListener: Int32 = 6 }

    struct Child {
        var pid: pid_t
        var control: FileDescriptor
        var startedAt: Int64
        var startedWall: Int64
        var ready = false
    }

    enum Phase { case starting, running, stoppingGracefully, stoppingFast }
    private enum Token: UInt64 { case signals = 0, cliListener = 1, cliClient = 2, child = 3 }

    let options: CommandLineOptions
    let loaded: LoadedConfiguration
    let slots: Int
    private let epoll: Epoll
    private let signals: SignalChannel
    private let listeners: ListenerSet
    private let tableMemory: SharedMemory
    let table: SharedTable
    private let configBlob: FileDescriptor
    private let notifier: SystemdNotifier
    private let executable: String
    private let startedWall = WallClock.nowSeconds()

    private(set) var children: [Child?]
    /// Running `program` sections: pid per program index (nil once exited).
    private var programPids: [pid_t?] = []
    private var respawnAt: [Int64?]
    private var failures: [Int]
    private var restarts = 0
    private var phase = Phase.starting
    private var stopDeadline: Int64 = 0
    private var cli: MasterCLI?
    var readyCallback: (() -> Void)?

    init(options: CommandLineOptions, loaded: LoadedConfiguration, workers: Int) throws {
        self.options = options
        self.loaded = loaded
        self.slots = workers
        executable = ProcessSpawner.executablePath()
        notifier = SystemdNotifier(enabled: options.systemd)
        epoll = try Epoll(capacity: 64)
        signals = try SignalChannel([SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP])
        SignalChannel.ignore(SIGPIPE)
        listeners = try ListenerSet(loaded, slots: workers)

        let index = TableIndex(loaded.configuration)
        tableMemory = try SharedMemory(create: "fulcrum-table", size: index.tableSize(workers: workers))
        table = SharedTable(base: tableMemory.base, servers: index.serverCount, frontends: index.frontendCount,
                            binds: index.bindCount, backends: index.backendCount, workers: workers,
                            initialize: true, startedAt: UInt64(WallClock.nowSeconds()))
        for (bi, b) in loaded.configuration.backends.enumerated() {
            for (si, s) in b.servers.enumerated() {
                let line = index.serverLine(backend: bi, server: si)
                table.server(line, .weight).store(UInt64(s.params.weight))
                if s.params.disabled { table.server(line, .admin).store(SharedTable.Admin.configMaintenance.rawValue) }
            }
        }
        configBlob = try SealedBlob.make(name: "fulcrum-config", bytes: ConfigBlob.encode(loaded.sources))
        children = Array(repeating: nil, count: workers)
        respawnAt = Array(repeating: nil, count: workers)
        failures = Array(repeating: 0, count: workers)

        try epoll.add(signals.fd, events: .readable, token: Token.signals.rawValue)
        if let path = options.masterSocket {
            let c = try MasterCLI(path: path)
            try epoll.add(c.listener, events: .readable, token: Token.cliListener.rawValue)
            cli = c
        }
    }

    // MARK: lifecycle

    /// Starts the workers and serves until stopped. Returns the exit status.
    func run() -> Int32 {
        startPrograms()
        for slot in 0..<slots {
            if !spawnWorker(slot: slot) {
                Log.alert("Failed to start worker \(slot + 1).")
                stopAll(signal: SIGKILL)
                return 1
            }
        }
        let startDeadline = MonotonicClock.nowMilliseconds() + 15_000
        while true {
            let timeout = nextTimeout(startDeadline: startDeadline)
            epoll.wait(timeout: timeout)
            for i in 0..<epoll.count { handle(token: epoll.token(at: i)) }
            let now = MonotonicClock.nowMilliseconds()
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

    private var startFailed = false

    private func nextTimeout(startDeadline: Int64) -> Int32 {
        let now = MonotonicClock.nowMilliseconds()
        var t: Int64 = -1
        func consider(_ d: Int64) { let w = max(0, d - now); t = t < 0 ? w : min(t, w) }
        if phase == .starting { consider(startDeadline) }
        for case let d? in respawnAt { consider(d) }
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
        cli?.close()
        if let p = options.pidFile { unlink(p) }
    }

    // MARK: children

    private func spawnWorker(slot: Int) -> Bool {
        let entries = listeners.perSlot[slot]
        let pair: (FileDescriptor, FileDescriptor)
        do { pair = try UnixSocket.seqpacketPair() } catch {
            Log.alert("socketpair: \(error)")
            return false
        }
        var args = ["--role", "worker", "--slot", String(slot)]
        if options.debug { args.append("-d") }
        if options.quiet { args.append("-q") }
        if !entries.isEmpty { args += ["--listeners", entries.map { "\($0.frontend).\($0.bind)" }.joined(separator: ",")] }
        let inherited = [pair.1, tableMemory.fd, configBlob] + entries.map { $0.fd }
        do {
            let pid = try ProcessSpawner.spawn(path: executable, arguments: args,
                                               environment: ProcessSpawner.currentEnvironment(), inherited: inherited)
            pair.1.close()
            try? pair.0.setNonBlocking()
            try? epoll.add(pair.0, events: .readable, token: UInt64(slot) << 2 | Token.child.rawValue)
            children[slot] = Child(pid: pid, control: pair.0, startedAt: MonotonicClock.nowMilliseconds(),
                                   startedWall: WallClock.nowSeconds())
            Log.debug("worker \(slot + 1) started with pid \(pid)")
            return true
        } catch {
            pair.0.close(); pair.1.close()
            Log.alert("cannot start worker \(slot + 1): \(error)")
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
            guard let slot = children.firstIndex(where: { $0?.pid == pid }), let child = children[slot] else { continue }
            epoll.remove(child.control)
            child.control.close()
            children[slot] = nil
            switch phase {
            case .stoppingFast, .stoppingGracefully:
                Log.debug("worker \(slot + 1) (pid \(pid)) exited: \(status)")
            case .starting:
                Log.alert("Current worker \(slot + 1) (pid \(pid)) exited with \(status) before it was ready.")
                startFailed = true
            case .running:
                let lived = MonotonicClock.nowMilliseconds() - child.startedAt
                Log.alert("Current worker \(slot + 1) (pid \(pid)) exited with \(status); respawning it.")
                // Back off when a worker keeps dying soon after it starts.
                if lived < 2000 { failures[slot] += 1 } else { failures[slot] = 0 }
                let delay = failures[slot] == 0 ? 0 : min(Int64(100) << min(failures[slot] - 1, 7), 10_000)
                respawnAt[slot] = MonotonicClock.nowMilliseconds() + delay
            }
        }
    }

    private func respawnDue(now: Int64) {
        for slot in 0..<slots {
            guard let at = respawnAt[slot], at <= now else { continue }
            respawnAt[slot] = nil
            restarts += 1
            if !spawnWorker(slot: slot) {
                failures[slot] += 1
                respawnAt[slot] = now + min(Int64(100) << min(failures[slot], 7), 10_000)
            }
        }
    }

    private func stopAll(signal: Int32) {
        for case let c? in children { Processes.signal(c.pid, signal) }
        for case let p? in programPids { Processes.signal(p, signal) }
        if signal == SIGKILL {
            // Reap synchronously so nothing is left behind.
            for slot in 0..<slots {
                if let c = children[slot] { var st: Int32 = 0; waitpid(c.pid, &st, 0); c.control.close(); children[slot] = nil }
            }
            for i in programPids.indices {
                if let p = programPids[i] { var st: Int32 = 0; waitpid(p, &st, 0); programPids[i] = nil }
            }
        }
    }

    // MARK: events

    private func handle(token: UInt64) {
        switch Token(rawValue: token & 3)! {
        case .signals:
            while let sig = signals.next() { handleSignal(sig) }
        case .cliListener:
            cli?.acceptClients(epoll: epoll, token: Token.cliClient.rawValue)
        case .cliClient:
            cli?.serve(client: Int(token >> 2), master: self)
        case .child:
            let slot = Int(token >> 2)
            guard slot < slots, let c = children[slot] else { return }
            while let msg = UnixSocket.receiveMessage(c.control) {
                if msg.isEmpty { break }
                if msg == Array("ready".utf8) {
                    children[slot]?.ready = true
                    if phase == .running { failures[slot] = failures[slot] > 0 ? failures[slot] : 0 }
                    Log.debug("worker \(slot + 1) (pid \(c.pid)) ready")
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
            for case let c? in children { UnixSocket.sendMessage(c.control, Array("drain".utf8)) }
            for case let p? in programPids { Processes.signal(p, SIGTERM) }
            // Nobody accepts any more: close the queues so new clients are refused.
            listeners.closeAll()
        case SIGUSR2, SIGHUP:
            Log.warning("\(SignalChannel.name(sig)) received: reload is not supported yet; keeping the running configuration.")
        default:
            break
        }
    }

    // MARK: CLI support

    /// `show proc`, in the shape of HAProxy's master CLI.
    func showProc() -> String {
        func uptime(_ since: Int64) -> String {
            let s = max(0, WallClock.nowSeconds() - since)
            let d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60, sec = s % 60
            func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return "\(d)d\(two(h))h\(two(m))m\(two(sec))s"
        }
        func row(_ cols: [String]) -> String {
            cols.map { $0.count < 16 ? $0 + String(repeating: " ", count: 16 - $0.count) : $0 + " " }.joined()
                .trimmingTrailingSpaces() + "\n"
        }
        var out = row(["#<PID>", "<type>", "<reloads>", "<uptime>", "<version>"])
        out += row([String(getpid()), "master", "0", uptime(startedWall), FulcrumVersion.string])
        out += "# workers\n"
        for slot in 0..<slots {
            if let c = children[slot] {
                out += row([String(c.pid), "worker", "0", uptime(c.startedWall), FulcrumVersion.string])
            }
        }
        out += "# old workers\n"
        return out
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
