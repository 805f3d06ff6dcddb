import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumProxy

/// Everything that belongs to one loaded configuration: its workers and
/// checker, its shared table and configuration blob, its listener
/// assignment. A reload starts a new generation next to the running one; the
/// old one drains and goes away when its last process has exited.
final class Generation {
    enum State { case starting, active, draining }

    let number: Int
    let loaded: LoadedConfiguration
    let slots: Int
    /// Its children's roles: workers by slot, then the checker when the
    /// configuration checks a server or `add server ... check` asked for one.
    var roles: [Master.Role]
    let perSlot: [[ListenerPool.Entry]]
    let tableMemory: SharedMemory
    let table: SharedTable
    let configBlob: FileDescriptor
    /// The TLS session cache its workers share (`tune.ssl.cachesize` blocks),
    /// handed on to the next generation while its size stays the same.
    let tlsSessions: SharedMemory?
    /// The `cache` sections' objects (Generation+HTTPCaches.swift).
    let httpCaches: SharedMemory?
    /// One region per stick table (configuration order), shared by its
    /// workers and the master's `show table`.
    let stickTables: [SharedMemory]
    /// Its tables start empty: its peers process asks a peer for them
    /// (a reload's tables come from the previous generation).
    let peersLearn: Bool
    /// The eventfd its workers signal its peers process with (a change to
    /// push), kept across re-execs (`wake=`); none from an image that did
    /// not hand one over: its peers process then pushes at its tick.
    let peersWake: FileDescriptor?
    var state = State.starting
    var children: [Master.Child?]
    var respawnAt: [Int64?]
    var failures: [Int]
    var startFailed = false
    /// DNS resolution of its servers' names while it serves (Master+Resolvers).
    var resolver: GenerationResolver? = nil
    var resolverStarted = false
    let startedAt: Int64
    let startedWall: Int64
    var drainStarted: Int64 = 0
    /// Reloads this generation has been through since it stopped being current.
    var reloadsSurvived = 0
    /// Its counter totals when the next generation copied them (so what it
    /// counts while draining can be added when it is gone).
    var carriedTotals: [String: UInt64]? = nil
    /// The runtime certificate API's state (`set ssl cert` & co.).
    lazy var certificates = GenerationCertificates(loaded)
    /// The map and ACL files' runtime state (`add map` & co.).
    lazy var patterns: GenerationPatterns = {
        let p = GenerationPatterns(loaded.patterns)
        p.backendNames = Set(loaded.configuration.backends.map(\.name))
        return p
    }()
    lazy var runtime: RuntimeService = {
        let r = RuntimeService(configuration: loaded.configuration, table: table, scope: .allWorkers,
                               addresses: loaded.serverAddresses)
        r.stickTables = SharedStickTables.attach(loaded.configuration.stickTables, stickTables)
        if let wake = peersWake { r.stickTables?.wakePeers = { EventCounter.signal(wake) } }
        r.tellWorkers = { [unowned self] in self.tellWorkers($0) }
        r.frontendSockets = { [unowned self] in self.frontendSockets($0, $1) }
        r.needsChecker = { [unowned self] in self.wantChecker() }
        r.showCache = showCache()
        return r
    }()

    /// Pauses or resumes every listening socket of frontend `fi` in this
    /// generation's slots (HAProxy's pause_listener / resume_listener).
    func frontendSockets(_ fi: Int, _ action: FrontendAction) -> Bool {
        let frontend = loaded.configuration.frontends[fi]
        var done: Set<Int32> = [], ok = true
        for entry in perSlot.joined() where entry.frontend == fi && done.insert(entry.fd.rawValue).inserted {
            do {
                switch action {
                case .enable:
                    try Socket.resumeListening(entry.fd, backlog: ListenerPool.backlog(frontend, bind: entry.bind))
                case .disable, .shutdown:
                    try Socket.stopListening(entry.fd)
                }
            } catch {
                Log.alert("frontend \(frontend.name): cannot \(action == .enable ? "resume" : "pause") a listening socket: \(error)")
                ok = false
            }
        }
        return ok
    }

    /// `add server ... check` where the configuration checks nothing: the
    /// generation gets a checker, started by the respawn path at the
    /// master's next turn (it finds the added server in the spare slots).
    func wantChecker() {
        guard state == .active, !roles.contains(.checker) else { return }
        roles.append(.checker)
        children.append(nil)
        respawnAt.append(0)
        failures.append(0)
    }

    /// Sends `message` to every worker of the generation that runs.
    func tellWorkers(_ message: ControlMessage) {
        for (i, c) in children.enumerated() {
            guard let c, case .worker = roles[i] else { continue }
            UnixSocket.sendMessage(c.control, message.encode())
        }
    }

    init(number: Int, loaded: LoadedConfiguration, slots: Int, perSlot: [[ListenerPool.Entry]],
         previous: Generation?) throws {
        self.number = number
        self.loaded = loaded
        self.slots = slots
        self.perSlot = perSlot
        startedAt = MonotonicClock.nowMilliseconds()
        startedWall = WallClock.nowSeconds()
        let c = loaded.configuration
        for message in try FileLimit.raise(for: c) { printError(message) }
        var roles = (0..<slots).map { Master.Role.worker($0) }
        // The peers process comes right after the workers, so a checker
        // added later (`add server ... check`) keeps the last index.
        if PeersRole.isNeeded(c) { roles.append(.peers) }
        if CheckerRole.isNeeded(c) { roles.append(.checker) }
        self.roles = roles
        peersLearn = previous == nil
        peersWake = PeersRole.isNeeded(c) ? try EventCounter.make() : nil
        let index = TableIndex(c)
        tableMemory = try SharedMemory(create: "fulcrum-table", size: index.tableSize(workers: slots))
        table = SharedTable(base: tableMemory.base, servers: index.serverCount, frontends: index.frontendCount,
                            binds: index.bindCount, backends: index.backendCount, workers: slots,
                            initialize: true, generation: UInt64(number),
                            startedAt: previous.map { $0.table.header(.startedAt).load() } ?? UInt64(WallClock.nowSeconds()))
        CheckerRole.initializeTable(table, configuration: c, index: index)
        // TLS session tickets: one seed for the workers, kept over reloads.
        table.ticketSeed = previous?.table.ticketSeed ?? Generation.randomBytes(32)
        if let previous {
            TableCarryOver.copy(from: previous.table, previous.loaded.configuration, to: table, c)
            let snapshot = TableCarryOver.totals(previous.table, previous.loaded.configuration)
            TableCarryOver.addLate(final: snapshot, baseline: [:], to: table, c)
            previous.carriedTotals = snapshot
        }
        Generation.initializeResolution(loaded, table: table, previous: previous)
        Generation.applyServerState(c, table: table, index: index)
        configBlob = try SealedBlob.make(name: "fulcrum-config", bytes: ConfigBlob.encode(loaded.sources, patternFiles: loaded.patternFiles,
                                                                                                     includedFiles: loaded.includedFiles))
        tlsSessions = try Generation.tlsSessionCache(c, previous: previous?.tlsSessions)
        httpCaches = try Generation.httpCacheRegion(c, previous: previous)
        stickTables = try Generation.stickTableRegions(c, previous: previous.map { ($0.loaded.configuration, $0.stickTables) })
        children = Array(repeating: nil, count: roles.count)
        respawnAt = Array(repeating: nil, count: roles.count)
        failures = Array(repeating: 0, count: roles.count)
    }

    /// After a binary upgrade: the generation the previous image ran, from
    /// its own table and configuration blob (so it is exactly what its
    /// workers serve, whatever the files say now).
    init(restoring r: MasterHandover.Generation, perSlot: [[ListenerPool.Entry]]) throws(HandoverError) {
        number = r.number
        slots = r.slots
        self.perSlot = perSlot
        startedAt = r.startedAt
        startedWall = r.startedWall
        configBlob = FileDescriptor(r.config)
        try? configBlob.setCloseOnExec(true)
        guard let blob = (try? SealedBlob.read(configBlob)).flatMap(ConfigBlob.decodeWithPatterns) else {
            throw HandoverError("generation \(r.number): cannot read its configuration blob")
        }
        loaded = ConfigLoader.load(sources: blob.sources, checkBinds: false, patternFiles: blob.patternFiles,
                                   includedFiles: blob.includedFiles)
        guard !loaded.hasErrors else {
            throw HandoverError("generation \(r.number): its configuration does not load in this binary: "
                                + (loaded.diagnostics.first { $0.severity == .alert }?.description ?? ""))
        }
        let mapped = FileDescriptor(r.table)
        try? mapped.setCloseOnExec(true)
        do { tableMemory = try SharedMemory(mapping: mapped) } catch {
            throw HandoverError("generation \(r.number): cannot map its table: \(error)")
        }
        guard let t = SharedTable(attaching: tableMemory.base, size: tableMemory.size) else {
            throw HandoverError("generation \(r.number): its table has a layout this binary does not know")
        }
        table = t
        // The cache the previous image made goes on (a re-exec is how every reload starts).
        var inherited: SharedMemory? = nil
        if let fd = r.tlsSessions {
            let d = FileDescriptor(fd)
            try? d.setCloseOnExec(true)
            inherited = try? SharedMemory(mapping: d)
        }
        do { tlsSessions = try Generation.tlsSessionCache(loaded.configuration, previous: inherited) } catch {
            throw HandoverError("generation \(r.number): cannot make its TLS session cache: \(error)")
        }
        do { httpCaches = try Generation.httpCacheRegion(loaded.configuration, inherited: r.httpCaches) } catch {
            throw HandoverError("generation \(r.number): cannot make its caches: \(error)")
        }
        do {
            stickTables = try Generation.stickTableRegions(loaded.configuration, inherited: r.stickTables)
        } catch {
            throw HandoverError("generation \(r.number): cannot map its stick tables: \(error)")
        }
        var roles = (0..<r.slots).map { Master.Role.worker($0) }
        let peers = PeersRole.isNeeded(loaded.configuration)
        if peers { roles.append(.peers) }
        peersLearn = false
        peersWake = r.peersWake.map { fd in
            let d = FileDescriptor(fd)
            try? d.setCloseOnExec(true)
            return d
        }
        // A checker started for an added server (its index follows the workers' and the peers') is adopted too.
        if CheckerRole.isNeeded(loaded.configuration) || r.children.contains(where: { $0.index == r.slots + (peers ? 1 : 0) }) {
            roles.append(.checker)
        }
        self.roles = roles
        children = Array(repeating: nil, count: roles.count)
        respawnAt = Array(repeating: nil, count: roles.count)
        failures = (0..<roles.count).map { $0 < r.failures.count ? r.failures[$0] : 0 }
        state = r.draining ? .draining : .active
        drainStarted = r.drainStarted
        reloadsSurvived = r.reloadsSurvived
        carriedTotals = r.carriedTotals
    }

    deinit {
        configBlob.close()
        peersWake?.close()
    }

    /// The shared session cache a configuration's TLS binds need: the
    /// previous generation's when it has the same size, else a new one.
    static func tlsSessionCache(_ c: Configuration, previous: SharedMemory?) throws -> SharedMemory? {
        let blocks = c.global.tls.cacheSize
        guard blocks > 0, c.frontends.contains(where: { $0.binds.contains { $0.tls.enabled } }) else { return nil }
        let size = SharedSessionCache.regionSize(blocks: blocks)
        if let previous, previous.size == size { return previous }
        let memory = try SharedMemory(create: "fulcrum-tls-sessions", size: size)
        _ = try SharedMutex.initialize(at: memory.base)
        _ = SharedSessionCache(formatting: memory.base, blocks: blocks)
        return memory
    }

    var isGone: Bool { children.allSatisfy { $0 == nil } }
    var allReady: Bool { children.allSatisfy { $0?.ready == true } }
    var workersGone: Bool { children.indices.allSatisfy { children[$0] == nil || roles[$0] == .checker || roles[$0] == .peers } }

    /// Sessions still open in this generation's workers (for show proc).
    func remainingSessions(slot: Int) -> Int {
        (0..<table.frontends).reduce(0) { $0 + Int(table.frontendCounter(worker: slot, frontend: $1, .current).load()) }
    }
}

extension Generation {
    /// Bytes from the kernel's random source (/dev/urandom).
    static func randomBytes(_ n: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: n)
        guard let fd = try? FileDescriptor.open("/dev/urandom", flags: O_RDONLY) else { return out }
        defer { fd.close() }
        var filled = 0
        while filled < n {
            guard let r = try? out.withUnsafeMutableBytes({ p throws(Errno) in try fd.read(into: p.baseAddress! + filled, count: n - filled) }),
                  r > 0 else { break }
            filled += r
        }
        return out
    }
}

extension Generation {
    /// `server-state-file` / `load-server-state-from-file`: the state saved
    /// with `show servers state`, applied over the new table at start and at
    /// every reload (after the carry-over, as HAProxy's new process applies
    /// the file), with HAProxy's notices and warnings.
    static func applyServerState(_ c: Configuration, table: SharedTable, index: TableIndex) {
        guard c.backends.contains(where: { $0.serverStateLoad != .none }) else { return }
        var apply = ServerStateApply(configuration: c, table: table, index: index, now: UInt64(WallClock.nowSeconds()))
        apply.run { path in
            do throws(Errno) { return .text(String(decoding: try ConfigLoader.readBytes(path), as: UTF8.self)) } catch {
                return .failed(missing: error.rawValue == ENOENT, reason: error.description)
            }
        }
        for m in apply.messages {
            if m.notice { Log.notice(m.text) } else { Log.warning(m.text) }
        }
    }
}
