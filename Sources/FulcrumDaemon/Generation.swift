import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// Everything that belongs to one loaded configuration: its workers and
/// checker, its shared table and configuration blob, its listener
/// assignment. A reload starts a new generation next to the running one; the
/// old one drains and goes away when its last process has exited.
final class Generation {
    enum State { case starting, active, draining }

    let number: Int
    let loaded: LoadedConfiguration
    let slots: Int
    let roles: [Master.Role]
    let perSlot: [[ListenerPool.Entry]]
    let tableMemory: SharedMemory
    let table: SharedTable
    let configBlob: FileDescriptor
    var state = State.starting
    var children: [Master.Child?]
    var respawnAt: [Int64?]
    var failures: [Int]
    var startFailed = false
    let startedAt = MonotonicClock.nowMilliseconds()
    let startedWall = WallClock.nowSeconds()
    var drainStarted: Int64 = 0
    /// Reloads this generation has been through since it stopped being current.
    var reloadsSurvived = 0
    /// Its counter totals when the next generation copied them (so what it
    /// counts while draining can be added when it is gone).
    var carriedTotals: [String: UInt64]? = nil
    lazy var runtime = RuntimeService(configuration: loaded.configuration, table: table, scope: .allWorkers,
                                      addresses: loaded.serverAddresses)

    init(number: Int, loaded: LoadedConfiguration, slots: Int, perSlot: [[ListenerPool.Entry]],
         previous: Generation?) throws {
        self.number = number
        self.loaded = loaded
        self.slots = slots
        self.perSlot = perSlot
        let c = loaded.configuration
        var roles = (0..<slots).map { Master.Role.worker($0) }
        if CheckerRole.isNeeded(c) { roles.append(.checker) }
        self.roles = roles
        let index = TableIndex(c)
        tableMemory = try SharedMemory(create: "fulcrum-table", size: index.tableSize(workers: slots))
        table = SharedTable(base: tableMemory.base, servers: index.serverCount, frontends: index.frontendCount,
                            binds: index.bindCount, backends: index.backendCount, workers: slots,
                            initialize: true, generation: UInt64(number),
                            startedAt: previous.map { $0.table.header(.startedAt).load() } ?? UInt64(WallClock.nowSeconds()))
        CheckerRole.initializeTable(table, configuration: c, index: index)
        if let previous {
            TableCarryOver.copy(from: previous.table, previous.loaded.configuration, to: table, c)
            let snapshot = TableCarryOver.totals(previous.table, previous.loaded.configuration)
            TableCarryOver.addLate(final: snapshot, baseline: [:], to: table, c)
            previous.carriedTotals = snapshot
        }
        configBlob = try SealedBlob.make(name: "fulcrum-config", bytes: ConfigBlob.encode(loaded.sources))
        children = Array(repeating: nil, count: roles.count)
        respawnAt = Array(repeating: nil, count: roles.count)
        failures = Array(repeating: 0, count: roles.count)
    }

    deinit { configBlob.close() }

    var isGone: Bool { children.allSatisfy { $0 == nil } }
    var allReady: Bool { children.allSatisfy { $0?.ready == true } }
    var workersGone: Bool { children.indices.allSatisfy { children[$0] == nil || roles[$0] == .checker } }

    /// Sessions still open in this generation's workers (for show proc).
    func remainingSessions(slot: Int) -> Int {
        (0..<table.frontends).reduce(0) { $0 + Int(table.frontendCounter(worker: slot, frontend: $1, .current).load()) }
    }
}
