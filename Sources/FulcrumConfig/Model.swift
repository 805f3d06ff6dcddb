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
    public init(name: String, text: String) { self.name = name; self.text = text }
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
}

public struct Bind: Equatable, Sendable {
    public var location: SourceLocation
    /// The address text as written (after environment expansion).
    public var spec: String
    public var addresses: [BindAddress]
    public var name: String?
    public var backlog: Int?
    public var maxconn: Int?
    public init(location: SourceLocation, spec: String, addresses: [BindAddress]) {
        self.location = location; self.spec = spec; self.addresses = addresses
    }
}

/// Parameters shared by `server` and `default-server`.
public struct ServerParams: Equatable, Sendable {
    public var weight: Int = 1            // 0...256
    public var maxconn: Int = 0           // 0 = unlimited
    public var backup: Bool = false
    public var disabled: Bool = false
    public var check: Bool = false
    public var inter: Int = 2000          // ms
    public var fastinter: Int? = nil      // ms, defaults to inter
    public var downinter: Int? = nil      // ms, defaults to inter
    public var rise: Int = 2
    public var fall: Int = 3
    public var checkPort: Int? = nil
    public var checkAddr: String? = nil
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
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}

public struct Frontend: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    public var mode: ProxyMode = .tcp
    public var binds: [Bind] = []
    /// Name of the backend, checked to exist by validation.
    public var defaultBackend: String?
    /// nil: the global maxconn applies.
    public var maxconn: Int?
    public var timeouts = Timeouts()
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}

public struct GlobalSettings: Equatable, Sendable {
    public var daemon = false
    public var pidfile: String?
    public var user: String?
    public var group: String?
    public var chroot: String?
    /// Global connection limit across all workers (nil: derived from RLIMIT_NOFILE).
    public var maxconn: Int?
    public var nbthread: Int?
    /// `workers N`: number of worker processes; nil = nbthread, else CPU count.
    public var workers: Int?
    public init() {}
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
    /// Frontends in declaration order; a `listen` section contributes one
    /// frontend and one backend with the same name.
    public var frontends: [Frontend] = []
    public var backends: [Backend] = []
    public init() {}

    public func backend(named name: String) -> Backend? { backends.first { $0.name == name } }
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
