import Foundation
import XCTest
import Glibc

/// How a collected log message reached a `LogCollector`.
enum LogTransport: String, CustomStringConvertible {
    case udp, unixDatagram, tcp
    var description: String { rawValue }
}

/// One message a `LogCollector` received: a whole datagram, or one framed
/// message of a TCP stream (its framing removed).
struct CollectedLog {
    let transport: LogTransport
    /// The bytes as text, a datagram's trailing line feed kept.
    let text: String
    /// Byte count as received (a datagram's size; a TCP message without its framing).
    let size: Int
    /// For TCP: "newline" (haproxy 2.6) or "octet-counted" (RFC 6587 §3.4.1).
    let framing: String?
}

/// The syslog server of a logging test: a UDP socket on 127.0.0.1, a unix
/// datagram socket in a temporary directory and a TCP listener on
/// 127.0.0.1, all read by one background thread that keeps every message
/// in arrival order. A proxy's `log` lines point at `udpTarget`,
/// `unixTarget` or `tcpTarget`.
///
/// TCP messages are split by their framing, recognised per message: a
/// leading digit is octet counting ("LEN SP MSG"), anything else runs to the
/// next line feed.
final class LogCollector {
    private let udpFD: Int32
    private let unixFD: Int32
    private let listenFD: Int32
    let udpPort: UInt16
    let tcpPort: UInt16
    let unixPath: String
    private let directory: TemporaryDirectory

    private let lock = NSLock()
    private var collected: [CollectedLog] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    init() throws {
        directory = try TemporaryDirectory(prefix: "flog")
        unixPath = directory.file("log.sock")
        udpFD = try Self.udpSocket()
        udpPort = try LoopbackSocket.localPort(udpFD)
        unixFD = try UnixSocketAddress.boundDatagram(unixPath)
        chmod(unixPath, 0o666)
        listenFD = try LoopbackSocket.listen(port: 0)
        tcpPort = try LoopbackSocket.localPort(listenFD)
        let thread = Thread { [self] in run() }
        thread.start()
    }

    deinit { stop() }

    /// `log` target addresses for a configuration.
    var udpTarget: String { "127.0.0.1:\(udpPort)" }
    var unixTarget: String { unixPath }
    var tcpTarget: String { "tcp@127.0.0.1:\(tcpPort)" }

    /// Every message received so far from `transport` (all when nil).
    func messages(from transport: LogTransport? = nil) -> [CollectedLog] {
        lock.lock()
        defer { lock.unlock() }
        return transport.map { t in collected.filter { $0.transport == t } } ?? collected
    }

    /// The text of every message received so far from `transport`.
    func lines(from transport: LogTransport? = nil) -> [String] { messages(from: transport).map(\.text) }

    /// Waits until at least `count` messages came from `transport` (any when
    /// nil) or `timeout` passes, and returns what arrived (the caller checks
    /// the count).
    @discardableResult
    func waitForLines(count: Int, timeout: Double = 5, from transport: LogTransport? = nil) -> [String] {
        waitUntil(timeout: timeout, interval: 0.01) { messages(from: transport).count >= count }
        return lines(from: transport)
    }

    /// Waits until a message containing `text` arrived; returns every line
    /// received up to and including it, or nil after `timeout`.
    func waitForLine(containing text: String, timeout: Double = 5, from transport: LogTransport? = nil) -> [String]? {
        var result: [String]?
        waitUntil(timeout: timeout, interval: 0.01) {
            let all = lines(from: transport)
            guard let index = all.firstIndex(where: { $0.contains(text) }) else { return false }
            result = Array(all[...index])
            return true
        }
        return result
    }

    /// Forgets everything received so far.
    func clear() {
        lock.lock()
        collected.removeAll()
        lock.unlock()
    }

    /// Stops the thread and closes the sockets (idempotent).
    func stop() {
        lock.lock()
        let first = !stopping
        stopping = true
        lock.unlock()
        guard first else { return }
        finished.wait()
        close(udpFD)
        close(unixFD)
        close(listenFD)
        directory.remove()
    }

    // MARK: The receiving thread

    private final class Stream {
        let fd: Int32
        var pending: [UInt8] = []
        init(fd: Int32) { self.fd = fd }
    }

    private func run() {
        var streams: [Stream] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            lock.lock()
            let stop = stopping
            lock.unlock()
            if stop { break }
            var fds = [udpFD, unixFD, listenFD].map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            fds += streams.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            guard Glibc.poll(&fds, nfds_t(fds.count), 50) > 0 else { continue }
            for (fd, transport) in [(udpFD, LogTransport.udp), (unixFD, .unixDatagram)] {
                while true {
                    let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                    guard n > 0 else { break }
                    append(CollectedLog(transport: transport, text: String(decoding: buffer[..<n], as: UTF8.self),
                                        size: n, framing: nil))
                }
            }
            if fds[2].revents != 0 {
                let fd = accept(listenFD, nil, nil)
                if fd >= 0 {
                    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                    streams.append(Stream(fd: fd))
                }
            }
            streams.removeAll { stream in
                let n = recv(stream.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if n > 0 {
                    stream.pending += buffer[..<n]
                    while let message = Self.takeFramed(&stream.pending) { append(message) }
                    return false
                }
                if n < 0 && (errno == EAGAIN || errno == EINTR) { return false }
                close(stream.fd)
                return true
            }
        }
        for stream in streams { close(stream.fd) }
        finished.signal()
    }

    private func append(_ message: CollectedLog) {
        lock.lock()
        collected.append(message)
        lock.unlock()
    }

    /// Removes one whole message from the front of a TCP stream's bytes.
    static func takeFramed(_ pending: inout [UInt8]) -> CollectedLog? {
        guard let first = pending.first else { return nil }
        if first >= 0x30 && first <= 0x39 {
            guard let space = pending.firstIndex(of: 0x20),
                  let length = Int(String(decoding: pending[..<space], as: UTF8.self)) else { return nil }
            let end = space + 1 + length
            guard pending.count >= end else { return nil }
            let body = Array(pending[(space + 1)..<end])
            pending.removeFirst(end)
            return CollectedLog(transport: .tcp, text: String(decoding: body, as: UTF8.self), size: body.count,
                                framing: "octet-counted")
        }
        guard let newline = pending.firstIndex(of: 0x0A) else { return nil }
        let body = Array(pending[..<newline])
        pending.removeFirst(newline + 1)
        return CollectedLog(transport: .tcp, text: String(decoding: body, as: UTF8.self), size: body.count,
                            framing: "newline")
    }

    private static func udpSocket() throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HarnessError.posix("socket(AF_INET, SOCK_DGRAM)") }
        var size: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        do {
            try LoopbackSocket.bind(fd, port: 0)
        } catch {
            close(fd)
            throw error
        }
        return fd
    }
}

extension XCTestCase {
    /// Starts a `LogCollector` that is stopped when the test ends.
    func startLogCollector() throws -> LogCollector {
        let collector = try LogCollector()
        addTeardownBlock { collector.stop() }
        return collector
    }
}
