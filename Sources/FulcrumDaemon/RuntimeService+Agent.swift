import FulcrumCore

/// The runtime API's agent check orders, written to the `AgentTable` the
/// checker reads before each agent check.
extension RuntimeService {
    func applyAgent(_ backend: String, _ server: String, _ order: AgentOrder, snapshot: RuntimeSnapshot) {
        guard let (_, _, line) = serverLine(backend, server), let sv = snapshot.server(backend, server) else { return }
        let agents = AgentTable(table)
        switch order {
        case .enable: agents.setFlag(line, .disabled, false)
        case .disable: agents.setFlag(line, .disabled, true)
        case .send(let text): agents.setSendOverride(line, text)
        case .address(let ip, let port):
            if let ip { agents.setAddressOverride(line, ip) }
            if let port { agents.setPortOverride(line, port) }
        case .health(let up):
            // HAProxy: the agent's health to its top or 0, and the server
            // running or stopped for the CLI (maintenance still wins).
            agents.word(line, .health).store(up ? 1 : 0)
            var change = RuntimeServerChange(sv)
            if up { if !sv.admin.inMaintenance { change.operational = .up } } else { change.operational = .down }
            if change != RuntimeServerChange(sv) { apply(change, snapshot: snapshot) }
        }
    }
}
