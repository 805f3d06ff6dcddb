/// Entry point of the HAProxy-syntax parser. Pure: the caller supplies file
/// contents and the environment; the result carries every diagnostic found,
/// not only the first.
public struct ParseResult: Sendable {
    public var configuration: Configuration
    public var diagnostics: [Diagnostic]
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .alert } }
    public init(configuration: Configuration, diagnostics: [Diagnostic]) {
        self.configuration = configuration; self.diagnostics = diagnostics
    }
}

public enum ConfigParser {
    /// The HAProxy configuration language level Fulcrum follows; this is what
    /// `.if version_atleast(X)` compares against.
    public static let compatibleVersion = "2.6"

    /// What `.if feature(X)` answers true for: the build features of
    /// `haproxy -vv` that Fulcrum has.
    public static let features: Set<String> = ["EPOLL", "LINUX_SPLICE", "REUSEPORT", "CPU_AFFINITY", "PRCTL"]

    /// Run-time options `.if enabled(X)` knows; those Fulcrum has are true.
    public static let knownEnabledOptions: Set<String> = [
        "POLL", "EPOLL", "KQUEUE", "EVPORTS", "SPLICE", "GETADDRINFO", "REUSEPORT",
        "FAST-FORWARD", "SERVER-SSL-VERIFY-NONE",
    ]
    public static let enabledOptions: Set<String> = ["EPOLL", "SPLICE", "REUSEPORT", "FAST-FORWARD"]

    /// Parses the sources in order (as HAProxy reads several `-f` files, they
    /// form one configuration), then resolves defaults and validates.
    ///
    /// - tls: which TLS keywords are accepted; the rest are refused at
    ///   their line ("is parsed but TLS is not supported yet").
    /// - serverVerifyNone: `-dV`: `ssl-server-verify none` until the
    ///   configuration says otherwise, and `enabled(SERVER-SSL-VERIFY-NONE)`.
    /// - includes: reads the files of keepalived `include` lines (nil: such
    ///   a line is refused, as nothing can be read).
    public static func parse(_ sources: [ConfigSource], environment: [String: String],
                             tls: TLSServing = .none, serverVerifyNone: Bool = false,
                             includes: KeepalivedIncludeResolver? = nil) -> ParseResult {
        var session = ParseSession(environment: environment)
        session.keepalived.includeResolver = includes
        session.tlsServing = tls
        if serverVerifyNone {
            session.global.tls.serverVerify = .none
            session.enabledOptions.insert("SERVER-SSL-VERIFY-NONE")
        }
        for source in sources { session.read(source) }
        return session.finish()
    }
}
