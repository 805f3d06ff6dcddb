import Foundation
import XCTest
import Glibc

/// A load-balancing agent as `agent-check` talks to: on each connection it
/// waits up to 50 ms for what the proxy sends (`agent-send`), records it,
/// answers the current reply and closes. One connection at a time: the
/// proxy's agent checks come one by one.
final class CheckAgent {
    let port: UInt16
    private let lock = NSLock()
    private var reply: String
    private var received: [UInt8] = []
    private var served = 0
    private var running = true
    private var threadDone = false

    init(reply: String) throws {
        self.reply = reply
        let fd = try LoopbackSocket.listen(port: 0)
        port = try LoopbackSocket.localPort(fd)
        let thread = Thread { self.loop(fd) }
        thread.name = "CheckAgent:\(port)"
        thread.start()
    }

    private func locked<T>(_ body: () -> T) -> T { lock.lock(); defer { lock.unlock() }; return body() }

    /// The reply the next connections get.
    func set(reply text: String) { locked { reply = text } }
    /// Connections answered so far.
    var connections: Int { locked { served } }
    /// Everything the proxy sent over all connections.
    var bytes: [UInt8] { locked { received } }

    /// Waits (bounded) until `more` connections beyond `from` were answered.
    func waitForConnections(after from: Int, more: Int, timeout: Double = 10) -> Bool {
        waitUntil(timeout: timeout) { self.connections >= from + more }
    }

    func stop() {
        locked { running = false }
        _ = waitUntil(timeout: 5) { self.locked { self.threadDone } }
    }

    private func loop(_ listenFd: Int32) {
        defer { close(listenFd); locked { threadDone = true } }
        while locked({ running }) {
            if LoopbackSocket.poll(listenFd, events: Int16(POLLIN), deadline: Deadline(seconds: 0.05)) == 0 { continue }
            let fd = accept(listenFd, nil, nil)
            if fd < 0 { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let thread = Thread { self.serve(fd) }
            thread.start()
        }
    }

    /// What the proxy sends comes right after its connect: 20 ms is plenty on loopback.
    private func serve(_ fd: Int32) {
        var chunk = [UInt8](repeating: 0, count: 1024)
        if LoopbackSocket.poll(fd, events: Int16(POLLIN), deadline: Deadline(seconds: 0.02)) > 0 {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { locked { received += chunk[0..<n] } }
        }
        let text = Array(locked { reply }.utf8)
        _ = text.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        close(fd)
        locked { served += 1 }
    }
}

extension XCTestCase {
    func startCheckAgent(reply: String) throws -> CheckAgent {
        let agent = try CheckAgent(reply: reply)
        addTeardownBlock { agent.stop() }
        return agent
    }
}
