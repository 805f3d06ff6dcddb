import FulcrumConfig
import FulcrumCore
import FulcrumPosix

extension SharedMutex: StickTableLocking {}

/// The stick tables' regions the master made (one memfd each), mapped in
/// this process: every worker and the master's runtime API count into and
/// read the same entries.
public enum SharedStickTables {
    /// Bytes a table's region needs, its lock first.
    public static func regionSize(_ t: StickTableDefinition) -> Int { SharedStickTable.regionSize(t) }

    /// A new region for `t`: lock initialized, table formatted.
    public static func create(_ t: StickTableDefinition) throws -> SharedMemory {
        let memory = try SharedMemory(create: "fulcrum-stick-\(t.name)", size: regionSize(t))
        _ = try SharedMutex.initialize(at: memory.base)
        _ = SharedStickTable(formatting: memory.base, t)
        return memory
    }

    /// The set over regions already made (nil when one does not match its definition).
    public static func attach(_ definitions: [StickTableDefinition], _ regions: [SharedMemory]) -> StickTableSet? {
        guard definitions.count == regions.count else { return nil }
        var tables: [SharedStickTable] = []
        for (d, m) in zip(definitions, regions) {
            guard let t = SharedStickTable(attaching: m.base, size: m.size, d) else { return nil }
            tables.append(t)
        }
        return StickTableSet(definitions: definitions, tables: tables,
                             locks: tables.map { SharedMutex(at: $0.lock) }, owners: regions)
    }
}
