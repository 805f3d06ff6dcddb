import Glibc
import FulcrumPosix
import FulcrumTLS

/// The one seam between a stream and the bytes of one of its connections
/// (nginx's c->recv/c->send, HAProxy's xprt_ops): every read, write, splice and
/// shutdown of a client or server connection goes through it, so TLS is
/// another case without touching the stream code. A TLS connection keeps the
/// plain calls' contract (0 at EOF, `.again` when not ready, a short read
/// drained the socket); its `wants` tells which readiness a `.again` awaits.
enum Transport {
    case none
    case plain(FileDescriptor)
    case tls(TLSConnection)

    /// The descriptor epoll watches (-1 when none).
    var fd: FileDescriptor {
        switch self {
        case .none: return FileDescriptor(-1)
        case .plain(let fd): return fd
        case .tls(let c): return c.fd
        }
    }

    var isOpen: Bool { if case .none = self { return false } else { return true } }

    /// After a receive threw `.again`: whether the socket must become
    /// readable again (always for plain sockets). A TLS read can wait on
    /// writability instead (the record layer flushing first); the caller then
    /// keeps its readable flag, and the next writable edge resumes the read.
    @inline(__always)
    var receiveWaitsForReadable: Bool {
        if case .tls(let c) = self { return c.wants == .read }
        return true
    }

    /// Whether bytes may move kernel-side with splice(2) (plain sockets only).
    var canSplice: Bool { if case .plain = self { return true } else { return false } }

    /// Reads up to `count` bytes; 0 at EOF; throws .again when nothing is ready.
    @inline(__always)
    func receive(into buffer: UnsafeMutableRawPointer, count: Int) throws(Errno) -> Int {
        switch self {
        case .none: throw Errno(EBADF)
        case .plain(let fd): return try fd.read(into: buffer, count: count)
        case .tls(let c): return try c.receive(into: buffer, count: count)
        }
    }

    /// Sends what the peer takes; throws .again when it took nothing.
    /// `more`: more of the message follows (MSG_MORE on a plain socket; TLS
    /// records go out as they are, as HAProxy's ssl layer sends them).
    @inline(__always)
    func send(_ buffer: UnsafeRawPointer, count: Int, more: Bool = false) throws(Errno) -> Int {
        switch self {
        case .none: throw Errno(EBADF)
        case .plain(let fd): return more ? try Socket.sendMore(fd, buffer, count: count) : try Socket.send(fd, buffer, count: count)
        case .tls(let c): return try c.send(buffer, count: count)
        }
    }

    /// Reads into the free space of `buffer`, keeping at most `limit` bytes in
    /// it. Returns the bytes read (0 = EOF, -1 = no room) and whether the read
    /// filled the space it was given (more may be waiting). A buffer taken for
    /// a read that found nothing goes straight back to the pool.
    @inline(__always)
    func receive(into buffer: inout ByteBuffer, pool: BufferPool, limit: Int) throws(Errno) -> (count: Int, filled: Bool) {
        let room = min(limit - buffer.count, pool.size)
        guard room > 0 else { return (-1, false) }
        let space = buffer.writableSpace(upTo: room, pool: pool)
        do {
            let n = try receive(into: space.baseAddress!, count: space.count)
            buffer.commit(n)
            buffer.releaseIfEmpty(to: pool)
            return (n, n == space.count)
        } catch {
            buffer.releaseIfEmpty(to: pool)
            throw error
        }
    }

    /// Sends as much of `buffer` as the peer takes, giving the memory back once
    /// it is drained. Throws .again when it took nothing. `more`: as for `send`.
    @inline(__always)
    func send(from buffer: inout ByteBuffer, pool: BufferPool, more: Bool = false) throws(Errno) -> Int {
        var total = 0
        while buffer.count > 0 {
            let r = buffer.readable
            let n: Int
            do {
                n = try send(r.baseAddress!, count: r.count, more: more)
            } catch {
                if error == .again && total > 0 { break }
                throw error
            }
            buffer.consume(n)
            total += n
        }
        buffer.releaseIfEmpty(to: pool)
        return total
    }

    /// Kernel-side move from this connection into a pipe (`canSplice` only).
    @inline(__always)
    func splice(into pipe: Pipe, count: Int) throws(Errno) -> Int {
        try FulcrumPosix.splice(from: fd, to: pipe.writeEnd, count: count)
    }

    /// Kernel-side move from a pipe to this connection (`canSplice` only).
    @inline(__always)
    func splice(from pipe: Pipe, count: Int) throws(Errno) -> Int {
        try FulcrumPosix.splice(from: pipe.readEnd, to: fd, count: count)
    }

    /// An idle kept-alive connection with nothing to read and no EOF: the
    /// peer still holds it open, it may carry another request.
    var isIdleOpen: Bool {
        if case .tls(let c) = self { return c.isIdleOpen }
        guard case .plain(let fd) = self else { return false }
        var byte: UInt8 = 0
        let r = recv(fd.rawValue, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    /// Sends FIN after what was written (TLS: close_notify first).
    func shutdownWrite() {
        switch self {
        case .none: break
        case .plain(let fd): Socket.shutdownWrite(fd)
        case .tls(let c): c.shutdownWrite()
        }
    }

    /// Closes the connection; `abort` resets it instead of a clean FIN.
    func close(abort: Bool = false) {
        switch self {
        case .none: break
        case .plain(let fd): if abort { Socket.abort(fd) } else { fd.close() }
        case .tls(let c): c.close(abort: abort)
        }
    }
}
