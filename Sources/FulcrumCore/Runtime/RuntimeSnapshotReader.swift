import FulcrumBytes
import FulcrumConfig

/// Reads the shared table into the runtime API's view (`RuntimeSnapshot`):
/// the master (`show stat` over all workers), a worker's stats socket (its
/// own block) and the stats page and Prometheus exporter (all workers, from
/// whichever worker serves the request) all read the same numbers this way.
/// Pure: the clocks, pid and process limits come in as `Process`.
public struct RuntimeSnapshotReader {
    public enum Scope: Equatable, Sendable { case allWorkers, worker(Int) }

    /// What the reader cannot know from the table.
    public struct Process: Sendable {
        public var pid: Int32
        /// Wall clock, seconds; CLOCK_MONOTONIC, milliseconds (the clock the
        /// workers count rates and slowstart on).
        public var now: UInt64
        public var monotonicMs: Int64
        public var version = ""
        public var releaseDate = ""
        public var buildInfo = ""
        public var ulimitN = 0
        /// The host's name: `show info`'s node when `node` is not set (HAProxy's default).
        public var hostName = ""
        /// `NAME=VALUE`, as environ lists them.
        public var environment: [String] = []
        public init(pid: Int32, now: UInt64, monotonicMs: Int64) {
            self.pid = pid; self.now = now; self.monotonicMs = monotonicMs
        }
    }

    public let configuration: Configuration
    public let table: SharedTable
    /// The limits the runtime API may have changed.
    var limits: RuntimeLimits { RuntimeLimits(table: table, global: configuration.global) }
    public let index: TableIndex
    /// Server addresses as resolved at startup (host text), per backend and server.
    public let hosts: [[String]]
    /// Proxies in declaration order: (name, frontend index, backend index).
    public let proxies: [(name: String, frontend: Int?, backend: Int?)]

    public init(configuration: Configuration, table: SharedTable, hosts: [[String]]) {
        self.configuration = configuration
        self.table = table
        self.index = TableIndex(configuration)
        self.hosts = hosts
        proxies = RuntimeSnapshotReader.declarationOrder(configuration)
    }

    /// HAProxy numbers proxies (iid) in declaration order; a `listen` is one
    /// proxy with a frontend and a backend part.
    public static func declarationOrder(_ c: Configuration) -> [(name: String, frontend: Int?, backend: Int?)] {
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

    public func snapshot(scope: Scope, process: Process) -> RuntimeSnapshot {
        let blocks: [Int]
        switch scope {
        case .allWorkers: blocks = Array(0...table.workers)   // with the history block
        case .worker(let w): blocks = [w]
        }
        let read = BlockReader(table: table, blocks: blocks, now: process.now, monotonicMs: process.monotonicMs)
        var s = RuntimeSnapshot()
        for p in proxies {
            let iid = p.frontend.map { configuration.frontends[$0].id } ?? p.backend.map { configuration.backends[$0].id } ?? 0
            var proxy = RuntimeSnapshot.Proxy(name: p.name, iid: iid)
            if let fi = p.frontend {
                var f = RuntimeSnapshot.Frontend()
                f.index = fi
                switch FrontendAdminState(rawValue: table.frontend(fi, .adminState).load()) ?? .open {
                case .open: f.status = .open
                case .paused: f.status = .paused
                case .stopped: f.status = .stopped
                }
                let fe = configuration.frontends[fi]
                f.maxconn = limits.frontendMaxconnSetting(fi) ?? fe.maxconn ?? configuration.global.maxconn ?? 0
                f.counters = read.counters { table.frontendCounter(worker: $0, frontend: fi, $1) }
                f.counters.sessionsMax = Int(table.frontend(fi, .maxConns).load())
                read.rate(table.frontendRate(fi, .sessionRate), into: &f.counters.rate, max: &f.counters.rateMax)
                read.rate(table.frontendRate(fi, .connectionRate), into: &f.counters.connectionRate,
                          max: &f.counters.connectionRateMax)
                read.rate(table.frontendRate(fi, .requestRate), into: &f.counters.requestRate,
                          max: &f.counters.requestRateMax)
                f.rateLimit = fe.rateLimitSessions ?? 0
                if fe.socketStats { f.listeners = listeners(frontend: fi, read: read) }
                if fe.mode == .http { f.counters.h1OpenConnections = f.counters.sessionsCurrent }
                proxy.frontend = f
                proxy.mode = fe.mode.rawValue
            }
            if let bi = p.backend {
                let be = configuration.backends[bi]
                var b = RuntimeSnapshot.Backend(algorithm: be.balance, hashType: be.hashType)
                b.allBackups = be.allBackups
                b.fullconn = be.fullconn
                b.counters = read.counters { table.backendCounter(worker: $0, backend: bi, $1) }
                b.counters.sessionsMax = Int(table.backend(bi, .maxConns).load())
                b.counters.queueMax = Int(table.backend(bi, .maxQueued).load())
                read.rate(table.backendRate(bi), into: &b.counters.rate, max: &b.counters.rateMax)
                var lb = 0
                let first = s.servers.count
                for (si, srv) in be.servers.enumerated() {
                    let line = index.serverLine(backend: bi, server: si)
                    if table.slot(line).contains(.deleted) { continue }
                    let server = serverView(backend: bi, line: line, host: hosts[bi][si], config: srv, proxyID: iid,
                                            dynamicWeights: b.dynamicWeights, read: read)
                    lb += server.counters.loadBalanced
                    s.servers.append(server)
                }
                for (line, srv) in dynamicServers(backend: bi) {
                    var server = serverView(backend: bi, line: line, host: srv.host, config: srv, proxyID: iid,
                                            dynamicWeights: b.dynamicWeights, read: read)
                    server.dynamic = true
                    server.sid = Int(table.server(line, .dynamicID).load())
                    lb += server.counters.loadBalanced
                    s.servers.append(server)
                }
                b.counters.loadBalanced = lb
                if be.mode == .http {
                    // A backend's h1 connections are its servers' in use and idle ones.
                    let members = s.servers[first...]
                    b.counters.h1OpenConnections = members.reduce(0) { $0 + $1.counters.sessionsCurrent + $1.idleConnections }
                    b.counters.h1OpenStreams = members.reduce(0) { $0 + $1.counters.sessionsCurrent }
                    b.counters.h1Connections = b.counters.connectAttempts
                }
                b.lastChange = Int(process.now - min(process.now, table.header(.startedAt).load()))
                proxy.backend = b
                proxy.mode = be.mode.rawValue
            }
            s.proxies.append(proxy)
        }
        s.info = info(scope: scope, process: process, read: read)
        switch scope {
        case .allWorkers: s.processNumber = 1
        case .worker(let w): s.processNumber = w + 1
        }
        s.pid = process.pid
        return s
    }

    /// A frontend's listeners, numbered as HAProxy numbers them: one per
    /// address, the bind's name or "sock-N". Fulcrum counts per bind line, so
    /// a bind line with several addresses is one row (its first address).
    private func listeners(frontend fi: Int, read: BlockReader) -> [RuntimeSnapshot.Listener] {
        var out: [RuntimeSnapshot.Listener] = []
        var sid = 1
        for (bi, bind) in configuration.frontends[fi].binds.enumerated() {
            let line = index.bindLine(frontend: fi, bind: bi)
            var address = ""
            switch bind.addresses.first {
            case .inet(let host, let port)?: address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .inheritedFD(let fd)?: address = "fd@\(fd)"
            case .unix(let path)?: address = "unix@\(path)"
            case .abstract(let name)?: address = "abns@\(name)"
            case nil: break
            }
            var l = RuntimeSnapshot.Listener(name: bind.name ?? "sock-\(sid)", sid: sid, address: address)
            l.maxconn = bind.maxconn ?? 0
            l.counters = read.counters { table.bindCounter(worker: $0, bind: line, $1) }
            l.counters.sessionsCurrent = Int(table.bind(line, .conns).load())
            l.counters.sessionsMax = Int(table.bind(line, .maxConns).load())
            out.append(l)
            sid += max(1, bind.addresses.count)
        }
        return out
    }

    /// - dynamicWeights: whether slowstart ramps the weight shown (HAProxy's
    ///   eweight stays full under static algorithms).
    private func serverView(backend bi: Int, line: Int, host: String, config srv: Server, proxyID: Int, dynamicWeights: Bool,
                            read: BlockReader) -> RuntimeSnapshot.Server {
        var v = RuntimeSnapshot.Server(name: srv.name, backendName: configuration.backends[bi].name, iid: proxyID,
                                       sid: srv.id, address: host, port: srv.port ?? 0)
        if let a = table.serverAddress(line) {
            v.address = a.ip.description
            v.port = a.port
        } else if table.serverAddressIsNone(line) {
            v.address = "-"
        }
        if srv.unix == nil, IPAddress(srv.host) == nil {
            let set = table.serverFQDN(line)
            v.fqdn = set.map { $0.isEmpty ? "-" : $0 } ?? (srv.host.hasPrefix("_") ? "-" : srv.host)
            // A name starting with '_' is an SRV record (srvrecord column).
            if srv.host.hasPrefix("_") { v.srvRecord = srv.host }
        }
        v.forcedID = srv.params.id != nil
        v.configuredDisabled = srv.params.disabled
        v.sslConfigured = srv.params.tls.enabled
        v.ssl = table.sslOverride(line) ?? srv.params.tls.enabled
        if let a = table.checkAddressOverride(line) { v.checkAddress = a.description }
        v.checkPort = table.checkPortOverride(line) ?? srv.params.checkPort ?? 0
        let admin = table.server(line, .admin).load()
        v.admin = RuntimeSnapshot.Admin(rawValue: admin & SharedTable.Admin.trafficMask)
        if let set = table.serverFQDN(line), !set.isEmpty { v.admin.insert(.fqdnChanged) }
        v.operational = RuntimeSnapshot.Operational(rawValue: table.server(line, .operational).load()) ?? .up
        v.rise = srv.params.rise
        v.fall = srv.params.fall
        v.health = Int(table.server(line, .checkHealth).load())
        v.userWeight = Int(table.server(line, .weight).load())
        v.initialWeight = srv.params.weight
        v.weight = v.userWeight
        if dynamicWeights, let slow = srv.params.slowstart, slow > 0 {
            let up = Int64(table.server(line, .upSince).load())
            if up > 0 {
                v.weight = SlowStart.effectiveWeight(userWeight: v.userWeight, sinceUp: read.monotonicMs - up, slowstart: slow)
            }
        }
        v.backup = srv.params.backup
        v.maxconn = table.serverMaxconnSetting(line).map { Int($0) }
            ?? DynamicMaxconn.settle(maxconn: srv.params.maxconn, minconn: srv.params.minconn).maxconn
        v.maxqueue = srv.params.maxqueue
        if srv.params.check {
            var c = RuntimeSnapshot.Check()
            c.enabled = admin & SharedTable.Admin.checksDisabled.rawValue == 0
            c.status = RuntimeCheckStatus(rawValue: Int(table.server(line, .checkStatus).load())) ?? .unknown
            let code = Int(table.server(line, .checkCode).load())
            // A layer-7 status has a code, 0 included (a passing tcp-check or protocol check).
            c.code = code > 0 || c.status.hasCode ? code : nil
            c.duration = c.status.hasDuration ? Int(table.server(line, .checkDuration).load()) : nil
            c.failures = Int(table.server(line, .checkFailures).load())
            let agents = AgentTable(table)
            c.info = agents.checkDescription(line)
            c.inProgress = agents.flags(line).contains(.checkInProgress)
            v.check = c
        }
        v.agent = agentView(line: line, config: srv)
        v.tracking = trackingView(line: line, config: srv)
        v.counters = read.counters { table.serverCounter(worker: $0, server: line, $1) }
        v.counters.sessionsMax = Int(table.server(line, .maxConns).load())
        v.counters.queueMax = Int(table.server(line, .maxQueued).load())
        read.rate(table.serverRate(line), into: &v.counters.rate, max: &v.counters.rateMax)
        v.idleConnections = read.sum { table.serverCounter(worker: $0, server: line, .idleConnections) }
        let last = table.server(line, .lastChange).load()
        v.lastChange = Int(read.now >= last ? read.now - last : 0)
        var downtime = Int(table.server(line, .downtime).load())
        if v.operational == .down { downtime += v.lastChange }
        v.downtime = downtime
        v.downTransitions = Int(table.server(line, .checkDowns).load())
        return v
    }

    /// The servers added at run time to a backend, in the order they were
    /// added (HAProxy appends them), each parsed from its definition.
    public func dynamicServers(backend bi: Int) -> [(line: Int, server: Server)] {
        var found: [(order: UInt64, line: Int, server: Server)] = []
        for line in index.spareLines(backend: bi) where table.slot(line) == .dynamic {
            guard case .success(let srv) = DynamicServer.parse(table.definition(line), mode: configuration.backends[bi].mode) else { continue }
            found.append((table.server(line, .addedOrder).load(), line, srv))
        }
        return found.sorted { $0.order < $1.order }.map { ($0.line, $0.server) }
    }

    private func info(scope: Scope, process: Process, read: BlockReader) -> RuntimeSnapshot.Info {
        var i = RuntimeSnapshot.Info()
        i.version = process.version
        i.releaseDate = process.releaseDate
        i.buildInfo = process.buildInfo
        let started = table.header(.startedAt).load()
        i.startTime = Int(started)
        i.uptimeSeconds = Int(process.now >= started ? process.now - started : 0)
        i.hardMaxconn = configuration.global.maxconn ?? 0
        i.maxconn = limits.maxconn
        i.connectionRateLimit = limits.connectionRate
        i.sessionRateLimit = limits.sessionRate
        i.ulimitN = process.ulimitN
        i.environment = process.environment
        i.cliSockets = configuration.global.statsSockets.map { socket in
            let address: String
            switch socket.address {
            case .unix(let path): address = "unix@" + path
            default: address = socket.address.text
            }
            return address + " " + socket.level.rawValue
        }
        i.node = configuration.global.node ?? process.hostName
        i.description = configuration.global.description ?? ""
        // A worker's sockets are bounded by its descriptor limit (raised to the hard one).
        i.maxsock = process.ulimitN
        i.currentConnections = Int(table.header(.globalConns).load())
        for fi in configuration.frontends.indices {
            i.cumulativeConnections += read.sum { table.frontendCounter(worker: $0, frontend: fi, .connections) }
            i.cumulativeRequests += read.sum { table.frontendCounter(worker: $0, frontend: fi, .requests) }
        }
        i.droppedLogs = Int(table.header(.droppedLogs).load())
        i.totalBytesOut = Int(table.header(.bytesOut).load())
        i.listeners = configuration.frontends.reduce(0) { $0 + $1.binds.reduce(0) { $0 + $1.addresses.count } }
        // HAProxy's jobs: listeners and the connections they hold.
        i.jobs = i.listeners + i.currentConnections
        read.rate(table.globalRate(.connectionRate), into: &i.connectionRate, max: &i.maxConnectionRate)
        read.rate(table.globalRate(.sessionRate), into: &i.sessionRate, max: &i.maxSessionRate)
        var unused = 0
        read.rate(table.globalRate(.bytesOutRate), into: &i.bytesOutRate, max: &unused)
        read.rate(table.globalRate(.compressInRate), into: &i.compressBpsIn, max: &unused)
        read.rate(table.globalRate(.compressOutRate), into: &i.compressBpsOut, max: &unused)
        // The event loops' own figures: one worker's, or all live workers' (idle averaged).
        let workers: [Int]
        switch scope {
        case .allWorkers: workers = (0..<table.workers).filter { table.worker($0, .pid).load() != 0 }
        case .worker(let w): workers = [w]
        }
        // Fulcrum's workers are what HAProxy's threads are (nbthread).
        i.threads = max(1, workers.count)
        if !workers.isEmpty {
            var idle = 0
            for w in workers {
                idle += Int(table.worker(w, .idlePercent).load())
                i.tasks += Int(table.worker(w, .tasks).load())
                i.runQueue += Int(table.worker(w, .runQueue).load())
                i.poolAllocatedBytes += Int(table.worker(w, .poolAllocated).load())
                i.poolUsedBytes += Int(table.worker(w, .poolUsed).load())
                i.pipesUsed += Int(table.worker(w, .pipesUsed).load())
                i.pipesFree += Int(table.worker(w, .pipesFree).load())
                i.maxpipes += Int(table.worker(w, .pipesLimit).load())
            }
            i.idlePercent = idle / workers.count
        }
        return i
    }
}

/// Sums and maxima of one counter line over the blocks of a scope.
struct BlockReader {
    let table: SharedTable
    let blocks: [Int]
    let now: UInt64
    let monotonicMs: Int64

    func sum(_ word: (Int) -> SharedWord) -> Int {
        Int(blocks.reduce(UInt64(0)) { $0 &+ word($1).load() })
    }
    func maximum(_ word: (Int) -> SharedWord) -> Int {
        Int(blocks.reduce(UInt64(0)) { max($0, word($1).load()) })
    }

    /// Rates are shared by every worker: a worker's own view shows them too.
    func rate(_ r: SharedRate, into value: inout Int, max: inout Int) {
        value = r.rate(milliseconds: monotonicMs)
        max = r.max
    }

    /// One proxy line's or server's counters.
    func counters(_ word: (Int, SharedTable.Counter) -> SharedWord) -> RuntimeSnapshot.Counters {
        func total(_ c: SharedTable.Counter) -> Int { sum { word($0, c) } }
        var c = RuntimeSnapshot.Counters()
        c.sessionsTotal = total(.sessions)
        c.sessionsCurrent = total(.current)
        c.bytesIn = total(.bytesIn)
        c.bytesOut = total(.bytesOut)
        c.connectErrors = total(.connectErrors)
        c.retries = total(.retries)
        c.redispatches = total(.redispatches)
        c.queueCurrent = total(.queued)
        c.loadBalanced = total(.chosen)
        let last = maximum { word($0, .lastSession) }
        c.lastSession = last > 0 ? Int(now >= UInt64(last) ? now - UInt64(last) : 0) : -1
        c.connectionsTotal = total(.connections)
        c.requestsTotal = total(.requests)
        c.responses = [total(.responses1xx), total(.responses2xx), total(.responses3xx), total(.responses4xx),
                       total(.responses5xx), total(.responsesOther)]
        c.deniedRequests = total(.deniedRequests)
        c.deniedResponses = total(.deniedResponses)
        c.requestErrors = total(.requestErrors)
        c.responseErrors = total(.responseErrors)
        c.clientAborts = total(.clientAborts)
        c.serverAborts = total(.serverAborts)
        c.compressedIn = total(.compressedIn)
        c.compressedOut = total(.compressedOut)
        c.compressionBypassed = total(.compressionBypassed)
        c.compressedResponses = total(.compressedResponses)
        c.intercepted = total(.intercepted)
        c.deniedConnections = total(.deniedConnections)
        c.deniedSessions = total(.deniedSessions)
        c.failedRewrites = total(.failedRewrites)
        c.internalErrors = total(.internalErrors)
        c.connectAttempts = total(.connectAttempts)
        c.h1Connections = total(.h1Connections)
        c.h1Streams = total(.h1Streams)
        c.h1BytesIn = total(.h1BytesIn)
        c.h1BytesOut = total(.h1BytesOut)
        c.h1OpenStreams = total(.h1OpenStreams)
        c.reuses = total(.reuses)
        func average(_ sum: SharedTable.Counter) -> Int {
            TimerAverage.average(blocks.map { (word($0, sum).load(), word($0, .timerSamples).load()) })
        }
        c.queueTime = average(.queueTimeSum)
        c.connectTime = average(.connectTimeSum)
        c.responseTime = average(.responseTimeSum)
        c.totalTime = average(.totalTimeSum)
        c.queueTimeMax = maximum { word($0, .queueTimeMax) }
        c.connectTimeMax = maximum { word($0, .connectTimeMax) }
        c.responseTimeMax = maximum { word($0, .responseTimeMax) }
        c.totalTimeMax = maximum { word($0, .totalTimeMax) }
        return c
    }
}
