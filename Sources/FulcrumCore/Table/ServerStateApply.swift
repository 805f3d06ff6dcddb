import FulcrumBytes
import FulcrumConfig

/// Applies server-state files to a new table as HAProxy 2.6's
/// apply_server_state() does: the global file (`server-state-file`) for
/// backends with `load-server-state-from-file global`, the backend's own
/// (`server-state-file-name`) for `local`, each under `server-state-base`.
/// Per server: operational state and health, admin state against the
/// configuration's, the run-time weight when the configured one did not
/// change, last change, check status, `disable health`, the port (the IP of
/// a server given as an IP literal is the configuration's, as in HAProxy).
/// Pure but for the table: files come through `read`, messages go back.
public struct ServerStateApply {
    public enum FileRead: Sendable { case text(String), failed(missing: Bool, reason: String) }
    public struct Message: Sendable, Equatable {
        public var notice: Bool
        public var text: String
    }

    let configuration: Configuration
    let table: SharedTable
    let index: TableIndex
    /// Wall-clock seconds (srv_time_since_last_change is relative to it).
    let now: UInt64
    public private(set) var messages: [Message] = []

    public init(configuration: Configuration, table: SharedTable, index: TableIndex, now: UInt64) {
        self.configuration = configuration; self.table = table; self.index = index; self.now = now
    }

    public mutating func run(read: (String) -> FileRead) {
        let g = configuration.global
        var global: [String: ServerStateFile.Entry]? = nil
        if let name = g.serverStateFile {
            let file = ServerStateFile.path(name, base: g.serverStateBase)
            if let entries = load(file, read: read, who: "config: ", what: "global server state file") {
                var tree: [String: ServerStateFile.Entry] = [:]
                for e in entries where tree["\(e.backendName) \(e.serverName)"] == nil { tree["\(e.backendName) \(e.serverName)"] = e }
                global = tree
            }
        }
        for (bi, b) in configuration.backends.enumerated() where !b.servers.isEmpty {
            switch b.serverStateLoad {
            case .none: continue
            case .global:
                guard let global else { continue }
                for (si, s) in b.servers.enumerated() {
                    if let e = global["\(b.name) \(s.name)"] { update(backend: bi, server: si, e) }
                }
            case .local:
                let file = ServerStateFile.path(b.serverStateFileName, base: g.serverStateBase)
                guard let entries = load(file, read: read, who: "Proxy '\(b.name)': ", what: "server state file",
                                         period: true) else { continue }
                var tree: [String: ServerStateFile.Entry] = [:]
                var order: [String] = []
                for e in entries {
                    let idMatches = Int(e.backendID) == b.id, nameMatches = e.backendName == b.name
                    if !idMatches && !nameMatches { continue }
                    if !idMatches {
                        warn("Proxy '\(b.name)': backend ID mismatch: from server state file: '\(e.backendID)', from running config '\(b.id)'")
                    } else if !nameMatches {
                        warn("Proxy '\(b.name)': backend name mismatch: from server state file: '\(e.backendName)', from running config '\(b.name)'")
                        if (Int(e.fields[15]) ?? 0) & 1 == 0 { continue }
                    }
                    if tree[e.serverName] == nil { tree[e.serverName] = e; order.append(e.serverName) }
                }
                for (si, s) in b.servers.enumerated() {
                    if let e = tree.removeValue(forKey: s.name) { update(backend: bi, server: si, e) }
                }
                for name in order where tree[name] != nil {
                    warn("Proxy '\(b.name)': can't find server '\(name)' in backend '\(b.name)'")
                }
            }
        }
    }

    private mutating func warn(_ text: String) { messages.append(Message(notice: false, text: text)) }

    /// Reads and parses one file; nil (with HAProxy's notice or warning) when it cannot be used.
    private mutating func load(_ file: String, read: (String) -> FileRead, who: String, what: String,
                               period: Bool = false) -> [ServerStateFile.Entry]? {
        let dot = period ? "." : ""
        switch read(file) {
        case .failed(_, let reason):
            // 2.6 warns whether the file is missing or unreadable (later versions: a notice when missing).
            warn("\(who)Can't open \(what) '\(file)': \(reason)\(dot)")
            return nil
        case .text(let text):
            switch ServerStateFile.parse(text) {
            case .empty:
                messages.append(Message(notice: true, text: "\(who)Empty \(what) '\(file)'."))
            case .noVersion:
                warn("\(who)Can't get version of the \(what) '\(file)'.")
            case .corrupted(let line):
                warn("\(who)corrupted \(what) '\(file)' at line \(line).")
            case .entries(let entries):
                return entries
            }
            return nil
        }
    }

    /// srv_state_srv_update() for one server.
    private mutating func update(backend bi: Int, server si: Int, _ e: ServerStateFile.Entry) {
        let b = configuration.backends[bi], s = b.servers[si]
        let p = Array(e.parameters)
        func int(_ i: Int) -> Int? { i < p.count ? Int(p[i]) : nil }
        var errors = ""
        let op = int(1)
        if op == nil || !(0...3).contains(op!) { errors += ", invalid srv_op_state value '\(p[1])'" }
        var admin = int(2) ?? -1
        if admin >= 0 { admin &= ~(0x10 | 0x02 | 0x20 | 0x40) }
        if ![0, 0x01, 0x04, 0x05, 0x0C, 0x08].contains(admin) { errors += ", invalid srv_admin_state value '\(p[2])'" }
        let uweight = int(3), iweight = int(4)
        if uweight == nil || uweight! < 0 || uweight! > 256 { errors += ", invalid srv_uweight value '\(p[3])'" }
        if iweight == nil || iweight! < 0 || iweight! > 256 { errors += ", invalid srv_iweight value '\(p[4])'" }
        let since = int(5)
        if since == nil { errors += ", invalid srv_last_time_change value '\(p[5])'" }
        let checkStatus = int(6)
        if checkStatus == nil || checkStatus! < 0 || checkStatus! >= RuntimeCheckStatus.allCases.count {
            errors += ", invalid srv_check_status value '\(p[6])'"
        }
        if int(7) == nil || !(0...4).contains(int(7)!) { errors += ", invalid srv_check_result value '\(p[7])'" }
        let health = int(8)
        if health == nil { errors += ", invalid srv_check_health value '\(p[8])'" }
        let checkState = int(9)
        if checkState == nil || checkState! & ~0x1F != 0 { errors += ", invalid srv_check_state value '\(p[9])'" }
        if int(10) == nil || int(10)! & ~0x1F != 0 { errors += ", invalid srv_agent_state value '\(p[10])'" }
        if ![0, 1].contains(int(11) ?? -1) { errors += ", invalid bk_f_forced_id value '\(p[11])'" }
        if ![0, 1].contains(int(12) ?? -1) { errors += ", invalid srv_f_forced_id value '\(p[12])'" }
        var port: Int? = nil
        if p.count > 14 {
            let value = Int(p[14].prefix { $0.isNumber }) ?? 0
            if value > 65535 { errors += ", invalid srv_port value '\(p[14])'" } else { port = value }
        }
        guard errors.isEmpty, let op, let uweight, let iweight, let since, let checkStatus, var health, let checkState else {
            warn("server-state application failed for server '\(b.name)/\(s.name)'\(errors)")
            return
        }
        let line = index.serverLine(backend: bi, server: si)
        let wasUp = table.server(line, .operational).load() != SharedTable.Operational.down.rawValue
        let wasInMaintenance = SharedTable.Admin(rawValue: table.server(line, .admin).load()).inMaintenance
        let rise = s.params.rise, fall = s.params.fall
        var operational = SharedTable.Operational.up
        switch op {
        case 0:
            health = 0; operational = .down
        case 1:
            if rise == 1 { health = rise + fall - 1 } else {
                if health < 1 || health >= rise { health = rise - 1 }
                operational = .down
            }
        case 3:
            if fall == 1 { health = 0; operational = .down } else {
                if health < rise || health > rise + fall - 2 { health = rise }
                operational = .stopping
            }
        default:
            health = rise + fall - 1
        }
        table.server(line, .checkHealth).store(UInt64(max(0, health)))
        if table.server(line, .operational).load() != operational.rawValue {
            table.server(line, .operational).store(operational.rawValue)
            if operational == .down { table.server(line, .checkDowns).bump() }
        }

        // Admin: the configuration wins where it changed; else the file's forced state.
        let fileConfig = admin & 0x04 != 0, fileForced = admin & 0x01 != 0, fileDrain = admin & 0x08 != 0
        let configDisabled = s.params.disabled
        var state = SharedTable.Admin(rawValue: table.server(line, .admin).load())
        state.remove([.configMaintenance, .forcedMaintenance, .drain])
        if fileConfig != configDisabled {
            // The configuration changed: it wins.
            if configDisabled { state.insert(.configMaintenance) }
        } else if fileForced && !configDisabled {
            state.insert(.forcedMaintenance)
        } else if fileForced && configDisabled {
            state.insert(.configMaintenance)
        }  // else: enabled at run time (or never disabled): ready
        if !state.inMaintenance && fileDrain && (iweight > 0 || s.params.weight == 0) { state.insert(.drain) }
        // `disable health`, the one check state a file carries over.
        if s.params.check && checkState & 0x02 != 0 && checkState & 0x04 == 0 { state.insert(.checksDisabled) }
        // `init-addr last` (haproxy's srv->lastaddr): a named server starts at the
        // file's address when no method before `last` gave it one.
        let methods = s.params.resolution.initAddr
        if let ip = IPAddress(String(p[0])), IPAddress(s.host) == nil, s.unix == nil,
           let k = methods.firstIndex(of: .last),
           !methods[..<k].contains(where: { if case .address = $0 { return true } else { return false } }),
           k == 0 || table.serverAddressIsNone(line) {
            table.setServerAddress(line, TableServerAddress(ip: ip, port: port ?? s.port ?? 0))
            state.remove(.resolutionMaintenance)
        }
        table.server(line, .admin).store(state.rawValue)
        // What HAProxy 2.6 logs while it applies the file.
        let backup = s.params.backup
        if state.contains(.drain) {
            warn(HealthLog.remainsInDrain(backend: b.name, server: s.name, backup: backup))
        } else if operational == .down && wasUp && !wasInMaintenance {
            let (active, backups) = table.usableServers(backend: bi, of: configuration, index: index)
            warn(HealthLog.stateChange(backend: b.name, server: s.name, backup: backup, to: .down, result: nil,
                                       reason: "changed from server-state after a reload", activeLeft: active,
                                       backupLeft: backups, sessionsActive: 0, requeued: 0, queued: 0))
        } else if wasInMaintenance && !state.inMaintenance {
            warn(HealthLog.leaveMaintenance(backend: b.name, server: s.name, backup: backup, up: operational != .down))
        }

        table.server(line, .lastChange).store(now >= UInt64(max(0, since)) ? now - UInt64(max(0, since)) : 0)
        if s.params.check { table.server(line, .checkStatus).store(UInt64(checkStatus)) }
        if iweight == s.params.weight { table.server(line, .weight).store(UInt64(uweight)) }
        if let port, port != (s.port ?? 0), let ip = IPAddress(s.host) ?? table.serverAddress(line)?.ip {
            table.setServerAddress(line, TableServerAddress(ip: ip, port: port))
        }
        // srv_use_ssl, where the server has TLS settings.
        if p.count > 16, s.params.tls.enabled, let use = Int(p[16]), (use != 0) != s.params.tls.enabled {
            table.setSSLOverride(line, use != 0)
        }
        // srv_check_port and srv_check_addr, as `set server check-addr|check-port` would.
        let checkPort = p.count > 17 ? Int(p[17]).flatMap { $0 == 0 ? nil : $0 } : nil
        let checkAddress = p.count > 18 && p[18] != "-" ? p[18] : nil
        if checkPort != nil || checkAddress != nil {
            guard s.params.check else {
                warn("server-state partially applied for server '\(b.name)/\(s.name)', health checks are not enabled on this server")
                return
            }
            if let checkAddress {
                guard let ip = IPAddress(checkAddress) else {
                    warn("server-state partially applied for server '\(b.name)/\(s.name)', invalid addr '\(checkAddress)'")
                    return
                }
                table.setCheckAddressOverride(line, ip)
            }
            table.setCheckPortOverride(line, checkPort ?? table.checkPortOverride(line))
        }
    }
}
