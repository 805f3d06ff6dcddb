import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// `track`: every 100 ms (the table has no events) each tracking server
/// takes the operational state of the server it follows, and its
/// maintenance as an inherited one (HAProxy propagates both at once when
/// the tracked server changes; here within a poll). Trackers are visited in
/// chain order, so a whole chain follows in one pass.
extension Checker {
    /// Tracking servers, each after the one it follows when that one tracks too.
    func trackingOrder() -> [ServerPosition] {
        var order: [ServerPosition] = [], placed: Set<ServerPosition> = []
        func place(_ p: ServerPosition) {
            guard !placed.contains(p), let via = configuration.backends[p.backend].servers[p.server].tracked else { return }
            placed.insert(p)
            place(via)
            order.append(p)
        }
        for (bi, b) in configuration.backends.enumerated() {
            for si in b.servers.indices { place(ServerPosition(backend: bi, server: si)) }
        }
        return order
    }

    func followTracked(_ trackers: [ServerPosition]) {
        for p in trackers {
            guard let via = configuration.backends[p.backend].servers[p.server].tracked else { continue }
            let line = index.serverLine(backend: p.backend, server: p.server)
            let viaLine = index.serverLine(backend: via.backend, server: via.server)
            let viaAdmin = SharedTable.Admin(rawValue: table.server(viaLine, .admin).load())
            let viaMaintenance = viaAdmin.inMaintenance || viaAdmin.contains(.inheritedMaintenance)
            let adminWord = table.server(line, .admin)
            let admin = SharedTable.Admin(rawValue: adminWord.load())
            if viaMaintenance != admin.contains(.inheritedMaintenance) {
                adminWord.store(viaMaintenance ? admin.union(.inheritedMaintenance).rawValue
                                               : admin.subtracting(.inheritedMaintenance).rawValue)
                // As HAProxy's srv_update_status: a server still running when it
                // enters maintenance has its health counter dropped to 0; one
                // already down keeps it (a tracker's stays at its rise).
                if viaMaintenance && table.server(line, .operational).load() != SharedTable.Operational.down.rawValue {
                    table.server(line, .checkHealth).store(0)
                }
            }
            let wanted = viaMaintenance ? SharedTable.Operational.down.rawValue : table.server(viaLine, .operational).load()
            let current = table.server(line, .operational).load()
            guard wanted != current else { continue }
            let wall = UInt64(WallClock.nowSeconds())
            let last = table.server(line, .lastChange).load()
            if wanted == SharedTable.Operational.up.rawValue && current == SharedTable.Operational.down.rawValue {
                table.server(line, .downtime).bump(by: wall >= last ? wall - last : 0)
                table.server(line, .upSince).store(UInt64(MonotonicClock.nowMilliseconds()))
            }
            if wanted == SharedTable.Operational.down.rawValue { table.server(line, .checkDowns).bump() }
            table.server(line, .operational).store(wanted)
            table.server(line, .lastChange).store(wall)
            guard !admin.inMaintenance, !viaMaintenance,
                  wanted != SharedTable.Operational.stopping.rawValue, current != SharedTable.Operational.stopping.rawValue
            else { continue }
            reportTracked(p, via: via, up: wanted == SharedTable.Operational.up.rawValue, line: line)
        }
    }

    /// HAProxy's "Server B/S is DOWN via B2/S2. ..." lines, at its levels.
    private func reportTracked(_ p: ServerPosition, via: ServerPosition, up: Bool, line: Int) {
        let b = configuration.backends[p.backend], s = b.servers[p.server]
        let (active, backup) = table.usableServers(backend: p.backend, of: configuration, index: index)
        var text = HealthLog.stateChange(backend: b.name, server: s.name, backup: s.params.backup, to: up ? .up : .down,
                                         result: nil, activeLeft: active, backupLeft: backup,
                                         sessionsActive: Int(table.server(line, .conns).load()), requeued: 0, queued: 0)
        let viaName = configuration.backends[via.backend].name + "/" + configuration.backends[via.backend].servers[via.server].name
        if let dot = text.firstRange(of: up ? " is UP" : " is DOWN") {
            text.insert(contentsOf: " via \(viaName)", at: dot.upperBound)
        }
        Log.warning(text)
        sendLog(text, level: up ? .notice : .alert, backend: p.backend)
        if !up && active == 0 && backup == 0 {
            let empty = HealthLog.noServerAvailable(backend: b.name, in: configuration)
            Log.alert(empty)
            sendLog(empty, level: .emerg, backend: p.backend)
        }
    }
}
