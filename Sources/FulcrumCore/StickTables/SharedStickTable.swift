import FulcrumConfig
import Glibc

/// One stick table laid over its own MAP_SHARED region, so every worker
/// counts into the same entries: a client's rate is counted once however
/// the kernel spreads its connections.
///
///     [lock: 64 bytes][header: 64 bytes][buckets: UInt32 × B][entries: size × entrySize]
///
/// Entries are found through a chained hash index (bucket and chain links
/// are entry numbers + 1, 0 ends a chain), kept on a least-recently-used
/// list (HAProxy evicts by expiry date, which is the last update's date
/// plus `expire`: the same order), and recycled through a free list. A
/// full table evicts HAProxy's batch, `size / 256 + 1` of the oldest
/// entries no stream holds (stktable_trash_oldest), unless `nopurge`.
/// Each allocation takes a new stamp, so a stream holding (entry, stamp)
/// of an entry since recycled finds it gone instead of counting into a
/// stranger's. Expiry is lazy: an expired entry nobody holds is dropped
/// when it is met (lookups, eviction, `show table`).
///
/// Pure: the caller holds the lock at `lock` around every call, and
/// passes the same clock to every call (wrapping milliseconds).
public struct SharedStickTable {
    public static let lockBytes = 64
    static let headerBytes = 64
    static let magic: UInt64 = 0x4655_4C53_5449_434B // "FULSTICK"

    enum Header: Int {
        case magic = 0, capacity = 8, entrySize = 12, buckets = 16, used = 20, lruHead = 24, lruTail = 28
        case freeHead = 32, nextUnused = 36, stamps = 40, updates = 44
        /// 0: nobody waits; 1: the peers process pushed everything and waits
        /// to be woken; 2: a local change came since, the waker is due.
        /// Zero in a region an older binary formatted: nobody is woken, the
        /// peers process's tick pushes.
        case peersWake = 48
    }
    typealias Field = StickEntryLayout.Header

    public let base: UnsafeMutableRawPointer
    public let layout: StickEntryLayout
    public let capacity: Int
    let bucketCount: Int
    let expire: UInt32
    let noPurge: Bool

    /// Bytes the region of `table` needs.
    public static func regionSize(_ table: StickTableDefinition) -> Int {
        let layout = StickEntryLayout(table)
        let buckets = bucketCount(table.size)
        return lockBytes + headerBytes + ((buckets * 4 + 7) & ~7) + table.size * layout.entrySize
    }

    static func bucketCount(_ size: Int) -> Int {
        var b = 16
        while b < size { b <<= 1 }
        return b
    }

    /// Lays an empty table over a zeroed region of `regionSize(table)` bytes.
    public init(formatting base: UnsafeMutableRawPointer, _ table: StickTableDefinition) {
        self.init(base, table)
        store(.capacity, UInt32(capacity))
        store(.entrySize, UInt32(layout.entrySize))
        store(.buckets, UInt32(bucketCount))
        header.storeBytes(of: Self.magic, toByteOffset: Header.magic.rawValue, as: UInt64.self)
    }

    /// Attaches to a region the master formatted for the same definition;
    /// nil when it is not one.
    public init?(attaching base: UnsafeMutableRawPointer, size: Int, _ table: StickTableDefinition) {
        guard size == Self.regionSize(table) else { return nil }
        self.init(base, table)
        guard header.load(fromByteOffset: Header.magic.rawValue, as: UInt64.self) == Self.magic,
              load(.capacity) == UInt32(capacity), load(.entrySize) == UInt32(layout.entrySize) else { return nil }
    }

    private init(_ base: UnsafeMutableRawPointer, _ table: StickTableDefinition) {
        self.base = base
        layout = StickEntryLayout(table)
        capacity = table.size
        bucketCount = Self.bucketCount(table.size)
        expire = UInt32(table.expire ?? 0)
        noPurge = table.noPurge
    }

    /// Where the caller's lock lives.
    public var lock: UnsafeMutableRawPointer { base }

    /// Entries in the table.
    public var used: Int { Int(load(.used)) }

    /// Forgets every entry (a process died holding the lock). Stamps go on
    /// counting, so what streams still hold is found gone.
    public func reset() {
        for i in 0..<min(Int(load(.nextUnused)), capacity) { setField(i, .stamp, 0) }
        buckets.initializeMemory(as: UInt8.self, repeating: 0, count: bucketCount * 4)
        for f in [Header.used, .lruHead, .lruTail, .freeHead, .nextUnused] { store(f, 0) }
    }

    // MARK: entries

    /// The entry holding `key`, if any (an expired one nobody holds is
    /// dropped and not found).
    public func find(_ key: UnsafeRawBufferPointer, now: UInt32) -> Int? {
        let b = bucket(key)
        var link = buckets.load(fromByteOffset: b * 4, as: UInt32.self)
        while link != 0 {
            let i = Int(link - 1)
            if keyMatches(i, key) {
                if isExpired(i, now: now) && references(i) == 0 {
                    remove(i)
                    return nil
                }
                return i
            }
            link = field(i, .chain)
        }
        return nil
    }

    /// The entry holding `key`, made (and touched) when missing; nil when
    /// the table is full and nothing can be evicted (or `nopurge`).
    /// `learned`: made for a peer's update, touched as remote (neither
    /// pushed back nor waking the peers process).
    public func findOrCreate(_ key: UnsafeRawBufferPointer, now: UInt32, learned: Bool = false) -> Int? {
        if let i = find(key, now: now) { return i }
        if used >= capacity {
            guard !noPurge else { return nil }
            evictOldest(capacity / 256 + 1, now: now)
            guard used < capacity else { return nil }
        }
        let i: Int
        let free = load(.freeHead)
        if free != 0 {
            i = Int(free - 1)
            store(.freeHead, field(i, .chain))
        } else {
            i = Int(load(.nextUnused))
            store(.nextUnused, UInt32(i + 1))
        }
        let e = entry(i)
        e.initializeMemory(as: UInt8.self, repeating: 0, count: layout.entrySize)
        (e + layout.keyOffset).copyMemory(from: key.baseAddress!, byteCount: layout.keySize)
        var stamp = load(.stamps) &+ 1
        if stamp == 0 { stamp = 1 }
        store(.stamps, stamp)
        setField(i, .stamp, stamp)
        let b = bucket(key)
        setField(i, .chain, buckets.load(fromByteOffset: b * 4, as: UInt32.self))
        buckets.storeBytes(of: UInt32(i + 1), toByteOffset: b * 4, as: UInt32.self)
        store(.used, load(.used) + 1)
        linkTail(i)
        if learned { touchRemote(i, now: now, expireIn: nil) } else { touch(i, now: now) }
        return i
    }

    /// The entry was used or changed: it becomes the most recent, its expiry
    /// restarts and it takes the next update id, so the peers role pushes
    /// it (HAProxy's stktable_touch_local).
    public func touch(_ i: Int, now: UInt32) {
        if expire > 0 {
            var e = now &+ expire
            if e == 0 { e = 1 }
            setField(i, .expire, e)
        }
        stampUpdate(i, origin: 0)
        if load(.peersWake) == 1 { store(.peersWake, 2) }
        unlink(i)
        linkTail(i)
    }

    /// The peers process is about to push every local change: the next one
    /// after this must wake it (`takePeersWake`).
    public func armPeersWake() { store(.peersWake, 1) }

    /// Whether a local change since `armPeersWake` is still to be told to
    /// the peers process; the teller takes it (one wake per push round).
    @inline(__always)
    public func takePeersWake() -> Bool {
        guard load(.peersWake) == 2 else { return false }
        store(.peersWake, 0)
        return true
    }

    /// The entry was learned from a peer (stktable_touch_remote): it
    /// expires in `expireIn` ms (nil: the table's `expire`) and is marked
    /// remote, so it is not pushed back to the peers.
    public func touchRemote(_ i: Int, now: UInt32, expireIn: UInt32?) {
        if expire > 0 {
            var e = now &+ (expireIn ?? expire)
            if e == 0 { e = 1 }
            setField(i, .expire, e)
        }
        stampUpdate(i, origin: 1)
        unlink(i)
        linkTail(i)
    }

    private func stampUpdate(_ i: Int, origin: UInt32) {
        var u = load(.updates) &+ 1
        if u == 0 { u = 1 }
        store(.updates, u)
        setField(i, .update, u)
        setField(i, .origin, origin)
    }

    /// The last update id given.
    public var lastUpdate: UInt32 { load(.updates) }

    /// Entries changed locally after update id `last`, newest first. Every
    /// change moves its entry to the tail of the LRU list with a larger id,
    /// so the walk from the tail stops at the first entry at or before `last`.
    public func localUpdates(after last: UInt32, limit: Int, into out: inout [Int]) {
        var link = load(.lruTail)
        while link != 0 {
            let i = Int(link - 1)
            guard Int32(bitPattern: field(i, .update) &- last) > 0 else { return }
            if field(i, .origin) == 0 {
                out.append(i)
                if out.count >= limit { return }
            }
            link = field(i, .lruPrevious)
        }
    }

    /// Entry `i`'s update id.
    public func updateID(_ i: Int) -> UInt32 { field(i, .update) }

    /// Whether entry `i` is still the one allocated with `stamp`.
    public func isCurrent(_ i: Int, stamp: UInt32) -> Bool {
        i >= 0 && i < capacity && field(i, .stamp) == stamp
    }

    public func stamp(_ i: Int) -> UInt32 { field(i, .stamp) }
    public func references(_ i: Int) -> UInt32 { field(i, .references) }
    public func retain(_ i: Int) { setField(i, .references, field(i, .references) &+ 1) }
    public func release(_ i: Int) {
        let r = field(i, .references)
        if r > 0 { setField(i, .references, r - 1) }
    }

    /// Milliseconds left before entry `i` expires (0: expired or no expiry).
    public func remaining(_ i: Int, now: UInt32) -> Int {
        let e = field(i, .expire)
        guard e != 0 else { return 0 }
        let left = Int32(bitPattern: e &- now)
        return left > 0 ? Int(left) : 0
    }

    func isExpired(_ i: Int, now: UInt32) -> Bool {
        let e = field(i, .expire)
        return e != 0 && Int32(bitPattern: now &- e) >= 0
    }

    /// The key bytes of entry `i`.
    public func key(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: entry(i) + layout.keyOffset, count: layout.keySize)
    }

    /// Element `element` of data `type` in entry `i`; nil when not stored.
    @inline(__always)
    public func data(_ i: Int, _ type: StickDataType, element: Int = 0) -> UnsafeMutableRawPointer? {
        guard let o = layout.offset(type, element: element) else { return nil }
        return entry(i) + o
    }

    /// Removes entry `i` from the index, the LRU list and the count.
    public func remove(_ i: Int) {
        let b = bucket(key(i))
        var link = buckets.load(fromByteOffset: b * 4, as: UInt32.self)
        var previous = -1
        while link != 0 {
            let j = Int(link - 1)
            if j == i {
                let next = field(i, .chain)
                if previous < 0 { buckets.storeBytes(of: next, toByteOffset: b * 4, as: UInt32.self) } else { setField(previous, .chain, next) }
                break
            }
            previous = j
            link = field(j, .chain)
        }
        unlink(i)
        setField(i, .stamp, 0)
        setField(i, .chain, load(.freeHead))
        store(.freeHead, UInt32(i + 1))
        store(.used, load(.used) - 1)
    }

    /// Drops up to `count` of the least recently used entries no stream holds.
    func evictOldest(_ count: Int, now: UInt32) {
        var removed = 0
        var link = load(.lruHead)
        while link != 0 && removed < count {
            let i = Int(link - 1)
            link = field(i, .lruNext)
            if references(i) == 0 { remove(i); removed += 1 }
        }
    }

    /// Drops the expired entries nobody holds. The LRU order is the expiry
    /// order (every touch restarts `expire`), so they are all at its head:
    /// the walk stops at the first live one.
    public func purgeExpired(now: UInt32) {
        guard expire > 0 else { return }
        var link = load(.lruHead)
        while link != 0 {
            let i = Int(link - 1)
            link = field(i, .lruNext)
            guard isExpired(i, now: now) else { return }
            if references(i) == 0 { remove(i) }
        }
    }

    /// Every live entry, least recently used first; expired ones nobody
    /// holds are dropped on the way.
    public func forEach(now: UInt32, _ body: (Int) -> Void) {
        var link = load(.lruHead)
        while link != 0 {
            let i = Int(link - 1)
            link = field(i, .lruNext)
            if isExpired(i, now: now) && references(i) == 0 { remove(i); continue }
            body(i)
        }
    }

    // MARK: layout

    private var header: UnsafeMutableRawPointer { base + Self.lockBytes }
    private var buckets: UnsafeMutableRawPointer { header + Self.headerBytes }
    private var entries: UnsafeMutableRawPointer { buckets + ((bucketCount * 4 + 7) & ~7) }
    @inline(__always) func entry(_ i: Int) -> UnsafeMutableRawPointer { entries + i * layout.entrySize }

    private func load(_ f: Header) -> UInt32 { header.load(fromByteOffset: f.rawValue, as: UInt32.self) }
    private func store(_ f: Header, _ v: UInt32) { header.storeBytes(of: v, toByteOffset: f.rawValue, as: UInt32.self) }
    @inline(__always) func field(_ i: Int, _ f: Field) -> UInt32 { entry(i).load(fromByteOffset: f.rawValue, as: UInt32.self) }
    @inline(__always) func setField(_ i: Int, _ f: Field, _ v: UInt32) { entry(i).storeBytes(of: v, toByteOffset: f.rawValue, as: UInt32.self) }

    private func keyMatches(_ i: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        memcmp(entry(i) + layout.keyOffset, key.baseAddress!, layout.keySize) == 0
    }

    /// FNV-1a, its high bits folded down so the bucket mask sees every byte.
    private func bucket(_ key: UnsafeRawBufferPointer) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<layout.keySize { h = (h ^ UInt64(key[i])) &* 0x100_0000_01b3 }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return Int(h & UInt64(bucketCount - 1))
    }

    private func linkTail(_ i: Int) {
        let tail = load(.lruTail)
        setField(i, .lruPrevious, tail)
        setField(i, .lruNext, 0)
        if tail != 0 { setField(Int(tail - 1), .lruNext, UInt32(i + 1)) } else { store(.lruHead, UInt32(i + 1)) }
        store(.lruTail, UInt32(i + 1))
    }

    private func unlink(_ i: Int) {
        let p = field(i, .lruPrevious), n = field(i, .lruNext)
        if p != 0 { setField(Int(p - 1), .lruNext, n) } else if load(.lruHead) == UInt32(i + 1) { store(.lruHead, n) }
        if n != 0 { setField(Int(n - 1), .lruPrevious, p) } else if load(.lruTail) == UInt32(i + 1) { store(.lruTail, p) }
        setField(i, .lruPrevious, 0)
        setField(i, .lruNext, 0)
    }
}
