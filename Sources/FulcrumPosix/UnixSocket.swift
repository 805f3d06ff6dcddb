import Glibc
import CFulcrum

/// AF_UNIX sockets: the master/child control channel (SOCK_SEQPACKET keeps
/// message boundaries), the CLI stream sockets, and sd_notify datagrams.
public enum UnixSocket {
    public static func seqpacketPair() throws(Errno) -> (FileDescriptor, FileDescriptor) {
        var fds: [Int32] = [0, 0]
        try syscall { cf_socketpair_seqpacket(&fds) }
        return (FileDescriptor(fds[0]), FileDescriptor(fds[1]))
    }

    /// Sends one message; returns false if the peer is gone or the buffer full.
    @discardableResult
    public static func sendMessage(_ fd: FileDescriptor, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { cf_send(fd.rawValue, $0.baseAddress!, $0.count) } == bytes.count
    }

    /// Lets `bytes` of messages wait in the socket (SO_SNDBUFFORCE as root,
    /// else up to the system's limit), so a burst of control messages to a
    /// busy or starting child is queued rather than refused.
    public static func enlargeSendBuffer(_ fd: FileDescriptor, bytes: Int) {
        var size = Int32(clamping: bytes)
        let len = socklen_t(MemoryLayout<Int32>.size)
        if setsockopt(fd.rawValue, SOL_SOCKET, SO_SNDBUFFORCE, &size, len) != 0 {
            _ = setsockopt(fd.rawValue, SOL_SOCKET, SO_SNDBUF, &size, len)
        }
    }

    /// Receives one message (non-blocking). nil: nothing pending; empty: peer closed.
    public static func receiveMessage(_ fd: FileDescriptor, maxSize: Int = 65536) -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: maxSize)
        let n = buf.withUnsafeMutableBytes { recv(fd.rawValue, $0.baseAddress!, $0.count, Int32(MSG_DONTWAIT)) }
        if n < 0 { return (errno == EAGAIN || errno == EINTR) ? nil : [] }
        return Array(buf[0..<n])
    }

    private static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R? {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        let cap = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < cap else { return nil }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
        let len = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, len) } }
    }

    /// A listening stream socket at `path` (replacing a stale file), with
    /// `mode` (nil: as the umask leaves it).
    public static func listen(path: String, mode: mode_t?, backlog: Int32 = 16) throws(Errno) -> FileDescriptor {
        let fd = FileDescriptor(try syscall { cf_socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0) })
        unlink(path)
        guard let r = withAddress(path, { Glibc.bind(fd.rawValue, $0, $1) }) else { fd.close(); throw Errno(ENAMETOOLONG) }
        if r != 0 { let e = Errno.current; fd.close(); throw e }
        if let mode { chmod(path, mode) }
        if Glibc.listen(fd.rawValue, backlog) != 0 { let e = Errno.current; fd.close(); throw e }
        return fd
    }

    /// A `bind /path` listener as HAProxy makes one: bound at a temporary
    /// name beside `path`, given its mode and owner, listening, then renamed
    /// over `path`, so a client never finds the path missing nor a socket
    /// nobody listens on (the previous owner's file is replaced atomically).
    public static func listenStream(path: String, mode: mode_t?, uid: uid_t?, gid: gid_t?,
                                    backlog: Int32) throws(Errno) -> FileDescriptor {
        let temporary = "\(path).\(getpid()).tmp"
        let fd = FileDescriptor(try syscall { cf_socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0) })
        unlink(temporary)
        guard let r = withAddress(temporary, { Glibc.bind(fd.rawValue, $0, $1) }) else { fd.close(); throw Errno(ENAMETOOLONG) }
        if r != 0 { let e = Errno.current; fd.close(); throw e }
        func fail() -> Errno { let e = Errno.current; unlink(temporary); fd.close(); return e }
        if let mode, chmod(temporary, mode) != 0 { throw fail() }
        if uid != nil || gid != nil, chown(temporary, uid ?? uid_t.max, gid ?? gid_t.max) != 0 { throw fail() }
        if Glibc.listen(fd.rawValue, backlog) != 0 { throw fail() }
        if rename(temporary, path) != 0 { throw fail() }
        return fd
    }

    /// An `abns@name` listener: Linux's abstract namespace, no file. The name
    /// fills the whole sun_path, zero-padded, as HAProxy 2.6 binds and
    /// connects it (so its `abns@` peers find it).
    public static func listenAbstract(name: String, backlog: Int32) throws(Errno) -> FileDescriptor {
        let fd = FileDescriptor(try syscall { cf_socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0) })
        guard let r = withAbstractAddress(name, { Glibc.bind(fd.rawValue, $0, $1) }) else { fd.close(); throw Errno(ENAMETOOLONG) }
        if r != 0 { let e = Errno.current; fd.close(); throw e }
        if Glibc.listen(fd.rawValue, backlog) != 0 { let e = Errno.current; fd.close(); throw e }
        return fd
    }

    /// sockaddr_un of an abstract name, padded to the full sun_path.
    static func withAbstractAddress<R>(_ name: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R? {
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8)
        let cap = MemoryLayout.size(ofValue: addr.sun_path)
        guard bytes.count < cap else { return nil }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in bytes.enumerated() { p[i + 1] = b } }
        let len = socklen_t(MemoryLayout<sockaddr_un>.size)
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, len) } }
    }

    /// The path (or "@name" for an abstract one, with the padding's NULs
    /// dropped) a listening unix socket is bound to.
    public static func boundName(_ fd: FileDescriptor) -> String? {
        var addr = sockaddr_un()
        var len = socklen_t(MemoryLayout<sockaddr_un>.size)
        let r = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd.rawValue, $0, &len) }
        }
        guard r == 0, addr.sun_family == sa_family_t(AF_UNIX) else { return nil }
        let count = Int(len) - MemoryLayout<sa_family_t>.size
        guard count > 0 else { return nil }
        return withUnsafeBytes(of: &addr.sun_path) { p -> String in
            let bytes = Array(p.prefix(count))
            if bytes.first == 0 {
                let name = bytes.dropFirst().prefix { $0 != 0 }
                return "@" + String(decoding: name, as: UTF8.self)
            }
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// The (device, inode) of the file at `path`: a socket's file, recorded
    /// when bound, tells later whether another process bound the path since.
    public static func fileIdentity(_ path: String) -> [UInt64]? {
        var file = stat()
        guard stat(path, &file) == 0 else { return nil }
        return [UInt64(file.st_dev), UInt64(file.st_ino)]
    }

    public static func accept(_ listener: FileDescriptor) -> FileDescriptor? {
        let r = cf_accept4(listener.rawValue, nil, nil)
        return r >= 0 ? FileDescriptor(r) : nil
    }

    /// Connects a blocking stream socket (CLI clients, tests).
    public static func connect(path: String) throws(Errno) -> FileDescriptor {
        let fd = FileDescriptor(try syscall { cf_socket_blocking(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0) })
        guard let r = withAddress(path, { Glibc.connect(fd.rawValue, $0, $1) }) else { fd.close(); throw Errno(ENAMETOOLONG) }
        if r != 0 { let e = Errno.current; fd.close(); throw e }
        return fd
    }

    /// A non-blocking datagram socket connected to `path` (a syslog socket
    /// such as /dev/log): ENOENT when nothing is bound there, ECONNREFUSED
    /// when the file is a socket nobody holds any more.
    public static func connectDatagram(path: String) throws(Errno) -> FileDescriptor {
        let fd = FileDescriptor(try syscall { cf_socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0) })
        guard let r = withAddress(path, { Glibc.connect(fd.rawValue, $0, $1) }) else { fd.close(); throw Errno(ENAMETOOLONG) }
        if r != 0 { let e = Errno.current; fd.close(); throw e }
        return fd
    }

    /// One datagram to a path (or @abstract name): the sd_notify transport.
    public static func sendDatagram(to path: String, _ text: String) -> Bool {
        let fd = cf_socket_blocking(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        let bytes = Array(text.utf8)
        let r = withAddress(path) { addr, len in
            bytes.withUnsafeBytes { sendto(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL), addr, len) }
        }
        return r == bytes.count
    }
}
