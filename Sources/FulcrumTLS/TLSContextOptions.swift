/// What one TLS context is configured with: a `bind ... ssl` line's settings
/// (server role) or a `server ... ssl` line's (client role), already resolved
/// by the configuration (paths absolute, defaults from `ssl-default-*` applied).
public struct TLSContextOptions: Sendable {
    /// Lowest and highest protocol versions offered (nil: OpenSSL's bounds).
    public var minVersion: TLSVersion?
    public var maxVersion: TLSVersion?
    /// OpenSSL cipher list for TLSv1.2 and below (`ciphers`).
    public var ciphers: String?
    /// TLSv1.3 suites (`ciphersuites`).
    public var cipherSuites: String?
    /// Key exchange groups (`curves`), colon separated.
    public var curves: String?
    /// ALPN protocols in preference order (`alpn h2,http/1.1`). A server
    /// picks the first of these the client offered (HAProxy's order); a
    /// client offers them in this order.
    public var alpn: [String] = []
    /// Stateless session tickets (`no-tls-tickets` turns them off; sessions
    /// then resume from the context's cache).
    public var sessionTickets = true
    /// Peer certificate checking.
    public var verify: TLSVerifyMode = .none
    /// CA certificates to verify the peer with (`ca-file`); a server also
    /// names them in its certificate request.
    public var caFile: String?
    /// The CA certificates as PEM, instead of `caFile`'s contents (what the
    /// runtime API's `commit ssl ca-file` hands over).
    public var caPEM: [UInt8]?
    /// Verify against the system's default CA store (`ca-file @system-ca`).
    public var systemCAs = false
    /// `prefer-client-ciphers`: by default the server's cipher order wins.
    public var preferClientCiphers = false
    /// Server: an SNI the handler has no context for fails the handshake
    /// with `unrecognized_name` (`strict-sni`) instead of using this one.
    public var strictServerName = false
    /// Give a connection's 16-34 KiB record buffers back to the allocator
    /// whenever they are empty (SSL_MODE_RELEASE_BUFFERS): an idle connection
    /// then holds only its state (HAProxy and nginx do the same).
    public var releaseBuffers = true
    /// A peer that closes TCP without close_notify reads as a plain EOF
    /// (HAProxy's behaviour) instead of an error.
    public var ignoreUnexpectedEOF = true
    /// CA certificates to verify the peer with that a server does not name
    /// in its certificate request (`ca-verify-file`).
    public var caVerifyFile: String?
    /// Revoked certificates (`crl-file`): the peer's chain is checked
    /// against them, every level (HAProxy's CRL_CHECK | CRL_CHECK_ALL).
    public var crlFile: String?
    /// Server: name the CA file's subjects in the certificate request
    /// (`no-ca-names` turns it off).
    public var sendCANames = true
    /// Server: protocols announced with NPN (`npn`), TLSv1.2 and below.
    public var npn: [String] = []
    /// Server: how DHE is offered (nil: no DHE suites).
    public var diffieHellman: TLSDiffieHellman?
    /// Server: a DER OCSP response stapled when the client asks (`.ocsp`).
    public var ocspResponse: [UInt8]?
    /// Server: a SignedCertificateTimestampList sent when the client asks (`.sctl`).
    public var signedCertificateTimestamps: [UInt8]?
    /// Seconds a session stays resumable, also the ticket lifetime hint
    /// (`tune.ssl.lifetime` when written; nil: OpenSSL's 7200, as HAProxy leaves it).
    public var sessionLifetime: Int?
    /// The most plaintext bytes one send puts in a record (`tune.ssl.maxrecord`; 0: no limit).
    public var maxRecord = 0
    /// Server-side session cache entries (`tune.ssl.cachesize`; 0: OpenSSL's).
    public var sessionCacheSize = 0

    public init() {}
}
