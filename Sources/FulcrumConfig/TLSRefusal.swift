/// What of TLS the workers serve: TLS termination on `bind` lines with
/// certificates (files, directories, crt-lists), SNI selection, ALPN,
/// ciphers, curves, protocol versions, tickets and client certificates; TLS
/// to servers (verify, CA, client certificate, SNI, ALPN, versions, session
/// reuse, health checks over TLS); the global defaults and bases those take.
/// Everything else (CRLs, OCSP, ticket key files, DH parameters, 0-RTT,
/// check-alpn...) is refused at load,
/// each at its own file:line:column: a TLS setting accepted and then not
/// served would be a listener or a server spoken to other than configured.
/// Which TLS keywords a parse accepts.
public enum TLSServing: Sendable {
    /// None: every TLS keyword is refused at its line.
    case none
    /// What the workers serve (the daemon's loads).
    case workers
    /// Every keyword, for the model alone (tests of the parser).
    case all
}

extension ParseSession {
    static let servedBindTLS: Set<String> = [
        "ssl", "crt", "crt-list", "alpn", "ciphers", "ciphersuites", "curves", "ecdhe", "ssl-min-ver", "ssl-max-ver",
        "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "force-sslv3", "force-tlsv10", "force-tlsv11",
        "force-tlsv12", "force-tlsv13", "strict-sni", "no-tls-tickets", "prefer-client-ciphers", "verify", "ca-file",
    ]
    static let servedGlobalTLS: Set<String> = [
        "ca-base", "crt-base", "ssl-default-bind-ciphers", "ssl-default-bind-ciphersuites", "ssl-default-bind-curves",
        "ssl-default-bind-options", "ssl-default-server-ciphers", "ssl-default-server-ciphersuites",
        "ssl-default-server-options", "ssl-server-verify", "tune.ssl.cachesize",
    ]
    /// TLS to servers, for their traffic and their health checks (check-alpn aside).
    static let servedServerTLS: Set<String> = [
        "ssl", "no-ssl", "verify", "ca-file", "crt", "sni", "verifyhost", "no-verifyhost", "alpn", "ciphers", "ciphersuites",
        "ssl-min-ver", "ssl-max-ver", "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "force-sslv3",
        "force-tlsv10", "force-tlsv11", "force-tlsv12", "force-tlsv13", "ssl-reuse", "no-ssl-reuse", "tls-tickets",
        "no-tls-tickets", "no-check-ssl", "check-ssl", "check-sni",
    ]

    mutating func refuseUnservedTLS() {
        var seen = Set<SourceLocation>()
        for use in tlsUses where seen.insert(use.location).inserted {
            let served: Bool
            switch (tlsServing, use.place) {
            case (.all, _): served = true
            case (.none, _): served = false
            case (.workers, .bind): served = Self.servedBindTLS.contains(use.keyword)
            case (.workers, .global): served = Self.servedGlobalTLS.contains(use.keyword)
            case (.workers, .server): served = Self.servedServerTLS.contains(use.keyword)
            }
            if !served {
                alert(use.location, "'\(use.keyword)' is parsed but TLS is not supported yet (the workers do not serve it)")
            }
        }
    }
}
