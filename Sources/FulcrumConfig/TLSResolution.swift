/// Once every line is read: global TLS defaults applied to the binds and
/// servers that do not set their own, and HAProxy's post-parse checks
/// (certificates present, protocol versions, verify without a CA file).
extension ParseSession {
    mutating func resolveTLS(_ configuration: inout Configuration) {
        let g = configuration.global.tls
        for f in configuration.frontends.indices {
            let name = configuration.frontends[f].name
            for b in configuration.frontends[f].binds.indices {
                var bind = configuration.frontends[f].binds[b]
                guard bind.tls.enabled else { continue }
                bind.tls.applyDefaults(g)
                checkBind(bind, proxy: name)
                configuration.frontends[f].binds[b] = bind
            }
        }
        for i in configuration.backends.indices {
            let backend = configuration.backends[i]
            let kind = drafts.first { $0.name == backend.name && ($0.kind == .backend || $0.kind == .listen) }?.kind ?? .backend
            for s in backend.servers.indices {
                var server = backend.servers[s]
                server.params.tls.applyDefaults(g)
                if server.params.tls.used {
                    checkServer(server, backend: backend.name, kind: kind.rawValue, global: g)
                }
                configuration.backends[i].servers[s] = server
            }
        }
    }

    private mutating func checkBind(_ bind: Bind, proxy: String) {
        let label = "Proxy '\(proxy)'"
        let what = "bind '\(bind.spec)'"
        if bind.tls.sources.isEmpty {
            alert(bind.location, "\(label): no SSL certificate specified for \(what) (use 'crt').")
        }
        let s = bind.tls.settings
        if s.verify.map({ $0 != .none }) ?? false, s.caFile == nil, s.caVerifyFile == nil {
            alert(bind.location, "\(label): verify is enabled but no CA file specified for \(what).")
        }
        reportVersions(TLSVersionCheck(bind.tls.settings.versions, bindSide: true), at: bind.location,
                       prefix: "\(label): ", subject: what)
    }

    /// HAProxy's messages for a server line: "'server B/S' : ..." with the
    /// proxy named by its kind.
    private mutating func checkServer(_ server: Server, backend: String, kind: String, global: GlobalTLS) {
        let prefix = "'server \(backend)/\(server.name)' : "
        let tls = server.params.tls
        if (tls.verify ?? global.serverVerify) == .required, tls.caFile == nil {
            if global.serverVerify == .required {
                alert(server.location, prefix + "verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.")
            } else {
                alert(server.location, prefix + "verify is enabled but no CA file specified.")
            }
        }
        let check = TLSVersionCheck(tls.versions, bindSide: false)
        if check.flagsIgnored {
            warning(server.location, prefix + "no-sslv3/no-tlsv1x are ignored for this server. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.")
        }
        let subject = "\(kind) '\(backend)': "
        if let hole = check.hole {
            warning(server.location, prefix + subject + "SSL/TLS versions range not contiguous for server '\(server.name)'. Hole find for \(hole.name). Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.")
        }
        if check.range == nil {
            alert(server.location, prefix + subject + "all SSL/TLS versions are disabled for server '\(server.name)'.")
        }
    }

    private mutating func reportVersions(_ check: TLSVersionCheck, at location: SourceLocation, prefix: String, subject: String) {
        if check.flagsIgnored {
            warning(location, prefix + "no-sslv3/no-tlsv1x are ignored for \(subject). Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.")
        }
        if let max = check.ambiguousMax {
            warning(location, prefix + "Ambiguous configuration for \(subject): the ssl-min-ver value is not configured and the ssl-max-ver value is lower than the default ssl-min-ver value (\(TLSVersionCheck.defaultBindMinimum.name)). Setting the ssl-min-ver to \(max.name). Use 'ssl-min-ver' to fix this.")
        }
        if let hole = check.hole {
            warning(location, prefix + "SSL/TLS versions range not contiguous for \(subject). Hole find for \(hole.name). Use only 'ssl-min-ver' and 'ssl-max-ver' to fix.")
        }
        if check.range == nil {
            alert(location, prefix + "all SSL/TLS versions are disabled for \(subject).")
        }
    }
}

extension BindTLS {
    /// `ssl-default-bind-*` for what the line does not set (HAProxy copies
    /// them when it reads `ssl`; flags add up).
    mutating func applyDefaults(_ g: GlobalTLS) {
        if settings.ciphers == nil { settings.ciphers = g.defaultBindCiphers }
        if settings.ciphersuites == nil { settings.ciphersuites = g.defaultBindCiphersuites }
        if settings.curves == nil { settings.curves = g.defaultBindCurves }
        settings.versions = settings.versions.over(g.defaultBindOptions.versions)
        if g.defaultBindOptions.noTLSTickets { noTLSTickets = true }
        if g.defaultBindOptions.preferClientCiphers { preferClientCiphers = true }
    }
}

extension ServerTLS {
    /// `ssl-default-server-*` for what the line does not set.
    mutating func applyDefaults(_ g: GlobalTLS) {
        if ciphers == nil { ciphers = g.defaultServerCiphers }
        if ciphersuites == nil { ciphersuites = g.defaultServerCiphersuites }
        versions = versions.over(g.defaultServerOptions.versions)
        if noTLSTickets == nil, g.defaultServerOptions.noTLSTickets { noTLSTickets = true }
    }
}

/// The protocol versions a filter leaves, computed as HAProxy 2.6 does for
/// a context: explicit bounds make the `no-*` flags ignored; a bind line
/// without `ssl-min-ver` starts at TLSv1.2 (a server line has no floor);
/// the range runs from the first enabled version to the last one.
public struct TLSVersionCheck: Equatable, Sendable {
    /// HAProxy 2.6's floor for bind lines.
    public static let defaultBindMinimum = TLSVersion.tls12
    /// What the TLS library offers (Debian's OpenSSL 3 has no SSLv3).
    public static let libraryVersions: Set<TLSVersion> = [.tls10, .tls11, .tls12, .tls13]

    /// nil: every version is disabled.
    public var range: ClosedRange<TLSVersion>?
    /// `no-*` given together with bounds (then ignored).
    public var flagsIgnored = false
    /// Set when a bind's `ssl-max-ver` is below the default floor and no
    /// `ssl-min-ver` is given: the minimum becomes this maximum.
    public var ambiguousMax: TLSVersion?
    /// The last disabled version inside the range (HAProxy warns once).
    public var hole: TLSVersion?

    public init(_ filter: TLSVersionFilter, bindSide: Bool, available: Set<TLSVersion> = TLSVersionCheck.libraryVersions) {
        var disabled = Set<TLSVersion>()
        if !filter.disabled.isEmpty && (filter.min != nil || filter.max != nil) {
            flagsIgnored = true
        } else {
            disabled = filter.disabled
        }
        var low = filter.min
        let high = filter.max
        if bindSide, low == nil {
            if let high, high < Self.defaultBindMinimum {
                ambiguousMax = high
                low = high
            } else {
                low = Self.defaultBindMinimum
            }
        }
        var first: TLSVersion? = nil, last: TLSVersion? = nil
        var pendingHole: TLSVersion? = nil
        for v in TLSVersion.allCases {
            let on = available.contains(v) && !disabled.contains(v) && (low.map { v >= $0 } ?? true)
                && (high.map { v <= $0 } ?? true)
            if on {
                if first == nil { first = v } else if let h = pendingHole { if hole == nil { hole = h }; pendingHole = nil }
                last = v
            } else if first != nil {
                pendingHole = v
            }
        }
        if let first, let last { range = first...last }
    }
}
