/// TLS settings as HAProxy 2.6 reads them: on `bind` lines, in crt-list
/// lines, on `server`/`default-server` lines and in `global`. Paths are kept
/// as HAProxy resolves them (`crt-base`/`ca-base` already prefixed); global
/// defaults are applied by `TLSResolution` once the whole file is read.

/// Protocol versions in HAProxy's order (its `methodVersions` table).
public enum TLSVersion: Int, Comparable, CaseIterable, Sendable {
    case sslv3 = 1, tls10, tls11, tls12, tls13

    /// The spelling `ssl-min-ver`/`ssl-max-ver` accept and messages use.
    public var name: String {
        switch self {
        case .sslv3: return "SSLv3"
        case .tls10: return "TLSv1.0"
        case .tls11: return "TLSv1.1"
        case .tls12: return "TLSv1.2"
        case .tls13: return "TLSv1.3"
        }
    }

    /// Case-sensitive, as HAProxy compares them.
    public init?(name: String) {
        guard let v = TLSVersion.allCases.first(where: { $0.name == name }) else { return nil }
        self = v
    }

    /// The `no-*`/`force-*` option suffix (`sslv3`, `tlsv10` ...).
    var optionSuffix: String {
        switch self {
        case .sslv3: return "sslv3"
        case .tls10: return "tlsv10"
        case .tls11: return "tlsv11"
        case .tls12: return "tlsv12"
        case .tls13: return "tlsv13"
        }
    }

    public static func < (a: TLSVersion, b: TLSVersion) -> Bool { a.rawValue < b.rawValue }
}

/// `no-sslv3`/`no-tlsv1x`, `ssl-min-ver`/`ssl-max-ver` and `force-*` (which
/// sets both bounds): HAProxy's `tls_version_filter`.
public struct TLSVersionFilter: Equatable, Sendable {
    public var disabled: Set<TLSVersion> = []
    public var min: TLSVersion? = nil
    public var max: TLSVersion? = nil
    public init() {}

    /// A line's own filter over the global default: the `no-*` flags add
    /// up, bounds the line does not set come from the default (HAProxy
    /// copies them when it parses `ssl`).
    public func over(_ global: TLSVersionFilter) -> TLSVersionFilter {
        var out = self
        out.disabled.formUnion(global.disabled)
        if out.min == nil { out.min = global.min }
        if out.max == nil { out.max = global.max }
        return out
    }
}

/// `verify` on a bind line or crt-list line.
public enum TLSClientVerify: String, Equatable, Sendable, CaseIterable {
    case none, optional, required
}

/// `verify` on a server line; `ssl-server-verify` in global.
public enum TLSServerVerify: String, Equatable, Sendable {
    case none, required
}

/// Settings a crt-list line may override for its certificate (HAProxy's
/// `ssl_bind_conf`); a bind line holds the same for all its certificates.
public struct TLSCertificateSettings: Equatable, Sendable {
    /// `alpn`: protocol names in preference order.
    public var alpn: [String]? = nil
    public var npn: [String]? = nil
    public var caFile: String? = nil
    public var caVerifyFile: String? = nil
    public var crlFile: String? = nil
    public var ciphers: String? = nil
    public var ciphersuites: String? = nil
    public var curves: String? = nil
    /// `ecdhe CURVE`: the named curve when `curves` is not set.
    public var ecdhe: String? = nil
    /// nil: not set (no client certificate is asked for).
    public var verify: TLSClientVerify? = nil
    public var versions = TLSVersionFilter()
    public var allow0RTT = false
    public var noCANames = false
    public init() {}

    /// A crt-list line's settings over its bind line's: what the line sets wins.
    public func over(_ bind: TLSCertificateSettings) -> TLSCertificateSettings {
        var out = bind
        if let v = alpn { out.alpn = v }
        if let v = npn { out.npn = v }
        if let v = caFile { out.caFile = v }
        if let v = caVerifyFile { out.caVerifyFile = v }
        if let v = crlFile { out.crlFile = v }
        if let v = ciphers { out.ciphers = v }
        if let v = ciphersuites { out.ciphersuites = v }
        if let v = curves { out.curves = v }
        if let v = ecdhe { out.ecdhe = v }
        if let v = verify { out.verify = v }
        if let v = versions.min { out.versions.min = v }
        if let v = versions.max { out.versions.max = v }
        if allow0RTT { out.allow0RTT = true }
        if noCANames { out.noCANames = true }
        return out
    }
}

/// Where a bind line's certificates come from, in the order written.
public enum TLSCertificateSource: Equatable, Sendable {
    /// `crt PATH`: a PEM file or a directory of them (`crt-base` applied).
    case file(String)
    /// `crt-list PATH`: read by `TLSFiles` (the list's own path is not based).
    case list(String)
}

/// One keyword of a TLS setting and where it was written: what the load-time
/// refusal names until the worker serves TLS.
public struct TLSKeywordUse: Equatable, Sendable {
    public enum Place: Sendable { case bind, server, global }
    public var keyword: String
    public var location: SourceLocation
    public var place: Place
    public init(_ keyword: String, _ location: SourceLocation, _ place: Place) {
        self.keyword = keyword; self.location = location; self.place = place
    }
}

/// A bind line's TLS settings.
public struct BindTLS: Equatable, Sendable {
    /// `ssl`: the listener speaks TLS (certificates alone do not make it).
    public var enabled = false
    public var sources: [TLSCertificateSource] = []
    public var settings = TLSCertificateSettings()
    public var preferClientCiphers = false
    public var strictSNI = false
    public var noTLSTickets = false
    public var ticketKeysFile: String? = nil
    /// The keys of `ticketKeysFile` in file order (48 or 80 bytes each),
    /// decoded by `TLSFiles.load`.
    public var ticketKeys: [[UInt8]] = []
    /// The crt-list files' lines once `TLSFiles` read them, by path.
    public var crtLists: [String: CrtList] = [:]
    /// Every certificate in HAProxy's order (the first is the default),
    /// filled by `TLSFiles.load`.
    public var certificates: [TLSBindCertificate] = []
    public init() {}
}

/// A server line's TLS settings (also what `default-server` hands down).
public struct ServerTLS: Equatable, Sendable {
    /// `ssl` / `no-ssl`.
    public var enabled = false
    /// `check-ssl` (true) / `no-check-ssl` (false); nil: checks follow `ssl`.
    public var checkSSL: Bool? = nil
    /// nil: `ssl-server-verify` decides (required unless set to none).
    public var verify: TLSServerVerify? = nil
    public var caFile: String? = nil
    public var crlFile: String? = nil
    /// `crt`: the client certificate presented to the server.
    public var certificate: String? = nil
    /// `sni EXPR`: a sample expression, compiled where fetches are.
    public var sni: String? = nil
    public var checkSNI: String? = nil
    public var verifyHost: String? = nil
    public var alpn: [String]? = nil
    public var checkALPN: [String]? = nil
    public var ciphers: String? = nil
    public var ciphersuites: String? = nil
    public var versions = TLSVersionFilter()
    /// `no-ssl-reuse` / `ssl-reuse`.
    public var noSSLReuse = false
    /// `no-tls-tickets` / `tls-tickets`.
    public var noTLSTickets: Bool? = nil
    public init() {}

    /// TLS is spoken to the server, for traffic or for its checks.
    public var used: Bool { enabled || checkSSL == true }

    /// HAProxy: checks speak TLS with `check-ssl`, never after
    /// `no-check-ssl`, otherwise when the server has `ssl` and is checked on
    /// its own address and port (a separate `port`/`addr` is not inherited).
    public func checksSpeakTLS(separateCheckTarget: Bool) -> Bool {
        checkSSL ?? (enabled && !separateCheckTarget)
    }
}

/// `ssl-load-extra-files`: which files beside a certificate are looked for.
public enum TLSExtraFile: String, CaseIterable, Equatable, Sendable {
    case bundle, sctl, ocsp, issuer, key
}

/// The options `ssl-default-bind-options` / `ssl-default-server-options` carry.
public struct TLSDefaultOptions: Equatable, Sendable {
    public var versions = TLSVersionFilter()
    public var noTLSTickets = false
    /// Bind side only.
    public var preferClientCiphers = false
    public init() {}
}

/// The global section's TLS settings with HAProxy 2.6's defaults.
public struct GlobalTLS: Equatable, Sendable {
    public var caBase: String? = nil
    public var crtBase: String? = nil
    public var defaultBindCiphers: String? = nil
    public var defaultBindCiphersuites: String? = nil
    public var defaultBindCurves: String? = nil
    public var defaultBindOptions = TLSDefaultOptions()
    public var defaultServerCiphers: String? = nil
    public var defaultServerCiphersuites: String? = nil
    public var defaultServerOptions = TLSDefaultOptions()
    /// `tune.ssl.default-dh-param` (bits). Not set, and without
    /// `ssl-dh-param-file` or DH parameters in the certificate, HAProxy 2.6
    /// offers no DHE suites (observed), so neither does Fulcrum.
    public var defaultDHParam: Int? = nil
    public var dhParamFile: String? = nil
    /// `tune.ssl.cachesize` (blocks; 20000).
    public var cacheSize = 20000
    /// `tune.ssl.lifetime` as written (seconds). HAProxy hands it to
    /// OpenSSL (the ticket lifetime hint clients see) only when it is
    /// written; its own session cache counts 300 s otherwise.
    public var lifetime: Int? = nil
    /// How long HAProxy's session cache keeps a session (`lifetime`, else 300 s).
    public var cacheLifetime: Int { lifetime ?? 300 }
    /// `tune.ssl.maxrecord` (bytes; 0: no limit).
    public var maxRecord = 0
    public var serverVerify: TLSServerVerify = .required
    public var extraFiles: Set<TLSExtraFile> = Set(TLSExtraFile.allCases)
    public init() {}
}
