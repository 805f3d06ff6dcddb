import Synchronization

/// The state every process of a generation shares through one MAP_SHARED
/// region: server state that workers read on every choice, the counts that
/// must be global (maxconn, leastconn), check results, and per-worker counter
/// blocks. Every field is one 64-bit atomic word; lines are 256 bytes (four
/// cache lines) and counter lines 512, so writers in different processes do
/// not share a line.
/// Layout (docs/shared-table.md):
///   header | server lines × S | proxy lines × (F + N + B) | worker blocks × W
/// where proxy lines are frontends, then bind lines, then backends, and a
/// worker block holds one counter line per proxy line and per server.
public final class SharedTable {
    public static let magic: UInt64 = 0x31_4D_55_52_43_4C_55_46 // "FULCRUM1" little-endian
    /// 6: a settings line per server (`set maxconn server`) and the resolution
    /// maintenance bit; a table of another layout is refused at attach.
    public static let layoutVersion: UInt64 = 6
    /// Lines of the header (`Header` words run across them).
    public static let headerLines = 2
    /// Words of the header, a server line and a proxy line.
    public static let lineWords = 32
    /// Words of a per-worker counter line (`Counter`); `counter(worker:line:)`
    /// writes it as a literal.
    public static let counterLineWords = 64

    public enum Header: Int {
        case magic = 0, layoutVersion, generation, servers, frontends, binds, backends, workers
        /// Current connections across all workers (global maxconn).
        case globalConns
        /// Wall-clock second the table was created (uptime).
        case startedAt
        /// Log lines the generation's processes could not send (`show info`'s
        /// DroppedLogs); every process adds its own.
        case droppedLogs
        /// Bytes written to clients by every worker (TotalBytesOut).
        case bytesOut
        /// Four words of random seed for the TLS session ticket keys every
        /// worker derives (carried over reloads).
        case ticketSeed = 12
        /// Process-wide rates, three words each (`SharedRate`): connections
        /// (ConnRate), sessions (SessRate), bytes sent to clients
        /// (BytesOutRate), compression input and output (CompressBps*).
        case connectionRate = 16
        case sessionRate = 19
        case bytesOutRate = 22
        case compressInRate = 25
        case compressOutRate = 28
        /// Settings the runtime API changes, in the second header line:
        /// `set maxconn global` (0: the configuration's), and `set rate-limit
        /// connections|sessions global` (the limit plus one; 0: the configuration's).
        case maxconnSetting = 32
        case connectionRateLimitSetting, sessionRateLimitSetting
    }

    /// Words of a worker's own line: what its event loop reports for `show info`.
    public enum WorkerField: Int {
        /// Share of the last second the loop spent waiting for events (Idle_pct).
        case idlePercent = 0
        /// Streams alive plus armed timers (Tasks), and streams with work ready (Run_queue).
        case tasks, runQueue
        /// Bytes the buffer pool holds, and of those in use (PoolAlloc, PoolUsed).
        case poolAllocated, poolUsed
        /// The worker's pid, 0 while no process holds the slot.
        case pid
        /// Splice pipes in use and kept free, and the most it may hold
        /// (PipesUsed, PipesFree, Maxpipes).
        case pipesUsed, pipesFree, pipesLimit
        /// Multi-queue (SiblingAcceptPolicy): the streams alive at the end of
        /// the last turn, and when the current turn started (loop clock ms, 0
        /// while the worker waits for events).
        case streams, turnStarted
    }

    /// Words of a server line. Single writer per field except `conns`,
    /// `maxConns` and `observeErrors`, which every worker updates atomically.
    public enum ServerField: Int {
        /// Admin bits (Admin): config/CLI maintenance, drain. Written by the CLI.
        case admin = 0
        /// Operational (Operational). Written by the checker and `set server health`.
        case operational
        /// The user weight: configured, or set with `set weight`. The
        /// effective weight (slowstart) is derived from it by readers.
        case weight
        /// Current connections, all workers.
        case conns
        /// Wall-clock seconds of the last operational change (lastchg).
        case lastChange
        /// Last check: CheckStatus raw code, HTTP code, duration in ms.
        case checkStatus, checkCode, checkDuration
        /// Seconds spent DOWN before the current state (downtime).
        case downtime
        /// The checker's health counter (0 ... rise+fall-1), so a respawned
        /// checker carries on where the old one stopped.
        case checkHealth
        /// Wall-clock seconds of the last check.
        case lastCheck
        /// Failed checks, and UP→DOWN transitions.
        case checkFailures, checkDowns
        /// Consecutive traffic errors (observe layer4); a success stores 0.
        case observeErrors
        /// CLOCK_MONOTONIC ms when the server last came UP (slowstart).
        case upSince
        /// Highest `conns` seen (smax).
        case maxConns
        /// Highest number of requests queued on this server (qmax), all workers.
        case maxQueued
        /// Sessions per second (rate, rate_max): three words from here (`SharedRate`).
        case sessionRate
        /// The address set at run time (`set server addr`, `add server`, a
        /// server-state file), a seqlock: the sequence is odd while the master
        /// writes, 0 while the configured address stands. Then the kind and
        /// port (`TableServerAddress`), then the address's 128 bits.
        case addressSequence = 20
        case addressMeta, addressHigh, addressLow
        /// `set server check-port`: the port checks use, 0 = as configured.
        case checkPortOverride
        /// A slot's presence: `Slot` bits (dynamic servers, `del server`).
        case slot
        /// srv_id of a server added at run time.
        case dynamicID
        /// The order servers were added in (listed after the configured ones in that order).
        case addedOrder
        /// `set server check-addr`: kind (0 none, 1 IPv4, 2 IPv6), then the address's 128 bits.
        case checkAddressMeta, checkAddressHigh, checkAddressLow
        /// `set server ssl`: 0 as configured, 1 on, 2 off.
        case sslOverride
    }

    /// `ServerField.slot` bits.
    public struct Slot: OptionSet, Sendable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        /// A spare slot filled by `add server`: its definition is in the slot's definition line.
        public static let dynamic = Slot(rawValue: 1)
        /// Removed by `del server` (or a spare never filled, when not `dynamic`).
        public static let deleted = Slot(rawValue: 2)
    }

    /// Words of a proxy line (frontend, bind or backend).
    public enum ProxyField: Int {
        case conns = 0, maxConns
        /// Highest number of requests queued in the backend (qmax), all workers.
        case maxQueued
        /// Rates over all workers, three words each (`SharedRate`): sessions
        /// (rate), connections accepted (conn_rate) and HTTP requests (req_rate).
        case sessionRate
        case connectionRate = 6
        case requestRate = 9
        /// A frontend's `FrontendAdminState` (runtime API `disable|enable|shutdown frontend`).
        case adminState = 13
        /// `set maxconn frontend`: the limit plus one (0: the configuration's).
        case maxconnSetting = 14
        /// Backends: bumped by `add server` / `del server`, so workers and
        /// the checker re-read the backend's spare slots.
        case serverSet = 12
    }

    /// Per-worker counters of one proxy line or server (single writer), with
    /// the meaning of HAProxy's stats field named beside each.
    public enum Counter: Int, CaseIterable {
        case sessions = 0       // stot
        case bytesIn, bytesOut  // bin, bout
        case connectErrors      // econ
        case retries, redispatches  // wretr, wredis
        /// Gauges: current sessions and queued sessions of this worker.
        case current, queued
        /// Wall-clock seconds of the last session (lastsess).
        case lastSession
        /// Times this server was chosen by the balancer (lbtot).
        case chosen
        /// Connections accepted by a frontend (conn_tot), before the
        /// connection rules decide whether they become sessions.
        case connections
        /// HTTP requests (req_tot).
        case requests
        /// HTTP responses by status class (hrsp_1xx ... hrsp_5xx, hrsp_other).
        case responses1xx, responses2xx, responses3xx, responses4xx, responses5xx, responsesOther
        case deniedRequests, deniedResponses    // dreq, dresp
        case requestErrors, responseErrors      // ereq, eresp
        case clientAborts, serverAborts         // cli_abrt, srv_abrt
        /// Compression: bytes fed to the compressor, bytes out of it, bytes
        /// that bypassed it, compressed responses (comp_in/out/byp/rsp).
        case compressedIn, compressedOut, compressionBypassed, compressedResponses
        /// Requests answered by the proxy itself: monitor-uri, stats page (intercepted).
        case intercepted
        case deniedConnections, deniedSessions  // dcon, dses
        case failedRewrites, internalErrors     // wrew, eint
        /// Connection attempts to servers and reuses of idle ones (connect, reuse).
        case connectAttempts, reuses
        /// The four timers (qtime, ctime, rtime, ttime): samples taken, then
        /// each timer's sliding sum over the last 1024 samples (`TimerAverage`)
        /// and its maximum.
        case timerSamples
        case queueTimeSum, connectTimeSum, responseTimeSum, totalTimeSum
        case queueTimeMax, connectTimeMax, responseTimeMax, totalTimeMax
        /// Gauge: this worker's idle server connections kept for reuse (idle_conn_cur).
        case idleConnections
        /// HAProxy's h1 module (mode http): connections and streams (requests)
        /// of the proxy's side, its bytes on the wire, and (gauge) the streams
        /// open now (h1_total_connections, h1_total_streams, h1_bytes_in/out,
        /// h1_open_streams).
        case h1Connections, h1Streams, h1BytesIn, h1BytesOut
        case h1OpenStreams

        /// Gauges belong to the generation that holds the sessions: a reload
        /// does not carry them over, `clear counters` does not touch them.
        public var isGauge: Bool {
            self == .current || self == .queued || self == .idleConnections || self == .h1OpenStreams
        }
        /// Timer averages (`TimerAverage`) are per worker and start again with
        /// a new generation: a sum of several workers' windows is no window.
        public var isTimerWindow: Bool {
            switch self {
            case .timerSamples, .queueTimeSum, .connectTimeSum, .responseTimeSum, .totalTimeSum: return true
            default: return false
            }
        }
        /// Kept as the largest value, not a sum (over workers and reloads).
        public var isMaximum: Bool {
            switch self {
            case .lastSession, .queueTimeMax, .connectTimeMax, .responseTimeMax, .totalTimeMax: return true
            default: return false
            }
        }

        /// The response counter of a status code, HAProxy's classes.
        @inlinable public static func responses(status: Int) -> Counter {
            switch status {
            case 100..<200: return .responses1xx
            case 200..<300: return .responses2xx
            case 300..<400: return .responses3xx
            case 400..<500: return .responses4xx
            case 500..<600: return .responses5xx
            default: return .responsesOther
            }
        }
    }

    /// Admin state bits (HAProxy's SRV_ADMF_*).
    public struct Admin: OptionSet, Sendable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let configMaintenance = Admin(rawValue: 1)   // `disabled` in the config
        public static let forcedMaintenance = Admin(rawValue: 2)   // set by the CLI
        public static let drain = Admin(rawValue: 4)
        /// HAProxy's RMAINT: the server's name does not resolve (or `init-addr none`).
        public static let resolutionMaintenance = Admin(rawValue: 8)
        /// `disable health` from the CLI: the checker skips this server. Not an
        /// admin state for traffic (workers look at the low three bits only).
        public static let checksDisabled = Admin(rawValue: 256)
        /// The bits that take a server out of load balancing.
        public static let trafficMask: UInt64 = 15
        public var inMaintenance: Bool { !isDisjoint(with: [.configMaintenance, .forcedMaintenance, .resolutionMaintenance]) }
    }
    /// Operational state values.
    public enum Operational: UInt64 { case down = 0, up = 1, stopping = 2 }

    public let servers: Int
    public let frontends: Int
    public let binds: Int
    public let backends: Int
    public let workers: Int
    @usableFromInline let words: UnsafeMutablePointer<Atomic<UInt64>>
    /// Where the counter blocks start and how many lines a block has, fixed
    /// at init: a counter's address is then one multiply-add on the request
    /// path (through the static layout constants it cost a call and their
    /// lazy-initialization checks, some 40 instructions a counter).
    @usableFromInline let counterBase: UnsafeMutablePointer<Atomic<UInt64>>
    @usableFromInline let counterBlockLines: Int

    public var proxyLines: Int { frontends + binds + backends }

    /// Worker blocks plus one history block: counters carried over from
    /// previous generations on reload (index `workers`).
    public static func byteSize(servers: Int, frontends: Int, binds: Int, backends: Int, workers: Int) -> Int {
        let proxies = frontends + binds + backends
        let lines = headerLines + servers + proxies + workers
        let counterLines = (workers + 1) * (proxies + servers)
        // Then one definition line per server (the text of a dynamic server's `add server`),
        // then the servers' runtime settings (SharedTable+ServerSettings).
        return (lines * lineWords + counterLines * counterLineWords + servers * lineWords + servers * serverSettingWords + regionWords) * 8
    }

    /// The counter block that holds what earlier generations counted.
    public var historyBlock: Int { workers }

    /// Wraps a mapped region. `initialize` is true only for the creator.
    public init(base: UnsafeMutableRawPointer, servers: Int, frontends: Int, binds: Int, backends: Int, workers: Int,
                initialize: Bool, generation: UInt64 = 1, startedAt: UInt64 = 0) {
        self.servers = servers; self.frontends = frontends; self.binds = binds; self.backends = backends
        self.workers = workers
        let count = SharedTable.byteSize(servers: servers, frontends: frontends, binds: binds, backends: backends,
                                         workers: workers) / 8
        words = base.bindMemory(to: Atomic<UInt64>.self, capacity: count)
        counterBase = words + (SharedTable.headerLines + servers + frontends + binds + backends + workers) * SharedTable.lineWords
        counterBlockLines = frontends + binds + backends + servers
        if initialize {
            for i in 0..<count { words[i].store(0, ordering: .relaxed) }
            header(.layoutVersion).store(SharedTable.layoutVersion)
            header(.generation).store(generation)
            header(.servers).store(UInt64(servers))
            header(.frontends).store(UInt64(frontends))
            header(.binds).store(UInt64(binds))
            header(.backends).store(UInt64(backends))
            header(.workers).store(UInt64(workers))
            header(.startedAt).store(startedAt)
            for s in 0..<servers { server(s, .operational).store(Operational.up.rawValue) }
            header(.magic).storeReleasing(SharedTable.magic)
        }
    }

    /// Wraps an inherited region after checking its header; nil if it is not ours.
    public convenience init?(attaching base: UnsafeMutableRawPointer, size: Int) {
        let w = base.bindMemory(to: Atomic<UInt64>.self, capacity: SharedTable.lineWords)
        func h(_ f: Header) -> Int { Int(w[f.rawValue].load(ordering: .relaxed)) }
        guard size >= SharedTable.lineWords * 8, w[Header.magic.rawValue].load(ordering: .acquiring) == SharedTable.magic,
              UInt64(h(.layoutVersion)) == SharedTable.layoutVersion else { return nil }
        let s = h(.servers), f = h(.frontends), n = h(.binds), b = h(.backends), k = h(.workers)
        guard SharedTable.byteSize(servers: s, frontends: f, binds: n, backends: b, workers: k) <= size else { return nil }
        self.init(base: base, servers: s, frontends: f, binds: n, backends: b, workers: k, initialize: false)
    }

    @inline(__always) public func header(_ f: Header) -> SharedWord { SharedWord(words + f.rawValue) }

    @inline(__always) public func server(_ index: Int, _ f: ServerField) -> SharedWord {
        SharedWord(words + (SharedTable.headerLines + index) * SharedTable.lineWords + f.rawValue)
    }
    @inline(__always) func proxyWord(_ line: Int, _ f: ProxyField) -> SharedWord { proxyLine(line, f) }
    @inline(__always) private func proxyLine(_ line: Int, _ f: ProxyField) -> SharedWord {
        SharedWord(words + (SharedTable.headerLines + servers + line) * SharedTable.lineWords + f.rawValue)
    }
    @inline(__always) public func frontend(_ i: Int, _ f: ProxyField) -> SharedWord { proxyLine(i, f) }
    @inline(__always) public func bind(_ i: Int, _ f: ProxyField) -> SharedWord { proxyLine(frontends + i, f) }
    @inline(__always) public func backend(_ i: Int, _ f: ProxyField) -> SharedWord { proxyLine(frontends + binds + i, f) }

    /// The 32-byte ticket key seed.
    public var ticketSeed: [UInt8] {
        get {
            var out: [UInt8] = []
            for i in 0..<4 { withUnsafeBytes(of: SharedWord(words + Header.ticketSeed.rawValue + i).load().littleEndian) { out += $0 } }
            return out
        }
        set {
            for i in 0..<4 {
                var v: UInt64 = 0
                for b in 0..<8 where i * 8 + b < newValue.count { v |= UInt64(newValue[i * 8 + b]) << (8 * UInt64(b)) }
                SharedWord(words + Header.ticketSeed.rawValue + i).store(v)
            }
        }
    }

    /// Worker `w`'s own line.
    @inline(__always) public func worker(_ w: Int, _ f: WorkerField) -> SharedWord {
        SharedWord(words + (SharedTable.headerLines + servers + proxyLines + w) * SharedTable.lineWords + f.rawValue)
    }
    @inline(__always) public func globalRate(_ f: Header) -> SharedRate { SharedRate(header(f)) }
    @inline(__always) public func serverRate(_ index: Int) -> SharedRate { SharedRate(server(index, .sessionRate)) }
    @inline(__always) public func frontendRate(_ i: Int, _ f: ProxyField) -> SharedRate { SharedRate(frontend(i, f)) }
    @inline(__always) public func backendRate(_ i: Int) -> SharedRate { SharedRate(backend(i, .sessionRate)) }

    @inline(__always) func counterWord(block: Int, line: Int, _ c: Counter) -> SharedWord { counter(worker: block, line: line, c) }
    /// Inlinable with the accessors below: the hot path bumps a dozen
    /// counters a request, and a call each cost more than the store.
    @usableFromInline @inline(__always) func counter(worker: Int, line: Int, _ c: Counter) -> SharedWord {
        SharedWord(counterBase + (worker * counterBlockLines + line) &* 64 + c.rawValue)
    }
    @inlinable @inline(__always) public func frontendCounter(worker: Int, frontend i: Int, _ c: Counter) -> SharedWord {
        counter(worker: worker, line: i, c)
    }
    @inlinable @inline(__always) public func bindCounter(worker: Int, bind i: Int, _ c: Counter) -> SharedWord {
        counter(worker: worker, line: frontends + i, c)
    }
    @inlinable @inline(__always) public func backendCounter(worker: Int, backend i: Int, _ c: Counter) -> SharedWord {
        counter(worker: worker, line: frontends + binds + i, c)
    }
    @inlinable @inline(__always) public func serverCounter(worker: Int, server i: Int, _ c: Counter) -> SharedWord {
        counter(worker: worker, line: frontends + binds + backends + i, c)
    }

    /// The definition line of server line `index` (`add server`'s text).
    @inline(__always) func definitionWords(_ index: Int) -> UnsafeMutablePointer<Atomic<UInt64>> {
        let firstCounter = (SharedTable.headerLines + servers + proxyLines + workers) * SharedTable.lineWords
        let counterWords = (workers + 1) * (proxyLines + servers) * SharedTable.counterLineWords
        return words + firstCounter + counterWords + index * SharedTable.lineWords
    }

    /// Sum of one server counter over all workers and the history block.
    public func serverTotal(_ i: Int, _ c: Counter) -> UInt64 {
        (0...workers).reduce(0) { $0 &+ serverCounter(worker: $1, server: i, c).load() }
    }
}

/// One 64-bit word of the shared table.
public struct SharedWord {
    @usableFromInline let pointer: UnsafeMutablePointer<Atomic<UInt64>>
    @inlinable init(_ pointer: UnsafeMutablePointer<Atomic<UInt64>>) { self.pointer = pointer }

    @inlinable public func load() -> UInt64 { pointer.pointee.load(ordering: .relaxed) }
    @inlinable public func loadAcquiring() -> UInt64 { pointer.pointee.load(ordering: .acquiring) }
    @inlinable public func store(_ v: UInt64) { pointer.pointee.store(v, ordering: .relaxed) }
    @inlinable public func storeReleasing(_ v: UInt64) { pointer.pointee.store(v, ordering: .releasing) }

    /// Single-writer increment: a plain load+store avoids a locked RMW.
    @inlinable public func bump(by n: UInt64 = 1) { store(load() &+ n) }
    /// Single-writer decrement of a gauge.
    @inlinable public func drop(by n: UInt64 = 1) { store(load() &- n) }

    /// Multi-writer increment/decrement.
    @inlinable public func add(_ n: UInt64) { pointer.pointee.add(n, ordering: .relaxed) }
    @inlinable public func subtract(_ n: UInt64) { pointer.pointee.subtract(n, ordering: .relaxed) }

    /// Multi-writer maximum (smax).
    @inlinable public func raise(to v: UInt64) {
        var cur = load()
        while v > cur {
            let (exchanged, original) = pointer.pointee.compareExchange(expected: cur, desired: v, ordering: .relaxed)
            if exchanged { return }
            cur = original
        }
    }

    /// Increments unless the value already reached `limit` (0 = no limit):
    /// the reservation that makes maxconn exact across processes.
    /// Returns the new value, or nil when the limit is reached.
    @inlinable public func reserve(limit: Int) -> Bool {
        if limit <= 0 { add(1); return true }
        var cur = load()
        while cur < UInt64(limit) {
            let (exchanged, original) = pointer.pointee.compareExchange(expected: cur, desired: cur + 1, ordering: .relaxed)
            if exchanged { return true }
            cur = original
        }
        return false
    }
}
