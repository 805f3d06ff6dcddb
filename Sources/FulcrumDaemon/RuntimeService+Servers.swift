import FulcrumBytes
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// `add server` and `del server` on the shared table: a dynamic server takes
/// one of its backend's spare slots (reserved at load, `TableIndex`), its
/// definition text goes in the slot's definition line, and bumping the
/// backend's server-set word makes every worker and the checker re-read the
/// slots at their next use of the backend. HAProxy's texts.
extension RuntimeService {
    func addServer(backend: String, server: Server, definition: String, snapshot: RuntimeSnapshot) -> String {
        guard let bi = configuration.backends.firstIndex(where: { $0.name == backend }) else { return "No such backend." }
        guard let line = index.spareLines(backend: bi).first(where: { table.slot(line: $0) != .dynamic }) else {
            return "No free server slot in backend: Fulcrum reserves \(TableIndex.sparesPerBackend) per backend at load.\n"
        }
        if let refusal = DynamicServerTLS.refusal(server, configuration: configuration) { return refusal }
        guard definition.utf8.count <= SharedTable.definitionCapacity else {
            return "Server definition too long: Fulcrum keeps \(SharedTable.definitionCapacity) bytes of 'add server' arguments.\n"
        }
        let ip: IPAddress
        if let literal = IPAddress(server.host) {
            ip = literal
        } else if let resolved = SocketAddress.resolve(host: server.host, port: server.port ?? 0) {
            ip = resolved.ipAddress
        } else {
            return "could not resolve address '\(server.host)'.\n"
        }
        let servers = snapshot.servers(of: backend)
        if let id = server.params.id, servers.contains(where: { $0.sid == id }) {
            return "'id' : custom id \(id) already used.\n"
        }
        var id = server.params.id ?? 1
        if server.params.id == nil { while servers.contains(where: { $0.sid == id }) { id += 1 } }
        let order = index.spareLines(backend: bi).map { table.server($0, .addedOrder).load() }.max() ?? 0

        // A fresh line: nothing of a previous occupant stays (state, counters).
        table.clearServerLine(line)
        table.clearServerSettings(line)
        // First the new order: a worker whose entry was built from the slot's previous occupant stops using it.
        table.server(line, .addedOrder).store(order + 1)
        table.setServerAddress(line, TableServerAddress(ip: ip, port: server.port ?? 0))
        table.setDefinition(line, definition)
        table.server(line, .weight).store(UInt64(server.params.weight))
        table.server(line, .operational).store(SharedTable.Operational.up.rawValue)
        table.server(line, .lastChange).store(UInt64(WallClock.nowSeconds()))
        table.server(line, .dynamicID).store(UInt64(id))
        // HAProxy: a new server starts in maintenance unless `enabled`, its
        // checks stopped until `enable health`.
        var admin = SharedTable.Admin()
        let enabled = definition.split(separator: " ").last { $0 == "enabled" || $0 == "disabled" } == "enabled"
        if server.params.disabled { admin.insert([.configMaintenance, .forcedMaintenance]) } else if !enabled { admin.insert(.forcedMaintenance) }
        if server.params.check {
            admin.insert(.checksDisabled)
            table.server(line, .checkStatus).store(CheckStatus.initial.rawCode)
        }
        table.server(line, .admin).store(admin.rawValue)
        table.server(line, .slot).storeReleasing(SharedTable.Slot.dynamic.rawValue)
        table.backend(bi, .serverSet).add(1)
        if server.params.check { needsChecker?() }
        Log.notice("CLI : 'server \(backend)/\(server.name)' : New server registered.")
        return "New server registered.\n"
    }

    func deleteServer(backend: String, server: String) -> String {
        guard let (bi, _, line) = serverLine(backend, server) else { return "No such server." }
        table.server(line, .admin).store(table.server(line, .admin).load() | SharedTable.Admin.forcedMaintenance.rawValue)
        table.server(line, .slot).storeReleasing(SharedTable.Slot.deleted.rawValue)
        table.backend(bi, .serverSet).add(1)
        Log.notice("Server deleted.")
        return "Server deleted."
    }
}
