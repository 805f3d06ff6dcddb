import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// `http-check send-state` (the request carries the server's state, as
/// HAProxy's httpchk_build_status_header writes it) and `http-check
/// disable-on-404` (a 404 from a server that is not DOWN puts it in NOLB;
/// the next plain success brings it back UP).
extension Checker {
    /// The check's configuration for this run: with send-state, its header appended.
    func requestConfig(_ t: Target) -> HealthCheckConfig {
        guard t.config.kind == .http, t.config.sendState else { return t.config }
        var c = t.config
        c.headers.append(HTTPHeaderField(name: HealthServerStateHeader.name, value: serverStateHeader(t)))
        return c
    }

    private func serverStateHeader(_ t: Target) -> String {
        let operational = table.server(t.line, .operational).load()
        let admin = SharedTable.Admin(rawValue: table.server(t.line, .admin).load())
        let state: HealthServerStateHeader.State = operational == SharedTable.Operational.down.rawValue ? .down
            : operational == SharedTable.Operational.stopping.rawValue ? .stopping : .up
        let snapshot = agentService.snapshot()
        let sv = snapshot.server(t.backendName, t.serverName)
        let members = snapshot.servers(of: t.backendName)
        // HAProxy's lbprm.tot_weight: the usable active servers', else the backups'.
        let active = members.filter { $0.usable && !$0.backup }
        let pool = active.isEmpty ? members.filter { $0.usable && $0.backup } : active
        let total = configuration.backends[t.backend].allBackups || !active.isEmpty ? pool.reduce(0) { $0 + $1.weight }
            : (pool.first?.weight ?? 0)
        let port = sv.map { $0.port }
        return HealthServerStateHeader(
            checking: !admin.contains(.checksDisabled), state: state,
            health: Int(table.server(t.line, .checkHealth).load()), rise: t.rise, fall: t.fall,
            address: sv?.address ?? "", port: port,
            backend: t.backendName, server: t.serverName,
            node: configuration.global.node ?? ProcessIdentity.hostName,
            weight: sv?.weight ?? 0, totalWeight: total,
            serverSessions: Int(table.server(t.line, .conns).load()),
            backendSessions: Int(table.backend(t.backend, .conns).load()), queued: 0).value
    }

    /// Whether a 404 may pass conditionally now (the server is not DOWN).
    func disableOn404(_ t: Target) -> Bool {
        t.config.kind == .http && t.config.disableOn404
            && table.server(t.line, .operational).load() != SharedTable.Operational.down.rawValue
    }

    /// After a check that changed nothing UP/DOWN: L7OKC takes an UP server to
    /// NOLB, a plain success takes a NOLB one back UP.
    func applyStopping(_ t: Target, _ result: CheckResult, now: Int64) {
        let word = table.server(t.line, .operational)
        let op = word.load()
        let admin = SharedTable.Admin(rawValue: table.server(t.line, .admin).load())
        guard !admin.inMaintenance else { return }
        if result.status == .l7okCondition && op == SharedTable.Operational.up.rawValue {
            word.store(SharedTable.Operational.stopping.rawValue)
            table.server(t.line, .lastChange).store(UInt64(WallClock.nowSeconds()))
            let (active, backup) = table.usableServers(backend: t.backend, of: configuration, index: index)
            let detailed = !configuration.backends[t.backend].logging.healthChecks
            let line = HealthLog.stopping(backend: t.backendName, server: t.serverName, backup: t.backup,
                                          result: detailed ? result : nil, activeLeft: active, backupLeft: backup,
                                          requeued: 0, queued: 0)
            Log.warning(line)
            sendLog(line, level: .notice, backend: t.backend)
        } else if result.status.passed && !result.status.conditional && op == SharedTable.Operational.stopping.rawValue {
            word.store(SharedTable.Operational.up.rawValue)
            table.server(t.line, .lastChange).store(UInt64(WallClock.nowSeconds()))
            let (active, backup) = table.usableServers(backend: t.backend, of: configuration, index: index)
            let detailed = !configuration.backends[t.backend].logging.healthChecks
            let line = HealthLog.stateChange(backend: t.backendName, server: t.serverName, backup: t.backup, to: .up,
                                             result: detailed ? result : nil, activeLeft: active, backupLeft: backup,
                                             sessionsActive: 0, requeued: 0, queued: 0)
            Log.warning(line)
            sendLog(line, level: .notice, backend: t.backend)
        }
    }
}
