import FulcrumCore
import FulcrumPosix
import FulcrumTLS

/// The TLS session cache the workers share (`tune.ssl.cachesize`), as the
/// server contexts' session store: the master's region, its lock, and the
/// cache laid over it. A worker that died holding the lock leaves a cache
/// that is emptied by the next taker (a few full handshakes, nothing more).
public final class SharedTLSSessions: TLSSessionStore, @unchecked Sendable {
    let memory: SharedMemory
    let cache: SharedSessionCache
    let mutex: SharedMutex

    /// Attaches to the region the master made; nil when it is not one.
    public init?(_ memory: SharedMemory) {
        guard let cache = SharedSessionCache(attaching: memory.base, size: memory.size) else { return nil }
        self.memory = memory
        self.cache = cache
        mutex = SharedMutex(at: cache.lock)
    }

    public func save(id: UnsafeRawBufferPointer, session: UnsafeRawBufferPointer, expiry: UInt32) {
        mutex.withLock(repair: { cache.reset() }) { _ = cache.save(id: id, session: session, expiry: expiry) }
    }

    public func withSession(id: UnsafeRawBufferPointer, now: UInt32,
                            _ body: (UnsafeRawBufferPointer) -> OpaquePointer?) -> OpaquePointer? {
        mutex.withLock(repair: { cache.reset() }) { cache.withSession(id: id, now: now, body) ?? nil }
    }

    public func remove(id: UnsafeRawBufferPointer) {
        mutex.withLock(repair: { cache.reset() }) { cache.remove(id: id) }
    }
}
