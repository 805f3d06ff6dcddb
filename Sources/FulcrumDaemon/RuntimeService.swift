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
    typealias Scope = RuntimeSnapshotReader.Scope

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
    /// Sends an order to the workers this service speaks for (`clear
    /// counters`, `shutdown sessions`): the generation's workers in the
    /// master, the worker itself in a worker.
    var tellWorkers: ((ControlMessage) -> Void)?
    /// Pauses (disable, shutdown) or resumes (enable) a frontend's listening
    /// sockets; false when a socket refused. Set by the generation, which
    /// holds them; nil in a worker's own service.
    var frontendSockets: ((Int, FrontendAction) -> Bool)?
    /// Asks for a checker when an added server has `check` and the
    /// generation has none (the master's serving generation only).
    var needsChecker: (() -> Void)?
    /// `show cache`'s text, from the caches' region (nil: no cache section).
    var showCache: (() -> String)?
    /// The stick tables (`show table` & co.); nil without any.
    var stickTables: StickTableSet?
    /// The table read as the runtime API shows it.
    let reader: RuntimeSnapshotReader
    init(configuration: Configuration, table: SharedTable, scope: Scope, addresses: [[SocketAddress]]) {
        self.configuration = configuration
        self.table = table
        self.index = TableIndex(configuration)
        self.scope = scope
        self.addresses = addresses
        reader = RuntimeSnapshotReader(configuration: configuration, table: table,
                                       hosts: addresses.map { $0.map(\.hostString) })
    }

    // MARK: commands

    /// `show|clear|set table`, answered from the shared stick tables; nil
    /// for any other command. The CLI asks this first, with the words it
    /// split once: a bulk load sends a million of these lines.
    func tableCommand(_ words: [String], level: Int) -> String? {
        StickTableCommands.answer(words, level: level, tables: stickTables).map { $0 + RuntimeCLI.endOfAnswer }
    }

    func execute(_ command: String, level: Int) -> String {
        let words = RuntimeCommandLine.words(command)
        guard !words.isEmpty else { return "" }
        if let answer = cacheCommand(words, level: level) { return answer }
        if let answer = tableCommand(words, level: level) { return answer }
        let snapshot = self.snapshot()
        let reply = RuntimeCLI.respond(to: words, level: RuntimeLevel(rawValue: level) ?? .user, master: false,
                                       snapshot: snapshot)
        switch reply {
        case .text(let t):
            return t + RuntimeCLI.endOfAnswer
        case .change(let change):
            apply(change, snapshot: snapshot)
            return RuntimeCLI.endOfAnswer
        case .quit, .togglePrompt, .setLevel, .setTimeout:
            // One command line per connection: nothing to keep for later.
            return RuntimeCLI.endOfAnswer
        case .clearCounters(let all):
            clearCounters(all: all)
            return RuntimeCLI.endOfAnswer
        case .shutdownSessions(let backend, let server):
            if let (_, _, line) = serverLine(backend, server) { killSessions(line) }
            return RuntimeCLI.endOfAnswer
        case .setMaxconn(let frontend?, let value):
            RuntimeLimits(table: table, global: configuration.global).setFrontendMaxconn(frontend, to: value)
            return RuntimeCLI.endOfAnswer
        case .setMaxconn(nil, let value):
            RuntimeLimits(table: table, global: configuration.global).setMaxconn(value)
            return RuntimeCLI.endOfAnswer
        case .setServerMaxconn(let b, let n, let value):
            if let (_, _, line) = serverLine(b, n) { table.setServerMaxconn(line, to: value) }
            return RuntimeCLI.endOfAnswer
        case .setRateLimit(let connections, let value):
            RuntimeLimits(table: table, global: configuration.global).setRate(connections: connections, to: value)
            return RuntimeCLI.endOfAnswer
        case .frontendAdmin(let frontend, let action):
            return changeFrontend(frontend, action) + RuntimeCLI.endOfAnswer
        case .setAddress(let b, let n, let address, let answer):
            if let (_, _, line) = serverLine(b, n) { table.setServerAddress(line, address) }
            return answer + RuntimeCLI.endOfAnswer
        case .agent(let b, let n, let order, let answer):
            applyAgent(b, n, order, snapshot: snapshot)
            return answer + RuntimeCLI.endOfAnswer
        case .setCheckPort(let b, let n, let port):
            if let (_, _, line) = serverLine(b, n) { table.setCheckPortOverride(line, port) }
            return RuntimeCLI.endOfAnswer
        case .setCheckAddress(let b, let n, let address, let port):
            if let (_, _, line) = serverLine(b, n) {
                table.setCheckAddressOverride(line, address)
                // Rewriting the check port word (its change count) has the checker re-read both.
                table.setCheckPortOverride(line, port ?? table.checkPortOverride(line))
            }
            return RuntimeCLI.endOfAnswer
        case .setSSL(let b, let n, let on):
            if let (bi, si, line) = serverLine(b, n) {
                table.setSSLOverride(line, on)
                // As HAProxy's srv_cleanup_connections(): a new address sequence has workers drop idle connections.
                let current = table.serverAddress(line)
                    ?? (si < addresses[bi].count ? TableServerAddress(ip: addresses[bi][si].ipAddress, port: configuration.backends[bi].servers[si].port ?? 0) : nil)
                if let current { table.setServerAddress(line, current) }
            }
            return "server ssl setting updated.\n" + RuntimeCLI.endOfAnswer
        case .addServer(let b, let server, let definition):
            return addServer(backend: b, server: server, definition: definition, snapshot: snapshot) + RuntimeCLI.endOfAnswer
        case .deleteServer(let b, let n):
            return deleteServer(backend: b, server: n) + RuntimeCLI.endOfAnswer
        case .reload, .showProc:
            return "This command is for the master CLI.\n" + RuntimeCLI.endOfAnswer
        case .workerSessions:
            // The master routes these to its workers before they get here.
            return "This command is answered by the workers.\n" + RuntimeCLI.endOfAnswer
        }
    }

    /// `disable|enable|shutdown frontend`: the sockets first when resuming,
    /// the workers first when pausing, so none waits on a dead socket.
    private func changeFrontend(_ fi: Int, _ action: FrontendAction) -> String {
        guard let sockets = frontendSockets else { return "This command is for the stats socket of the master.\n" }
        let state = table.frontend(fi, .adminState)
        switch action {
        case .enable:
            guard sockets(fi, .enable) else { return "Failed to resume frontend, check logs for precise cause (port conflict?).\n" }
            state.store(FrontendAdminState.open.rawValue)
            tellWorkers?(.frontendStates)
        case .disable, .shutdown:
            let previous = state.load()
            state.store((action == .disable ? FrontendAdminState.paused : .stopped).rawValue)
            tellWorkers?(.frontendStates)
            guard sockets(fi, action) else {
                state.store(previous)
                tellWorkers?(.frontendStates)
                return "Failed to pause frontend, check logs for precise cause.\n"
            }
            if action == .shutdown {
                let name = configuration.frontends[fi].name
                let backend = configuration.backends.firstIndex { $0.name == name }
                Log.warning(Master.proxyStoppedLine(name, table: table, frontend: fi, backend: backend))
            }
        }
        return ""
    }

    /// A server's backend and server indexes and its table line, by name.
    /// A dynamic server's index is its slot's place after the configured ones.
    func serverLine(_ backend: String, _ server: String) -> (Int, Int, Int)? {
        guard let b = configuration.backends.firstIndex(where: { $0.name == backend }) else { return nil }
        if let s = configuration.backends[b].servers.firstIndex(where: { $0.name == server }) {
            let line = index.serverLine(backend: b, server: s)
            if !table.slot(line).contains(.deleted) { return (b, s, line) }
        }
        guard let (line, _) = reader.dynamicServers(backend: b).first(where: { $0.server.name == server }) else { return nil }
        return (b, line - index.firstServer[b], line)
    }

    /// The configuration of a server, configured or added at run time.
    func serverConfig(backend b: Int, server s: Int) -> Server? {
        if s < configuration.backends[b].servers.count { return configuration.backends[b].servers[s] }
        let line = index.firstServer[b] + s
        guard case .success(let sv) = DynamicServer.parse(table.definition(line), mode: configuration.backends[b].mode) else { return nil }
        return sv
    }

    /// The admin's kill (K): every worker drops the server's streams.
    private func killSessions(_ line: Int) {
        tellWorkers?(.shutdownSessions(serverLine: line, cause: LogTerminationCause.killed.rawValue))
    }

    /// Writes a server change to the table and logs it in HAProxy's words.
    /// Also what the stats page's admin form does (a worker's own service).
    func apply(_ c: RuntimeServerChange, snapshot: RuntimeSnapshot) {
        guard let (bi, si, line) = serverLine(c.backend, c.server), let before = snapshot.server(c.backend, c.server) else { return }
        if c.shutdownSessions { killSessions(line) }
        let backup = serverConfig(backend: bi, server: si)?.params.backup ?? false
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

    /// HAProxy's `clear counters [all]`: the shared maxima here; each
    /// worker's block by that worker (the master asks the serving workers
    /// through `tellWorkers`), the carried-over history here.
    private func clearCounters(all: Bool) {
        table.clearSharedMaxima()
        switch scope {
        case .allWorkers:
            table.clearBlock(table.historyBlock, all: all)
            tellWorkers?(.clearCounters(all: all))
        case .worker(let w):
            table.clearBlock(w, all: all)
        }
    }

    /// A server state change: on stderr as HAProxy warns, and to the backend's log targets.
    private func report(_ line: String, level: LogLevel, backend: Int) {
        Log.warning(line)
        events?(line, level, backend)
    }

    // MARK: snapshot

    /// Reads the table into the runtime API's view (all workers, or this worker's block).
    func snapshot() -> RuntimeSnapshot {
        var process = RuntimeSnapshotReader.Process(pid: getpid(), now: UInt64(WallClock.nowSeconds()),
                                                    monotonicMs: MonotonicClock.nowMilliseconds())
        process.version = FulcrumVersion.runtimeVersion
        process.buildInfo = "Fulcrum \(FulcrumVersion.string)"
        process.releaseDate = FulcrumVersion.date
        process.hostName = ProcessIdentity.hostName
        var rl = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl) == 0 { process.ulimitN = Int(rl.rlim_cur) }
        var entry = environ
        while let e = entry.pointee {
            process.environment.append(String(cString: e))
            entry += 1
        }
        return reader.snapshot(scope: scope, process: process)
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
