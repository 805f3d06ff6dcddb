import Foundation
import Glibc

/// Hands out 127.0.0.1 TCP ports that are free right now. Ports are drawn at
/// random from below the kernel's ephemeral range, so an outgoing connection
/// (the daemon's own, to a backend) cannot grab the port between the test
/// choosing it and the daemon binding it, and so concurrent test runs on the
/// same machine rarely pick the same one. A port is never handed out twice in
/// one test process.
enum FreePort {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handedOut: Set<UInt16> = []

    static func next() throws -> UInt16 {
        let (ephemeralLow, _) = ephemeralRange()
        let low: UInt16 = 20_000
        let high = ephemeralLow > low + 1_000 ? ephemeralLow - 1 : 29_999
        lock.lock()
        defer { lock.unlock() }
        for _ in 0..<500 {
            let port = UInt16.random(in: low...high)
            if handedOut.contains(port) { continue }
            if isBindable(port) {
                handedOut.insert(port)
                return port
            }
        }
        // Nearly everything is taken: fall back to the kernel's choice.
        let fd = try LoopbackSocket.makeTCP()
        defer { close(fd) }
        try LoopbackSocket.bind(fd, port: 0)
        let port = try LoopbackSocket.localPort(fd)
        handedOut.insert(port)
        return port
    }

    /// Binds without SO_REUSEADDR: a port with lingering TIME_WAIT connections
    /// counts as taken, which is the conservative answer.
    static func isBindable(_ port: UInt16) -> Bool {
        guard let fd = try? LoopbackSocket.makeTCP() else { return false }
        defer { close(fd) }
        return (try? LoopbackSocket.bind(fd, port: port)) != nil
    }

    private static func ephemeralRange() -> (UInt16, UInt16) {
        let text = FileBytes.readText("/proc/sys/net/ipv4/ip_local_port_range") ?? ""
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { UInt16($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : (32_768, 60_999)
    }
}
