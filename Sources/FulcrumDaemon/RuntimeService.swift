import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumLog
import FulcrumPosix

/// Runs runtime-API commands (HAProxy's management guide, 9.3) against the
/// shared table: in the master over all workers' counters, in a worker (`@N`)
/// over its own counter block. Admin changes write the table, so they apply
/// in every worker at once whoever runs them.
final class RuntimeService {
    enum Scope: Equatable { case allWorkers, worker(Int) }

    let configuration: Configuration
    let table: SharedTable
    let index: TableIndex
    let scope: Scope
    /// Server addresses as resolved at startup, per backend and server.
    let addresses: [[SocketAddress]]
    /// Where admin changes are reported besides stderr: (line, level, backend
    /// index) to the backend's `log` targets. Set by the master for the
    /// generation that serves.
    var events: ((String, LogLevel, Int) -> Void)?
    /// Proxies in declaration order: (name, frontend index, backend index).
    private let proxies: [(name: String, frontend: Int?, backend: Int?)]

    init(configuration: Configuration, table: SharedTable, scope: Scope, addresses: [[SocketAddress]]) {
        self.configuration = configuration
        self.table = table
        self.index = TableIndex(configuration)
        self.scope = scope
        self.addresses = addresses
        proxies = RuntimeService.declarationOrder(configuration)
    }

    /// HAProxy numbers proxies (iid) in declaration order; a `listen` is one
    /// proxy with a frontend and a backend part.
    static func declarationOrder(_ c: Configuration) -> [(name: String, frontend: Int?, backend: Int?)] {
        var files: [String] = []
        func fileRank(_ f: String) -> Int {
            if let i = files.firstIndex(of: f) { return i }
            files.append(f)
            return files.count - 1
        }
        var entries: [(key: (Int, Int), name: String, frontend: Int?, backend: Int?)] = []
        for (i, f) in c.frontends.enumerated() {
            entries.append(((fileRank(f.location.file), f.location.line), f.name, i, nil))
        }
        for (i, b) in c.backends.enumerated() {
            if let j = entries.firstIndex(where: { $0.name == b.name && $0.backend == nil
                                                 && $0.key == (fileRank(b.location.file), b.location.line) }) {
                entries[j].backend = i
            } else {
                entries.append(((fileRank(b.location.file), b.location.line), b.name, nil, i))
            }
        }
        return entries.sorted { $0.key < $1.key }.map { ($0.name, $0.frontend, $0.backend) }
    }

    // MARK: commands

    func execute(_ command: String, level: Int) -> String {
        let words = RuntimeCommandLine.words(command)
        guard !words.isEmpty else { return "" }
        let snapshot = self.snapshot()
        let reply = RuntimeCLI.respond(to: words, level: RuntimeLevel(rawValue: level) ?? .user, master: false,
                                       snapshot: snapshot)
        switch reply {
        case .text(let t):
            return t + RuntimeCLI.endOfAnswer
        case .change(let change):
            apply(change, snapshot: snapshot)
            return RuntimeCLI.endOfAnswer
        case .quit, .togglePrompt, .setLevel:
            // One command line per connection: nothing to keep for later.
            return RuntimeCLI.endOfAnswer
        case .clearCounters:
            return "Fulcrum does not support 'clear counters' yet: counters belong to the workers that count them.\n"
                + RuntimeCLI.endOfAnswer
        case .reload, .showProc:
            return "This command is for the master CLI.\n" + RuntimeCLI.endOfAnswer
        }
    }

    /// Writes a server change to the table and logs it in HAProxy's words.
    /// Also what the stats page's admin form does (a worker's own service).
    func apply(_ c: RuntimeServerChange, snapshot: RuntimeSnapshot) {
        guard let bi = configuration.backends.firstIndex(where: { $0.name == c.backend }),
              let si = configuration.backends[bi].servers.firstIndex(where: { $0.name == c.server }),
              let before = snapshot.server(c.backend, c.server) else { return }
        let line = index.serverLine(backend: bi, server: si)
        let backup = configuration.backends[bi].servers[si].params.backup
        var admin = table.server(line, .admin).load() & ~SharedTable.Admin.trafficMask
        admin |= c.admin.rawValue & SharedTable.Admin.trafficMask
        if let enabled = c.checkEnabled {
            if enabled { admin &= ~SharedTable.Admin.checksDisabled.rawValue } else { admin |= SharedTable.Admin.checksDisabled.rawValue }
        }
        table.server(line, .weight).store(UInt64(c.userWeight))
        table.server(line, .checkHealth).store(UInt64(max(0, c.health)))
        let wall = UInt64(WallClock.nowSeconds())
        if c.operational != before.operational {
            if c.operational == .up && before.operational == .down {
                table.server(line, .upSince).store(UInt64(MonotonicClock.nowMilliseconds()))
                let last = table.server(line, .lastChange).load()
                table.server(line, .downtime).bump(by: wall >= last ? wall - last : 0)
            }
            if c.operational == .down { table.server(line, .checkDowns).bump() }
            table.server(line, .operational).store(c.operational.rawValue)
            table.server(line, .lastChange).store(wall)
        }
        table.server(line, .admin).store(admin)

        let (active, backups) = table.usableServers(backend: bi, of: configuration, index: index)
        let conns = Int(table.server(line, .conns).load())
        let wasMaint = before.admin.inMaintenance, isMaint = c.admin.inMaintenance
        let wasDrain = before.admin.contains(.drain), isDrain = c.admin.contains(.drain)
        if !wasMaint && isMaint {
            report(HealthLog.enterMaintenance(backend: c.backend, server: c.server, backup: backup,
                                              wasDown: before.operational == .down, activeLeft: active,
                                              backupLeft: backups, sessionsActive: conns, requeued: 0, queued: 0),
                   level: before.operational == .down ? .notice : .alert, backend: bi)
        } else if wasMaint && !isMaint {
            report(HealthLog.leaveMaintenance(backend: c.backend, server: c.server, backup: backup,
                                              up: c.operational != .down, draining: isDrain), level: .notice, backend: bi)
        } else if !wasDrain && isDrain {
            report(HealthLog.enterDrain(backend: c.backend, server: c.server, backup: backup,
                                        serverUp: c.operational != .down, activeLeft: active, backupLeft: backups,
                                        sessionsActive: conns, requeued: 0, queued: 0), level: .notice, backend: bi)
        } else if wasDrain && !isDrain {
            report(HealthLog.leaveDrain(backend: c.backend, server: c.server, backup: backup, up: c.operational != .down),
                   level: .notice, backend: bi)
        } else if c.operational != before.operational {
            report(HealthLog.stateChange(backend: c.backend, server: c.server, backup: backup,
                                         to: c.operational == .down ? .down : .up, result: nil,
                                         reason: "changed from CLI", activeLeft: active, backupLeft: backups,
                                         sessionsActive: conns, requeued: 0, queued: 0),
                   level: c.operational == .down ? .alert : .notice, backend: bi)
        }
        if active == 0 && backups == 0 && (before.usable) {
            let line = HealthLog.noServerAvailable(backend: c.backend, in: configuration)
            Log.alert(line)
            events?(line, .emerg, bi)
        }
    }

    /// A server state change: on stderr as HAProxy warns, and to the backend's log targets.
    private func report(_ line: String, level: LogLevel, backend: Int) {
        Log.warning(line)
        events?(line, level, backend)
    }

    // MARK: snapshot

    private var workerSlots: [Int] {
        switch scope {
        case .allWorkers: return Array(0...table.workers) // with the history block
        case .worker(let w): return [w]
        }
    }

    private func sum(_ word: (Int) -> SharedWord) -> Int {
        Int(workerSlots.reduce(UInt64(0)) { $0 &+ word($1).load() })
    }

    private func secondsAgo(_ stamps: [UInt64], now: UInt64) -> Int {
        guard let last = stamps.max(), last > 0 else { return -1 }
        return Int(now >= last ? now - last : 0)
    }

    /// One proxy line's or server's counters summed over the scope's blocks.
    private func counters(now: UInt64, _ word: (Int, SharedTable.Counter) -> SharedWord) -> RuntimeSnapshot.Counters {
        var c = RuntimeSnapshot.Counters()
        c.sessionsTotal = sum { word($0, .sessions) }
        c.sessionsCurrent = sum { word($0, .current) }
        c.bytesIn = sum { word($0, .bytesIn) }
        c.bytesOut = sum { word($0, .bytesOut) }
        c.connectErrors = sum { word($0, .connectErrors) }
        c.retries = sum { word($0, .retries) }
        c.redispatches = sum { word($0, .redispatches) }
        c.queueCurrent = sum { word($0, .queued) }
        c.loadBalanced = sum { word($0, .chosen) }
        c.lastSession = secondsAgo(workerSlots.map { word($0, .lastSession).load() }, now: now)
        return c
    }

    /// Reads the table into the runtime API's view.
    func snapshot() -> RuntimeSnapshot {
        let now = UInt64(WallClock.nowSeconds())
        let mono = MonotonicClock.nowMilliseconds()
        var s = RuntimeSnapshot()
        for (pi, p) in proxies.enumerated() {
            var proxy = RuntimeSnapshot.Proxy(name: p.name, iid: pi + 1)
            if let fi = p.frontend {
                var f = RuntimeSnapshot.Frontend()
                let fe = configuration.frontends[fi]
                f.maxconn = fe.maxconn ?? configuration.global.maxconn ?? 0
                f.counters = counters(now: now) { table.frontendCounter(worker: $0, frontend: fi, $1) }
                f.counters.sessionsMax = Int(table.frontend(fi, .maxConns).load())
                proxy.frontend = f
                proxy.mode = fe.mode.rawValue
            }
            if let bi = p.backend {
                let be = configuration.backends[bi]
                var b = RuntimeSnapshot.Backend(algorithm: be.balance, hashType: be.hashType)
                b.allBackups = be.allBackups
                b.counters = counters(now: now) { table.backendCounter(worker: $0, backend: bi, $1) }
                b.counters.sessionsMax = Int(table.backend(bi, .maxConns).load())
                var lb = 0
                for (si, srv) in be.servers.enumerated() {
                    let server = serverView(backend: bi, server: si, config: srv, proxyID: pi + 1,
                                            dynamicWeights: b.dynamicWeights, now: now, mono: mono)
                    lb += server.counters.loadBalanced
                    s.servers.append(server)
                }
                b.counters.loadBalanced = lb
                b.lastChange = Int(now - min(now, table.header(.startedAt).load()))
                proxy.backend = b
                proxy.mode = be.mode.rawValue
            }
            s.proxies.append(proxy)
        }
        s.info = info(now: now)
        switch scope {
        case .allWorkers: s.processNumber = 1; s.pid = getpid()
        case .worker(let w): s.processNumber = w + 1; s.pid = getpid()
        }
        return s
    }

    /// - dynamicWeights: whether slowstart ramps the weight shown (HAProxy's
    ///   eweight stays full under static algorithms).
    private func serverView(backend bi: Int, server si: Int, config srv: Server, proxyID: Int, dynamicWeights: Bool,
                            now: UInt64, mono: Int64) -> RuntimeSnapshot.Server {
        let line = index.serverLine(backend: bi, server: si)
        let address = addresses[bi][si]
        var v = RuntimeSnapshot.Server(name: srv.name, backendName: configuration.backends[bi].name, iid: proxyID,
                                       sid: si + 1, address: address.hostString, port: srv.port ?? 0)
        let admin = table.server(line, .admin).load()
        v.admin = RuntimeSnapshot.Admin(rawValue: admin & SharedTable.Admin.trafficMask)
        v.operational = RuntimeSnapshot.Operational(rawValue: table.server(line, .operational).load()) ?? .up
        v.rise = srv.params.rise
        v.fall = srv.params.fall
        v.health = Int(table.server(line, .checkHealth).load())
        v.userWeight = Int(table.server(line, .weight).load())
        v.initialWeight = srv.params.weight
        v.weight = v.userWeight
        if dynamicWeights, let slow = srv.params.slowstart, slow > 0 {
            let up = Int64(table.server(line, .upSince).load())
            if up > 0 { v.weight = SlowStart.effectiveWeight(userWeight: v.userWeight, sinceUp: mono - up, slowstart: slow) }
        }
        v.backup = srv.params.backup
        v.maxconn = srv.params.maxconn
        if srv.params.check {
            var c = RuntimeSnapshot.Check()
            c.enabled = admin & SharedTable.Admin.checksDisabled.rawValue == 0
            c.status = RuntimeCheckStatus(rawValue: Int(table.server(line, .checkStatus).load())) ?? .unknown
            let code = Int(table.server(line, .checkCode).load())
            c.code = code > 0 ? code : nil
            c.duration = c.status.hasDuration ? Int(table.server(line, .checkDuration).load()) : nil
            c.failures = Int(table.server(line, .checkFailures).load())
            v.check = c
        }
        v.counters = counters(now: now) { table.serverCounter(worker: $0, server: line, $1) }
        v.counters.sessionsMax = Int(table.server(line, .maxConns).load())
        let last = table.server(line, .lastChange).load()
        v.lastChange = Int(now >= last ? now - last : 0)
        var downtime = Int(table.server(line, .downtime).load())
        if v.operational == .down { downtime += v.lastChange }
        v.downtime = downtime
        v.downTransitions = Int(table.server(line, .checkDowns).load())
        return v
    }

    private func info(now: UInt64) -> RuntimeSnapshot.Info {
        var i = RuntimeSnapshot.Info()
        i.version = FulcrumVersion.string
        i.releaseDate = FulcrumVersion.date
        let started = table.header(.startedAt).load()
        i.startTime = Int(started)
        i.uptimeSeconds = Int(now >= started ? now - started : 0)
        i.maxconn = configuration.global.maxconn ?? 0
        i.hardMaxconn = i.maxconn
        i.currentConnections = Int(table.header(.globalConns).load())
        var cumulative = 0
        for fi in configuration.frontends.indices { cumulative += sum { table.frontendCounter(worker: $0, frontend: fi, .sessions) } }
        i.cumulativeConnections = cumulative
        i.droppedLogs = Int(table.header(.droppedLogs).load())
        var rl = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl) == 0 { i.ulimitN = Int(rl.rlim_cur) }
        i.listeners = configuration.frontends.reduce(0) { $0 + $1.binds.reduce(0) { $0 + $1.addresses.count } }
        return i
    }
}

extension StatsSocket.Level {
    /// 0 user, 1 operator, 2 admin (the CLI's numeric levels).
    var privilege: Int {
        switch self {
        case .user: return 0
        case .operator_: return 1
        case .admin: return 2
        }
    }
}
