import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// `option external-check`: what the program of a target's check gets, read
/// at each check (the server's address and current connections may move).
extension Checker {
    func externalProgram(_ t: Target, _ external: ExternalCheck) -> ExternalProgram {
        let backend = configuration.backends[t.backend]
        let server = configuredServer(t)
        // The proxy's address is its first listener's (a listen section's own bind).
        var listener: (address: String, port: Int?)? = nil
        if let frontend = configuration.frontends.first(where: { $0.name == backend.name }),
           let first = frontend.binds.first?.addresses.first {
            switch first {
            case .inet(let host, let port): listener = (host, port)
            case .unix(let path): listener = (path, nil)
            case .abstract(let name): listener = (name, nil)
            case .inheritedFD: listener = nil
            }
        }
        var serverAddress = t.address.hostString, serverPort: Int? = t.address.port
        if let a = table.serverAddress(t.line) { serverAddress = a.ip.description; serverPort = a.port }
        else if let s = server, s.unix == nil, let p = s.port { serverPort = p }
        if let s = server, case .unix(let path)? = s.unix { serverAddress = path; serverPort = nil }
        let inputs = ExternalCheckCommand.Inputs(
            proxyName: backend.name, proxyID: backend.id, listener: listener,
            serverName: t.serverName, serverID: server?.id ?? 0, serverAddress: serverAddress, serverPort: serverPort,
            serverMaxconn: t.params.maxconn, serverCurrentConnections: Int(table.server(t.line, .conns).load()),
            serverProtocol: "tcp", serverSSL: t.params.tls.enabled, path: external.path)
        let inherited = configuration.global.externalCheck.preserveEnvironment ? ProcessSpawner.currentEnvironment() : []
        return ExternalProgram(command: external.command ?? "", arguments: ExternalCheckCommand.arguments(inputs),
                               environment: ExternalCheckCommand.environment(inputs, inherited: inherited),
                               searchPath: external.path)
    }
}
