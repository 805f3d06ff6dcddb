import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// Checks of servers added at run time: every 200 ms the checker compares
/// each backend's server-set word with what it saw, and on a change
/// re-reads the spare slots: a new server with `check` gets a target (its
/// checks wait for `enable health`, as HAProxy's do: the admin word says so),
/// a deleted one's target is retired.
extension Checker {
    func scanDynamicServers(now: Int64) {
        for bi in configuration.backends.indices where index.spareServers[bi] > 0 {
            let set = table.backend(bi, .serverSet).loadAcquiring()
            guard set != serverSetSeen[bi] else { continue }
            serverSetSeen[bi] = set
            for line in index.spareLines(backend: bi) {
                let present = table.slot(line) == .dynamic
                let order = table.server(line, .addedOrder).load()
                if let t = targets.first(where: { $0.line == line && !$0.retired }) {
                    if present && t.addedOrder == order { continue }
                    retire(t)
                }
                guard present,
                      case .success(let server) = DynamicServer.parse(table.definition(line), mode: configuration.backends[bi].mode),
                      server.params.check, let a = table.serverAddress(line) else { continue }
                let t = makeTarget(backend: bi, line: line, server: server, address: SocketAddress(a.ip, port: a.port))
                t.addedOrder = order
                t.next = now + Int64(server.params.inter)
                precondition(t.index == targets.count, "check targets are indexed by their slot")
                targets.append(t)
                arm(t)
            }
        }
    }

    /// A deleted server's target: its probe is dropped and it is never armed again.
    private func retire(_ t: Target) {
        t.retired = true
        if t.probe != nil && !t.agent { AgentTable(table).setFlag(t.line, .checkInProgress, false) }
        t.probe?.close()
        t.probe = nil
        probeSlots.invalidate(t.index)
    }
}
