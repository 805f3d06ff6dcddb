/// A `peers NAME` section (HAProxy 2.6 manual 3.5): the nodes that keep
/// the stick tables naming it (`stick-table ... peers NAME`, and the
/// section's own `table` lines) in step over HAProxy's peers protocol.
public struct PeersSection: Equatable, Sendable {
    public var name: String
    public var location: SourceLocation
    /// `disabled`: the section is parsed and synchronizes nothing.
    public var disabled = false
    /// Every `peer` / `server` line in declaration order; the local one
    /// (named as the local peer) included.
    public var peers: [PeerEntry] = []
    /// `bind ADDR:PORT`: where the local peer listens, when its `server`
    /// line has no address (the 2.x form).
    public var bind: PeerAddress? = nil
    /// The section's `table NAME ...` lines, named `SECTION/NAME` as HAProxy
    /// names them (`show table`); `wireName` is NAME.
    public var tables: [StickTableDefinition] = []

    public init(name: String, location: SourceLocation) { self.name = name; self.location = location }

    /// The local peer's entry (`localPeer` being the node's peer name).
    public func local(_ localPeer: String) -> PeerEntry? { peers.first { $0.name == localPeer } }
    /// The remote peers, in declaration order.
    public func remotes(_ localPeer: String) -> [PeerEntry] { peers.filter { $0.name != localPeer } }
    /// Where the local peer listens: its own address, else `bind`'s.
    public func listenAddress(_ localPeer: String) -> PeerAddress? { local(localPeer)?.address ?? bind }
}

/// `peer NAME ADDR:PORT` or `server NAME [ADDR:PORT]`.
public struct PeerEntry: Equatable, Sendable {
    public var name: String
    public var address: PeerAddress?
    public var location: SourceLocation
    public init(name: String, address: PeerAddress?, location: SourceLocation) {
        self.name = name; self.address = address; self.location = location
    }
}

public struct PeerAddress: Equatable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public init(host: String, port: Int) { self.host = host; self.port = port }
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension StickTableDefinition {
    /// The name the peers protocol knows the table by (HAProxy's nid): a
    /// proxy's table by its name; a `peers` section's `table NAME`, known
    /// locally as `SECTION/NAME`, as `/NAME` (haproxy 2.6 skips the
    /// section's name but not the slash, and a peer must say the same).
    public var wireName: String {
        if let peers, name.hasPrefix(peers + "/") { return String(name.dropFirst(peers.count)) }
        return name
    }
}
