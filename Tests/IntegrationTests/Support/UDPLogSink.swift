import Foundation
import Glibc

/// A datagram socket a proxy's `log` line targets (UDP on 127.0.0.1, or a
/// unix socket at a path): it takes datagrams into a large receive buffer
/// and hands back what arrived when asked (non-blocking), so a test can both
/// absorb a load run's lines and check that some did arrive.
final class UDPLogSink {
    let fd: Int32
    let port: UInt16
    /// The unix socket's path (removed at deinit); nil for UDP.
    let path: String?

    /// A unix datagram socket bound at `path` (which must not exist), writable by anyone.
    init(unixPath: String) throws {
        fd = try UnixSocketAddress.boundDatagram(unixPath, receiveBuffer: 8 << 20)
        chmod(unixPath, 0o666)
        port = 0
        path = unixPath
    }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.failed("socket: errno \(errno)") }
        var size: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { close(fd); throw HarnessError.failed("bind: errno \(errno)") }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = UInt16(bigEndian: addr.sin_port)
        path = nil
    }

    deinit {
        close(fd)
        if let path { unlink(path) }
    }

    /// The `log` address for a configuration.
    var address: String { path ?? "127.0.0.1:\(port)" }

    /// Waits (polling, bounded) for a datagram containing `text`; every one seen meanwhile.
    func waitForLine(containing text: String, timeout: Double = 5) -> (found: String?, seen: [String]) {
        var seen: [String] = []
        let end = Date().addingTimeInterval(timeout)
        repeat {
            seen += drain()
            if let line = seen.first(where: { $0.contains(text) }) { return (line, seen) }
            usleep(20_000)
        } while Date() < end
        return (nil, seen)
    }

    /// Every datagram waiting now, as text (without waiting for more).
    func drain() -> [String] {
        var lines: [String] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            guard n > 0 else { break }
            lines.append(String(decoding: buffer[..<n], as: UTF8.self))
        }
        return lines
    }
}
