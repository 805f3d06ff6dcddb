/// One `cache` section's objects in shared memory (HAProxy's shctx): every
/// worker maps the same region, so an object one worker stored is served by
/// all. The data area is `total-max-size` split in 1 kB blocks; an object is
/// a chain of blocks holding its response head then its payload. Entries
/// sit in an LRU list: a hit moves its entry to the tail, and storing takes
/// the blocks of the least recently used entries when no block is free
/// ("the oldest objects are deleted first"). Bounded by construction: the
/// region's size is fixed when the master makes it.
///
/// Pure: the caller holds the lock at `lock` (the first `lockBytes` bytes)
/// around every call.
public struct HTTPCacheStore {
    public static let lockBytes = 64
    static let headerBytes = 64
    static let entryBytes = 128
    static let magic: UInt64 = 0x4655_4C48_4341_4331 // "FULHCAC1"
    public static let blockSize = 1024

    enum Header: Int {
        case magic = 0, blocks = 8, buckets = 12, freeBlock = 16, freeBlocks = 20, lruHead = 24, lruTail = 28,
             freeEntry = 32, entries = 36, sequence = 40
    }
    // Entry fields.
    enum E: Int {
        case live = 0, hashNext = 4, lruPrev = 8, lruNext = 12, firstBlock = 16, blockCount = 20, size = 24,
             headLength = 28, expire = 32, validated = 36, age = 40, signature = 44, lastModified = 48,
             etagLength = 56, secondaryAE = 60, secondaryReferer = 64, key = 68 /* 20 bytes */, chunked = 88,
             sequence = 96
    }

    let base: UnsafeMutableRawPointer
    public let blocks: Int
    let buckets: Int

    /// Bytes a cache of `blocks` blocks needs.
    public static func regionSize(blocks: Int) -> Int {
        lockBytes + headerBytes + bucketCount(blocks) * 4 + blocks * entryBytes + blocks * 4 + blocks * blockSize
    }

    static func bucketCount(_ blocks: Int) -> Int {
        var b = 1
        while b < blocks { b <<= 1 }
        return b
    }

    /// Lays an empty cache over a zeroed region of `regionSize(blocks:)` bytes.
    public init(formatting base: UnsafeMutableRawPointer, blocks: Int) {
        self.base = base
        self.blocks = blocks
        buckets = Self.bucketCount(blocks)
        header.storeBytes(of: UInt32(blocks), toByteOffset: Header.blocks.rawValue, as: UInt32.self)
        header.storeBytes(of: UInt32(buckets), toByteOffset: Header.buckets.rawValue, as: UInt32.self)
        reset()
        header.storeBytes(of: Self.magic, toByteOffset: Header.magic.rawValue, as: UInt64.self)
    }

    /// Attaches to a region another process formatted; nil when it is not one.
    public init?(attaching base: UnsafeMutableRawPointer, size: Int) {
        guard size >= Self.lockBytes + Self.headerBytes else { return nil }
        let h = base + Self.lockBytes
        guard h.load(fromByteOffset: Header.magic.rawValue, as: UInt64.self) == Self.magic else { return nil }
        self.base = base
        blocks = Int(h.load(fromByteOffset: Header.blocks.rawValue, as: UInt32.self))
        buckets = Int(h.load(fromByteOffset: Header.buckets.rawValue, as: UInt32.self))
        guard blocks > 0, Self.regionSize(blocks: blocks) == size else { return nil }
    }

    public var lock: UnsafeMutableRawPointer { base }

    /// Forgets every object (also after a process died holding the lock).
    public func reset() {
        for b in 0..<buckets { bucketHeads[b] = -1 }
        for i in 0..<blocks {
            blockNext[i] = Int32(i + 1 < blocks ? i + 1 : -1)
            let e = entry(i)
            e.storeBytes(of: 0, toByteOffset: E.live.rawValue, as: UInt32.self)
            e.storeBytes(of: Int32(i + 1 < blocks ? i + 1 : -1), toByteOffset: E.hashNext.rawValue, as: Int32.self)
        }
        set(.freeBlock, 0); set(.freeBlocks, Int32(blocks)); set(.lruHead, -1); set(.lruTail, -1)
        set(.freeEntry, 0); set(.entries, 0)
    }

    // MARK: what callers do

    /// A stored object's description.
    public struct Info: Sendable {
        public var key: HTTPCacheKey
        public var signature: HTTPCacheSecondaryKey.Signature
        public var secondary: HTTPCacheSecondaryKey
        public var size: Int
        public var blockCount: Int
        public var headLength: Int
        public var expire: UInt32
        public var validated: UInt32
        public var age: UInt32
        public var lastModified: Int64
        public var etagLength: Int
        public var chunked: Bool
    }

    /// The live entry for `key` (and, when the primary entry varies, the
    /// oldest one whose secondary key serves `secondary`, as HAProxy walks
    /// its duplicates); expired entries met are freed.
    public func find(_ key: HTTPCacheKey, secondary: HTTPCacheSecondaryKey?, now: UInt32) -> Int? {
        var best: Int? = nil, bestSequence = UInt64.max
        var i = bucketHeads[bucket(key)]
        while i >= 0 {
            let e = entry(Int(i))
            let next = e.load(fromByteOffset: E.hashNext.rawValue, as: Int32.self)
            if keyEquals(e, key) {
                if e.load(fromByteOffset: E.expire.rawValue, as: UInt32.self) <= now {
                    remove(Int(i))
                } else {
                    let signature = e.load(fromByteOffset: E.signature.rawValue, as: UInt32.self)
                    if signature == 0 { return Int(i) }
                    // HAProxy builds the request's key with the entry's signature only.
                    let sequence = e.load(fromByteOffset: E.sequence.rawValue, as: UInt64.self)
                    if let secondary, sequence < bestSequence,
                       secondaryKey(e).serves(secondary.reduced(to: .init(rawValue: signature))) {
                        best = Int(i); bestSequence = sequence
                    }
                }
            }
            i = next
        }
        return best
    }

    /// Stores an object: `head` then `payload` bytes, replacing the entry with
    /// the same keys. False when it cannot be (too big for the cache, or
    /// `maxSecondary` variants of the key already there).
    @discardableResult
    public func insert(_ entry: HTTPCachePolicy.Entry, head: UnsafeRawBufferPointer, payload: UnsafeRawBufferPointer,
                       chunked: Bool, now: UInt32, maxSecondary: Int) -> Bool {
        let size = head.count + payload.count
        let need = max(1, (size + Self.blockSize - 1) / Self.blockSize)
        guard need <= blocks else { return false }
        // The same object (same keys) is replaced; variants are counted.
        var variants = 0
        var i = bucketHeads[bucket(entry.key)]
        while i >= 0 {
            let e = self.entry(Int(i))
            let next = e.load(fromByteOffset: E.hashNext.rawValue, as: Int32.self)
            if keyEquals(e, entry.key) {
                if e.load(fromByteOffset: E.expire.rawValue, as: UInt32.self) <= now
                    || (UInt32(truncatingIfNeeded: entry.signature.rawValue) == e.load(fromByteOffset: E.signature.rawValue, as: UInt32.self)
                        && secondaryKey(e) == entry.secondary) {
                    remove(Int(i))
                } else if !entry.signature.isEmpty {
                    variants += 1
                } else {
                    remove(Int(i))
                }
            }
            i = next
        }
        if !entry.signature.isEmpty && variants >= maxSecondary { return false }
        while Int(get(.freeBlocks)) < need || get(.freeEntry) < 0 {
            let oldest = get(.lruHead)
            guard oldest >= 0 else { return false }
            remove(Int(oldest))
        }
        // Take the entry slot and the blocks.
        let index = Int(get(.freeEntry))
        let e = self.entry(index)
        set(.freeEntry, e.load(fromByteOffset: E.hashNext.rawValue, as: Int32.self))
        let first = get(.freeBlock)
        var last = first
        for _ in 1..<need { last = blockNext[Int(last)] }
        set(.freeBlock, blockNext[Int(last)])
        blockNext[Int(last)] = -1
        set(.freeBlocks, get(.freeBlocks) - Int32(need))
        // Copy the bytes along the chain.
        var block = Int(first), offset = 0
        for part in [head, payload] where !part.isEmpty {
            var done = 0
            while done < part.count {
                if offset == Self.blockSize { block = Int(blockNext[block]); offset = 0 }
                let n = min(part.count - done, Self.blockSize - offset)
                (data + block * Self.blockSize + offset).copyMemory(from: part.baseAddress! + done, byteCount: n)
                done += n; offset += n
            }
        }
        e.storeBytes(of: 1, toByteOffset: E.live.rawValue, as: UInt32.self)
        e.storeBytes(of: first, toByteOffset: E.firstBlock.rawValue, as: Int32.self)
        e.storeBytes(of: Int32(need), toByteOffset: E.blockCount.rawValue, as: Int32.self)
        e.storeBytes(of: UInt32(size), toByteOffset: E.size.rawValue, as: UInt32.self)
        e.storeBytes(of: UInt32(head.count), toByteOffset: E.headLength.rawValue, as: UInt32.self)
        e.storeBytes(of: now &+ UInt32(entry.maxAge), toByteOffset: E.expire.rawValue, as: UInt32.self)
        e.storeBytes(of: now, toByteOffset: E.validated.rawValue, as: UInt32.self)
        e.storeBytes(of: entry.age, toByteOffset: E.age.rawValue, as: UInt32.self)
        e.storeBytes(of: entry.signature.rawValue, toByteOffset: E.signature.rawValue, as: UInt32.self)
        e.storeBytes(of: entry.lastModified, toByteOffset: E.lastModified.rawValue, as: Int64.self)
        e.storeBytes(of: UInt32(entry.etag.count), toByteOffset: E.etagLength.rawValue, as: UInt32.self)
        e.storeBytes(of: entry.secondary.acceptEncoding, toByteOffset: E.secondaryAE.rawValue, as: UInt32.self)
        e.storeBytes(of: entry.secondary.referer, toByteOffset: E.secondaryReferer.rawValue, as: UInt32.self)
        withUnsafeBytes(of: entry.key.digest) { (e + E.key.rawValue).copyMemory(from: $0.baseAddress!, byteCount: 20) }
        e.storeBytes(of: chunked ? 1 : 0, toByteOffset: E.chunked.rawValue, as: UInt8.self)
        let sequence = header.load(fromByteOffset: Header.sequence.rawValue, as: UInt64.self)
        header.storeBytes(of: sequence &+ 1, toByteOffset: Header.sequence.rawValue, as: UInt64.self)
        e.storeBytes(of: sequence, toByteOffset: E.sequence.rawValue, as: UInt64.self)
        // Index it and make it the most recently used.
        let b = bucket(entry.key)
        e.storeBytes(of: bucketHeads[b], toByteOffset: E.hashNext.rawValue, as: Int32.self)
        bucketHeads[b] = Int32(index)
        appendLRU(index)
        set(.entries, get(.entries) + 1)
        return true
    }

    /// A hit: the entry becomes the most recently used.
    public func touch(_ index: Int) {
        unlinkLRU(index)
        appendLRU(index)
    }

    public func info(_ index: Int) -> Info {
        let e = entry(index)
        var key = HTTPCacheKey()
        withUnsafeMutableBytes(of: &key.digest) { $0.copyMemory(from: UnsafeRawBufferPointer(start: e + E.key.rawValue, count: 20)) }
        func u32(_ f: E) -> UInt32 { e.load(fromByteOffset: f.rawValue, as: UInt32.self) }
        return Info(key: key, signature: .init(rawValue: u32(.signature)), secondary: secondaryKey(e),
                    size: Int(u32(.size)), blockCount: Int(u32(.blockCount)), headLength: Int(u32(.headLength)),
                    expire: u32(.expire), validated: u32(.validated), age: u32(.age),
                    lastModified: e.load(fromByteOffset: E.lastModified.rawValue, as: Int64.self),
                    etagLength: Int(u32(.etagLength)), chunked: e.load(fromByteOffset: E.chunked.rawValue, as: UInt8.self) != 0)
    }

    /// Hands the entry's bytes from `offset`, block piece by block piece, to `body`.
    public func read(_ index: Int, from offset: Int, count: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        let e = entry(index)
        var block = Int(e.load(fromByteOffset: E.firstBlock.rawValue, as: Int32.self))
        var skip = offset
        while skip >= Self.blockSize { block = Int(blockNext[block]); skip -= Self.blockSize }
        var left = count
        while left > 0 && block >= 0 {
            let n = min(left, Self.blockSize - skip)
            body(UnsafeRawBufferPointer(start: data + block * Self.blockSize + skip, count: n))
            left -= n; skip = 0
            block = Int(blockNext[block])
        }
    }

    /// Removes the entry with `key` whatever its variant (an unsafe method succeeded).
    public func invalidate(_ key: HTTPCacheKey) {
        var i = bucketHeads[bucket(key)]
        while i >= 0 {
            let e = entry(Int(i))
            let next = e.load(fromByteOffset: E.hashNext.rawValue, as: Int32.self)
            if keyEquals(e, key) { remove(Int(i)); return }
            i = next
        }
    }

    /// Live entries in HAProxy's `show cache` order (by the hash's first 32 bits).
    public func liveEntries(now: UInt32) -> [Int] {
        var out: [Int] = []
        var i = get(.lruHead)
        while i >= 0 {
            if entry(Int(i)).load(fromByteOffset: E.expire.rawValue, as: UInt32.self) > now { out.append(Int(i)) }
            i = entry(Int(i)).load(fromByteOffset: E.lruNext.rawValue, as: Int32.self)
        }
        return out.sorted { info($0).key.hash32 < info($1).key.hash32 }
    }

    public var freeBlocks: Int { Int(get(.freeBlocks)) }
    public var entryCount: Int { Int(get(.entries)) }

    // MARK: layout

    private var header: UnsafeMutableRawPointer { base + Self.lockBytes }
    private var bucketHeads: UnsafeMutablePointer<Int32> {
        (header + Self.headerBytes).assumingMemoryBound(to: Int32.self)
    }
    private var entries: UnsafeMutableRawPointer { header + Self.headerBytes + buckets * 4 }
    private var blockNext: UnsafeMutablePointer<Int32> {
        (entries + blocks * Self.entryBytes).assumingMemoryBound(to: Int32.self)
    }
    private var data: UnsafeMutableRawPointer { entries + blocks * Self.entryBytes + blocks * 4 }
    private func entry(_ i: Int) -> UnsafeMutableRawPointer { entries + i * Self.entryBytes }

    private func get(_ f: Header) -> Int32 { header.load(fromByteOffset: f.rawValue, as: Int32.self) }
    private func set(_ f: Header, _ v: Int32) { header.storeBytes(of: v, toByteOffset: f.rawValue, as: Int32.self) }

    private func bucket(_ key: HTTPCacheKey) -> Int { Int(key.hash32 & UInt32(buckets - 1)) }

    private func keyEquals(_ e: UnsafeMutableRawPointer, _ key: HTTPCacheKey) -> Bool {
        let k = E.key.rawValue
        return e.loadUnaligned(fromByteOffset: k, as: UInt64.self) == key.digest.0
            && e.loadUnaligned(fromByteOffset: k + 8, as: UInt64.self) == key.digest.1
            && e.loadUnaligned(fromByteOffset: k + 16, as: UInt32.self) == key.digest.2
    }

    private func secondaryKey(_ e: UnsafeMutableRawPointer) -> HTTPCacheSecondaryKey {
        HTTPCacheSecondaryKey(acceptEncoding: e.load(fromByteOffset: E.secondaryAE.rawValue, as: UInt32.self),
                              referer: e.load(fromByteOffset: E.secondaryReferer.rawValue, as: UInt32.self))
    }

    private func appendLRU(_ i: Int) {
        let e = entry(i)
        let tail = get(.lruTail)
        e.storeBytes(of: tail, toByteOffset: E.lruPrev.rawValue, as: Int32.self)
        e.storeBytes(of: -1, toByteOffset: E.lruNext.rawValue, as: Int32.self)
        if tail >= 0 { entry(Int(tail)).storeBytes(of: Int32(i), toByteOffset: E.lruNext.rawValue, as: Int32.self) } else { set(.lruHead, Int32(i)) }
        set(.lruTail, Int32(i))
    }

    private func unlinkLRU(_ i: Int) {
        let e = entry(i)
        let prev = e.load(fromByteOffset: E.lruPrev.rawValue, as: Int32.self)
        let next = e.load(fromByteOffset: E.lruNext.rawValue, as: Int32.self)
        if prev >= 0 { entry(Int(prev)).storeBytes(of: next, toByteOffset: E.lruNext.rawValue, as: Int32.self) } else { set(.lruHead, next) }
        if next >= 0 { entry(Int(next)).storeBytes(of: prev, toByteOffset: E.lruPrev.rawValue, as: Int32.self) } else { set(.lruTail, prev) }
    }

    /// Frees an entry: out of its bucket and the LRU list, its blocks and slot freed.
    private func remove(_ i: Int) {
        let e = entry(i)
        guard e.load(fromByteOffset: E.live.rawValue, as: UInt32.self) != 0 else { return }
        // Out of the bucket chain.
        var key = HTTPCacheKey()
        withUnsafeMutableBytes(of: &key.digest) { $0.copyMemory(from: UnsafeRawBufferPointer(start: e + E.key.rawValue, count: 20)) }
        let b = bucket(key)
        let next = e.load(fromByteOffset: E.hashNext.rawValue, as: Int32.self)
        if bucketHeads[b] == Int32(i) {
            bucketHeads[b] = next
        } else {
            var p = bucketHeads[b]
            while p >= 0 {
                let pe = entry(Int(p))
                let pn = pe.load(fromByteOffset: E.hashNext.rawValue, as: Int32.self)
                if pn == Int32(i) { pe.storeBytes(of: next, toByteOffset: E.hashNext.rawValue, as: Int32.self); break }
                p = pn
            }
        }
        unlinkLRU(i)
        // Blocks back to the free list.
        let first = e.load(fromByteOffset: E.firstBlock.rawValue, as: Int32.self)
        let count = e.load(fromByteOffset: E.blockCount.rawValue, as: Int32.self)
        var last = first
        for _ in 1..<max(1, Int(count)) { last = blockNext[Int(last)] }
        blockNext[Int(last)] = get(.freeBlock)
        set(.freeBlock, first)
        set(.freeBlocks, get(.freeBlocks) + count)
        // Slot back to the free list.
        e.storeBytes(of: 0, toByteOffset: E.live.rawValue, as: UInt32.self)
        e.storeBytes(of: get(.freeEntry), toByteOffset: E.hashNext.rawValue, as: Int32.self)
        set(.freeEntry, Int32(i))
        set(.entries, get(.entries) - 1)
    }
}
