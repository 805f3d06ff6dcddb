/// The kinds of section Fulcrum parses; other HAProxy sections are reported
/// as not supported yet.
enum SectionKind: String, Sendable {
    case global, defaults, frontend, backend, listen
}

/// Everything a `defaults` section hands down to the proxies that use it.
/// A proxy starts from a copy of its defaults' settings and its own lines
/// override them, which is how HAProxy applies defaults.
struct ProxySettings: Sendable {
    var mode: ProxyMode = .tcp
    var balance: BalanceAlgorithm = .roundRobin
    var hashType = HashType()
    var timeouts = Timeouts()
    var retries = 3
    var redispatch: Int? = nil
    var allBackups = false
    /// `option transparent`: a backend without servers connects to the
    /// client's original destination.
    var transparent = false
    /// `option socket-stats`: one stats row per listener.
    var socketStats = false
    var maxconn: Int? = nil
    /// `rate-limit sessions N`: new sessions per second the frontend accepts.
    var rateLimitSessions: Int? = nil
    var defaultServer = ServerParams()
    /// `source ...`: the servers' default source binding (inherited from defaults).
    var source: SourceBinding? = nil
    /// `email-alert ...` lines (ModelMailers.swift).
    var emailAlert = EmailAlertDraft()
    var defaultBackend: String? = nil
    var defaultBackendLocation: SourceLocation? = nil
    var healthCheck = HealthCheckDraft()
    /// mode http settings; a defaults section hands down everything but
    /// ACLs and rules (HAProxy keeps those out of anonymous defaults).
    var http = HTTPProxySettings()
    /// `tcp-request` inspection; never inherited (refused in defaults sections).
    var tcpContent = TCPContentRules()
    /// `tcp-response` inspection (backends); never inherited either.
    var tcpResponse = TCPContentRules()
    /// `stick on|match|store-*` rules (backends; never inherited).
    var stickRules: [StickRule] = []
    /// `tcp-request connection` rules (frontends; never inherited, as tcpContent).
    var tcpConnection = TCPConnectionRules()
    /// `tcp-request session` rules (frontends, not inherited either).
    var tcpSession = TCPConnectionRules()
    /// `use-server`, `force-persist`, `ignore-persist` (backends).
    var serverRules = ServerRules()
    /// Logging: targets, line format, options; a proxy starts with its
    /// defaults' (HAProxy copies the defaults' `log` lines, then appends its own).
    var logging = ProxyLogging()
    /// Where `logging.format` was chosen (the line HAProxy's mode warning names).
    var logFormatLocation: SourceLocation? = nil
    /// `stats ...`: the statistics page; a proxy shares its defaults' until
    /// its own first `stats` line, which starts a fresh one (HAProxy's uri_auth).
    var statsPage: StatsPage? = nil
    /// `load-server-state-from-file` (HAProxy's default: none).
    var serverStateLoad = ServerStateLoad.none
    /// `server-state-file-name`: nil when not given; .some(nil) for the backend's name.
    var serverStateFileName: String?? = nil
    /// Keep-alive probes, abortonclose, prefer-last-server, persist, fullconn...
    var connection = ProxyConnectionOptions()
}

/// A defaults, frontend, backend or listen section while it is being read.
struct ProxyDraft: Sendable {
    var kind: SectionKind
    /// nil only for an anonymous defaults section.
    var name: String?
    var location: SourceLocation
    var settings: ProxySettings
    var binds: [Bind] = []
    var servers: [Server] = []
    /// `stick-table`: the proxy's own table (never inherited).
    var stickTable: StickTableDefinition? = nil
    /// Set when `default_backend` appears in this very section (not inherited),
    /// so that a listen section's own servers win over an inherited one.
    var ownDefaultBackend = false
    var modeLocation: SourceLocation? = nil
    /// Set once this very section has `option httpchk` or an `http-check`
    /// rule: from then on its HTTP check no longer comes from its defaults
    /// (HAProxy gives the section a ruleset of its own).
    var ownHTTPCheckRuleset = false
    /// The first `http-check send/expect` and `tcp-check` rules of this very
    /// section, for the "rules without the option" warnings; a first
    /// `tcp-check` rule also drops the rules inherited from defaults.
    var firstHTTPCheckRule: SourceLocation? = nil
    var firstTCPCheckRule: SourceLocation? = nil
    /// The first line of each HTTP-only keyword of this very section, so that
    /// a proxy left in mode tcp is told its HTTP keywords do nothing.
    var httpKeywordLocations: [String: SourceLocation] = [:]
    /// Where the section's condition-bearing rules started, for HAProxy's
    /// "placed after ... will still be processed before" warnings.
    var firstUseBackend: SourceLocation? = nil
    var firstRedirect: SourceLocation? = nil
    /// Where `cookie`, `balance uri/url_param/hdr` were set (mode checks).
    var cookieLocation: SourceLocation? = nil
    var balanceLocation: SourceLocation? = nil
    /// Userlists referenced by this section's `http_auth` criteria, checked
    /// once every userlist section is read.
    var userlistReferences: [(name: String, location: SourceLocation)] = []
    /// `description TEXT...`.
    var description: String? = nil
    /// `id N`: the proxy's own number.
    var id: (number: Int, location: SourceLocation)? = nil
    /// Each server's `id N`, by index in `servers`.
    var serverIDs: [Int: (number: Int, location: SourceLocation)] = [:]
    /// Set by this very section's first `stats` line (the defaults' page is dropped then).
    var ownStatsPage = false
    /// `http-request|http-response capture ... id N` rules, checked against
    /// the section's capture slots once it is read.
    var captureReferences: [(rule: String, slot: Int, location: SourceLocation)] = []

    init(kind: SectionKind, name: String?, location: SourceLocation, settings: ProxySettings) {
        self.kind = kind; self.name = name; self.location = location; self.settings = settings
    }

    /// How HAProxy names the proxy in its messages ("frontend 'f'", "proxy 'l'" for listen).
    var haproxyLabel: String {
        let type: String
        switch kind {
        case .frontend: type = "frontend"
        case .backend: type = "backend"
        case .listen: type = "proxy"
        default: type = kind.rawValue
        }
        return name.map { "\(type) '\($0)'" } ?? type
    }

    var hasFrontendCapability: Bool { kind == .frontend || kind == .listen || kind == .defaults }
    var hasBackendCapability: Bool { kind == .backend || kind == .listen || kind == .defaults }
    /// How diagnostics name this section: "frontend 'web'", "defaults".
    var label: String {
        if let name { return "\(kind.rawValue) '\(name)'" }
        return kind.rawValue
    }
}
