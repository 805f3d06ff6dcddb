import Glibc
import CFulcrum

/// An open descriptor. A plain value: ownership is by convention of whoever
/// holds it, and `close()` is explicit, as on the hot path we want no ARC.
public struct FileDescriptor: Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public var description: String { "fd \(rawValue)" }

    public func close() { _ = Glibc.close(rawValue) }

    public func setNonBlocking() throws(Errno) { try syscall { cf_set_nonblock(rawValue) } }
    public func setCloseOnExec(_ on: Bool) throws(Errno) { try syscall { cf_set_cloexec(rawValue, on ? 1 : 0) } }

    /// Whether the descriptor is a terminal (left blocking, as HAProxy does).
    public var isTerminal: Bool { isatty(rawValue) == 1 }

    /// Duplicates to the lowest free number >= `minimum`, close-on-exec.
    public func duplicate(atLeast minimum: Int32) throws(Errno) -> FileDescriptor {
        FileDescriptor(try syscall { cf_dup_above(rawValue, minimum) })
    }

    /// read(2); returns 0 at EOF. Throws .again when nothing is ready.
    @inline(__always)
    public func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(Errno) -> Int {
        while true {
            let n = Glibc.read(rawValue, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw Errno.current
        }
    }

    /// write(2) for pipes and files; sockets use Socket.send (no SIGPIPE).
    @inline(__always)
    public func write(_ buffer: UnsafeRawPointer, count: Int) throws(Errno) -> Int {
        while true {
            let n = Glibc.write(rawValue, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw Errno.current
        }
    }

    /// Writes everything (blocking descriptors, small control data).
    public func writeAll(_ bytes: [UInt8]) throws(Errno) {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(rawValue, $0.baseAddress! + off, $0.count - off) }
            if n < 0 { if errno == EINTR { continue }; throw Errno.current }
            off += n
        }
    }

    /// Reads until EOF (blocking descriptors: config files, memfds).
    public func readAll() throws(Errno) -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw Errno.current }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
        }
    }

    public static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(Errno) -> FileDescriptor {
        FileDescriptor(try syscall { Glibc.open(path, flags | O_CLOEXEC, mode) })
    }
}

/// A non-blocking pipe pair, used by the splice path.
public struct Pipe {
    public var readEnd: FileDescriptor
    public var writeEnd: FileDescriptor
    public static func make() throws(Errno) -> Pipe {
        var fds: [Int32] = [0, 0]
        try syscall { cf_pipe_nonblock(&fds) }
        return Pipe(readEnd: FileDescriptor(fds[0]), writeEnd: FileDescriptor(fds[1]))
    }
    public func close() { readEnd.close(); writeEnd.close() }
}

/// splice(2) between two descriptors, one of which is a pipe. Returns bytes
/// moved; 0 means EOF on `from`. Throws .again when it would block.
@inline(__always)
public func splice(from: FileDescriptor, to: FileDescriptor, count: Int) throws(Errno) -> Int {
    while true {
        let n = cf_splice(from.rawValue, to.rawValue, count)
        if n >= 0 { return n }
        if errno == EINTR { continue }
        throw Errno.current
    }
}
