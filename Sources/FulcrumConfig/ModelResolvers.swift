import FulcrumBytes

/// A `resolvers NAME` section (HAProxy 2.6 manual 5.3.2): the name servers
/// one resolution asks and the periods that pace it. Defaults are HAProxy's.
public struct ResolversSection: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    public var nameservers: [Nameserver] = []
    /// `parse-resolv-conf`: the daemon adds /etc/resolv.conf's name servers
    /// (reading a file is not the parser's business).
    public var parseResolvConf = false
    public var parseResolvConfLocation: SourceLocation? = nil
    /// `accepted_payload_size`: the UDP size an EDNS0 OPT record offers (512: none sent).
    public var acceptedPayloadSize = 512
    /// `resolve_retries`: queries sent for one resolution before it gives up.
    public var resolveRetries = 3
    /// `timeout resolve`: the period between two resolutions of a name; ms.
    public var timeoutResolve = 1000
    /// `timeout retry`: how long a query waits for its answer; ms.
    public var timeoutRetry = 1000
    public var hold = ResolverHold()
    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }
}

/// `hold <status> <period>`: how long the last valid answer is kept once
/// resolutions fail with that status (and, for `valid`, how often a name
/// that resolves is asked again); ms.
public struct ResolverHold: Equatable, Sendable {
    public var valid = 10_000
    public var nx = 30_000
    public var other = 30_000
    public var refused = 30_000
    public var timeout = 30_000
    public var obsolete = 0
    public init() {}
}

public struct Nameserver: Equatable, Sendable {
    public enum Transport: String, Sendable { case udp, tcp }
    public var name: String
    public var location: SourceLocation
    public var transport: Transport
    public var address: IPAddress
    public var port: Int
    public init(name: String, location: SourceLocation, transport: Transport, address: IPAddress, port: Int) {
        self.name = name; self.location = location; self.transport = transport; self.address = address; self.port = port
    }
}

/// A server's name resolution settings (`resolvers`, `resolve-prefer`,
/// `resolve-opts`, `resolve-net`, `init-addr`), inherited from `default-server`.
public struct ServerResolution: Equatable, Sendable {
    public enum Family: String, Sendable { case ipv4, ipv6 }
    public enum InitAddr: Equatable, Sendable {
        case last, libc, none
        case address(IPAddress)
    }
    public var resolvers: String? = nil
    /// HAProxy asks AAAA first unless told `resolve-prefer ipv4`.
    public var prefer = Family.ipv6
    public var allowDuplicateIP = false
    public var ignoreWeight = false
    public var networks: [IPNetwork] = []
    /// `init-addr`: tried in order at start; HAProxy's default is `last,libc`.
    public var initAddr: [InitAddr] = [.last, .libc]
    public init() {}
}
