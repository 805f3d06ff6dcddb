import FulcrumConfig

extension SharedTable {
    /// A server takes new traffic: UP, neither in maintenance nor draining.
    /// The one definition the balancer, the checker's logs, the runtime API
    /// and VRRP's track_backend share.
    @inline(__always)
    public func serverTakesTraffic(_ line: Int) -> Bool {
        server(line, .admin).load() & Admin.trafficMask == 0
            && server(line, .operational).load() == Operational.up.rawValue
    }

    /// Servers of a backend that take traffic, for HAProxy's "N active and M
    /// backup servers left" and for track_backend.
    public func usableServers(backend bi: Int, of c: Configuration, index: TableIndex) -> (active: Int, backup: Int) {
        var active = 0, backup = 0
        for (si, s) in c.backends[bi].servers.enumerated() where serverTakesTraffic(index.serverLine(backend: bi, server: si)) {
            if s.params.backup { backup += 1 } else { active += 1 }
        }
        return (active, backup)
    }
}
