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
///
/// This file holds its state, its start and its end; the rest is in
/// extensions, one concern each: Master+Generations, +Reload (+Upgrade for
/// the re-exec), +Children, +CLI and +VRRP.
final class Master {
    /// Descriptor numbers in a child (ProcessSpawner places them from 3 on).
    enum ChildFD { static let control: Int32 = 3, table: Int32 = 4, config: Int32 = 5, firstListener: Int32 = 6 }

    /// What a child process is: a worker in a slot, or the health checker.
    enum Role: Equatable {
        case worker(Int)
        case checker
        /// The peers protocol (Peers/PeersRole.swift).
        case peers
        var name: String {
            switch self {
            case .worker(let s): return "worker \(s + 1)"
            case .checker: return "checker"
            case .peers: return "peers"
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
    /// The serving generation's log targets, for the events the master
    /// reports (admin changes from the CLI); replaced when another generation
    /// serves. Per backend: its destinations.
    var eventLog: LogOutput?
    var eventLogTargets: [[Int]] = []
    var eventLogFrontendTargets: [[Int]] = []
    var eventLogGlobalTargets: [Int] = []
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
    /// Answers being gathered from every worker (`show sess`), by number.
    var gathers: [Int: Gather] = [:]
    var nextRequest: UInt32 = 1
    var nextGather = 0
    var readyCallback: (() -> Void)?
    /// The VRRP child (see Master+VRRP), the states its instances last
    /// reported, and its respawn schedule.
    var vrrp: VRRPChild?
    var vrrpStates: [String: String] = [:]
    var vrrpRespawnAt: Int64?
    var vrrpFailures = 0
    var lastProxyWorkers = -1
    /// bgp_instance states and BIRD's status as the keepalived child last
    /// reported them (`show bgp`), and, during a SIGUSR1 stop, until when the
    /// workers wait for the routes' drain (Master+BGP).
    var bgpStates: [String: String] = [:]
    var birdStatus = "unknown"
    var bgpDrainDeadline: Int64?
    var bgpDrained = false

    /// - adopting: listening sockets taken from a running instance (`-x`):
    ///   served for their addresses instead of new ones.
    init(options: CommandLineOptions, loaded: LoadedConfiguration, workers: Int, adopting: [FileDescriptor] = []) throws {
        self.options = options
        installedPath = ProcessSpawner.executablePath()
        startedWall = WallClock.nowSeconds()
        notifier = SystemdNotifier(enabled: options.systemd)
        loop = try EventLoop(capacity: 64)
        signals = try SignalChannel(Self.handledSignals)
        SignalChannel.ignore(SIGPIPE)
        ListenerPool.enableRequestMigration()
        listeners.adopt(adopting)
        let perSlot = try listeners.assign(loaded, slots: workers)
        let gen = try Generation(number: nextGeneration, loaded: loaded, slots: workers, perSlot: perSlot, previous: nil)
        nextGeneration += 1
        generations = [gen]

        try loop.register(signals.fd, .readable, EventToken(kind: Kind.signals.rawValue))
        for text in options.masterSockets {
            // -S ADDRESS[,OPTION,VALUE...]: the words of a bind line, comma-separated.
            switch CLIBindSpec.parse(text.split(separator: ",", omittingEmptySubsequences: false).map(String.init), what: "-S") {
            case .failure(let f): throw ListenerError(messages: [f.message])
            case .success(let spec):
                let name = spec.address.text
                let fd = try openCLI(spec, name: "the master CLI", defaultMode: 0o600)
                let server = CLIServer(listening: fd, path: name, isMasterCLI: true, level: (spec.level ?? .admin).privilege)
                if spec.expose { exposeListeners(on: server) }
                cliServers.append(server)
            }
        }
        for s in loaded.configuration.global.statsSockets {
            let spec = CLIBindSpec(address: s.address, mode: s.mode, user: s.user, group: s.group, level: s.level, expose: s.expose)
            let fd = try openCLI(spec, name: "'stats socket'", defaultMode: 0o600)
            let server = CLIServer(listening: fd, path: s.path, isMasterCLI: false, level: s.level.privilege)
            if s.expose { exposeListeners(on: server) }
            cliServers.append(server)
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
            if c.exposesListeners { exposeListeners(on: server) }
            cliServers.append(server)
            try loop.register(server.listener, .readable, EventToken(kind: Kind.cliListener.rawValue, index: i))
        }
        for w in h.waiting where w.server < cliServers.count {
            let id = cliServers[w.server].adopt(fd: FileDescriptor(w.fd), answers: w.answers)
            for index in w.reloadIndexes { reloadWaiters.append((w.server, CLIServer.Ticket(client: id, index: index))) }
        }
        for r in h.generations {
            let perSlot = r.perSlot.map { $0.map { ListenerPool.Entry(fd: FileDescriptor($0.fd), frontend: $0.frontend, bind: $0.bind, ownerSlot: $0.ownerSlot) } }
            let g = try Generation(restoring: r, perSlot: perSlot)
            g.certificates.restore(r.certificateCommits)
            g.patterns.restore(r.patternChanges)
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
            if g.state == .active { current = g; installEventLog(for: g) }
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

    /// A CLI endpoint's socket; on failure, the sockets opened so far are closed.
    private func openCLI(_ spec: CLIBindSpec, name: String, defaultMode: mode_t?) throws(ListenerError) -> FileDescriptor {
        do { return try CLIListener.open(spec, name: name, defaultMode: defaultMode) } catch {
            for s in cliServers { s.close() }
            throw ListenerError(messages: [error.message])
        }
    }

    /// `expose-fd listeners`: `_getsocks` on this socket hands out every
    /// listening socket the master holds at that moment.
    func exposeListeners(on server: CLIServer) {
        server.exposedListeners = { [unowned self] in listeners.allDescriptors }
    }

    func cleanup() {
        listeners.closeAll()
        for s in cliServers { s.close() }
        if let p = options.pidFile { PidFile.removeIfOurs(p) }
    }
}
