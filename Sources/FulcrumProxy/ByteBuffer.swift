import Glibc
import FulcrumPosix

/// A growable byte window that a socket reads into and writes from. The
/// storage is kept across requests and connections (sessions are reused), so
/// steady-state HTTP forwarding does not allocate.
struct ByteBuffer {
    private(set) var storage: [UInt8] = []
    private(set) var start = 0
    private(set) var end = 0
    /// Whether the last `read` got everything it asked for (more may be waiting).
    private(set) var lastReadFilled = false

    var count: Int { end - start }
    var isEmpty: Bool { start == end }

    mutating func clear() { start = 0; end = 0 }

    /// Makes room for `n` more bytes at the end (compacting first).
    private mutating func reserve(_ n: Int) {
        if storage.count - end >= n { return }
        if start > 0 {
            if count > 0 {
                storage.withUnsafeMutableBytes { p in
                    p.baseAddress!.copyMemory(from: p.baseAddress! + start, byteCount: end - start)
                }
            }
            end -= start; start = 0
        }
        if storage.count - end < n {
            storage.append(contentsOf: [UInt8](repeating: 0, count: max(n - (storage.count - end), storage.count, 4096)))
        }
    }

    /// read(2) into the free space, at most `limit` bytes kept in total.
    /// Returns bytes read (0 = EOF); throws .again when nothing is ready.
    mutating func read(from fd: FileDescriptor, limit: Int) throws(Errno) -> Int {
        let room = max(0, limit - count)
        guard room > 0 else { return -1 }
        reserve(min(room, 16384))
        let want = min(room, storage.count - end)
        while true {
            let e = end
            let n = storage.withUnsafeMutableBytes { p in Glibc.read(fd.rawValue, p.baseAddress! + e, want) }
            if n >= 0 { end += n; lastReadFilled = n == want; return n }
            if errno == EINTR { continue }
            throw Errno.current
        }
    }

    mutating func append(_ bytes: [UInt8]) { append(contentsOf: bytes[...]) }
    mutating func append(contentsOf bytes: ArraySlice<UInt8>) {
        reserve(bytes.count)
        storage.withUnsafeMutableBytes { p in
            bytes.withUnsafeBytes { b in
                if b.count > 0 { (p.baseAddress! + end).copyMemory(from: b.baseAddress!, byteCount: b.count) }
            }
        }
        end += bytes.count
    }
    /// Moves the first `n` readable bytes of `other` to the end of this buffer.
    mutating func take(_ n: Int, from other: inout ByteBuffer) {
        guard n > 0 else { return }
        reserve(n)
        let src = other.start
        storage.withUnsafeMutableBytes { p in
            other.storage.withUnsafeBytes { o in (p.baseAddress! + end).copyMemory(from: o.baseAddress! + src, byteCount: n) }
        }
        end += n
        other.consume(n)
    }

    mutating func consume(_ n: Int) {
        start += n
        if start >= end { start = 0; end = 0 }
    }

    func withReadable<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        storage.withUnsafeBytes { p in body(UnsafeRawBufferPointer(rebasing: p[start..<end])) }
    }

    /// Sends as much as the socket takes. Throws .again when it took nothing.
    mutating func send(to fd: FileDescriptor) throws(Errno) -> Int {
        var total = 0
        while count > 0 {
            let s = start, c = count
            let n = storage.withUnsafeBytes { p in Glibc.send(fd.rawValue, p.baseAddress! + s, c, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                let e = Errno.current
                if e == .again && total > 0 { return total }
                throw e
            }
            consume(n)
            total += n
        }
        return total
    }
}
