import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumProxy

/// A generation's stick tables: one memfd region each, made by the master
/// and handed to every worker (`--stick-tables`), like the TLS session
/// cache. A reload whose table keeps its exact definition keeps its region,
/// so the new workers go on counting into the same entries.
extension Generation {
    static func stickTableRegions(_ c: Configuration, previous: (Configuration, [SharedMemory])?) throws -> [SharedMemory] {
        try c.stickTables.map { t in
            if let (pc, regions) = previous, let i = pc.stickTable(named: t.name),
               Self.sameShape(pc.stickTables[i], t), i < regions.count {
                return regions[i]
            }
            let region = try SharedStickTables.create(t)
            // A table that changed shape starts with the previous one's entries.
            if let (pc, regions) = previous, let i = pc.stickTable(named: t.name), i < regions.count,
               StickTableCarryOver.compatible(pc.stickTables[i], t),
               let old = SharedStickTables.attach([pc.stickTables[i]], [regions[i]]),
               let new = SharedStickTables.attach([t], [region]) {
                old.withTable(0) { from in
                    new.withTable(0) { to in _ = StickTableCarryOver.copy(from: from, to: to, now: old.clock()) }
                }
            }
            return region
        }
    }

    /// After a re-exec: the regions the previous image handed over.
    static func stickTableRegions(_ c: Configuration, inherited fds: [Int32]) throws -> [SharedMemory] {
        guard fds.count == c.stickTables.count else { throw HandoverError("its stick tables do not match its configuration") }
        return try fds.map { fd in
            let d = FileDescriptor(fd)
            try? d.setCloseOnExec(true)
            return try SharedMemory(mapping: d)
        }
    }

    /// Two definitions whose entries are laid out alike and behave alike.
    static func sameShape(_ a: StickTableDefinition, _ b: StickTableDefinition) -> Bool {
        var a = a
        a.location = b.location
        return a == b
    }
}
