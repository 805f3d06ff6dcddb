/// A server by its backend's and its own index in the configuration.
public struct ServerPosition: Equatable, Hashable, Sendable {
    public var backend: Int
    public var server: Int
    public init(backend: Int, server: Int) { self.backend = backend; self.server = server }
}

/// `track [BACKEND/]SERVER`: resolved once every backend is read, in
/// HAProxy 2.6's order (srv_apply_track) and with its messages.
extension ParseSession {
    mutating func resolveTracking(_ configuration: inout Configuration) {
        for bi in configuration.backends.indices {
            for si in configuration.backends[bi].servers.indices {
                let server = configuration.backends[bi].servers[si]
                guard let text = server.params.track else { continue }
                let owner = "'server \(configuration.backends[bi].name)/\(server.name)'"
                var backendName = configuration.backends[bi].name, serverName = text
                if let slash = text.firstIndex(of: "/") {
                    backendName = String(text[..<slash]); serverName = String(text[text.index(after: slash)...])
                }
                guard let tb = configuration.backends.firstIndex(where: { $0.name == backendName }) else {
                    alert(server.location, "\(owner) : unable to find required proxy '\(backendName)' for tracking.")
                    continue
                }
                guard let ts = configuration.backends[tb].servers.firstIndex(where: { $0.name == serverName }) else {
                    alert(server.location, "\(owner) : unable to find required server '\(serverName)' for tracking.")
                    continue
                }
                let me = ServerPosition(backend: bi, server: si), target = ServerPosition(backend: tb, server: ts)
                // A chain of the links resolved so far that comes back here is a loop.
                var loop: ServerPosition? = target
                var steps = 0
                while let l = loop, l != me, steps < 10_000 {
                    loop = configuration.backends[l.backend].servers[l.server].tracked
                    steps += 1
                }
                let tracked = configuration.backends[tb].servers[ts]
                let trackedName = "\(backendName)/\(serverName)"
                if loop == me {
                    alert(server.location, "\(owner) : unable to track \(trackedName) as it belongs to a tracking chain looping back to \(configuration.backends[bi].name)/\(server.name).")
                    continue
                }
                if !tracked.params.check && !tracked.params.agent.enabled && tracked.params.track == nil {
                    alert(server.location, "\(owner) : unable to use \(trackedName) for tracking as it does not have any check nor agent enabled.")
                    continue
                }
                configuration.backends[bi].servers[si].tracked = target
            }
        }
    }
}
