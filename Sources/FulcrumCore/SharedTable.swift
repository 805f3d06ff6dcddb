import Synchronization

/// The state every process of a generation shares through one MAP_SHARED
/// region: server state the workers read on every choice, connection counts
/// that must be global (server/frontend maxconn, leastconn), and per-worker
/// counter blocks. Every field is one 64-bit atomic word; all fields are
/// cache-line grouped so that writers in different processes do not share lines.
/// Layout (see docs/shared-table.md):
///   header line | server lines × S | frontend lines × F | worker blocks × W
///   where a worker block is (F + S) counter lines.
public final class SharedTable {
    public static let magic: UInt64 = 0x31_4D_55_52_43_4C_55_46 // "FULCRUM1" little-endian
    public static let layoutVersion: UInt64 = 1
    public static let lineWords = 8

    /// Header words.
    public enum Header: Int { case magic = 0, layoutVersion, generation, servers, frontends, workers, globalConns }

    /// Words of a server line. `admin` and `operational` are written by one
    /// owner each (CLI/master and checker); `conns` is the one multi-writer
    /// field, updated with atomic add so that maxconn holds across workers.
    public enum ServerField: Int { case admin = 0, operational, weight, conns, lastChange, checkStatus, checkDuration, downtime }
    /// Words of a frontend line.
    public enum FrontendField: Int { case conns = 0 }
    /// Per-worker counters of one proxy or server (single writer: that worker).
    public enum Counter: Int { case connections = 0, bytesIn, bytesOut, connectErrors, retries, redispatches, queued, aborts }

    /// Admin state bits (HAProxy's SRV_ADMF_*).
    public struct Admin: OptionSet, Sendable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        public static let configMaintenance = Admin(rawValue: 1)   // `disabled` in the config
        public static let forcedMaintenance = Admin(rawValue: 2)   // set by the CLI
        public static let drain = Admin(rawValue: 4)
    }
    /// Operational state values.
    public enum Operational: UInt64 { case down = 0, up = 1, stopping = 2 }

    public let servers: Int
    public let frontends: Int
    public let workers: Int
    @usableFromInline let words: UnsafeMutablePointer<Atomic<UInt64>>

    public static func byteSize(servers: Int, frontends: Int, workers: Int) -> Int {
        let lines = 1 + servers + frontends + workers * (servers + frontends)
        return lines * lineWords * 8
    }

    /// Wraps a mapped region. `initialize` is true only for the creator.
    public init(base: UnsafeMutableRawPointer, servers: Int, frontends: Int, workers: Int, initialize: Bool, generation: UInt64 = 1) {
        self.servers = servers; self.frontends = frontends; self.workers = workers
        let count = SharedTable.byteSize(servers: servers, frontends: frontends, workers: workers) / 8
        words = base.bindMemory(to: Atomic<UInt64>.self, capacity: count)
        if initialize {
            for i in 0..<count { words[i].store(0, ordering: .relaxed) }
            header(.layoutVersion).store(SharedTable.layoutVersion)
            header(.generation).store(generation)
            header(.servers).store(UInt64(servers))
            header(.frontends).store(UInt64(frontends))
            header(.workers).store(UInt64(workers))
            for s in 0..<servers { server(s, .operational).store(Operational.up.rawValue) }
            header(.magic).storeReleasing(SharedTable.magic)
        }
    }

    /// Wraps an inherited region after checking its header; nil if it is not ours.
    public convenience init?(attaching base: UnsafeMutableRawPointer, size: Int) {
        let w = base.bindMemory(to: Atomic<UInt64>.self, capacity: SharedTable.lineWords)
        guard size >= 64, w[Header.magic.rawValue].load(ordering: .acquiring) == SharedTable.magic,
              w[Header.layoutVersion.rawValue].load(ordering: .relaxed) == SharedTable.layoutVersion else { return nil }
        let s = Int(w[Header.servers.rawValue].load(ordering: .relaxed))
        let f = Int(w[Header.frontends.rawValue].load(ordering: .relaxed))
        let k = Int(w[Header.workers.rawValue].load(ordering: .relaxed))
        guard SharedTable.byteSize(servers: s, frontends: f, workers: k) <= size else { return nil }
        self.init(base: base, servers: s, frontends: f, workers: k, initialize: false)
    }

    @inline(__always) public func header(_ f: Header) -> SharedWord {
        SharedWord(words + f.rawValue)
    }
    @inline(__always) public func server(_ index: Int, _ f: ServerField) -> SharedWord {
        SharedWord(words + (1 + index) * SharedTable.lineWords + f.rawValue)
    }
    @inline(__always) public func frontend(_ index: Int, _ f: FrontendField) -> SharedWord {
        SharedWord(words + (1 + servers + index) * SharedTable.lineWords + f.rawValue)
    }
    /// Counter line of `worker` for frontend `index` (0..<F) or server (F + s).
    @inline(__always) public func counter(worker: Int, line: Int, _ c: Counter) -> SharedWord {
        let firstBlock = 1 + servers + frontends
        return SharedWord(words + (firstBlock + worker * (servers + frontends) + line) * SharedTable.lineWords + c.rawValue)
    }
    @inline(__always) public func frontendCounter(worker: Int, frontend: Int, _ c: Counter) -> SharedWord {
        counter(worker: worker, line: frontend, c)
    }
    @inline(__always) public func serverCounter(worker: Int, server: Int, _ c: Counter) -> SharedWord {
        counter(worker: worker, line: frontends + server, c)
    }

}

/// One 64-bit word of the shared table.
public struct SharedWord {
    @usableFromInline let pointer: UnsafeMutablePointer<Atomic<UInt64>>
    @inlinable init(_ pointer: UnsafeMutablePointer<Atomic<UInt64>>) { self.pointer = pointer }

    @inlinable public func load() -> UInt64 { pointer.pointee.load(ordering: .relaxed) }
    @inlinable public func loadAcquiring() -> UInt64 { pointer.pointee.load(ordering: .acquiring) }
    @inlinable public func store(_ v: UInt64) { pointer.pointee.store(v, ordering: .relaxed) }
    @inlinable public func storeReleasing(_ v: UInt64) { pointer.pointee.store(v, ordering: .releasing) }

    /// Single-writer increment: a plain load+store avoids a locked RMW.
    @inlinable public func bump(by n: UInt64 = 1) { store(load() &+ n) }

    /// Multi-writer increment/decrement.
    @inlinable public func add(_ n: UInt64) { pointer.pointee.add(n, ordering: .relaxed) }
    @inlinable public func subtract(_ n: UInt64) { pointer.pointee.subtract(n, ordering: .relaxed) }

    /// Increments unless the value already reached `limit` (0 = no limit):
    /// the reservation that makes maxconn exact across processes.
    @inlinable public func reserve(limit: Int) -> Bool {
        if limit <= 0 { add(1); return true }
        var cur = load()
        while cur < UInt64(limit) {
            let (exchanged, original) = pointer.pointee.compareExchange(expected: cur, desired: cur + 1, ordering: .relaxed)
            if exchanged { return true }
            cur = original
        }
        return false
    }
}
