/// promex's per-object rules on top of "the row's value": states as one
/// labelled 0/1 line each, response classes labelled by code, times in
/// seconds, HTTP-only fields left out of tcp proxies, check metrics only for
/// servers whose check runs, and the backends' aggregated server states.
enum PrometheusValueRules {
    typealias Labels = [(String, String)]
    typealias Emit = (Labels, PrometheusValue) -> Void

    /// promex's frontend and backend states.
    static let proxyStates = ["DOWN", "UP"]
    /// promex_srv_st, in promex's order.
    static let serverStates = ["DOWN", "UP", "MAINT", "DRAIN", "NOLB"]
    /// The check statuses promex lists: those whose result is at least
    /// "failed" (HANA ... PROCOK), in HCHK_STATUS order.
    static let listedCheckStatuses = RuntimeCheckStatus.allCases.filter { $0.result >= 2 }

    /// Fields promex prints for HTTP proxies only.
    static let httpOnlyFrontend: Set<String> = [
        "req_rate_max", "req_tot", "intercepted", "cache_lookups", "cache_hits",
        "comp_in", "comp_out", "comp_byp", "comp_rsp",
    ]
    static let httpOnlyBackend: Set<String> = [
        "req_tot", "cache_lookups", "cache_hits", "comp_in", "comp_out", "comp_byp", "comp_rsp",
    ]
    /// Averages and maxima of the four timers, kept in ms, printed in seconds.
    static let timeFields: Set<String> = [
        "qtime", "ctime", "rtime", "ttime", "qtime_max", "ctime_max", "rtime_max", "ttime_max",
    ]

    static func responseCode(_ field: String) -> String? {
        guard field.hasPrefix("hrsp_") else { return nil }
        return String(field.dropFirst(5))
    }

    static func value(_ row: RuntimeStatRows.Row, _ field: String) -> RuntimeStatValue? {
        guard let i = RuntimeStatFields.index[field] else { return nil }
        return row.values[i]
    }

    static func frontend(_ metric: PrometheusMetrics.Stat, _ proxy: PrometheusProxyRows,
                         _ row: RuntimeStatRows.Row, _ emit: Emit) {
        let labels = [("proxy", proxy.proxy.name)]
        if metric.field == "status" {
            let up = proxy.proxy.frontend?.status != .stopped
            states(proxyStates, current: up ? "UP" : "DOWN", labels, emit)
            return
        }
        let code = responseCode(metric.field)
        if (code != nil || httpOnlyFrontend.contains(metric.field)) && !proxy.isHTTP { return }
        emit(code.map { labels + [("code", $0)] } ?? labels, PrometheusValue(value(row, metric.field)))
    }

    /// promex's listener states (li_status: WAITING, OPEN, FULL).
    static let listenerStates = ["WAITING", "OPEN", "FULL"]

    static func listener(_ metric: PrometheusMetrics.Stat, _ proxy: PrometheusProxyRows, _ listener: RuntimeSnapshot.Listener,
                         _ row: RuntimeStatRows.Row, _ emit: Emit) {
        let labels = [("proxy", proxy.proxy.name), ("listener", listener.name)]
        if metric.field == "status" {
            let full = listener.maxconn > 0 && listener.counters.sessionsCurrent >= listener.maxconn
            states(listenerStates, current: full ? "FULL" : "OPEN", labels, emit)
            return
        }
        emit(labels, PrometheusValue(value(row, metric.field)))
    }

    static func backend(_ metric: PrometheusMetrics.Stat, _ proxy: PrometheusProxyRows,
                        _ row: RuntimeStatRows.Row, _ emit: Emit) {
        let labels = [("proxy", proxy.proxy.name)]
        switch metric.field {
        case "agg_server_status", "agg_server_check_status":
            guard !proxy.members.isEmpty else { return }
            for state in serverStates {
                let count = proxy.members.filter { serverState($0) == state }.count
                emit(labels + [("state", state)], .integer(count))
            }
            return
        case "agg_check_status":
            guard !proxy.members.isEmpty else { return }
            for status in listedCheckStatuses {
                let count = proxy.members.filter { $0.check?.status == status }.count
                emit(labels + [("state", status.name)], .integer(count))
            }
            return
        case "status":
            let be = proxy.proxy.backend ?? RuntimeSnapshot.Backend()
            let farm = RuntimeFarm(proxy.members, allBackups: be.allBackups)
            let up = farm.totalWeight > 0 || proxy.members.isEmpty
            states(proxyStates, current: up ? "UP" : "DOWN", labels, emit)
            return
        default:
            break
        }
        if timeFields.contains(metric.field) {
            emit(labels, PrometheusValue(milliseconds: value(row, metric.field)))
            return
        }
        let code = responseCode(metric.field)
        if (code != nil || httpOnlyBackend.contains(metric.field)) && !proxy.isHTTP { return }
        emit(code.map { labels + [("code", $0)] } ?? labels, PrometheusValue(value(row, metric.field)))
    }

    /// False when the field is left out for the whole proxy (HTTP fields of a
    /// tcp proxy), so the caller stops at its first server.
    static func server(_ metric: PrometheusMetrics.Stat, _ proxy: PrometheusProxyRows, _ server: RuntimeSnapshot.Server,
                       _ row: RuntimeStatRows.Row, _ emit: Emit) -> Bool {
        let labels = [("proxy", proxy.proxy.name), ("server", server.name)]
        switch metric.field {
        case "status":
            states(serverStates, current: serverState(server), labels, emit)
        case "check_status":
            guard let check = server.check, check.enabled else { return true }
            for status in listedCheckStatuses {
                emit(labels + [("state", status.name)], .integer(check.status == status ? 1 : 0))
            }
        case "check_code":
            guard let check = server.check, check.enabled else { return true }
            emit(labels, check.status.hasCode ? check.code.map { .integer($0) } ?? .notANumber : .integer(0))
        case "check_duration":
            guard let check = server.check, check.status.hasDuration else { return true }
            emit(labels, check.duration.map { .milliseconds($0) } ?? .notANumber)
        case _ where timeFields.contains(metric.field):
            emit(labels, PrometheusValue(milliseconds: value(row, metric.field)))
        default:
            let code = responseCode(metric.field)
            if (code != nil || metric.field == "req_tot") && !proxy.isHTTP { return false }
            emit(code.map { labels + [("code", $0)] } ?? labels, PrometheusValue(value(row, metric.field)))
        }
        return true
    }

    static func states(_ names: [String], current: String, _ labels: Labels, _ emit: Emit) {
        for name in names { emit(labels + [("state", name)], .integer(name == current ? 1 : 0)) }
    }

    /// promex_srv_status(): UP (DRAIN when draining) while running, NOLB
    /// while stopping, else DOWN; maintenance wins over all.
    static func serverState(_ sv: RuntimeSnapshot.Server) -> String {
        if sv.admin.inMaintenance { return "MAINT" }
        switch sv.operational {
        case .up: return sv.admin.contains(.drain) ? "DRAIN" : "UP"
        case .stopping: return "NOLB"
        case .down: return "DOWN"
        }
    }
}
