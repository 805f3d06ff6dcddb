/// `socks4 ADDR:PORT` on a server: every new connection to the server goes
/// through this SOCKS4 proxy (HAProxy 2.6 sends a CONNECT for the server's
/// address and port and waits for the granted reply); `check-via-socks4`
/// sends the health checks the same way.
public struct SOCKS4Proxy: Equatable, Sendable {
    /// The proxy's host as written (an address, or a name resolved at startup
    /// as HAProxy resolves it while parsing).
    public var host: String
    public var port: Int
    public init(host: String, port: Int) { self.host = host; self.port = port }
}

extension ServerParams {
    /// `socks4 ADDR:PORT`; nil: connections go straight to the server.
    public var socks4: SOCKS4Proxy? {
        get { socksSettings.proxy }
        set { socksSettings.proxy = newValue }
    }
    /// `check-via-socks4`: checks go through the `socks4` proxy too (HAProxy
    /// ignores it on a server without `socks4`).
    public var checkViaSocks4: Bool {
        get { socksSettings.checks }
        set { socksSettings.checks = newValue }
    }
}

/// Both SOCKS4 settings of a server line, kept as one stored property.
public struct ServerSOCKS4Settings: Equatable, Sendable {
    public var proxy: SOCKS4Proxy? = nil
    public var checks = false
    public init() {}
}
