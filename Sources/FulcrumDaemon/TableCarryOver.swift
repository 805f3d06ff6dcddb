import FulcrumConfig
import FulcrumCore

/// On reload, the new generation's table starts from the old one's state,
/// matched by name: server health, admin state, runtime weights, check
/// results and slowstart progress per backend/server; cumulative counters of
/// proxies and servers into the history block. A DOWN server stays DOWN until
/// its next check; checks go on from their health counter.
enum TableCarryOver {
    /// State words by name. Counters go separately (`totals` + `addLate`), from
    /// one snapshot that is also the baseline for what the old generation
    /// counts afterwards, so no session falls between two reads.
    static func copy(from old: SharedTable, _ oldConfig: Configuration, to new: SharedTable, _ newConfig: Configuration) {
        let oi = TableIndex(oldConfig), ni = TableIndex(newConfig)
        var oldServers: [String: (line: Int, params: ServerParams)] = [:]
        for (bi, b) in oldConfig.backends.enumerated() {
            for (si, s) in b.servers.enumerated() { oldServers["\(b.name)/\(s.name)"] = (oi.serverLine(backend: bi, server: si), s.params) }
        }
        let serverFields: [SharedTable.ServerField] = [.operational, .lastChange, .checkStatus, .checkCode, .checkDuration,
                                                       .downtime, .checkHealth, .lastCheck, .checkFailures, .checkDowns,
                                                       .upSince, .maxConns]
        for (bi, b) in newConfig.backends.enumerated() {
            for (si, s) in b.servers.enumerated() {
                guard let o = oldServers["\(b.name)/\(s.name)"] else { continue }
                let line = ni.serverLine(backend: bi, server: si)
                for f in serverFields { new.server(line, f).store(old.server(o.line, f).load()) }
                // Runtime admin state carries over; the config's `disabled` is the new file's.
                let oldAdmin = old.server(o.line, .admin).load() & ~SharedTable.Admin.configMaintenance.rawValue
                let configAdmin = s.params.disabled ? SharedTable.Admin.configMaintenance.rawValue : 0
                new.server(line, .admin).store(oldAdmin | configAdmin)
                // A weight set at runtime survives; a weight changed in the file applies.
                let oldWeight = old.server(o.line, .weight).load()
                if oldWeight != UInt64(o.params.weight) && s.params.weight == o.params.weight {
                    new.server(line, .weight).store(oldWeight)
                }

            }
        }
        let oldFrontends = Dictionary(oldConfig.frontends.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (fi, f) in newConfig.frontends.enumerated() {
            guard let o = oldFrontends[f.name] else { continue }
            new.frontend(fi, .maxConns).store(old.frontend(o, .maxConns).load())
        }
        let oldBackends = Dictionary(oldConfig.backends.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (bi, b) in newConfig.backends.enumerated() {
            guard let o = oldBackends[b.name] else { continue }
            new.backend(bi, .maxConns).store(old.backend(o, .maxConns).load())
        }
    }

    /// Cumulative counter totals of a table by name ("f/NAME/counter",
    /// "b/NAME/counter", "s/BACKEND/SERVER/counter"), over all its blocks.
    static func totals(_ t: SharedTable, _ c: Configuration) -> [String: UInt64] {
        var out: [String: UInt64] = [:]
        forEachCounter(t, c) { key, cnt, word in
            let words = (0...t.workers).map { word($0).load() }
            out[key] = cnt.isMaximum ? words.max() ?? 0 : words.reduce(0, &+)
        }
        return out
    }

    /// What an old generation counted after the reload began (its final
    /// totals minus those copied then) joins the current table's history.
    static func addLate(final: [String: UInt64], baseline: [String: UInt64], to t: SharedTable, _ c: Configuration) {
        forEachCounter(t, c) { key, cnt, block in
            guard let f = final[key] else { return }
            let word = block(t.historyBlock)
            if cnt.isMaximum { word.store(max(word.load(), f)); return }
            let b = baseline[key] ?? 0
            if f > b { word.store(word.load() &+ (f - b)) }
        }
    }

    /// Every cumulative counter of `c`'s proxies and servers: its name (the
    /// key of `totals`) and its word in a given block of `t`.
    private static func forEachCounter(_ t: SharedTable, _ c: Configuration,
                                       _ body: (String, SharedTable.Counter, (Int) -> SharedWord) -> Void) {
        let idx = TableIndex(c)
        for cnt in counters {
            for (fi, f) in c.frontends.enumerated() {
                body("f/\(f.name)/\(cnt)", cnt) { t.frontendCounter(worker: $0, frontend: fi, cnt) }
            }
            for (bi, b) in c.backends.enumerated() {
                body("b/\(b.name)/\(cnt)", cnt) { t.backendCounter(worker: $0, backend: bi, cnt) }
                for (si, srv) in b.servers.enumerated() {
                    let line = idx.serverLine(backend: bi, server: si)
                    body("s/\(b.name)/\(srv.name)/\(cnt)", cnt) { t.serverCounter(worker: $0, server: line, cnt) }
                }
            }
        }
    }

    /// Cumulative counters (gauges such as current sessions stay with the
    /// generation that holds the sessions).
    static let counters = SharedTable.Counter.allCases.filter { !$0.isGauge && !$0.isTimerWindow }
}
