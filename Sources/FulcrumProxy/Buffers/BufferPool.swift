import Glibc

/// The worker's buffers of `tune.bufsize` bytes. A stream takes one when bytes
/// arrive and gives it back when it is drained, so an idle connection holds
/// none (HAProxy's b_alloc/b_free over its pools). Free buffers beyond what the
/// recent load needs are freed by `shrink`.
final class BufferPool {
    let size: Int
    private var free: [UnsafeMutableRawPointer] = []
    /// Buffers handed out and not given back, and the peak since the last shrink.
    private var use = PoolUse()
    var inUse: Int { use.inUse }

    /// `-dM[BYTE]`: every buffer taken is first filled with this byte
    /// (-1: off), as HAProxy poisons its pools, so code that reads bytes it
    /// never wrote shows up as that byte instead of a previous stream's data.
    /// Set once at startup, before any pool exists.
    nonisolated(unsafe) static var poisonByte: Int32 = -1

    init(size: Int) {
        self.size = size
        free.reserveCapacity(256)
    }

    deinit { for b in free { b.deallocate() } }

    var freeCount: Int { free.count }

    @inline(__always)
    func take() -> UnsafeMutableRawPointer {
        use.lent()
        let buffer = free.popLast() ?? UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        if Self.poisonByte >= 0 { memset(buffer, Self.poisonByte, size) }
        return buffer
    }

    @inline(__always)
    func give(_ buffer: UnsafeMutableRawPointer) {
        use.givenBack()
        free.append(buffer)
    }

    /// Keeps as many free buffers as the peak since the last call needed above
    /// what is in use now (at most a quarter more), frees the rest and asks
    /// Called about once a second by the worker; returns how many it freed.
    @discardableResult
    func shrink() -> Int {
        let keep = use.keepOnShrink()
        guard free.count > keep else { return 0 }
        let released = free.count - keep
        while free.count > keep { free.removeLast().deallocate() }
        return released
    }
}

/// `-dM[BYTE]` for the worker: turns buffer poisoning on (see
/// `BufferPool.poisonByte`).
public enum BufferPoisoning {
    public static func enable(byte: UInt8) { BufferPool.poisonByte = Int32(byte) }
}
