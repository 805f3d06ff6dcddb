import Glibc
import FulcrumBytes
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// The master runs the one resolver of the daemon, for the serving
/// generation (HAProxy resolves in its single process; a resolver per worker
/// would ask N times and could disagree). A generation that stops serving
/// stops resolving; its servers keep the addresses they had.
extension Master {
    func resolverToken(_ k: Int, _ g: Generation) -> EventToken {
        EventToken(kind: Kind.resolver.rawValue, index: k, generation: UInt32(truncatingIfNeeded: g.number))
    }

    /// Starts the serving generation's resolver once, runs it, stops the
    /// others'; the resolver's next deadline.
    func serveResolvers(now: Int64) -> Int64? {
        for g in generations where g !== current {
            g.resolver?.close(in: loop)
            g.resolver = nil
        }
        guard let g = current, phase == .running else { return nil }
        if !g.resolverStarted {
            g.resolverStarted = true
            g.resolver = GenerationResolver(g.loaded, table: g.table, now: now)
            g.resolver?.report = { [unowned g] line, level, backend in
                Log.warning(line)
                g.runtime.events?(line, level, backend)
            }
            g.resolver?.open(in: loop) { self.resolverToken($0, g) }
        }
        return g.resolver?.run(now: now)
    }

    func resolverReadable(_ token: EventToken) {
        guard let g = current, g.number == Int(token.generation) else { return }
        g.resolver?.readable(token.index, now: loop.now)
    }

    /// `show resolvers [NAME]` and `set server B/S fqdn NAME`, answered by
    /// the master's resolver; nil for any other command.
    func resolverCommand(_ command: String, level: Int, in g: Generation) -> String? {
        let words = RuntimeCommandLine.words(command)
        if words == ["show", "stat", "domain", "resolvers"] {
            return (g.resolver?.statCSV() ?? ResolversFormat.statCSV([])) + RuntimeCLI.endOfAnswer
        }
        if words.count >= 2, words[0] == "show", words[1] == "resolvers" {
            let only = words.count > 2 ? words[2] : nil
            if let r = g.resolver { return r.show(only) + RuntimeCLI.endOfAnswer }
            return (only == nil ? "" : "Can't find that resolvers section\n") + RuntimeCLI.endOfAnswer
        }
        // Only a server that resolves changes here; the refusals are RuntimeCLI's.
        guard words.count >= 5, words[0] == "set", words[1] == "server", words[3] == "fqdn", !words[4].isEmpty,
              level >= RuntimeLevel.admin.rawValue else { return nil }
        let parts = words[2].split(separator: "/", maxSplits: 1).map(String.init)
        let c = g.loaded.configuration
        guard parts.count == 2, let bi = c.backends.firstIndex(where: { $0.name == parts[0] }),
              let si = c.backends[bi].servers.firstIndex(where: { $0.name == parts[1] }) else { return nil }
        let line = TableIndex(c).serverLine(backend: bi, server: si)
        guard let r = g.resolver, r.resolves(line: line) else { return nil }
        let old = g.table.serverFQDN(line) ?? c.backends[bi].servers[si].host
        guard r.setFQDN(backend: bi, server: si, line: line, name: words[4], now: loop.now) else {
            return "could not update \(words[2]) FQDN by 'stats socket command'\n" + RuntimeCLI.endOfAnswer
        }
        let message = "\(words[2]) changed its FQDN from \(old) to \(words[4]) by 'stats socket command'"
        Log.notice(message)
        // The new name is asked at once.
        wakeTimer.arm(loop.now, EventToken(kind: Kind.wake.rawValue), in: loop)
        return message + "\n" + RuntimeCLI.endOfAnswer
    }
}

extension Generation {
    /// Servers that start without an address (`init-addr none`) are in
    /// RMAINT; a carried-over RMAINT is cleared for the rest (the new
    /// resolver decides again). On a reload, a server that resolves the same
    /// name as in the previous generation starts where that one's resolver
    /// left it (its address, or RMAINT), so a reload does not empty the
    /// template slots until the first answer.
    static func initializeResolution(_ loaded: LoadedConfiguration, table: SharedTable, previous: Generation? = nil) {
        let c = loaded.configuration
        let index = TableIndex(c)
        let old = previous.map { ($0.loaded.configuration, TableIndex($0.loaded.configuration), $0.table) }
        for (bi, b) in c.backends.enumerated() {
            for (si, s) in b.servers.enumerated() {
                let line = index.serverLine(backend: bi, server: si)
                let admin = table.server(line, .admin).load() & ~SharedTable.Admin.resolutionMaintenance.rawValue
                if s.params.resolution.resolvers != nil, let (oc, oi, ot) = old,
                   let obi = oc.backends.firstIndex(where: { $0.name == b.name }),
                   let osi = oc.backends[obi].servers.firstIndex(where: { $0.name == s.name && $0.host == s.host && $0.port == s.port }),
                   oc.backends[obi].servers[osi].params.resolution.resolvers != nil {
                    let oline = oi.serverLine(backend: obi, server: osi)
                    if let a = ot.serverAddress(oline) {
                        table.setServerAddress(line, a)
                        table.server(line, .admin).store(admin)
                        continue
                    }
                    if ot.serverAddressIsNone(oline) {
                        table.server(line, .admin).store(admin | SharedTable.Admin.resolutionMaintenance.rawValue)
                        table.server(line, .checkHealth).store(0)
                        table.setServerAddressNone(line)
                        continue
                    }
                }
                if bi < loaded.serverAddresses.count, si < loaded.serverAddresses[bi].count,
                   ConfigLoader.startsWithoutAddress(s, loaded.serverAddresses[bi][si]), !s.params.disabled {
                    table.server(line, .admin).store(admin | SharedTable.Admin.resolutionMaintenance.rawValue)
                    table.server(line, .checkHealth).store(0)
                    table.setServerAddressNone(line)
                } else {
                    table.server(line, .admin).store(admin)
                }
            }
        }
    }
}
