import FulcrumLog

// The typed logging configuration (issue 11), as HAProxy 2.6 reads it: `log`
// targets (global and per proxy, after inheritance), which line format a
// proxy logs, the log options, captures and `ring` sections. The parser fills
// these; the worker, checker and master send the lines.

/// Where a `log` line sends: the address part of
/// `log <target> [len N] [format F] [sample R:S] <facility> [<level> [<minlevel>]]`.
public enum LogTargetAddress: Equatable, Sendable {
    /// Which addresses a host name may resolve to (`udp4@`/`ipv4@`/`tcp4@`:
    /// IPv4 only, `udp6@`/`ipv6@`/`tcp6@`: IPv6 only, else either).
    public enum Family: String, Equatable, Sendable { case any, ipv4, ipv6 }

    /// A unix datagram socket: an absolute path (`/dev/log`), `unix@PATH` or `uxdg@PATH`.
    case unixDatagram(path: String)
    /// Syslog over UDP: `udp@`, `udp4@`, `udp6@`, `ipv4@`, `ipv6@` or a bare
    /// host[:port]. `host` is an IP literal or a name the daemon resolves
    /// (HAProxy resolves it when it loads the configuration); `port` is 514
    /// when not given (or given as 0), as in HAProxy.
    case udp(host: String, port: Int, family: Family)
    /// Syslog over a TCP stream: `tcp@`, `tcp4@`, `tcp6@` host[:port] (port 514
    /// by default). HAProxy sends it through an implicit ring whose one server
    /// connects, reconnects, and ends each message with a line feed: haproxy
    /// 2.6.12 was seen sending "<134>Dec  5 16:33:54 haproxy[29596]: Connect
    /// from ...\n" on such a target (log-proto legacy, not octet counting).
    case tcp(host: String, port: Int, family: Family)
    /// A descriptor of the process: `fd@N`, `stdout` (1), `stderr` (2). Lines
    /// are written whole, one per write, never waiting (HAProxy drops a line
    /// the descriptor does not take at once).
    case fd(Int32)
    /// `ring@NAME`: a `ring` section of the configuration (checked to exist).
    case ring(String)
}

/// One `log` target, with HAProxy's defaults.
public struct LogTarget: Equatable, Sendable {
    /// The `log` line that declared it (for a target taken with `log global`,
    /// the global section's line).
    public var location: SourceLocation
    public var address: LogTargetAddress
    /// `len`: the longest line sent, header included (80...65535, default 1024);
    /// longer lines are truncated.
    public var maxLength: Int = 1024
    /// `format` (none given: `.unspecified`, rfc3164 with a hostname only when one is sent).
    public var format: SyslogFormat = .unspecified
    public var sampling: LogSampling? = nil
    public var facility: LogFacility
    /// Lines less severe than `level` are not sent to this target (default debug: all).
    public var level: LogLevel = .debug
    /// Lines more severe than `minLevel` are sent with `minLevel` as their
    /// severity (default emerg: unchanged).
    public var minLevel: LogLevel = .emerg
    /// True when a proxy took this target with `log global`: it is the global
    /// line at `location` (the same target as the entry of
    /// `GlobalSettings.logTargets` with that location, so one socket may serve
    /// both), and a proxy never holds one global line twice.
    public var viaLogGlobal = false
    public init(location: SourceLocation, address: LogTargetAddress, facility: LogFacility) {
        self.location = location; self.address = address; self.facility = facility
    }
}

/// `log-send-hostname [NAME]`: the hostname field of rfc3164/rfc5424 headers.
public enum LogHostname: Equatable, Sendable {
    /// No argument: the system's host name (gethostname), read by the daemon.
    case system
    case name(String)
}

/// Which line a proxy logs per session / request. The log-format strings of
/// the predefined formats belong to the line renderer; this records the choice.
public enum ProxyLogFormat: Equatable, Sendable {
    /// Nothing chosen: HAProxy 2.6's default line, logged at accept time
    /// ("Connect from 10.0.0.1:33312 to 10.0.0.2:80 (www/HTTP)").
    case legacy
    /// `option tcplog` (also what `option httplog`/`httpslog` fall back to in a
    /// proxy that is not in mode http, with HAProxy's warning).
    case tcplog
    /// `option httplog`.
    case httplog
    /// `option httplog clf`.
    case httplogCLF
    /// `option httpslog`.
    case httpslog
    /// `log-format STRING`.
    case custom(LogLineFormatString)

    /// How HAProxy names the keyword that chose it, in its warnings.
    var keyword: String {
        switch self {
        case .legacy, .custom: return "log-format"
        case .tcplog: return "option tcplog"
        case .httplog: return "option httplog"
        case .httplogCLF: return "option httplog clf"
        case .httpslog: return "option httpslog"
        }
    }
}

/// One capture slot of a frontend: what `%hr`/`%hs`, `capture.req.hdr(N)` /
/// `capture.res.hdr(N)` and `http-request/response capture ... id N` refer to.
/// The slot's index is its position in `LogCaptures.request`/`.response`.
public struct CaptureSlot: Equatable, Sendable {
    public enum Source: Equatable, Sendable {
        /// `capture request|response header NAME len N`: the last value of the
        /// header (case-insensitive name), filled by the HTTP analysers.
        case header(String)
        /// `declare capture request|response len N`: filled by `... capture SAMPLE id N` rules.
        case declared
        /// Made by an `http-request capture SAMPLE len N` rule, which fills it.
        case rule
    }
    public var location: SourceLocation
    public var source: Source
    /// The longest value kept (bytes; longer values are truncated). HAProxy
    /// takes the number as atol() reads it, so 0 is possible.
    public var length: Int
    public init(location: SourceLocation, source: Source, length: Int) {
        self.location = location; self.source = source; self.length = length
    }
}

/// `capture cookie NAME len N`: `%CC` / `%CS` log the first request `Cookie`
/// / response `Set-Cookie` whose name begins with NAME.
public struct CookieCapture: Equatable, Sendable {
    public var location: SourceLocation
    public var name: String
    /// At most 63 (HAProxy truncates longer lengths, with a warning).
    public var length: Int
    public init(location: SourceLocation, name: String, length: Int) {
        self.location = location; self.name = name; self.length = length
    }
}

/// A frontend's captures, in slot order (HAProxy numbers slots in declaration order).
public struct LogCaptures: Equatable, Sendable {
    public var request: [CaptureSlot] = []
    public var response: [CaptureSlot] = []
    public var cookie: CookieCapture? = nil
    public init() {}
    public var isEmpty: Bool { request.isEmpty && response.isEmpty && cookie == nil }
}

/// What a proxy logs and where (defaults applied, `log global` expanded).
/// Frontends read all of it; a backend reads `targets` (health-check and
/// server state events go to the backend's targets) and `healthChecks`.
public struct ProxyLogging: Equatable, Sendable {
    /// Empty: this proxy logs nothing (no `log` line, or `no log`).
    public var targets: [LogTarget] = []
    public var format: ProxyLogFormat = .legacy
    /// `log-format-sd`: the structured-data field of rfc5424 lines (nil: "-").
    public var structuredData: LogLineFormatString? = nil
    /// `error-log-format`: the line for connection-level errors (handshake
    /// failures and the like, before a stream exists); nil: HAProxy's built-in
    /// error line ("client:port [date] frontend/bind: message").
    public var errorFormat: LogLineFormatString? = nil
    /// `log-tag`: the tag of this proxy's lines (nil: the global one).
    public var tag: String? = nil
    /// `option dontlognull`: no line for a connection that sent no data.
    public var dontLogNull = false
    /// `option dontlog-normal`: only sessions with an error or a 5xx are logged.
    public var dontLogNormal = false
    /// `option log-separate-errors`: lines of sessions with errors go at level err
    /// (instead of info).
    public var separateErrors = false
    /// `option log-health-checks` (backend): log every health check status
    /// change, not only UP/DOWN transitions.
    public var healthChecks = false
    /// `unique-id-format`: the request's unique id (`%ID`, `unique-id` fetch).
    public var uniqueIDFormat: LogLineFormatString? = nil
    /// `unique-id-header NAME`: add the unique id to requests sent to servers
    /// under this header (only when `uniqueIDFormat` is set).
    public var uniqueIDHeader: String? = nil
    /// `capture ...` and `declare capture ...` (frontends only).
    public var captures = LogCaptures()
    public init() {}
}

/// A `ring NAME` section: an in-memory buffer of log lines, forwarded to its
/// servers (TCP syslog receivers) when it has any.
public struct RingSection: Equatable, Sendable {
    /// `log-proto` of a ring server: how messages are framed on the stream.
    public enum Framing: String, Equatable, Sendable {
        /// Each message followed by a line feed (HAProxy's default for ring servers).
        case legacy
        /// RFC 6587 octet counting: "LEN " then the message.
        case octetCount = "octet-count"
    }
    public struct Server: Equatable, Sendable {
        public var name: String
        public var location: SourceLocation
        /// An IP literal or a name the daemon resolves.
        public var host: String
        public var port: Int
        public var framing: Framing = .legacy
        public init(name: String, location: SourceLocation, host: String, port: Int) {
            self.name = name; self.location = location; self.host = host; self.port = port
        }
    }
    public var name: String
    public var location: SourceLocation
    public var description: String? = nil
    /// `format` (default raw).
    public var format: SyslogFormat = .raw
    /// `maxlen`: the longest message kept (default and ceiling: `size`).
    public var maxLength: Int = 16384
    /// `size`: the buffer's bytes (default 16384; a smaller value is ignored).
    public var size: Int = 16384
    /// `timeout connect` / `timeout server` towards its servers (ms; nil: none).
    public var connectTimeout: Int? = nil
    public var serverTimeout: Int? = nil
    public var servers: [Server] = []
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}

/// A log-line format as written (`log-format`, `log-format-sd`,
/// `error-log-format`, `unique-id-format`): the text and its elements in the
/// log-line grammar (spaces merged, variables and flags), compiled once by
/// the roles that log.
public struct LogLineFormatString: Equatable, Sendable {
    public var text: String
    public var elements: [LogFormatElement]
    public init(text: String, elements: [LogFormatElement]) { self.text = text; self.elements = elements }
}
