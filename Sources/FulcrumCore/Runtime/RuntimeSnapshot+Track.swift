import FulcrumConfig

extension RuntimeSnapshot {
    /// A tracking server (`track`) as the stats show it: HAProxy's `via`
    /// (the server it follows) and `ref` (the end of the chain, whose check
    /// decides the status words).
    public struct Tracking: Sendable, Equatable {
        public var via: String
        public var rootChecking: Bool
        public var rootHealth: Int
        public var rootRise: Int
        public var rootFall: Int
        /// The followed server is in maintenance (HAProxy's SRV_ADMF_IMAINT).
        public var inheritedMaintenance: Bool
    }
}

extension SharedTable.Admin {
    /// A tracked server's maintenance, inherited by its trackers (written by
    /// the checker); not a traffic bit: the tracker's operational state is
    /// down meanwhile.
    public static let inheritedMaintenance = SharedTable.Admin(rawValue: 512)
}

extension Configuration {
    /// The end of a tracking chain from `start` (bounded: validation refuses loops).
    public func trackRoot(_ start: ServerPosition) -> ServerPosition {
        var p = start
        for _ in 0..<1024 {
            guard let next = backends[p.backend].servers[p.server].tracked else { break }
            p = next
        }
        return p
    }
}

extension RuntimeSnapshotReader {
    func trackingView(line: Int, config srv: Server) -> RuntimeSnapshot.Tracking? {
        guard let via = srv.tracked else { return nil }
        let root = configuration.trackRoot(via)
        let rootServer = configuration.backends[root.backend].servers[root.server]
        let rootLine = index.serverLine(backend: root.backend, server: root.server)
        let rootAdmin = SharedTable.Admin(rawValue: table.server(rootLine, .admin).load())
        return RuntimeSnapshot.Tracking(
            via: configuration.backends[via.backend].name + "/" + configuration.backends[via.backend].servers[via.server].name,
            rootChecking: rootServer.params.check && !rootAdmin.contains(.checksDisabled),
            rootHealth: Int(table.server(rootLine, .checkHealth).load()),
            rootRise: rootServer.params.rise, rootFall: rootServer.params.fall,
            inheritedMaintenance: SharedTable.Admin(rawValue: table.server(line, .admin).load()).contains(.inheritedMaintenance))
    }
}
