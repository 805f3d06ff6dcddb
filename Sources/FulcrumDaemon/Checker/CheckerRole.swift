import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// The checker process: runs every health check once (not once per worker)
/// and writes the results into the shared table.
enum CheckerRole {
    /// A checker runs when any server has `check` or observes its traffic.
    static func isNeeded(_ c: Configuration) -> Bool {
        c.backends.contains { $0.servers.contains { $0.params.check || $0.params.observe != nil } }
    }

    /// The master's initial table: configured weights, `disabled` servers in
    /// maintenance, and each checked server's starting state (`init-state`).
    static func initializeTable(_ table: SharedTable, configuration c: Configuration, index: TableIndex) {
        let now = UInt64(WallClock.nowSeconds())
        let mono = UInt64(MonotonicClock.nowMilliseconds())
        for (bi, b) in c.backends.enumerated() {
            for (si, s) in b.servers.enumerated() {
                let line = index.serverLine(backend: bi, server: si)
                table.server(line, .weight).store(UInt64(s.params.weight))
                if s.params.disabled { table.server(line, .admin).store(SharedTable.Admin.configMaintenance.rawValue) }
                table.server(line, .lastChange).store(now)
                table.server(line, .upSince).store(mono)
            }
        }
    }

    static func run(_ o: CommandLineOptions) -> Int32 {
        Log.role = "checker"
        Log.alert("the checker is not implemented yet")
        return 1
    }
}
