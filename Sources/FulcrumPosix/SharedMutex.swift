import Glibc

/// A mutex in shared memory that every process mapping it can take: robust,
/// so a process that dies holding it (a crashed worker) does not stall the
/// others forever; the next taker learns the owner died and repairs what the
/// lock guards.
public struct SharedMutex {
    let mutex: UnsafeMutablePointer<pthread_mutex_t>

    /// Bytes the mutex needs at its address.
    public static var size: Int { MemoryLayout<pthread_mutex_t>.size }

    /// Attaches to a mutex another process initialized at `address`.
    public init(at address: UnsafeMutableRawPointer) {
        mutex = address.assumingMemoryBound(to: pthread_mutex_t.self)
    }

    /// Initializes a process-shared, robust mutex at `address` (the region's
    /// creator, once, before any other process maps it).
    public static func initialize(at address: UnsafeMutableRawPointer) throws(Errno) -> SharedMutex {
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        defer { pthread_mutexattr_destroy(&attr) }
        pthread_mutexattr_setpshared(&attr, Int32(PTHREAD_PROCESS_SHARED))
        pthread_mutexattr_setrobust(&attr, Int32(PTHREAD_MUTEX_ROBUST))
        let m = address.assumingMemoryBound(to: pthread_mutex_t.self)
        let r = pthread_mutex_init(m, &attr)
        guard r == 0 else { throw Errno(r) }
        return SharedMutex(at: address)
    }

    /// Runs `body` holding the lock. `repair` runs first, still holding it,
    /// when the previous owner died inside: what it guarded may be half-written.
    public func withLock<R>(repair: () -> Void, _ body: () -> R) -> R {
        let r = pthread_mutex_lock(mutex)
        if r == EOWNERDEAD {
            repair()
            pthread_mutex_consistent(mutex)
        }
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
