/// Text of the runtime API's answers, byte for byte as HAProxy 2.6 prints
/// them. Each function returns the command's own output; the CLI adds one
/// more "\n" after every answer (or "\n> " in prompt mode), see `RuntimeCLI`.
public enum RuntimeFormat {
    /// One process for `show proc` on the master CLI.
    public struct Process: Sendable, Equatable {
        /// `checker` is Fulcrum's own: the process that runs every health check.
        public enum Kind: Sendable, Equatable { case master, worker, checker, program(name: String) }
        public var pid: Int32
        public var kind: Kind
        public var reloads: Int
        /// Master only: reloads that failed.
        public var failedReloads = 0
        public var uptimeSeconds: Int
        public var version: String
        /// A worker or program of a previous generation still finishing its work.
        public var leaving = false
        /// Old workers: sessions they still hold (Fulcrum adds this after the version).
        public var remainingSessions: Int? = nil
        public init(pid: Int32, kind: Kind, reloads: Int, uptimeSeconds: Int, version: String, leaving: Bool = false) {
            self.pid = pid; self.kind = kind; self.reloads = reloads
            self.uptimeSeconds = uptimeSeconds; self.version = version; self.leaving = leaving
        }
    }

    static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    /// `show proc`: the master, then current workers, old workers, programs.
    public static func showProc(_ processes: [Process]) -> String {
        func uptime(_ up: Int) -> String {
            "\(up / 86400)d" + two((up % 86400) / 3600) + "h" + two((up % 3600) / 60) + "m" + two(up % 60) + "s"
        }
        func line(_ p: Process, _ type: String, _ reloads: String, _ version: String) -> String {
            pad(String(p.pid), 15) + " " + pad(type, 15) + " " + pad(reloads, 15) + " " + pad(uptime(p.uptimeSeconds), 15) + " " + pad(version, 15) + "\n"
        }
        var out = "#" + pad("<PID>", 14) + " " + pad("<type>", 15) + " " + pad("<reloads>", 15) + " " + pad("<uptime>", 15) + " " + pad("<version>", 15) + "\n"
        for p in processes where p.kind == .master {
            out += line(p, "master", "\(p.reloads) [failed: \(p.failedReloads)]", p.version)
        }
        out += "# workers\n"
        for p in processes where p.kind == .worker && !p.leaving { out += line(p, "worker", String(p.reloads), p.version) }
        let oldWorkers = processes.filter { $0.kind == .worker && $0.leaving }
        if !oldWorkers.isEmpty {
            out += "# old workers\n"
            for p in oldWorkers {
                var l = line(p, "worker", String(p.reloads), p.version)
                if let n = p.remainingSessions { l.removeLast(); l += " \(n) sessions\n" }
                out += l
            }
        }
        let checkers = processes.filter { $0.kind == .checker }
        if !checkers.isEmpty {
            out += "# checker\n"
            for p in checkers { out += line(p, "checker", String(p.reloads), p.version) }
        }
        out += "# programs\n"
        var oldPrograms: [Process] = []
        for p in processes {
            guard case .program(let name) = p.kind else { continue }
            if p.leaving { oldPrograms.append(p); continue }
            out += line(p, name, String(p.reloads), "-")
        }
        if !oldPrograms.isEmpty {
            out += "# old programs\n"
            for p in oldPrograms {
                if case .program(let name) = p.kind { out += line(p, name, String(p.reloads), "-") }
            }
        }
        return out
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    /// `show backend`.
    public static func showBackend(_ s: RuntimeSnapshot) -> String {
        var out = "# name\n"
        for p in s.proxies where p.backend != nil { out += p.name + "\n" }
        return out
    }

    /// `get weight`: "<current> (initial <configured>)".
    public static func getWeight(_ server: RuntimeSnapshot.Server) -> String {
        "\(server.userWeight) (initial \(server.initialWeight))\n"
    }

    /// `show cli level`.
    public static func showCLILevel(_ level: RuntimeLevel) -> String { level.name + "\n" }

    /// `show cli sockets`: every stats socket serves all workers ("all").
    public static func showCLISockets(_ s: RuntimeSnapshot) -> String {
        "# socket lvl processes\n" + s.info.cliSockets.map { $0 + " all\n" }.joined()
    }

    /// `show env [NAME]`: one variable, or all of them in the process's order.
    public static func showEnv(_ s: RuntimeSnapshot, name: String?) -> String {
        guard let name else { return s.info.environment.map { $0 + "\n" }.joined() }
        return s.info.environment.first { $0.hasPrefix(name + "=") }.map { $0 + "\n" } ?? "Variable not found\n"
    }

    /// `show version`.
    public static func showVersion(_ s: RuntimeSnapshot) -> String { s.info.version + "\n" }

    static let backendNotFound = "Can't find backend.\n"

    /// `show servers state [<backend>]`: format version 1, as HAProxy writes
    /// server-state files. Admin bits and operational states use HAProxy's
    /// numbers (SRV_ADMF_*, SRV_ST_*), check states CHK_ST_*.
    public static func showServersState(_ s: RuntimeSnapshot, backend: String?) -> String {
        if let backend, s.backend(named: backend) == nil { return backendNotFound }
        var out = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight "
            + "srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state "
            + "srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port "
            + "srv_check_addr srv_agent_addr srv_agent_port\n"
        for p in s.proxies where p.backend != nil && (backend == nil || p.name == backend) {
            for sv in s.servers(of: p.name) {
                let maintenance = sv.admin.inMaintenance || sv.tracking?.inheritedMaintenance == true
                let opState: Int
                if maintenance { opState = 0 } else {
                    switch sv.operational { case .down: opState = 0; case .up: opState = 2; case .stopping: opState = 3 }
                }
                var admin = 0
                if sv.admin.contains(.forcedMaintenance) { admin |= 0x01 }
                if sv.admin.contains(.configMaintenance) { admin |= 0x05 }
                if sv.admin.contains(.drain) { admin |= 0x08 }
                if sv.admin.contains(.resolutionMaintenance) { admin |= 0x20 }
                if sv.admin.contains(.fqdnChanged) { admin |= 0x40 }
                // Configured `disabled` stays marked once enabled at run time (a state file keeps it enabled).
                if sv.configuredDisabled { admin |= 0x04 }
                if sv.tracking?.inheritedMaintenance == true { admin |= 0x02 }
                var checkState = 0
                if let c = sv.check { checkState |= 0x02; if c.enabled { checkState |= 0x04 } }
                // Maintenance pauses a configured check; a config `disabled` marks it paused even without one.
                // A dynamic server's check has not run until `enable health`: nothing to pause.
                if maintenance && ((sv.check != nil && !(sv.dynamic && !(sv.check?.enabled ?? false)))
                                   || sv.admin.contains(.configMaintenance)) { checkState |= 0x08 }
                // A `disabled` server without a check keeps its paused mark.
                if sv.configuredDisabled && sv.check == nil { checkState |= 0x08 }
                let fields: [String] = [
                    String(p.iid), p.name, String(sv.sid), sv.name, sv.address, String(opState), String(admin),
                    String(sv.userWeight), String(sv.initialWeight), String(sv.lastChange),
                    String(sv.check?.status.rawValue ?? RuntimeCheckStatus.initializing.rawValue),
                    String(sv.check?.status.result ?? 0), String(sv.health), String(checkState), String(sv.agent?.stateBits ?? 0),
                    p.forcedID ? "1" : "0", sv.forcedID ? "1" : "0", sv.fqdn, String(sv.port), sv.srvRecord, sv.ssl ? "1" : "0",
                    String(sv.checkPort), sv.checkAddress, sv.agent?.address ?? "-", String(sv.agent?.port ?? 0),
                ]
                out += fields.joined(separator: " ") + "\n"
            }
        }
        return out
    }

    /// `show servers conn [<backend>]`. Fulcrum keeps no idle server
    /// connections, so the pool columns are HAProxy's values for an empty pool.
    public static func showServersConn(_ s: RuntimeSnapshot, backend: String?) -> String {
        if let backend, s.backend(named: backend) == nil { return backendNotFound }
        let threads = max(1, s.info.threads)
        var out = "# bkname/svname bkid/svid addr port - purge_delay used_cur used_max need_est unsafe_nb safe_nb idle_lim idle_cur idle_per_thr[\(threads)]\n"
        for p in s.proxies where p.backend != nil && (backend == nil || p.name == backend) {
            for sv in s.servers(of: p.name) {
                out += "\(p.name)/\(sv.name) \(p.iid)/\(sv.sid) \(sv.address) \(sv.port) - \(s.info.poolPurgeDelay) "
                    + "\(sv.counters.sessionsCurrent) \(sv.counters.sessionsMax) 0 0 0 -1 0"
                    + String(repeating: " 0", count: threads) + "\n"
            }
        }
        return out
    }

    /// `help [words]` for a session of the master or a worker.
    public static func help(topic: [String] = [], master: Bool) -> String {
        RuntimeHelp.usage(words: topic, help: true, master: master)
    }
}
