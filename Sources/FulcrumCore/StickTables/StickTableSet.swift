import Glibc
import FulcrumConfig

/// The lock guarding one table's region (the daemon's is a robust
/// process-shared mutex in the region's first bytes).
public protocol StickTableLocking {
    /// Runs `body` holding the lock; `repair` first when its previous owner
    /// died holding it.
    func withLock<R>(repair: () -> Void, _ body: () -> R) -> R
}

/// A process's view of the configuration's stick tables: each table laid
/// over its region, its lock, and the clock every process shares (the
/// monotonic clock in wrapping milliseconds, HAProxy's now_ms).
public final class StickTableSet: @unchecked Sendable {
    public let definitions: [StickTableDefinition]
    public let tables: [SharedStickTable]
    let locks: [any StickTableLocking]
    /// What keeps the regions mapped.
    let owners: [AnyObject]
    /// Where a key is encoded before a lookup: as long as the longest key
    /// (the process is single-threaded; made once).
    public let keyBuffer: UnsafeMutableRawBufferPointer
    /// Milliseconds, wrapping; tests set their own.
    public var clock: () -> UInt32 = StickTableSet.monotonicMilliseconds
    /// Wakes the peers process (a worker's eventfd write): set where one
    /// runs, so a change it must push goes out at once rather than at its
    /// next tick. Called after the lock is let go, once per push round.
    public var wakePeers: (() -> Void)? = nil
    /// Per table: it stores a byte counter or rate, so an exchange's bytes
    /// are worth taking its lock for.
    let storesBytes: [Bool]

    public init(definitions: [StickTableDefinition], tables: [SharedStickTable], locks: [any StickTableLocking], owners: [AnyObject] = []) {
        self.definitions = definitions
        self.tables = tables
        self.locks = locks
        self.owners = owners
        storesBytes = tables.map { t in
            [StickDataType.bytesInCount, .bytesInRate, .bytesOutCount, .bytesOutRate].contains { t.layout.stores($0) }
        }
        keyBuffer = .allocate(byteCount: max(16, definitions.map(\.keyType.keySize).max() ?? 16), alignment: 8)
    }

    deinit { keyBuffer.deallocate() }

    /// The table named `name` (a proxy's name). A handful of tables at most:
    /// comparing short names costs less than hashing them.
    @inline(__always)
    public func index(named name: String) -> Int? {
        for i in definitions.indices where definitions[i].name == name { return i }
        return nil
    }

    /// Runs `body` on table `t` holding its lock; wakes the peers process
    /// when `body` made the first local change since its last push round.
    /// The table is read in place (`tables[t]` inside the closures), not
    /// copied out first: a copy retains and releases its layout's arrays,
    /// several times a request.
    @inline(__always)
    public func withTable<R>(_ t: Int, _ body: (SharedStickTable) -> R) -> R {
        guard let wake = wakePeers else { return locks[t].withLock(repair: { tables[t].reset() }) { body(tables[t]) } }
        var due = false
        let r = locks[t].withLock(repair: { tables[t].reset() }) { () -> R in
            let r = body(tables[t])
            due = tables[t].takePeersWake()
            return r
        }
        if due { wake() }
        return r
    }

    public static func monotonicMilliseconds() -> UInt32 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt32(truncatingIfNeeded: Int64(ts.tv_sec) &* 1000 &+ Int64(ts.tv_nsec) / 1_000_000)
    }
}
