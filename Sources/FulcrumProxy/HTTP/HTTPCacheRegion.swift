import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// The memory of every `cache` section: one MAP_SHARED region the master
/// makes per generation and hands to each worker (`--http-caches FD`), so
/// an object a worker stored is served by all of them, as HAProxy's threads
/// share its cache. Each cache is its own `HTTPCacheStore` with its own
/// robust process-shared lock: a worker that dies holding it leaves that
/// cache emptied by the next taker, not a deadlock.
public final class HTTPCacheRegion {
    public let memory: SharedMemory
    let stores: [HTTPCacheStore]
    let mutexes: [SharedMutex]
    public let caches: [CacheSection]

    /// Where each cache starts in the region, and the region's size.
    static func layout(_ caches: [CacheSection]) -> (offsets: [Int], size: Int) {
        var offsets: [Int] = [], size = 0
        for c in caches {
            offsets.append(size)
            size += (HTTPCacheStore.regionSize(blocks: c.blocks) + 63) & ~63
        }
        return (offsets, size)
    }

    /// The master's part: a new region, every cache empty (nil: no cache section).
    public static func make(_ caches: [CacheSection]) throws -> SharedMemory? {
        guard !caches.isEmpty else { return nil }
        let (offsets, size) = layout(caches)
        let memory = try SharedMemory(create: "fulcrum-http-caches", size: size)
        for (i, c) in caches.enumerated() {
            _ = try SharedMutex.initialize(at: memory.base + offsets[i])
            _ = HTTPCacheStore(formatting: memory.base + offsets[i], blocks: c.blocks)
        }
        return memory
    }

    /// Attaches to the master's region; nil when it does not hold these caches.
    public init?(_ memory: SharedMemory, caches: [CacheSection]) {
        let (offsets, size) = Self.layout(caches)
        guard memory.size == size else { return nil }
        var stores: [HTTPCacheStore] = []
        for (i, c) in caches.enumerated() {
            guard let s = HTTPCacheStore(attaching: memory.base + offsets[i], size: HTTPCacheStore.regionSize(blocks: c.blocks))
            else { return nil }
            stores.append(s)
        }
        self.memory = memory
        self.stores = stores
        self.caches = caches
        mutexes = stores.map { SharedMutex(at: $0.lock) }
    }

    /// Runs `body` on cache `i` holding its lock.
    func withStore<R>(_ i: Int, _ body: (HTTPCacheStore) -> R) -> R {
        let store = stores[i]
        return mutexes[i].withLock(repair: { store.reset() }) { body(store) }
    }

    /// `show cache`, in HAProxy 2.6's format: a line per cache, then a line
    /// per live object (its 32 first hash bits, its Vary key, its size and
    /// blocks, its users and the seconds before it expires).
    public func show(now: UInt32) -> String {
        var out = ""
        for i in caches.indices {
            let store = stores[i]
            withStore(i) { s in
                // HAProxy counts blocks "available for reuse": every block not
                // being written (objects stored stay reusable).
                out += "\(Self.pointer(store.lock + 0x3a)): \(caches[i].name) (shctx:\(Self.pointer(store.lock)), available blocks:\(s.blocks))\n"
                for e in s.liveEntries(now: now) {
                    let info = s.info(e)
                    out += "\(Self.pointer(store.lock + 0x100 + e * 128)) hash:\(info.key.hash32) vary:0x\(info.secondary.hex)"
                    out += " size:\(info.size) (\(info.blockCount) blocks), refcount:0, expire:\(Int64(info.expire) - Int64(now))\n"
                }
            }
        }
        return out
    }

    static func pointer(_ p: UnsafeMutableRawPointer) -> String { "0x" + String(UInt(bitPattern: p), radix: 16) }
}
