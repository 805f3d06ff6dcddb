import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// The checker process: runs every health check once (not once per worker)
/// and writes the results into the shared table.
enum CheckerRole {
    /// A checker runs when any server has `check` or observes its traffic.
    static func isNeeded(_ c: Configuration) -> Bool {
        c.backends.contains { $0.servers.contains { $0.params.check || $0.params.observe != nil || $0.params.agent.enabled } }
    }

    /// The master's initial table: configured weights, `disabled` servers in
    /// maintenance, and each checked server's starting state (`init-state`).
    static func initializeTable(_ table: SharedTable, configuration c: Configuration, index: TableIndex) {
        let now = UInt64(WallClock.nowSeconds())
        for (bi, b) in c.backends.enumerated() {
            for (si, s) in b.servers.enumerated() {
                let line = index.serverLine(backend: bi, server: si)
                table.server(line, .weight).store(UInt64(s.params.weight))
                if s.params.disabled { table.server(line, .admin).store(SharedTable.Admin.configMaintenance.rawValue) }
                table.server(line, .lastChange).store(now)
                // upSince stays 0: slowstart applies to servers coming back, not at startup.
                // HAProxy starts every server's health counter at `rise`, checked or not.
                table.server(line, .checkHealth).store(UInt64(s.params.rise))
                if s.params.check || s.params.observe != nil {
                    let state = HealthState(rise: s.params.rise, fall: s.params.fall, initState: s.params.initState ?? .up, now: 0)
                    table.server(line, .checkHealth).store(UInt64(state.health))
                    table.server(line, .operational).store(state.operational == .up ? SharedTable.Operational.up.rawValue
                                                                                     : SharedTable.Operational.down.rawValue)
                    table.server(line, .checkStatus).store(CheckStatus.initial.rawCode)
                }
                if s.params.agent.enabled {
                    // HAProxy's agent starts with its health at its rise (1), status INI.
                    let agents = AgentTable(table)
                    agents.word(line, .status).store(CheckStatus.initial.rawCode)
                    agents.word(line, .health).store(1)
                }
            }
            // Spare slots for `add server`: empty, and held out of traffic.
            for line in index.spareLines(backend: bi) {
                table.server(line, .admin).store(SharedTable.Admin.forcedMaintenance.rawValue)
            }
        }
    }

    static func run(_ o: CommandLineOptions) -> Int32 {
        Log.role = "checker"
        Processes.setName("fulcrum-check")
        Processes.dieWithParent(signal: SIGKILL)
        SignalChannel.ignore(SIGPIPE)
        guard let boot = ChildBootstrap.attach() else { return 1 }
        do {
            let checker = try Checker(configuration: boot.loaded.configuration, table: boot.table,
                                      control: FileDescriptor(Master.ChildFD.control), addresses: boot.loaded.serverAddresses)
            if o.detachStdio { StandardStreams.detach() }
            let status = checker.run()
            withExtendedLifetime(boot.memory) {}
            return status
        } catch {
            Log.alert("checker setup failed: \(error)")
            return 1
        }
    }
}
