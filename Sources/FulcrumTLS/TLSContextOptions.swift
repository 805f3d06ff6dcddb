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
    /// Server-side session cache entries (`tune.ssl.cachesize`; 0: OpenSSL's).
    public var sessionCacheSize = 0

    public init() {}
}
