import FulcrumConfig

/// A read-only picture of one process (or of the sum of all workers) that the
/// runtime API formats. The caller fills it from the shared table and the
/// config; formatting never touches live state, so a dump is consistent and
/// testable.
///
/// Values the caller does not measure are optional: `nil` prints as an empty
/// CSV column and is left out of `typed`/`json` output, as HAProxy does for
/// fields it has no value for.
public struct RuntimeSnapshot: Sendable, Equatable {
    /// Traffic counters shared by frontend, backend and server rows.
    public struct Counters: Sendable, Equatable {
        public var sessionsCurrent = 0      // scur
        public var sessionsMax = 0          // smax
        public var sessionsTotal = 0        // stot (and conn_tot for frontends)
        public var bytesIn = 0              // bin
        public var bytesOut = 0             // bout
        public var connectErrors = 0        // econ
        public var retries = 0              // wretr
        public var redispatches = 0         // wredis
        public var queueCurrent = 0         // qcur
        public var queueMax = 0             // qmax
        /// Times a server was chosen by the balancer (lbtot).
        public var loadBalanced = 0
        /// Seconds since the last session, -1 if never (lastsess).
        public var lastSession = -1
        public var clientAborts = 0         // cli_abrt
        public var serverAborts = 0         // srv_abrt
        /// Sessions per second over the last second, and its maximum (rate, rate_max).
        public var rate = 0
        public var rateMax = 0
        /// Frontends: connections accepted, their rate and its maximum
        /// (conn_tot, conn_rate, conn_rate_max); denied by connection and
        /// session rules (dcon, dses).
        public var connectionsTotal = 0
        public var connectionRate = 0
        public var connectionRateMax = 0
        public var deniedConnections = 0
        public var deniedSessions = 0
        /// HTTP requests (req_tot), frontends' request rate and maximum.
        public var requestsTotal = 0
        public var requestRate = 0
        public var requestRateMax = 0
        /// HTTP responses by class: 1xx, 2xx, 3xx, 4xx, 5xx, other (hrsp_*).
        public var responses = [0, 0, 0, 0, 0, 0]
        public var deniedRequests = 0       // dreq
        public var deniedResponses = 0      // dresp
        public var requestErrors = 0        // ereq
        public var responseErrors = 0       // eresp
        public var failedRewrites = 0       // wrew
        public var internalErrors = 0       // eint
        /// Compression: bytes in, out, bypassed, responses compressed (comp_*).
        public var compressedIn = 0
        public var compressedOut = 0
        public var compressionBypassed = 0
        public var compressedResponses = 0
        /// Requests the proxy answered itself (intercepted).
        public var intercepted = 0
        /// Connection attempts to servers and idle connections reused (connect, reuse).
        public var connectAttempts = 0
        public var reuses = 0
        /// Average queue, connect, response and total times in ms over the
        /// last 1024 samples (qtime, ctime, rtime, ttime) and their maxima.
        public var queueTime = 0, connectTime = 0, responseTime = 0, totalTime = 0
        public var queueTimeMax = 0, connectTimeMax = 0, responseTimeMax = 0, totalTimeMax = 0
        /// HAProxy's h1 module, mode http: connections and streams of the
        /// proxy's side (the clients for a frontend, the servers for a
        /// backend), open and in total, and their bytes on the wire.
        public var h1OpenConnections = 0, h1OpenStreams = 0, h1Connections = 0, h1Streams = 0
        public var h1BytesIn = 0, h1BytesOut = 0
        public init() {}
    }

    /// The frontend half of a proxy (a `frontend` or a `listen` section).
    public struct Frontend: Sendable, Equatable {
        public enum Status: String, Sendable { case open = "OPEN", stopped = "STOP", paused = "PAUSED" }
        /// Its index in the configuration's frontends.
        public var index = 0
        public var counters = Counters()
        /// maxconn of the frontend (slim).
        public var maxconn = 0
        /// rate-limit sessions (rate_lim), 0 = none.
        public var rateLimit = 0
        public var status = Status.open
        /// `option socket-stats`: one row per listener.
        public var listeners: [Listener] = []
        public init() {}
    }

    /// A frontend's listener (a bind line), shown with `option socket-stats`.
    public struct Listener: Sendable, Equatable {
        /// The bind's `name`, else HAProxy's "sock-N".
        public var name: String
        /// Its number in the frontend, from 1 (sid).
        public var sid: Int
        /// "ip:port" of its (first) address.
        public var address: String
        /// The bind's maxconn, 0 = none (slim).
        public var maxconn = 0
        public var counters = Counters()
        public init(name: String, sid: Int, address: String) { self.name = name; self.sid = sid; self.address = address }
    }

    /// The backend half of a proxy (a `backend` or a `listen` section).
    public struct Backend: Sendable, Equatable {
        public var counters = Counters()
        /// fullconn (HAProxy shows it as the backend's slim).
        public var fullconn = 0
        /// HAProxy's name of the algorithm ("roundrobin", "static-rr", "source", ...).
        public var algorithm = "roundrobin"
        /// False for algorithms that only take weights 0% and 100% at run time
        /// (static-rr and map-based hashing).
        public var dynamicWeights = true
        /// `option allbackups`: all usable backups share the load, not only the first.
        public var allBackups = false
        /// Seconds since the backend last changed state (lastchg), time spent
        /// down (downtime) and number of UP->DOWN transitions (chkdown).
        public var lastChange = 0
        public var downtime = 0
        public var downTransitions = 0
        public init() {}

        /// HAProxy's name and weight rule for a configured algorithm.
        public init(algorithm: BalanceAlgorithm, hashType: HashType) {
            self.init()
            let properties = BalanceProperties(algorithm: algorithm, hashType: hashType)
            self.algorithm = properties.name
            dynamicWeights = properties.dynamicWeights
        }
    }

    /// One `frontend`, `backend` or `listen` section.
    public struct Proxy: Sendable, Equatable {
        public var name: String
        /// The proxy's numeric id (iid), as HAProxy numbers them (explicit `id` or auto).
        public var iid: Int
        /// "tcp" or "http".
        public var mode = "tcp"
        /// True when the id came from an `id` keyword (bk_f_forced_id).
        public var forcedID = false
        public var frontend: Frontend?
        public var backend: Backend?
        public init(name: String, iid: Int, frontend: Frontend? = nil, backend: Backend? = nil) {
            self.name = name; self.iid = iid; self.frontend = frontend; self.backend = backend
        }
    }

    /// Administrative state bits; same values as `SharedTable.Admin` so the
    /// caller can copy the shared word.
    public struct Admin: OptionSet, Sendable, Hashable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        /// `disabled` in the config.
        public static let configMaintenance = Admin(rawValue: 1)
        /// Maintenance set from the CLI.
        public static let forcedMaintenance = Admin(rawValue: 2)
        public static let drain = Admin(rawValue: 4)

        public static let resolutionMaintenance = Admin(rawValue: 8)
        /// HAProxy's HMAINT: `set server fqdn` named it (a mark only, no maintenance).
        public static let fqdnChanged = Admin(rawValue: 64)
        public var inMaintenance: Bool { !isDisjoint(with: [.configMaintenance, .forcedMaintenance, .resolutionMaintenance]) }
    }

    /// Operational state; same raw values as `SharedTable.Operational`.
    public enum Operational: UInt64, Sendable { case down = 0, up = 1, stopping = 2 }

    /// The last health check result of a server with `check`.
    public struct Check: Sendable, Equatable {
        /// False after `disable health` (the check stays configured).
        public var enabled = true
        public var status = RuntimeCheckStatus.initializing
        /// Response code of layer-7 checks (check_code).
        public var code: Int?
        /// Duration of the last check in ms (check_duration).
        public var duration: Int?
        /// Free text about the last result, e.g. "Connection refused" (last_chk).
        public var info = ""
        /// A check is in flight (HAProxy's "* " before check_status).
        public var inProgress = false
        /// Failed checks (chkfail).
        public var failures = 0
        public init() {}
    }

    public struct Server: Sendable, Equatable {
        public var name: String
        public var backendName: String
        /// Id of the backend (iid) and of the server in it (sid, 1-based).
        public var iid: Int
        public var sid: Int
        /// IP literal without brackets, and port.
        public var address: String
        public var port: Int
        public var forcedID = false
        /// Added at run time (`add server`).
        public var dynamic = false
        /// `disabled` on its line, whatever its state now (HAProxy's SRV_ADMF_CMAINT).
        public var configuredDisabled = false
        /// The port checks use when it is not the server's (`port`, `set server check-port`); 0 = the server's.
        public var checkPort = 0
        /// The server speaks TLS (`ssl` on its line, or `set server ssl on`),
        /// and whether it has the TLS settings `set server ssl` needs.
        public var ssl = false
        public var sslConfigured = false
        /// `set server check-addr`: the address checks use ("-" when the server's).
        public var checkAddress = "-"
        /// The name the server resolves (srv_fqdn), "-" for an address.
        public var fqdn = "-"
        /// The SRV record it follows (srvrecord), "-" for none.
        public var srvRecord = "-"
        public var admin = Admin()
        public var operational = Operational.up
        /// nil when the server has no `check`.
        public var check: Check?
        /// nil when the server has no `agent-check` (RuntimeSnapshot+Agent.swift).
        public var agent: Agent?
        /// `track`: the server followed ("b/s"), the end of its chain, and
        /// whether that one's maintenance holds this one (RuntimeSnapshot+Track.swift).
        public var tracking: Tracking?
        /// rise/fall apply even without checks (HAProxy keeps its defaults 2/3);
        /// health runs 0...rise+fall-1, up from `rise`.
        public var rise = 2
        public var fall = 3
        public var health = 2
        /// Effective weight (what the balancer uses now), the weight set at run
        /// time (uweight) and the configured one (iweight).
        public var weight = 1
        public var userWeight = 1
        public var initialWeight = 1
        public var backup = false
        /// Server maxconn (raised to a higher `minconn`, as HAProxy settles it), 0 = none.
        public var maxconn = 0
        /// `maxqueue` (qlimit), 0 = none.
        public var maxqueue = 0
        /// Idle connections kept for reuse, all workers (idle_conn_cur, srv_icur).
        public var idleConnections = 0
        public var counters = Counters()
        /// Seconds since the last state change (lastchg), seconds spent down, UP->DOWN transitions.
        public var lastChange = 0
        public var downtime = 0
        public var downTransitions = 0
        public init(name: String, backendName: String, iid: Int, sid: Int, address: String, port: Int) {
            self.name = name; self.backendName = backendName; self.iid = iid; self.sid = sid
            self.address = address; self.port = port
        }

        /// "ip:port", IPv6 in brackets, as HAProxy's addr column.
        public var addressAndPort: String {
            if address == "-" { return "" }   // no address (resolution)
            return address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
        }

        /// HAProxy's srv_currently_usable(): may take new traffic from the balancer.
        public var usable: Bool {
            weight > 0 && !admin.inMaintenance && !admin.contains(.drain) && operational == .up
        }
    }

    /// Process-wide values for `show info`. Fields HAProxy lists that Fulcrum
    /// does not have are printed as 0.
    public struct Info: Sendable, Equatable {
        /// "HAProxy": tools read `show info` and refuse other names (haproxyadmin).
        public var name = "HAProxy"
        /// `Build info`: Fulcrum's own name and version.
        public var buildInfo = ""
        public var version = ""
        public var releaseDate = ""
        public var threads = 1
        public var uptimeSeconds = 0
        public var ulimitN = 0
        public var maxsock = 0
        /// The process's environment, `NAME=VALUE` in its order (`show env`).
        public var environment: [String] = []
        /// `ADDRESS LEVEL` of each stats socket (`show cli sockets`).
        public var cliSockets: [String] = []
        public var maxconn = 0
        public var hardMaxconn = 0
        public var currentConnections = 0
        public var cumulativeConnections = 0
        public var cumulativeRequests = 0
        public var maxpipes = 0
        public var pipesUsed = 0
        public var pipesFree = 0
        public var connectionRate = 0
        public var connectionRateLimit = 0
        public var maxConnectionRate = 0
        public var sessionRate = 0
        public var sessionRateLimit = 0
        public var maxSessionRate = 0
        public var node = ""
        /// global `description`; left out of the dump when empty, as HAProxy does.
        public var description = ""
        public var stopping = false
        public var jobs = 0
        public var listeners = 0
        public var droppedLogs = 0
        /// Share of the event loop's time spent waiting (Idle_pct), 100 when idle.
        public var idlePercent = 100
        /// Streams and timers alive (Tasks) and those ready to run (Run_queue).
        public var tasks = 0
        public var runQueue = 0
        /// Buffer pool memory held and in use, bytes (PoolAlloc_*, PoolUsed_*).
        public var poolAllocatedBytes = 0
        public var poolUsedBytes = 0
        /// Bytes sent to clients per second (BytesOutRate), compression in and
        /// out per second (CompressBpsIn, CompressBpsOut).
        public var bytesOutRate = 0
        public var compressBpsIn = 0
        public var compressBpsOut = 0
        public var totalBytesOut = 0
        public var totalSplicedBytesOut = 0
        public var startTime = 0
        /// pool-purge-delay in ms, shown by `show servers conn` (HAProxy's default 5s).
        public var poolPurgeDelay = 5000
        public init() {}
    }

    public var proxies: [Proxy]
    /// Servers in backend order, then declaration order within a backend.
    public var servers: [Server]
    public var info: Info
    /// Relative process number shown in the pid column and in typed output
    /// (1 for the first worker; HAProxy 2.6 always prints 1).
    public var processNumber: Int
    public var pid: Int32

    public init(proxies: [Proxy] = [], servers: [Server] = [], info: Info = Info(), processNumber: Int = 1, pid: Int32 = 0) {
        self.proxies = proxies; self.servers = servers; self.info = info
        self.processNumber = processNumber; self.pid = pid
    }

    public func proxy(named name: String) -> Proxy? { proxies.first { $0.name == name } }
    /// The proxy with a backend part named `name`: a frontend and a backend
    /// may share a name, and server commands mean the backend (as HAProxy's
    /// cli_find_server).
    public func backend(named name: String) -> Proxy? { proxies.first { $0.name == name && $0.backend != nil } }
    public func frontend(named name: String) -> Frontend? { proxies.first { $0.name == name && $0.frontend != nil }?.frontend }
    public func servers(of backend: String) -> [Server] { servers.filter { $0.backendName == backend } }
    public func server(_ backend: String, _ name: String) -> Server? {
        servers.first { $0.backendName == backend && $0.name == name }
    }
}
