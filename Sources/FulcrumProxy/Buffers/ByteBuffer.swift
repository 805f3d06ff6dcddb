/// Bytes waiting in one direction of a stream: a window into memory taken
/// from the worker's BufferPool when bytes arrive and given back when it is
/// empty (`releaseIfEmpty`), so an idle connection holds no buffer. Memory
/// only: reading and writing sockets is the Transport's job. A message part
/// that does not fit one pool buffer (a rewritten head, compressed output)
/// grows into a private allocation, freed instead of pooled.
struct ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer? = nil
    private(set) var capacity = 0
    private(set) var start = 0
    private(set) var end = 0

    var count: Int { end - start }
    var isEmpty: Bool { start == end }
    /// Whether memory is held (an empty buffer may still hold it until released).
    var holdsMemory: Bool { base != nil }

    /// Drops the contents and gives the memory back.
    mutating func release(to pool: BufferPool) {
        guard let b = base else { return }
        if capacity == pool.size { pool.give(b) } else { b.deallocate() }
        base = nil; capacity = 0; start = 0; end = 0
    }

    @inline(__always)
    mutating func releaseIfEmpty(to pool: BufferPool) {
        if start == end && base != nil { release(to: pool) }
    }

    /// Makes room for `n` more bytes at the end: takes a pool buffer, then
    /// compacts, then grows past the pool size when it must.
    mutating func reserve(_ n: Int, pool: BufferPool) {
        if base == nil {
            base = pool.take(); capacity = pool.size
        }
        if capacity - end >= n { return }
        if start > 0 {
            if end > start { base!.copyMemory(from: base! + start, byteCount: end - start) }
            end -= start; start = 0
            if capacity - end >= n { return }
        }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: max(capacity * 2, end + n), alignment: 64)
        if end > 0 { grown.copyMemory(from: base!, byteCount: end) }
        if capacity == pool.size { pool.give(base!) } else { base!.deallocate() }
        base = grown
        capacity = max(capacity * 2, end + n)
    }

    /// Free space at the end for up to `want` bytes (compacting or taking a
    /// buffer first); fill it, then `commit`.
    @inline(__always)
    mutating func writableSpace(upTo want: Int, pool: BufferPool) -> UnsafeMutableRawBufferPointer {
        if base == nil { base = pool.take(); capacity = pool.size }
        if capacity - end < want && start > 0 {
            if end > start { base!.copyMemory(from: base! + start, byteCount: end - start) }
            end -= start; start = 0
        }
        return UnsafeMutableRawBufferPointer(start: base! + end, count: min(want, capacity - end))
    }

    @inline(__always)
    mutating func commit(_ n: Int) { end += n }

    @inline(__always)
    mutating func consume(_ n: Int) {
        start += n
        if start >= end { start = 0; end = 0 }
    }

    mutating func clear() { start = 0; end = 0 }

    var readable: UnsafeRawBufferPointer {
        guard let b = base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: b + start, count: end - start)
    }

    @inline(__always)
    func withReadable<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R { body(readable) }

    mutating func append(_ bytes: UnsafeRawBufferPointer, pool: BufferPool) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count, pool: pool)
        (base! + end).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        end += bytes.count
    }

    mutating func append(_ bytes: [UInt8], pool: BufferPool) {
        bytes.withUnsafeBytes { append($0, pool: pool) }
    }

    mutating func append(contentsOf bytes: ArraySlice<UInt8>, pool: BufferPool) {
        bytes.withUnsafeBytes { append($0, pool: pool) }
    }

    /// Moves the first `n` readable bytes of `other` to the end of this buffer.
    mutating func take(_ n: Int, from other: inout ByteBuffer, pool: BufferPool) {
        guard n > 0 else { return }
        if n == other.count && isEmpty {
            // The whole window moves: hand over the memory instead of copying.
            swap(&self, &other)
            return
        }
        append(UnsafeRawBufferPointer(rebasing: other.readable[0..<n]), pool: pool)
        other.consume(n)
    }
}
