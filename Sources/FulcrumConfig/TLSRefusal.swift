/// What of TLS the workers serve: TLS termination on `bind` lines with
/// certificates (files, directories, crt-lists, the `.key`/`.ocsp`/`.issuer`/
/// `.sctl` files beside them), SNI selection, ALPN and NPN, ciphers, curves,
/// DH parameters, protocol versions, tickets (derived or from a
/// `tls-ticket-keys` file), client certificates with CA and CRL files; TLS to
/// servers (verify, CA and CRL files, client certificate, SNI, ALPN,
/// versions, session reuse, health checks over TLS with their own ALPN); the
/// global defaults, bases and tunables those take. What stays out (0-RTT,
/// generated certificates, certificate bundles) is refused at load, each at
/// its own file:line:column and saying why: a TLS setting accepted and then
/// not served would be a listener or a server spoken to other than configured.
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
        "crl-file", "ca-verify-file", "no-ca-names", "tls-ticket-keys", "npn",
    ]
    static let servedGlobalTLS: Set<String> = [
        "ca-base", "crt-base", "ssl-default-bind-ciphers", "ssl-default-bind-ciphersuites", "ssl-default-bind-curves",
        "ssl-default-bind-options", "ssl-default-server-ciphers", "ssl-default-server-ciphersuites",
        "ssl-default-server-options", "ssl-server-verify", "tune.ssl.cachesize", "tune.ssl.default-dh-param",
        "ssl-dh-param-file", "tune.ssl.lifetime", "tune.ssl.maxrecord", "ssl-load-extra-files",
    ]
    /// TLS to servers, for their traffic and their health checks.
    static let servedServerTLS: Set<String> = [
        "ssl", "no-ssl", "verify", "ca-file", "crt", "sni", "verifyhost", "no-verifyhost", "alpn", "ciphers", "ciphersuites",
        "ssl-min-ver", "ssl-max-ver", "no-sslv3", "no-tlsv10", "no-tlsv11", "no-tlsv12", "no-tlsv13", "force-sslv3",
        "force-tlsv10", "force-tlsv11", "force-tlsv12", "force-tlsv13", "ssl-reuse", "no-ssl-reuse", "tls-tickets",
        "no-tls-tickets", "no-check-ssl", "check-ssl", "check-sni", "crl-file", "check-alpn",
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
                alert(use.location, TLSRefusedReasons.byKeyword[use.keyword]
                      ?? "'\(use.keyword)' is parsed but TLS is not supported yet (the workers do not serve it)")
            }
        }
    }
}

/// Why what stays refused is left out: the message at the keyword (bind
/// line, or crt-list line when the workers build the bind).
public enum TLSRefusedReasons {
    public static let byKeyword: [String: String] = [
        "allow-0rtt": "'allow-0rtt' is not supported: Fulcrum does not accept TLS 1.3 early data (0-RTT requests can be replayed by an attacker, and HAProxy itself forwards them only with care); remove it, clients then send the request after the handshake",
        "generate-certificates": "'generate-certificates' is not supported: Fulcrum does not forge certificates on the fly (every worker would need the signing CA's private key); list the certificates with 'crt' or 'crt-list'",
    ]
}
