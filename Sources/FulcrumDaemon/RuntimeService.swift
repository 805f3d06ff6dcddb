import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// Runs runtime-API commands (HAProxy's management guide, 9.3) against the
/// shared table: in the master over all workers' counters, in a worker (`@N`)
/// over its own counter block. Admin changes write the table, so they apply
/// in every worker at once whoever runs them.
final class RuntimeService {
    enum Scope { case allWorkers, worker(Int) }

    let configuration: Configuration
    let table: SharedTable
    let index: TableIndex
    let scope: Scope

    init(configuration: Configuration, table: SharedTable, scope: Scope) {
        self.configuration = configuration
        self.table = table
        self.index = TableIndex(configuration)
        self.scope = scope
    }

    func execute(_ command: String, level: Int) -> String {
        "Unknown command: '\(command)'. Fulcrum does not support it yet; type 'help'.\n"
    }
}

extension StatsSocket.Level {
    /// 0 user, 1 operator, 2 admin (the CLI's numeric levels).
    var privilege: Int {
        switch self {
        case .user: return 0
        case .operator_: return 1
        case .admin: return 2
        }
    }
}
