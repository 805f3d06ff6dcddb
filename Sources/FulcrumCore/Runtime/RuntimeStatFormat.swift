/// `show stat` filter with the proxy resolved: HAProxy's `<iid> <type> <sid>`
/// where -1 means all, `type` is a bitmask (1 frontend, 2 backend, 4 server),
/// and `sid` only restricts server rows.
public struct StatFilter: Sendable, Equatable {
    public var iid: Int
    public var type: Int
    public var sid: Int
    public static let frontends = 1, backends = 2, servers = 4, listeners = 8
    public init(iid: Int = -1, type: Int = -1, sid: Int = -1) { self.iid = iid; self.type = type; self.sid = sid }

    /// HAProxy's resolution of the proxy word: a proxy name first, else its
    /// number (atoi); nil when that gives 0 ("No such proxy.").
    public static func resolve(_ scope: StatScope, in snapshot: RuntimeSnapshot) -> StatFilter? {
        let iid = snapshot.proxy(named: scope.proxy)?.iid ?? RuntimeCommandLine.atoi(scope.proxy)
        if iid == 0 { return nil }
        return StatFilter(iid: iid, type: scope.type, sid: scope.sid)
    }
}

/// One value of a stats row; the printed type (u32, u64, s32, str) comes
/// from the field table.
enum RuntimeStatValue: Equatable {
    case int(Int)
    case string(String)
}

/// Rows of `show stat` built from a snapshot, then printed as CSV, typed or JSON.
enum RuntimeStatRows {
    enum Kind { case frontend, backend, server, listener
        var letter: String {
            switch self { case .frontend: return "F"; case .backend: return "B"; case .server: return "S"; case .listener: return "L" }
        }
        var objectType: String {
            switch self {
            case .frontend: return "Frontend"; case .backend: return "Backend"; case .server: return "Server"
            case .listener: return "Listener"
            }
        }
        var typeNumber: Int {
            switch self { case .frontend: return 0; case .backend: return 1; case .server: return 2; case .listener: return 3 }
        }
    }
    struct Row {
        let kind: Kind
        let iid: Int
        let id: Int
        var values: [RuntimeStatValue?]
    }

    static func rows(_ s: RuntimeSnapshot, filter: StatFilter?, visibility: StatServerVisibility) -> [Row] {
        let f = filter ?? StatFilter()
        var out: [Row] = []
        for proxy in s.proxies {
            if f.iid != -1 && proxy.iid != f.iid { continue }
            if let fe = proxy.frontend, f.type & StatFilter.frontends != 0 {
                out.append(frontendRow(proxy, fe, s))
            }
            if let fe = proxy.frontend, f.type & StatFilter.listeners != 0 {
                for l in fe.listeners { out.append(listenerRow(proxy, fe, l, s)) }
            }
            guard let be = proxy.backend else { continue }
            let members = s.servers(of: proxy.name)
            if f.type & StatFilter.servers != 0 {
                for sv in members {
                    if f.sid != -1 && sv.sid != f.sid { continue }
                    switch visibility {
                    case .all: break
                    case .noMaintenance: if sv.admin.inMaintenance { continue }
                    case .upOnly: if sv.admin.inMaintenance || sv.operational == .down { continue }
                    }
                    out.append(serverRow(proxy, sv, s))
                }
            }
            if f.type & StatFilter.backends != 0 {
                out.append(backendRow(proxy, be, members, s, visibility: visibility))
            }
        }
        return out
    }

    static func blank(_ kind: Kind, _ iid: Int, _ id: Int) -> Row {
        Row(kind: kind, iid: iid, id: id, values: Array(repeating: nil, count: RuntimeStatFields.all.count))
    }

    static func set(_ row: inout Row, _ name: String, _ v: Int?) {
        guard let v, let i = RuntimeStatFields.index[name] else { return }
        row.values[i] = .int(v)
    }
    static func set(_ row: inout Row, _ name: String, _ v: String) {
        guard let i = RuntimeStatFields.index[name] else { return }
        row.values[i] = .string(v)
    }

    static func common(_ row: inout Row, _ proxy: RuntimeSnapshot.Proxy, _ svname: String, _ s: RuntimeSnapshot) {
        set(&row, "pxname", proxy.name)
        set(&row, "svname", svname)
        set(&row, "pid", s.processNumber)
        set(&row, "iid", proxy.iid)
        set(&row, "sid", row.id)
        set(&row, "type", row.kind.typeNumber)
        set(&row, "mode", proxy.mode)
    }

    static let responseFields = ["hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other"]

    /// HAProxy 2.6's module fields after the "-" column: ssl (no TLS yet, so
    /// nothing happened there), h2 (Fulcrum speaks HTTP/1 only) and h1.
    static func moduleFields(_ row: inout Row, _ c: RuntimeSnapshot.Counters) {
        for name in ["ssl_sess", "ssl_reused_sess", "ssl_failed_handshake"] { set(&row, name, 0) }
        guard row.kind == .frontend || row.kind == .backend else { return }
        for i in RuntimeStatFields.standardCount..<RuntimeStatFields.all.count
        where RuntimeStatFields.all[i].name.hasPrefix("h2_") { row.values[i] = .int(0) }
        set(&row, "h1_open_connections", c.h1OpenConnections)
        set(&row, "h1_open_streams", c.h1OpenStreams)
        set(&row, "h1_total_connections", c.h1Connections)
        set(&row, "h1_total_streams", c.h1Streams)
        set(&row, "h1_bytes_in", c.h1BytesIn)
        set(&row, "h1_bytes_out", c.h1BytesOut)
        // mode http never splices.
        set(&row, "h1_spliced_bytes_in", 0)
        set(&row, "h1_spliced_bytes_out", 0)
    }

    /// The counters HAProxy 2.6 prints for the row's kind and mode (stats.c:
    /// stats_fill_{fe,be,sv}_stats); the HTTP ones only in mode http.
    static func counters(_ row: inout Row, _ c: RuntimeSnapshot.Counters, http: Bool) {
        set(&row, "scur", c.sessionsCurrent)
        set(&row, "smax", c.sessionsMax)
        set(&row, "stot", c.sessionsTotal)
        set(&row, "bin", c.bytesIn)
        set(&row, "bout", c.bytesOut)
        set(&row, "dresp", c.deniedResponses)
        set(&row, "rate", c.rate)
        set(&row, "rate_max", c.rateMax)
        set(&row, "wrew", c.failedRewrites)
        set(&row, "eint", c.internalErrors)
        moduleFields(&row, c)
        if http {
            for (i, name) in responseFields.enumerated() { set(&row, name, c.responses[i]) }
        }
        if row.kind != .server {
            set(&row, "dreq", c.deniedRequests)
            set(&row, "comp_in", c.compressedIn)
            set(&row, "comp_out", c.compressedOut)
            set(&row, "comp_byp", c.compressionBypassed)
            set(&row, "comp_rsp", c.compressedResponses)
            if http {
                set(&row, "cache_lookups", 0)
                set(&row, "cache_hits", 0)
            }
        }
        if row.kind == .frontend {
            set(&row, "ereq", c.requestErrors)
            set(&row, "req_rate", c.requestRate)
            set(&row, "req_rate_max", c.requestRateMax)
            set(&row, "req_tot", c.requestsTotal)
            set(&row, "conn_rate", c.connectionRate)
            set(&row, "conn_rate_max", c.connectionRateMax)
            set(&row, "conn_tot", c.connectionsTotal)
            set(&row, "dcon", c.deniedConnections)
            set(&row, "dses", c.deniedSessions)
            if http { set(&row, "intercepted", c.intercepted) }
            return
        }
        if http { set(&row, "req_tot", c.requestsTotal) }
        set(&row, "qcur", c.queueCurrent)
        set(&row, "qmax", c.queueMax)
        set(&row, "econ", c.connectErrors)
        set(&row, "eresp", c.responseErrors)
        set(&row, "wretr", c.retries)
        set(&row, "wredis", c.redispatches)
        set(&row, "lbtot", c.loadBalanced)
        set(&row, "cli_abrt", c.clientAborts)
        set(&row, "srv_abrt", c.serverAborts)
        set(&row, "lastsess", c.lastSession)
        set(&row, "qtime", c.queueTime)
        set(&row, "ctime", c.connectTime)
        set(&row, "rtime", c.responseTime)
        set(&row, "ttime", c.totalTime)
        set(&row, "qtime_max", c.queueTimeMax)
        set(&row, "ctime_max", c.connectTimeMax)
        set(&row, "rtime_max", c.responseTimeMax)
        set(&row, "ttime_max", c.totalTimeMax)
        set(&row, "connect", c.connectAttempts)
        set(&row, "reuse", c.reuses)
    }

    static func frontendRow(_ proxy: RuntimeSnapshot.Proxy, _ fe: RuntimeSnapshot.Frontend, _ s: RuntimeSnapshot) -> Row {
        var row = blank(.frontend, proxy.iid, 0)
        common(&row, proxy, "FRONTEND", s)
        counters(&row, fe.counters, http: proxy.mode == "http")
        set(&row, "slim", fe.maxconn)
        set(&row, "rate_lim", fe.rateLimit)
        set(&row, "status", fe.status.rawValue)
        return row
    }

    /// HAProxy 2.6's listener row (stats_fill_li_stats).
    static func listenerRow(_ proxy: RuntimeSnapshot.Proxy, _ fe: RuntimeSnapshot.Frontend, _ l: RuntimeSnapshot.Listener,
                            _ s: RuntimeSnapshot) -> Row {
        var row = blank(.listener, proxy.iid, l.sid)
        common(&row, proxy, l.name, s)
        let c = l.counters
        set(&row, "scur", c.sessionsCurrent)
        set(&row, "smax", c.sessionsMax)
        set(&row, "slim", l.maxconn)
        set(&row, "stot", c.sessionsTotal)
        set(&row, "bin", c.bytesIn)
        set(&row, "bout", c.bytesOut)
        set(&row, "dreq", c.deniedRequests)
        set(&row, "dresp", c.deniedResponses)
        set(&row, "ereq", c.requestErrors)
        set(&row, "status", fe.status.rawValue)
        set(&row, "addr", l.address)
        set(&row, "dcon", c.deniedConnections)
        set(&row, "dses", c.deniedSessions)
        set(&row, "wrew", c.failedRewrites)
        set(&row, "eint", c.internalErrors)
        moduleFields(&row, c)
        return row
    }

    static func serverRow(_ proxy: RuntimeSnapshot.Proxy, _ sv: RuntimeSnapshot.Server, _ s: RuntimeSnapshot) -> Row {
        var row = blank(.server, proxy.iid, sv.sid)
        common(&row, proxy, sv.name, s)
        counters(&row, sv.counters, http: proxy.mode == "http")
        set(&row, "srv_icur", sv.idleConnections)
        set(&row, "idle_conn_cur", sv.idleConnections)
        set(&row, "safe_conn_cur", 0)
        set(&row, "used_conn_cur", sv.counters.sessionsCurrent)
        // HAProxy's estimate of the connections a server needs counts what is
        // in use and kept idle, and the health check's own connection.
        set(&row, "need_conn_est", sv.counters.sessionsCurrent + sv.idleConnections + (sv.check != nil ? 1 : 0))
        if sv.maxconn > 0 { set(&row, "slim", sv.maxconn) }
        if sv.maxqueue > 0 { set(&row, "qlimit", sv.maxqueue) }
        set(&row, "status", serverStatus(sv))
        set(&row, "weight", sv.weight)
        set(&row, "uweight", sv.userWeight)
        set(&row, "act", sv.backup ? 0 : 1)
        set(&row, "bck", sv.backup ? 1 : 0)
        set(&row, "lastchg", sv.lastChange)
        set(&row, "addr", sv.addressAndPort)
        // A server in RMAINT shows no check, as haproxy 2.6 (its check is paused).
        if let check = sv.check, check.enabled, !sv.admin.contains(.resolutionMaintenance) {
            set(&row, "chkfail", check.failures)
            set(&row, "chkdown", sv.downTransitions)
            set(&row, "downtime", sv.downtime)
        }
        // HAProxy pauses checks in maintenance: their result columns stay empty.
        if let check = sv.check, check.enabled, !sv.admin.inMaintenance {
            set(&row, "check_status", (check.inProgress ? "* " : "") + check.status.name)
            if check.status.hasCode { set(&row, "check_code", check.code) }
            if check.status.hasDuration { set(&row, "check_duration", check.duration) }
            set(&row, "last_chk", check.info)
            set(&row, "check_desc", check.status.description)
            set(&row, "check_rise", sv.rise)
            set(&row, "check_fall", sv.fall)
            set(&row, "check_health", sv.health)
        }
        agentFields(&row, sv)
        if let t = sv.tracking { set(&row, "tracked", t.via) }
        return row
    }

    static func backendRow(_ proxy: RuntimeSnapshot.Proxy, _ be: RuntimeSnapshot.Backend, _ members: [RuntimeSnapshot.Server],
                           _ s: RuntimeSnapshot, visibility: StatServerVisibility) -> Row {
        var row = blank(.backend, proxy.iid, 0)
        common(&row, proxy, "BACKEND", s)
        counters(&row, be.counters, http: proxy.mode == "http")
        let farm = RuntimeFarm(members, allBackups: be.allBackups)
        var status = (farm.totalWeight > 0 || members.isEmpty) ? "UP" : "DOWN"
        if visibility != .all {
            let up = members.filter { !$0.admin.inMaintenance && $0.operational != .down }.count
            status += " (\(up)/\(members.count))"
        }
        set(&row, "slim", be.fullconn)
        set(&row, "status", status)
        set(&row, "weight", farm.totalWeight)
        set(&row, "uweight", farm.totalUserWeight)
        set(&row, "act", farm.activeCount)
        set(&row, "bck", farm.backupCount)
        set(&row, "chkdown", be.downTransitions)
        set(&row, "lastchg", be.lastChange)
        // HAProxy leaves a backend without servers without a downtime.
        if !members.isEmpty { set(&row, "downtime", be.downtime) }
        set(&row, "algo", be.algorithm)
        // HAProxy 2.6 prints these three as 0 in show stat (only its
        // Prometheus exporter aggregates server states).
        set(&row, "agg_server_status", 0)
        set(&row, "agg_server_check_status", 0)
        set(&row, "agg_check_status", 0)
        return row
    }

    /// HAProxy 2.6's server status text (stats_fill_sv_stats()).
    static func serverStatus(_ sv: RuntimeSnapshot.Server) -> String {
        if sv.admin.contains(.resolutionMaintenance) { return "MAINT (resolution)" }
        if sv.admin.inMaintenance { return "MAINT" }
        if let t = sv.tracking, t.inheritedMaintenance { return "MAINT (via \(t.via))" }
        if let agentStatus = agentStatus(sv) { return agentStatus }
        // A tracking server shows the health of the end of its chain (HAProxy's `ref`).
        let checking = sv.tracking?.rootChecking ?? sv.check?.enabled ?? false
        let health = sv.tracking?.rootHealth ?? sv.health
        let rise = sv.tracking?.rootRise ?? sv.rise, fall = sv.tracking?.rootFall ?? sv.fall
        let full = rise + fall - 1
        func counts(stopped: Bool) -> String {
            stopped ? "\(health)/\(rise)" : "\(health - rise + 1)/\(fall)"
        }
        switch sv.operational {
        case .up:
            let goingDown = checking && health < full
            if sv.admin.contains(.drain) { return goingDown ? "DRAIN " + counts(stopped: false) : "DRAIN" }
            if goingDown { return "UP " + counts(stopped: false) }
            return checking ? "UP" : "no check"
        case .stopping:
            if !checking || health == full { return "NOLB" }
            return "NOLB " + counts(stopped: false)
        case .down:
            if checking && health > 0 { return "DOWN " + counts(stopped: true) }
            return "DOWN"
        }
    }
}

/// The usable part of a backend's farm as HAProxy's recount_servers() and
/// update_backend_weight() see it: active servers while any is usable, else
/// the first usable backup (or all of them with `option allbackups`).
struct RuntimeFarm {
    var activeCount = 0
    var backupCount = 0
    var totalWeight = 0
    var totalUserWeight = 0

    init(_ members: [RuntimeSnapshot.Server], allBackups: Bool) {
        var activeWeight = 0, activeUser = 0, backupWeight = 0, backupUser = 0
        var firstBackup: RuntimeSnapshot.Server?
        for sv in members where sv.usable {
            if sv.backup {
                if backupCount == 0 && !allBackups { firstBackup = sv }
                backupCount += 1; backupWeight += sv.weight; backupUser += sv.userWeight
            } else {
                activeCount += 1; activeWeight += sv.weight; activeUser += sv.userWeight
            }
        }
        if activeCount > 0 {
            totalWeight = activeWeight; totalUserWeight = activeUser
        } else if let first = firstBackup {
            totalWeight = first.weight; totalUserWeight = first.userWeight
        } else {
            totalWeight = backupWeight; totalUserWeight = backupUser
        }
    }
}

extension RuntimeFormat {
    /// `show stat`: CSV with HAProxy 2.6's header, `typed` lines, or JSON.
    /// Proxies in snapshot order; for each, its FRONTEND row, its servers, its
    /// BACKEND row.
    public static func showStat(_ s: RuntimeSnapshot, format: StatFormat, filter: StatFilter? = nil,
                                visibility: StatServerVisibility = .all) -> String {
        let rows = RuntimeStatRows.rows(s, filter: filter, visibility: visibility)
        switch format {
        case .csv: return csv(rows)
        case .typed: return typed(rows, process: s.processNumber)
        case .json: return json(rows, process: s.processNumber)
        }
    }

    static func csv(_ rows: [RuntimeStatRows.Row]) -> String {
        var out = RuntimeStatFields.csvHeader
        for row in rows {
            for (i, v) in row.values.enumerated() {
                if i == RuntimeStatFields.standardCount { out += "-," }
                switch v {
                case nil: break
                case .int(let n)?: out += String(n)
                case .string(let t)?: out += csvQuoted(t)
                }
                out += ","
            }
            out += "\n"
        }
        return out
    }

    /// HAProxy quotes a CSV string only when it holds a comma, quote, CR or LF.
    static func csvQuoted(_ t: String) -> String {
        guard t.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return t }
        var out = "\""
        for ch in t { out += ch == "\"" ? "\"\"" : String(ch) }
        return out + "\""
    }

    static func tag(_ row: RuntimeStatRows.Row, _ i: Int) -> String? {
        let f = RuntimeStatFields.all[i]
        switch row.kind {
        case .frontend: return f.frontend
        case .backend: return f.backend
        case .server: return f.server
        case .listener: return RuntimeStatFields.listenerTags[f.name]
        }
    }

    static func typed(_ rows: [RuntimeStatRows.Row], process: Int) -> String {
        var out = ""
        for row in rows {
            for (i, v) in row.values.enumerated() {
                guard let v, let tag = tag(row, i) else { continue }
                out += "\(row.kind.letter).\(row.iid).\(row.id).\(i).\(RuntimeStatFields.all[i].name).\(process):\(tag):"
                switch v {
                case .int(let n): out += String(n)
                case .string(let t): out += t
                }
                out += "\n"
            }
        }
        return out
    }

    static func json(_ rows: [RuntimeStatRows.Row], process: Int) -> String {
        var objects: [String] = []
        for row in rows {
            var fields: [String] = []
            for (i, v) in row.values.enumerated() {
                guard let v, let tag = tag(row, i) else { continue }
                fields.append("{\"objType\":\"\(row.kind.objectType)\",\"proxyId\":\(row.iid),\"id\":\(row.id),"
                    + "\"field\":{\"pos\":\(i),\"name\":\"\(RuntimeStatFields.all[i].name)\"},\"processNum\":\(process),"
                    + jsonTagsAndValue(tag, v) + "}")
            }
            objects.append("[" + fields.joined(separator: ",") + "]")
        }
        return "[" + objects.joined(separator: ",") + "]\n"
    }

    /// `"tags":{...},"value":{...}` for a tag such as "MCP:u64".
    static func jsonTagsAndValue(_ tag: String, _ v: RuntimeStatValue) -> String {
        let c = Array(tag)
        let type = String(tag.dropFirst(4))
        let value: String
        switch v {
        case .int(let n): value = String(n)
        case .string(let t): value = jsonString(t)
        }
        return "\"tags\":{\"origin\":\"\(RuntimeStatFields.origin(c[0]))\",\"nature\":\"\(RuntimeStatFields.nature(c[1]))\","
            + "\"scope\":\"\(RuntimeStatFields.scope(c[2]))\"},\"value\":{\"type\":\"\(type)\",\"value\":\(value)}"
    }

    static func jsonString(_ t: String) -> String {
        var out = "\""
        for u in t.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
