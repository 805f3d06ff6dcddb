// The typed configuration that the parser produces and every role consumes.
// Values are already resolved: defaults sections applied, units converted to
// milliseconds, default-server folded into each server. Addresses stay as text
// (host names are resolved by the daemon, because this module does no I/O).

/// Where a directive came from, for diagnostics (`file:line:column`).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int = 1) {
        self.file = file; self.line = line; self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}

/// One configuration file's name and contents, as handed to the parser.
/// The daemon reads files and directories; the parser never touches the disk.
public struct ConfigSource: Hashable, Sendable {
    public var name: String
    public var text: String
    /// Read from a file: a last line without its LF means the file may have
    /// been cut short, which HAProxy 2.6 refuses.
    public var isFile: Bool
    public init(name: String, text: String, isFile: Bool = false) { self.name = name; self.text = text; self.isFile = isFile }
}

public enum ProxyMode: String, Sendable, Equatable {
    case tcp, http
}

/// Timeouts in milliseconds; nil means "not set" (HAProxy: no timeout).
public struct Timeouts: Equatable, Sendable {
    public var connect: Int?
    public var client: Int?
    public var server: Int?
    public var queue: Int?
    public var tunnel: Int?
    public var clientFin: Int?
    public var serverFin: Int?
    public var check: Int?
    /// mode http: the time to receive a whole request head, and the idle
    /// time between requests on a keep-alive connection.
    public var httpRequest: Int?
    public var httpKeepAlive: Int?
    /// How long `http-request tarpit` holds a request; HAProxy falls back
    /// to `timeout connect`.
    public var tarpit: Int?
    public init() {}

    /// HAProxy: `timeout queue` defaults to `timeout connect`.
    public var effectiveQueue: Int? { queue ?? connect }
    /// HAProxy: the *-fin timeouts default to the side's inactivity timeout.
    public var effectiveClientFin: Int? { clientFin ?? client }
    public var effectiveServerFin: Int? { serverFin ?? server }
}

/// One listening address produced by a `bind` line. Port ranges and
/// comma-separated lists are expanded into one entry per (address, port).
public enum BindAddress: Hashable, Sendable {
    /// `host` is a numeric IPv4/IPv6 literal or a name; "0.0.0.0" for `*` / empty,
    /// "::" for `[::]`.
    case inet(host: String, port: Int)
    /// `fd@N`: a socket inherited from the parent process.
    case inheritedFD(Int32)
    /// `/path` or `unix@/path`: a UNIX stream socket file.
    case unix(path: String)
    /// `abns@name`: a socket in Linux's abstract namespace (no file).
    case abstract(name: String)
}

public struct Bind: Equatable, Sendable {
    public var location: SourceLocation
    /// The address text as written (after environment expansion).
    public var spec: String
    public var addresses: [BindAddress]
    public var name: String?
    public var backlog: Int?
    public var maxconn: Int?
    /// `defer-accept`, `mss`, `interface`, `v4v6`/`v6only`, `tfo` (ModelBindSocket.swift).
    public var socket = BindSocketOptions()
    /// `ssl`, `crt`, `crt-list` and the other TLS options (ModelTLS.swift).
    public var tls = BindTLS()
    /// `accept-proxy`: every connection starts with a PROXY header (v1 or v2).
    public var acceptProxy = false
    /// `transparent`: IP_TRANSPARENT on the listener (binds a foreign address).
    public var transparent = false
    /// A UNIX socket's `mode`, `uid`/`user`, `gid`/`group` (applied to the file).
    public var unixMode: UInt32? = nil
    public var unixUID: UInt32? = nil
    public var unixGID: UInt32? = nil
    /// `user` / `group` names, resolved by the daemon (this module does no I/O).
    public var unixUser: String? = nil
    public var unixGroup: String? = nil
    public init(location: SourceLocation, spec: String, addresses: [BindAddress]) {
        self.location = location; self.spec = spec; self.addresses = addresses
    }
}

/// Parameters shared by `server` and `default-server`.
public struct ServerParams: Equatable, Sendable {
    public var weight: Int = 1            // 0...256
    /// `cookie VALUE`: this server's persistence cookie value (mode http).
    public var cookie: String? = nil
    /// `pool-max-conn N`: idle server connections kept per worker (-1: unlimited).
    public var poolMaxConn: Int = -1
    public var maxconn: Int = 0           // 0 = unlimited
    /// `id N` as written on the server line (never from default-server);
    /// the number in use is `Server.id`.
    public var id: Int? = nil
    public var backup: Bool = false
    /// `non-stick`: stick store rules never record this server.
    public var nonStick: Bool = false
    public var disabled: Bool = false
    public var check: Bool = false
    public var inter: Int = 2000          // ms
    public var fastinter: Int? = nil      // ms, defaults to inter
    public var downinter: Int? = nil      // ms, defaults to inter
    public var rise: Int = 2
    public var fall: Int = 3
    public var checkPort: Int? = nil
    public var checkAddr: String? = nil
    /// ms; nil: no slow start (HAProxy's default, and what `slowstart 0` means).
    public var slowstart: Int? = nil
    /// nil: not set (HAProxy: the server starts up, as with `up`).
    public var initState: InitState? = nil
    /// nil: traffic is not observed (HAProxy's default, `observe none`).
    public var observe: ObserveMode? = nil
    /// Consecutive observed errors that trigger `onError` (HAProxy default 10).
    public var errorLimit: Int = 10
    public var onError: OnErrorAction = .failCheck
    /// `on-marked-down shutdown-sessions`: the server's sessions are killed
    /// when its checks mark it DOWN.
    public var shutdownSessionsWhenDown = false
    /// `on-marked-up shutdown-backup-sessions`: the backend's backup servers'
    /// sessions are killed when this (active) server's checks mark it UP.
    public var shutdownBackupSessionsWhenUp = false
    /// `maxqueue N`: at most N requests wait in this server's own queue
    /// (persistence or a hash key named it); 0: unlimited.
    public var maxqueue: Int = 0
    /// `minconn N`: with the backend's `fullconn`, the server's connection
    /// limit grows from N to `maxconn` as the backend's load does (HAProxy's
    /// dynamic maxconn). 0: not set (the limit is `maxconn`).
    public var minconn: Int = 0
    /// `ssl`, `verify`, `sni` and the other TLS options (ModelTLS.swift).
    public var tls = ServerTLS()
    /// `send-proxy` (1) / `send-proxy-v2` (2): the PROXY header version sent
    /// first on each new connection; 0: none.
    public var sendProxy = 0
    /// `proxy-v2-options` (and `send-proxy-v2-ssl[-cn]`): the TLVs a v2 header adds.
    public var proxyV2Options = ProxyV2Options()
    /// `check-send-proxy`: checks send the header even with a check port/addr
    /// or without `send-proxy` (v2 when the server sends v2, else v1).
    public var checkSendProxy = false
    /// `source ... [usesrc ...]` on the server line (nil: the backend's).
    public var source: SourceBinding? = nil
    /// `redir PREFIX`: GET and HEAD requests for this server are answered
    /// with a 302 to PREFIX + path instead of being forwarded.
    public var redirectPrefix: String? = nil
    /// `tfo`: TCP Fast Open on connections to this server.
    public var fastOpen = false
    /// `resolvers`, `resolve-*`, `init-addr` (ModelResolvers.swift).
    public var resolution = ServerResolution()
    /// `agent-check` and its settings (ModelAgentCheck.swift).
    public var agent = AgentCheckParams()
    /// `track [BACKEND/]SERVER` as written; `Server.tracked` is what it names.
    public var track: String? = nil
    /// `socks4` / `check-via-socks4` (ModelSOCKS4.swift).
    public var socksSettings = ServerSOCKS4Settings()
    public init() {}
}

/// `init-state`: how a server starts before its first checks (HAProxy 3.1).
public enum InitState: String, Equatable, Sendable {
    /// Up; only `fall` failed checks in a row take it down.
    case fullyUp = "fully-up"
    /// Up; its first failed check takes it down.
    case up
    /// Down; its first successful check brings it up.
    case down
    /// Down; `rise` successful checks in a row bring it up.
    case fullyDown = "fully-down"
}

/// `observe`: judging a server's health from live traffic as well as checks.
public enum ObserveMode: String, Equatable, Sendable {
    /// Connection failures count as errors.
    case layer4
    /// Invalid HTTP responses count as errors (HTTP proxies only).
    case layer7
}

/// `on-error`: what `error-limit` consecutive observed errors do.
public enum OnErrorAction: String, Equatable, Sendable {
    case fastinter
    case failCheck = "fail-check"
    case suddenDeath = "sudden-death"
    case markDown = "mark-down"
}

/// How a backend checks its servers' health.
public enum CheckKind: Equatable, Sendable {
    /// A TCP connection attempt only (HAProxy's default).
    case tcpConnect
    /// `option httpchk`: an HTTP request, judged by `HealthCheckConfig.expect`.
    case http
    /// `option tcp-check`: the `tcp-check` rules in order.
    case tcpCheck
}

/// `http-check expect [!] <match> <pattern>`.
public struct HTTPCheckExpect: Equatable, Sendable {
    public enum Matcher: Equatable, Sendable {
        /// Status codes and ranges ("200,301-302"); a single code is a one-element range.
        case status([ClosedRange<Int>])
        /// A regular expression on the status code (validated by the parser).
        case rstatus(String)
        /// A substring of the response body.
        case string(String)
        /// A regular expression on the response body (validated by the parser).
        case rstring(String)
    }
    /// `!`: the check fails when the matcher matches.
    public var negated: Bool
    public var matcher: Matcher
    public init(negated: Bool = false, matcher: Matcher) { self.negated = negated; self.matcher = matcher }
}

/// One `tcp-check` rule, in order. When the first rule is not a `connect`,
/// the check connects first (HAProxy's implicit connect).
public enum TCPCheckRule: Equatable, Sendable {
    /// nil port / address: the server's check port (`port`) or its port, and
    /// its check address (`addr`) or its address.
    case connect(port: Int?, address: String?)
    /// Escapes (`\r\n`, `\xNN`) are already decoded by the tokenizer.
    case send(String)
    /// `send-binary HEX`, decoded.
    case sendBinary([UInt8])
    case expect(negated: Bool, matcher: TCPCheckMatcher)
}

public enum TCPCheckMatcher: Equatable, Sendable {
    /// A substring of what the server sent so far.
    case string(String)
    /// A regular expression (validated by the parser).
    case rstring(String)
    /// `binary HEX`, decoded: a byte substring.
    case binary([UInt8])
}

public struct HTTPHeaderField: Equatable, Sendable {
    public var name: String
    public var value: String
    public init(name: String, value: String) { self.name = name; self.value = value }
}

/// A backend's health check, resolved from `option httpchk` / `option
/// tcp-check` and the `http-check` / `tcp-check` rules (a proxy with rules of
/// its own replaces those of its defaults section, as in HAProxy).
public struct HealthCheckConfig: Equatable, Sendable {
    public var kind: CheckKind = .tcpConnect
    // The HTTP request (option httpchk, http-check send), HAProxy's defaults.
    public var method = "OPTIONS"
    public var uri = "/"
    public var version = "HTTP/1.0"
    /// `http-check send hdr NAME VALUE`, or the legacy "\r\nName: value" tail
    /// of option httpchk's version argument.
    public var headers: [HTTPHeaderField] = []
    public var body: String? = nil
    /// nil: statuses 2xx and 3xx pass (HAProxy's default).
    public var expect: HTTPCheckExpect? = nil
    public var tcpRules: [TCPCheckRule] = []
    /// `http-check connect ...` before the request: where and how the check connects.
    public var connect: CheckConnect? = nil
    /// `http-check send-state`: the request carries X-Haproxy-Server-State.
    public var sendState = false
    /// `http-check disable-on-404`: a 404 from an UP server puts it in NOLB.
    public var disableOn404 = false
    /// A protocol's own check (`option redis-check` & co., ProtocolCheckOptions.swift);
    /// `kind` is then `.tcpConnect`.
    public var protocolCheck: ProtocolCheck? = nil
    /// `option external-check` (ModelExternalCheck.swift); `kind` is then `.tcpConnect`.
    public var external: ExternalCheck? = nil
    public init() {}
}

/// An `http-check connect` rule. Without `default`, only what the rule says
/// applies (a plain connection unless `ssl`); with it, the server's check
/// settings fill what the rule leaves out (HAProxy's tcpcheck_eval_connect).
public struct CheckConnect: Equatable, Sendable {
    public var useServerSettings = false
    /// nil: the server's check port, else its port.
    public var port: Int? = nil
    /// nil: the server's check address, else its address.
    public var address: String? = nil
    public var ssl = false
    public var sni: String? = nil
    public var alpn: [String]? = nil
    public init() {}
}

public struct Server: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    /// Host part as written: an IP literal or a name to resolve.
    public var host: String
    /// nil: no port given, connect to the port the client connected to.
    public var port: Int?
    public var params: ServerParams
    /// `id N`, else HAProxy's automatic number (`sid` in `show stat`, srv_id).
    public var id = 0
    /// A UNIX socket server (`/path`, `unix@/path`: `.unix`; `abns@name`:
    /// `.abstract`); `host` then holds the address as written, `port` is nil.
    public var unix: BindAddress? = nil
    /// `track`: the server whose state this one follows (resolved after parsing).
    public var tracked: ServerPosition? = nil
    public init(name: String, location: SourceLocation, host: String, port: Int?, params: ServerParams) {
        self.name = name; self.location = location; self.host = host; self.port = port; self.params = params
    }
}

public enum BalanceAlgorithm: Equatable, Sendable {
    case roundRobin
    case staticRoundRobin
    case leastConn
    case first
    case source
    /// `random[(draws)]`, HAProxy's default of 2 draws (power of two choices).
    case random(draws: Int)
    /// `uri [whole] [len N] [depth N]` (mode http).
    case uri(whole: Bool, length: Int, depth: Int)
    /// `url_param NAME` (mode http).
    case urlParam(String)
    /// `hdr(NAME)` (mode http).
    case header(String)
}

public enum HashFunction: String, Equatable, Sendable {
    case sdbm, djb2, wt6, crc32
}

public struct HashType: Equatable, Sendable {
    public enum Method: String, Equatable, Sendable { case mapBased = "map-based", consistent }
    public var method: Method = .mapBased
    public var function: HashFunction = .sdbm
    public var avalanche: Bool = false
    public init() {}
}

public struct Backend: Equatable, Sendable {
    public var name: String
    /// `email-alert ...` once complete (ModelMailers.swift).
    public var emailAlert: EmailAlert? = nil
    public var location: SourceLocation
    public var mode: ProxyMode = .tcp
    public var balance: BalanceAlgorithm = .roundRobin
    public var hashType = HashType()
    public var servers: [Server] = []
    public var timeouts = Timeouts()
    /// Connection retries after a failed connect (HAProxy default 3).
    public var retries: Int = 3
    /// `option redispatch [interval]`: nil when not enabled (or interval 0).
    /// HAProxy's meaning: P > 0 redispatches on every P-th retry, N < 0 on the
    /// N-th retry before the last; without a value it is -1 (the last retry).
    public var redispatch: Int? = nil
    public var allBackups: Bool = false
    /// `load-server-state-from-file`, and the local file's name
    /// (`server-state-file-name`, the backend's name by default).
    public var serverStateLoad = ServerStateLoad.none
    public var serverStateFileName = ""
    public var healthCheck = HealthCheckConfig()
    public var http = HTTPProxySettings()
    /// `tcp-request inspect-delay` / `tcp-request content`, run once the stream enters the backend.
    public var tcpContent = TCPContentRules()
    /// `tcp-response inspect-delay` / `tcp-response content`: the server's
    /// first bytes held until the rules accept them (mode tcp).
    public var tcpResponse = TCPContentRules()
    /// `stick on|match|store-request|store-response` rules, in order.
    public var stickRules: [StickRule] = []
    /// `use-server`, `force-persist`, `ignore-persist`.
    public var serverRules = ServerRules()
    /// `source ... [usesrc ...]`: where its servers' connections come from
    /// (a server's own `source` wins).
    public var source: SourceBinding? = nil
    /// `option transparent`: without servers, a stream connects to the
    /// address its client connected to (as redirected to this host).
    public var transparent = false
    /// Where and what this backend logs (health checks, server events).
    public var logging = ProxyLogging()
    /// `description TEXT...` (words joined with one space).
    public var description: String?
    /// `stats enable|uri|auth|...`: the HTTP statistics page this proxy serves; nil: none.
    public var statsPage: StatsPage?
    /// Server-side connection options (ModelConnection.swift).
    public var connection = ProxyConnectionOptions()
    /// `fullconn`, resolved: the configured value or HAProxy's default (≥ 1).
    public var fullconn = 1
    /// The proxy's number (`iid`, be_id): `id N`, else HAProxy's automatic one
    /// (`ProxyNumbering`); a listen's frontend and backend share it.
    public var id = 0
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}

public struct Frontend: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    public var mode: ProxyMode = .tcp
    public var binds: [Bind] = []
    /// Name of the backend, checked to exist by validation.
    public var defaultBackend: String?
    public var http = HTTPProxySettings()
    /// `tcp-request inspect-delay` / `tcp-request content`, run before `use_backend`.
    public var tcpContent = TCPContentRules()
    /// `tcp-request connection`, run at accept.
    public var tcpConnection = TCPConnectionRules()
    /// `tcp-request session`, run once the PROXY header (if any) was read.
    /// `tcp-request session`, run once the PROXY header and TLS handshake are done.
    public var tcpSession = TCPConnectionRules()
    /// nil: the global maxconn applies.
    public var maxconn: Int?
    /// `rate-limit sessions N` (nil: none): its listeners pause while the
    /// frontend's session rate, over all workers, is at N per second.
    public var rateLimitSessions: Int?
    public var timeouts = Timeouts()
    /// `option socket-stats`: `show stat` has a row per listener (type 3).
    public var socketStats = false
    /// Where and what this frontend logs: targets, line format, options, captures.
    public var logging = ProxyLogging()
    /// `description TEXT...` (words joined with one space).
    public var description: String?
    /// `stats enable|uri|auth|...`: the HTTP statistics page this proxy serves; nil: none.
    public var statsPage: StatsPage?
    /// Client-side connection options (ModelConnection.swift).
    public var connection = ProxyConnectionOptions()
    /// The proxy's number (`iid`, fe_id), as `Backend.id`.
    public var id = 0
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}

public struct GlobalSettings: Equatable, Sendable {
    public var daemon = false
    /// `localpeer NAME` (`-L` wins over it).
    public var localPeer: String? = nil
    /// The environment after `setenv` / `presetenv` / `resetenv` /
    /// `unsetenv` (nil: none was written); the master makes it its own.
    public var environment: [String: String]?
    /// `set-dumpable`: workers stay dumpable (core files, /proc readable by
    /// their user) after dropping privileges.
    public var setDumpable = false
    /// `tune.recv_enough N` (GlobalReadTuning.swift); nil: any short read ends a read run.
    public var recvEnough: Int? = nil
    /// `external-check [preserve-env]`, `insecure-fork-wanted` (ModelExternalCheck.swift).
    public var externalCheck = ExternalCheckGlobal()
    /// `grace T` (ms): a worker told to stop keeps accepting for this long
    /// first, for outside checks to see it leave before its listeners do.
    public var grace: Int?
    /// `maxconnrate` / `maxsessrate` (nil: none): connections and sessions
    /// per second all workers accept together.
    public var maxConnectionRate: Int?
    public var maxSessionRate: Int?
    /// `tune.maxaccept`: connections a worker accepts from one listener per
    /// wakeup (-1: no limit; nil: `acceptBurst`'s default).
    public var maxAccept: Int?
    /// `tune.maxpollevents`: events taken from epoll per wait (nil: 512).
    public var maxPollEvents: Int?
    /// `tune.listener.multi-queue` (on by default, as HAProxy): besides its
    /// own SO_REUSEPORT socket, each worker watches its siblings'
    /// (EPOLLEXCLUSIVE), and takes a connection queued there when the owner
    /// is busier or stuck (SiblingAcceptPolicy). `off`: each worker takes
    /// only what the kernel's hash puts on its own socket.
    public var listenerMultiQueue = true
    /// `tune.rcvbuf.client|server`, `tune.sndbuf.client|server`: SO_RCVBUF /
    /// SO_SNDBUF of listeners (accepted sockets inherit them) and of server
    /// connections (nil: the system's autotuning).
    public var clientReceiveBuffer: Int?
    public var clientSendBuffer: Int?
    public var serverReceiveBuffer: Int?
    public var serverSendBuffer: Int?
    /// `quiet`: as `-q`, no notices or warnings at start.
    public var quiet = false
    public var pidfile: String?
    public var user: String?
    public var group: String?
    public var chroot: String?
    /// Global connection limit across all workers (nil: derived from RLIMIT_NOFILE).
    public var maxconn: Int?
    /// `ulimit-n N`: the file-descriptor limit to set (nil: what maxconn needs).
    public var ulimitN: Int? = nil
    /// `strict-limits` (HAProxy 2.6's default) / `no strict-limits`: a file
    /// limit that cannot be raised stops the start instead of a warning.
    public var strictLimits = true
    /// `zero-warning` (as `-dW`): a configuration with a warning does not start.
    /// `expose-experimental-directives`: what HAProxy 2.6 marks
    /// experimental (`http-request normalize-uri`) may be used.
    public var exposeExperimentalDirectives = false
    public var zeroWarning = false
    public var nbthread: Int?
    /// `workers N`: number of worker processes; nil = nbthread, else CPU count.
    public var workers: Int?
    /// The worker processes to run: `workers`, else `nbthread`, else one per
    /// online processor (the caller's sysconf, this module doing no I/O).
    public func workerCount(onlineProcessors: Int) -> Int {
        max(1, workers ?? nbthread ?? onlineProcessors)
    }
    /// Connections a worker accepts from one listener per wakeup
    /// (`tune.maxaccept`; -1: no limit). Unset: 64, or 4 for a worker that
    /// also takes from its siblings' queues (multi-queue), so that one woken
    /// worker does not take a whole burst of connections.
    public func acceptBurst(watchingSiblings: Bool) -> Int {
        if let n = maxAccept { return n < 0 ? Int.max : max(1, n) }
        return watchingSiblings ? 4 : 64
    }
    /// `stats socket` lines: the runtime API, in declaration order.
    public var statsSockets: [StatsSocket] = []
    /// `server-state-file` and `server-state-base`: the state `show servers
    /// state` saved, applied at start and reload.
    public var serverStateFile: String? = nil
    public var serverStateBase: String? = nil
    /// `spread-checks`: random spread of check intervals, percent 0...50.
    public var spreadChecks: Int = 0
    /// `stats timeout` in ms; nil: HAProxy's default of 10 s.
    public var statsTimeout: Int? = nil
    /// `hard-stop-after`: the longest an old generation may drain (ms), then it is killed.
    public var hardStopAfter: Int? = nil
    /// `mworker-max-reloads`: an old worker that survived more reloads than
    /// this is sent SIGTERM (nil: no limit).
    public var maxReloads: Int? = nil
    /// `tune.bufsize` (16384), `tune.maxrewrite` (1024), `tune.http.maxhdr` (101).
    public var bufferSize = 16384
    public var maxRewrite = 1024
    public var maxHeaders = 101
    /// The global section's `log` lines in order (what `log global` copies,
    /// and where the master's and process-wide events go).
    public var logTargets: [LogTarget] = []
    /// `log-tag`: the syslog tag (nil: the program's name, as HAProxy uses argv[0]).
    public var logTag: String? = nil
    /// `log-send-hostname [NAME]`: nil: no hostname field in rfc3164 headers
    /// (rfc5424 then carries "-").
    public var logHostname: LogHostname? = nil
    /// `node NAME`: this node's name (stats page, `show info`).
    public var node: String? = nil
    /// `description TEXT...` (words joined with one space).
    public var description: String? = nil
    /// `ca-base`, `crt-base`, `ssl-default-*`, `tune.ssl.*` (ModelTLS.swift).
    public var tls = GlobalTLS()
    /// `default-path`: the directory relative file names are read from
    /// (DefaultPathKeyword.swift); nil: the working directory.
    public var defaultPath: String? = nil
    public init() {}
}

/// One `stats socket PATH [mode OCTAL] [level L] [expose-fd listeners]` line.
public struct StatsSocket: Equatable, Sendable {
    /// Privilege on the socket; ordered user < operator < admin.
    public enum Level: String, Equatable, Sendable, Comparable {
        case user, operator_ = "operator", admin
        private var rank: Int {
            switch self {
            case .user: return 0
            case .operator_: return 1
            case .admin: return 2
            }
        }
        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
    }
    public var location: SourceLocation
    /// Filesystem path of the UNIX socket (a `unix@` prefix is removed);
    /// for `ipv4@`/`ipv6@`/`fd@` addresses, the address as written.
    public var path: String
    public var address: CLIBindSpec.Address
    /// Permission bits as written in octal ("600" is 0o600); nil: umask applies.
    public var mode: UInt32? = nil
    /// Owner of the socket file (`user`/`uid`, `group`/`gid`).
    public var user: String? = nil
    public var group: String? = nil
    /// HAProxy's default level is "operator".
    public var level: Level = .operator_
    /// `expose-fd listeners`: the socket may hand listening sockets to another process.
    public var expose: Bool = false
    public init(location: SourceLocation, path: String) {
        self.location = location; self.path = path; address = .unix(path)
    }
    public init(location: SourceLocation, spec: CLIBindSpec) {
        self.location = location
        address = spec.address
        path = spec.address.text
        mode = spec.mode
        user = spec.user
        group = spec.group
        level = spec.level ?? .operator_
        expose = spec.expose
    }
}

/// A `program` section: an external command the master starts and stops
/// (HAProxy's master-worker `program`).
public struct Program: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    /// argv; the first word is looked up in PATH. No shell is involved.
    public var command: [String] = []
    public var user: String?
    public var group: String?
    /// HAProxy's `option start-on-reload` (default on): a reload starts a new instance.
    public var startOnReload = true
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}

public struct Configuration: Equatable, Sendable {
    public var global = GlobalSettings()
    public var programs: [Program] = []
    public var userlists: [Userlist] = []
    /// Frontends in declaration order; a `listen` section contributes one
    /// frontend and one backend with the same name.
    public var frontends: [Frontend] = []
    public var backends: [Backend] = []
    /// keepalived.conf blocks (global_defs, vrrp_script, vrrp_instance, vrrp_sync_group).
    public var vrrp = VRRPConfiguration()
    /// `bgp_defs` and `bgp_instance` blocks: VIPs announced through BIRD (ModelBGP.swift).
    public var bgp = BGPConfiguration()
    /// `ring` sections in declaration order (targets of `log ring@NAME`).
    public var rings: [RingSection] = []
    /// `resolvers` sections in declaration order (ModelResolvers.swift).
    public var resolvers: [ResolversSection] = []
    /// `cache` sections (HAProxy's small object cache).
    public var caches: [CacheSection] = []
    /// `mailers` sections some proxy's `email-alert mailers` uses (ModelMailers.swift).
    public var mailers: [MailersSection] = []
    /// ACL and map files and ACL lines' inline patterns, by HAProxy's ids
    /// (what `show map` / `show acl` list).
    public var patternReferences: [PatternReferenceDeclaration] = []
    /// The proxies' `stick-table`s in declaration order, named after their proxy.
    public var stickTables: [StickTableDefinition] = []
    /// `peers` sections this node is a peer of (ModelPeers.swift).
    public var peers: [PeersSection] = []
    /// The local peer's name (`-L`, `localpeer`, the host name).
    public var localPeer = ""
    public init() {}

    /// The stick table named `name` (its proxy's name).
    public func stickTable(named name: String) -> Int? { stickTables.firstIndex { $0.name == name } }

    public func backend(named name: String) -> Backend? { backends.first { $0.name == name } }

    /// Something would serve: a frontend with a bind, a stats socket, a
    /// VRRP instance or a BGP instance. HAProxy's `-c` exits 2 ("will not start (no
    /// listener)") otherwise.
    public var hasListener: Bool {
        frontends.contains { !$0.binds.isEmpty } || !global.statsSockets.isEmpty || !vrrp.isEmpty || !bgp.isEmpty
    }
}

/// One finding from parsing or validation.
public struct Diagnostic: Equatable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case alert = "ALERT", warning = "WARNING", notice = "NOTICE" }
    public var severity: Severity
    public var location: SourceLocation?
    public var message: String
    public init(_ severity: Severity, _ location: SourceLocation?, _ message: String) {
        self.severity = severity; self.location = location; self.message = message
    }
    /// `[ALERT] file:line:column: message`, the shape HAProxy operators grep for.
    public var description: String {
        if let location { return "[\(severity.rawValue)] \(location): \(message)" }
        return "[\(severity.rawValue)] \(message)"
    }
}

/// `load-server-state-from-file`: which server-state file a backend reads.
public enum ServerStateLoad: String, Sendable, Equatable {
    case global, local, none
}
