/// The TLS session cache every worker shares (HAProxy's shared session cache,
/// `tune.ssl.cachesize`), laid over one MAP_SHARED region: a session a worker
/// made by session id (TLS 1.2, or TLS 1.3 without tickets) resumes in
/// whichever worker the kernel hands the client's next connection to, and in
/// the next generation after a reload (the master hands the same region on).
///
/// Log-structured, so nothing is ever freed: encoded sessions are appended to
/// a ring of `cachesize × 200` bytes (HAProxy's 200-byte blocks), and an
/// index of 4-way buckets points at them by absolute ring position. An entry
/// whose bytes the ring has since written over, or whose session expired, is
/// simply not found; a bucket's victim is such an entry or its oldest one.
///
/// Pure: the caller holds the lock that guards the region (the first
/// `lockBytes` bytes are reserved for it) around every call.
public struct SharedSessionCache {
    /// Bytes at the start of the region the caller's lock lives in.
    public static let lockBytes = 64
    /// HAProxy's block size: `tune.ssl.cachesize` counts these.
    public static let blockBytes = 200
    /// The longest session id (SSL_MAX_SSL_SESSION_ID_LENGTH).
    public static let maxIDLength = 32
    static let ways = 4
    static let entryBytes = 64
    static let headerBytes = 64
    static let magic: UInt64 = 0x4655_4C43_5353_4331 // "FULCSSC1"

    // Header words, after the lock.
    enum Header: Int { case magic = 0, ringSize = 8, buckets = 16, writePosition = 24 }
    // Entry fields: id length, id, data length, expiry (unix seconds), position.
    enum Entry: Int { case idLength = 0, id = 1, dataLength = 36, expiry = 40, position = 48 }

    let base: UnsafeMutableRawPointer
    public let ringSize: Int
    let buckets: Int

    /// Bytes a cache of `blocks` HAProxy blocks needs (0 blocks: no cache).
    public static func regionSize(blocks: Int) -> Int {
        guard blocks > 0 else { return 0 }
        let (ring, buckets) = shape(blocks: blocks)
        return lockBytes + headerBytes + buckets * ways * entryBytes + ring
    }

    /// A ring of `blocks` blocks, and at least two index entries per block
    /// (a power of two of buckets): a bucket rarely evicts a session the ring
    /// still holds.
    static func shape(blocks: Int) -> (ring: Int, buckets: Int) {
        var buckets = 1
        while buckets * ways < 2 * blocks { buckets <<= 1 }
        return (blocks * blockBytes, buckets)
    }

    /// Lays a new, empty cache over a zeroed region of `regionSize(blocks:)` bytes.
    public init(formatting base: UnsafeMutableRawPointer, blocks: Int) {
        let (ring, buckets) = Self.shape(blocks: blocks)
        self.base = base
        self.ringSize = ring
        self.buckets = buckets
        store(.ringSize, UInt64(ring))
        store(.buckets, UInt64(buckets))
        store(.writePosition, 0)
        store(.magic, Self.magic)
    }

    /// Attaches to a region another process formatted; nil when it is not one
    /// (or is of another size than `size`).
    public init?(attaching base: UnsafeMutableRawPointer, size: Int) {
        let header = base + Self.lockBytes
        guard size >= Self.lockBytes + Self.headerBytes,
              header.load(fromByteOffset: Header.magic.rawValue, as: UInt64.self) == Self.magic else { return nil }
        self.base = base
        ringSize = Int(header.load(fromByteOffset: Header.ringSize.rawValue, as: UInt64.self))
        buckets = Int(header.load(fromByteOffset: Header.buckets.rawValue, as: UInt64.self))
        guard ringSize > 0, buckets > 0,
              Self.lockBytes + Self.headerBytes + buckets * Self.ways * Self.entryBytes + ringSize == size else { return nil }
    }

    /// Where the caller's lock lives.
    public var lock: UnsafeMutableRawPointer { base }

    /// Forgets every session (after a process died holding the lock: what it
    /// was writing cannot be trusted).
    public func reset() {
        index.initializeMemory(as: UInt8.self, repeating: 0, count: buckets * Self.ways * Self.entryBytes)
        store(.writePosition, 0)
    }

    /// Keeps `session` under `id` until `expiry`. False when it cannot be kept
    /// (an id too long, or a session over an eighth of the ring).
    @discardableResult
    public func save(id: UnsafeRawBufferPointer, session: UnsafeRawBufferPointer, expiry: UInt32) -> Bool {
        guard !id.isEmpty, id.count <= Self.maxIDLength, !session.isEmpty, session.count <= ringSize / 8 else { return false }
        var position = Int(load(.writePosition))
        let offset = position % ringSize
        if offset + session.count > ringSize { position += ringSize - offset } // never split a session
        (ring + position % ringSize).copyMemory(from: session.baseAddress!, byteCount: session.count)
        store(.writePosition, UInt64(position + session.count))

        let bucket = entries(of: id)
        var victim = bucket
        var victimPosition = Int.max
        for way in 0..<Self.ways {
            let e = bucket + way * Self.entryBytes
            if matches(e, id) { victim = e; break }
            let p = isLive(e, now: nil) ? Int(e.load(fromByteOffset: Entry.position.rawValue, as: UInt64.self)) : -1
            if p < victimPosition { victim = e; victimPosition = p }
        }
        victim.storeBytes(of: UInt8(id.count), toByteOffset: Entry.idLength.rawValue, as: UInt8.self)
        (victim + Entry.id.rawValue).copyMemory(from: id.baseAddress!, byteCount: id.count)
        victim.storeBytes(of: UInt32(session.count), toByteOffset: Entry.dataLength.rawValue, as: UInt32.self)
        victim.storeBytes(of: expiry, toByteOffset: Entry.expiry.rawValue, as: UInt32.self)
        victim.storeBytes(of: UInt64(position), toByteOffset: Entry.position.rawValue, as: UInt64.self)
        return true
    }

    /// Hands the session kept under `id` to `body` (bytes valid only during
    /// the call), if it is still there and not expired at `now`.
    public func withSession<R>(id: UnsafeRawBufferPointer, now: UInt32,
                               _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard let e = find(id), isLive(e, now: now) else { return nil }
        let position = Int(e.load(fromByteOffset: Entry.position.rawValue, as: UInt64.self))
        let length = Int(e.load(fromByteOffset: Entry.dataLength.rawValue, as: UInt32.self))
        return body(UnsafeRawBufferPointer(start: ring + position % ringSize, count: length))
    }

    /// Forgets the session kept under `id` (OpenSSL removes a session that
    /// failed or timed out).
    public func remove(id: UnsafeRawBufferPointer) {
        guard let e = find(id) else { return }
        e.storeBytes(of: 0, toByteOffset: Entry.idLength.rawValue, as: UInt8.self)
    }

    // MARK: layout

    private var header: UnsafeMutableRawPointer { base + Self.lockBytes }
    private var index: UnsafeMutableRawPointer { header + Self.headerBytes }
    private var ring: UnsafeMutableRawPointer { index + buckets * Self.ways * Self.entryBytes }

    private func load(_ field: Header) -> UInt64 { header.load(fromByteOffset: field.rawValue, as: UInt64.self) }
    private func store(_ field: Header, _ value: UInt64) {
        header.storeBytes(of: value, toByteOffset: field.rawValue, as: UInt64.self)
    }

    /// FNV-1a, its high bits folded down (FNV's low bits depend only on
    /// the input's low bits) so the bucket mask sees every byte.
    private func entries(of id: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in id { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return index + Int(h & UInt64(buckets - 1)) * Self.ways * Self.entryBytes
    }

    private func matches(_ e: UnsafeMutableRawPointer, _ id: UnsafeRawBufferPointer) -> Bool {
        guard Int(e.load(fromByteOffset: Entry.idLength.rawValue, as: UInt8.self)) == id.count else { return false }
        return UnsafeRawBufferPointer(start: e + Entry.id.rawValue, count: id.count).elementsEqual(id)
    }

    private func find(_ id: UnsafeRawBufferPointer) -> UnsafeMutableRawPointer? {
        guard !id.isEmpty, id.count <= Self.maxIDLength else { return nil }
        let bucket = entries(of: id)
        for way in 0..<Self.ways where matches(bucket + way * Self.entryBytes, id) { return bucket + way * Self.entryBytes }
        return nil
    }

    /// In use, its bytes not yet written over, and (given `now`) not expired.
    private func isLive(_ e: UnsafeMutableRawPointer, now: UInt32?) -> Bool {
        guard e.load(fromByteOffset: Entry.idLength.rawValue, as: UInt8.self) != 0 else { return false }
        if let now, e.load(fromByteOffset: Entry.expiry.rawValue, as: UInt32.self) <= now { return false }
        let position = Int(e.load(fromByteOffset: Entry.position.rawValue, as: UInt64.self))
        return Int(load(.writePosition)) - position <= ringSize
    }
}
