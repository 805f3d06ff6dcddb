import Glibc

/// A UDP socket bound to 127.0.0.1 on a port the kernel picks: a name
/// server a test scripts, or one that never answers.
enum LoopbackUDP {
    static func bind() throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.posix("socket") }
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        guard rc == 0, withUnsafeMutablePointer(to: &sa, { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }) == 0 else {
            Glibc.close(fd)
            throw HarnessError.posix("bind udp")
        }
        return (fd, UInt16(bigEndian: sa.sin_port))
    }
}
