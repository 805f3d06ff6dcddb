import FulcrumConfig
import FulcrumCore
import FulcrumLog
import FulcrumPosix
import FulcrumProxy

/// The master's own log lines. Its events (start, reload, failed reload, a
/// child that exits and is respawned) go to stderr and to the global `log`
/// targets; proxies stopping go to each proxy's targets, as
/// HAProxy words them; what the runtime API changes (servers put in
/// maintenance, drained, forced up or down) goes to the changed backend's.
extension Master {
    /// Makes `g`'s targets the master's: "Proxy X stopped (...)" for each
    /// proxy of `previous` (HAProxy 2.6 logs no line when a proxy starts),
    /// whose sockets are then closed and whose runtime stops reporting.
    func installEventLog(for g: Generation, replacing previous: Generation? = nil) {
        if let previous, let old = eventLog {
            let c = previous.loaded.configuration
            for name in Master.proxyNames(c) {
                let fe = c.frontends.firstIndex { $0.name == name }
                let be = c.backends.firstIndex { $0.name == name }
                var targets: [Int] = []
                if let fe { targets += eventLogFrontendTargets[fe] }
                if let be { targets += eventLogTargets[be] }
                let line = Master.proxyStoppedLine(name, table: previous.table, frontend: fe, backend: be)
                Log.warning(line)
                old.send(line, level: .warning, to: Array(Set(targets)).sorted())
            }
            previous.runtime.events = nil
        }
        eventLog?.senders.close()
        let c = g.loaded.configuration
        let output = LogOutput(loop: loop, kind: Kind.log.rawValue, global: c.global, rings: c.rings)
        eventLogTargets = c.backends.map { output.destinations(for: $0.logging.targets, tag: $0.logging.tag) }
        eventLogFrontendTargets = c.frontends.map { output.destinations(for: $0.logging.targets, tag: $0.logging.tag) }
        eventLogGlobalTargets = output.destinations(for: c.global.logTargets)
        eventLog = output
        g.runtime.events = { [unowned self] line, level, backend in
            guard backend < self.eventLogTargets.count else { return }
            self.eventLog?.send(line, level: level, to: self.eventLogTargets[backend])
        }
    }

    /// An event of the master's: on stderr at its severity and to the global targets.
    func event(_ text: String, level: LogLevel) {
        switch level {
        case .emerg, .alert, .crit, .err: Log.alert(text)
        case .warning: Log.warning(text)
        case .notice, .info, .debug: Log.notice(text)
        }
        eventLog?.send(text, level: level, to: eventLogGlobalTargets)
    }

    /// Proxy names in declaration order, a `listen` once.
    static func proxyNames(_ c: Configuration) -> [String] {
        var seen = Set<String>()
        var names: [String] = []
        for (name, _, _) in RuntimeSnapshotReader.declarationOrder(c) where seen.insert(name).inserted { names.append(name) }
        return names
    }

    /// HAProxy's "Proxy X stopped (cumulated conns: FE: N, BE: M).": at a
    /// reload for the old generation's proxies, and for `shutdown frontend`.
    static func proxyStoppedLine(_ name: String, table: SharedTable, frontend: Int?, backend: Int?) -> String {
        func total(_ word: (Int) -> SharedWord) -> UInt64 { (0...table.workers).reduce(0) { $0 &+ word($1).load() } }
        let fe = frontend.map { f in total { table.frontendCounter(worker: $0, frontend: f, .sessions) } } ?? 0
        let be = backend.map { b in total { table.backendCounter(worker: $0, backend: b, .sessions) } } ?? 0
        return "Proxy \(name) stopped (cumulated conns: FE: \(fe), BE: \(be))."
    }
}
