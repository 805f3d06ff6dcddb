import Glibc

/// `TCPClient`'s reads and writes over a unix stream socket: a socket file
/// (`bind /path`) or a name in Linux's abstract namespace (`bind abns@name`,
/// whose address fills the whole sun_path, zero-padded, as HAProxy 2.6
/// binds and connects it).
enum UnixStreamClient {
    static func connect(path: String) throws -> TCPClient {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.failed("socket: errno \(errno)") }
        let r = try UnixSocketAddress.with(path) { Glibc.connect(fd, $0, $1) }
        guard r == 0 else { let e = errno; Glibc.close(fd); throw HarnessError.failed("connect \(path): errno \(e)") }
        return TCPClient(descriptor: fd)
    }

    static func connect(abstract name: String) throws -> TCPClient {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.failed("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(name.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() where i + 1 < raw.count { raw[i + 1] = b }
        }
        let r = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard r == 0 else { let e = errno; Glibc.close(fd); throw HarnessError.failed("connect abns@\(name): errno \(e)") }
        return TCPClient(descriptor: fd)
    }
}
