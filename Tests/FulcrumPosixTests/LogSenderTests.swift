import XCTest
import Glibc
@testable import FulcrumPosix

/// Log senders against real sockets on loopback: what arrives, and that a
/// receiver that is slow, absent or gone never makes `send` wait.
final class LogSenderTests: XCTestCase {
    /// Routes the loop's events to the senders (kind 1, index = position).
    final class Router: EventHandler {
        var senders: [LogSender] = []
        func descriptorReady(_ token: EventToken, _ events: Epoll.Events) {
            senders[token.index].descriptorReady(token, events)
        }
        func timerDue(_ token: EventToken, deadline: Int64) { senders[token.index].timerDue(token, deadline: deadline) }
        func turnEnded() -> Int64? { nil }
    }

    var loop: EventLoop!
    let router = Router()
    var cleanups: [() -> Void] = []

    override func setUpWithError() throws {
        signal(SIGPIPE, SIG_IGN)
        loop = try EventLoop(capacity: 16)
    }

    override func tearDown() {
        router.senders.forEach { $0.close() }
        router.senders = []
        cleanups.reversed().forEach { $0() }
        cleanups = []
    }

    func sender(_ target: LogSender.Target, queueBytes: Int = 64 * 1024) -> LogSender {
        let s = LogSender(target: target, loop: loop, kind: 1, index: router.senders.count, queueBytes: queueBytes,
                          retryDelay: 10, maximumRetryDelay: 100)
        router.senders.append(s)
        s.start()
        return s
    }

    /// Runs the loop until `condition` holds, for at most `seconds`.
    @discardableResult
    func pump(seconds: Double = 5, until condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > end { return false }
            loop.runOnce(router, maxWait: 5)
        }
        return true
    }

    func tempPath(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "fulcrum-log-\(getpid())-\(name)"
        unlink(path)
        cleanups.append { unlink(path) }
        return path
    }

    /// A datagram socket the test owns: UDP on 127.0.0.1 (port 0) or unix at `path`.
    func datagramReceiver(unixPath: String? = nil) throws -> (FileDescriptor, SocketAddress?) {
        if let path = unixPath {
            let fd = FileDescriptor(socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0))
            try fd.setNonBlocking()
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in path.utf8.enumerated() { p[i] = b } }
            let r = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            XCTAssertEqual(r, 0)
            return (fd, nil)
        }
        let fd = try Socket.datagram(family: AF_INET)
        var addr = try XCTUnwrap(SocketAddress(numericHost: "127.0.0.1", port: 0))
        let r = withUnsafePointer(to: &addr.storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd.rawValue, $0, addr.length) }
        }
        XCTAssertEqual(r, 0)
        return (fd, Socket.localAddress(fd))
    }

    func receive(_ fd: FileDescriptor) -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: 65536)
        let n = buf.withUnsafeMutableBytes { recv(fd.rawValue, $0.baseAddress!, $0.count, Int32(MSG_DONTWAIT)) }
        return n >= 0 ? Array(buf[0..<n]) : nil
    }

    /// Datagrams until `count` arrived (or the deadline).
    func receive(_ fd: FileDescriptor, count: Int) -> [String] {
        var got: [String] = []
        pump { while let d = receive(fd) { got.append(String(decoding: d, as: UTF8.self)) }; return got.count >= count }
        return got
    }

    func testUDPListenerReceivesTheFramedLines() throws {
        let (rx, address) = try datagramReceiver()
        defer { rx.close() }
        let s = sender(.udp(try XCTUnwrap(address)))
        let lines = ["<134>Dec  5 16:17:24 localhost haproxy[1]: one\n", "<134>Dec  5 16:17:24 localhost haproxy[1]: two\n", "three\n"]
        for l in lines { XCTAssertEqual(s.send(Array(l.utf8)), .sent) }
        XCTAssertEqual(receive(rx, count: 3), lines)
        XCTAssertEqual(s.counters.sent, 3)
        XCTAssertEqual(s.counters.dropped, 0)
    }

    func testUnixDatagramSocketMissingThenPresentThenGoneThenBack() throws {
        let path = tempPath("dgram")
        let s = sender(.unixDatagram(path: path))
        // Nothing bound at the path: counted, not sent, and retried later.
        XCTAssertFalse(s.isConnected)
        XCTAssertEqual(s.send(Array("lost\n".utf8)), .dropped)
        XCTAssertEqual(s.counters.dropped, 1)

        var (rx, _) = try datagramReceiver(unixPath: path)
        XCTAssertTrue(pump { s.isConnected }, "reconnects once the path exists")
        XCTAssertEqual(s.send(Array("<142>first\n".utf8)), .sent)
        XCTAssertEqual(receive(rx, count: 1), ["<142>first\n"])

        // The receiver closes: the next line is refused and counted, the sender reconnects later.
        rx.close()
        unlink(path)
        XCTAssertEqual(s.send(Array("refused\n".utf8)), .dropped)
        XCTAssertFalse(s.isConnected)
        (rx, _) = try datagramReceiver(unixPath: path)
        defer { rx.close() }
        XCTAssertTrue(pump { s.isConnected })
        XCTAssertEqual(s.send(Array("<142>again\n".utf8)), .sent)
        XCTAssertEqual(receive(rx, count: 1), ["<142>again\n"])
        XCTAssertEqual(s.counters.sent, 2)
        XCTAssertEqual(s.counters.dropped, 2)
    }

    /// Octet-counted frames (RFC 6587) read from a stream, and what is left.
    func octetFrames(_ bytes: [UInt8]) -> (frames: [String], rest: Int) {
        var frames: [String] = []
        var i = 0
        while let space = bytes[i...].firstIndex(of: 0x20), let n = Int(String(decoding: bytes[i..<space], as: UTF8.self)),
              space + 1 + n <= bytes.count {
            frames.append(String(decoding: bytes[(space + 1)..<(space + 1 + n)], as: UTF8.self))
            i = space + 1 + n
        }
        return (frames, bytes.count - i)
    }

    func octet(_ message: String) -> [UInt8] { Array("\(message.utf8.count) \(message)".utf8) }

    func accept(_ listener: FileDescriptor) -> FileDescriptor? {
        var peer = SocketAddress(storage: sockaddr_storage(), length: 0)
        var conn: FileDescriptor?
        pump { conn = try? Socket.accept(listener, peer: &peer); return conn != nil }
        return conn
    }

    func read(_ conn: FileDescriptor, into bytes: inout [UInt8]) {
        var buf = [UInt8](repeating: 0, count: 65536)
        while let n = try? buf.withUnsafeMutableBytes({ try conn.read(into: $0.baseAddress!, count: $0.count) }), n > 0 {
            bytes += buf[0..<n]
        }
    }

    func testTCPFramesArriveAndTheSenderReconnectsAfterTheServerCloses() throws {
        let any = try XCTUnwrap(SocketAddress(numericHost: "127.0.0.1", port: 0))
        var listener = try Socket.listen(on: any, backlog: 4, reusePort: false)
        let address = try XCTUnwrap(Socket.localAddress(listener))
        let s = sender(.tcp(address))
        // Queued while connecting, then written in order.
        for i in 0..<3 { XCTAssertNotEqual(s.send(octet("<134>1 - - - - - line \(i)")), .dropped) }
        let conn = try XCTUnwrap(accept(listener))
        var bytes: [UInt8] = []
        pump { read(conn, into: &bytes); return octetFrames(bytes).frames.count == 3 }
        XCTAssertEqual(octetFrames(bytes).frames, (0..<3).map { "<134>1 - - - - - line \($0)" })
        XCTAssertEqual(s.counters.sent, 3)

        // The server goes away: the sender notices, queues, and reconnects once it is back.
        conn.close()
        listener.close()
        XCTAssertTrue(pump { !s.isConnected }, "the close is noticed")
        for i in 3..<6 { XCTAssertEqual(s.send(octet("<134>1 - - - - - line \(i)")), .queued) }
        listener = try Socket.listen(on: address, backlog: 4, reusePort: false)
        defer { listener.close() }
        let again = try XCTUnwrap(accept(listener))
        defer { again.close() }
        bytes = []
        pump { read(again, into: &bytes); return octetFrames(bytes).frames.count == 3 }
        XCTAssertEqual(octetFrames(bytes).frames, (3..<6).map { "<134>1 - - - - - line \($0)" })
        XCTAssertEqual(octetFrames(bytes).rest, 0)
        XCTAssertEqual(s.send(octet("after")), .sent)
        pump { read(again, into: &bytes); return octetFrames(bytes).frames.count == 4 }
        XCTAssertEqual(octetFrames(bytes).frames.last, "after")
        XCTAssertEqual(s.counters.sent, 7)
        XCTAssertEqual(s.counters.dropped, 0)
        XCTAssertGreaterThanOrEqual(s.counters.connections, 2)
    }

    func testTCPPartialWritesResumeOnWritableAndFramesStayWhole() throws {
        // The server reads nothing until the socket buffers are full, so the
        // sender sees EAGAIN and partial writes; then it reads everything.
        let any = try XCTUnwrap(SocketAddress(numericHost: "127.0.0.1", port: 0))
        let listener = try Socket.listen(on: any, backlog: 4, reusePort: false)
        defer { listener.close() }
        let s = sender(.tcp(try XCTUnwrap(Socket.localAddress(listener))), queueBytes: 256 * 1024)
        let conn = try XCTUnwrap(accept(listener))
        defer { conn.close() }
        XCTAssertTrue(pump { s.isConnected })
        let attempts = 5000
        var outcomes: [LogSender.Outcome] = []
        for i in 0..<attempts {
            outcomes.append(s.send(octet("line \(i) " + String(repeating: "y", count: 1000 + i % 7))))
        }
        XCTAssertGreaterThan(outcomes.filter { $0 == .queued }.count, 0, "the socket filled up")
        var bytes: [UInt8] = []
        pump { read(conn, into: &bytes); return s.queuedLines == 0 && octetFrames(bytes).frames.count == Int(s.counters.sent) }
        let (frames, rest) = octetFrames(bytes)
        XCTAssertEqual(rest, 0)
        XCTAssertEqual(frames.count, Int(s.counters.sent))
        XCTAssertEqual(Int(s.counters.sent + s.counters.dropped), attempts)
        // Received in order, each one whole.
        let numbers = frames.map { Int($0.split(separator: " ")[1])! }
        XCTAssertEqual(numbers, numbers.sorted())
        for f in frames { XCTAssertEqual(f.utf8.count, "line \(f.split(separator: " ")[1]) ".utf8.count + 1000 + Int(f.split(separator: " ")[1])! % 7) }
    }

    func testASetSharesOneSenderPerTargetAndRoutesItsEvents() throws {
        final class SetRouter: EventHandler {
            let set: LogSenderSet
            init(_ set: LogSenderSet) { self.set = set }
            func descriptorReady(_ token: EventToken, _ events: Epoll.Events) { set.descriptorReady(token, events) }
            func timerDue(_ token: EventToken, deadline: Int64) { set.timerDue(token, deadline: deadline) }
            func turnEnded() -> Int64? { nil }
        }
        let set = LogSenderSet(loop: loop, kind: 7, queueBytes: 4096)
        defer { set.close() }
        let (rx, address) = try datagramReceiver()
        defer { rx.close() }
        let a = set.sender(for: .udp(try XCTUnwrap(address)))
        let b = set.sender(for: try XCTUnwrap(LogSender.Target(logAddress: "udp@\(try XCTUnwrap(address))")))
        XCTAssertEqual(a, b)
        let path = tempPath("set")
        let c = set.sender(for: .unixDatagram(path: path))
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(Array("one\n".utf8).withUnsafeBytes { set.send(a, $0) }, .sent)
        XCTAssertEqual(Array("two\n".utf8).withUnsafeBytes { set.send(c, $0) }, .dropped)
        // The unix sender's retry timer goes through the set.
        let (urx, _) = try datagramReceiver(unixPath: path)
        defer { urx.close() }
        let handler = SetRouter(set)
        let end = Date().addingTimeInterval(5)
        while !set.senders[c].isConnected && Date() < end { loop.runOnce(handler, maxWait: 5) }
        XCTAssertTrue(set.senders[c].isConnected)
        XCTAssertEqual(Array("three\n".utf8).withUnsafeBytes { set.send(c, $0) }, .sent)
        XCTAssertEqual(receive(rx, count: 1), ["one\n"])
        XCTAssertEqual(receive(urx, count: 1), ["three\n"])
        XCTAssertEqual(set.totals.sent, 2)
        XCTAssertEqual(set.totals.dropped, 1)
    }

    func testTCPServerAbsentBoundsWhatIsKept() throws {
        // A port nobody listens on: lines wait up to the queue's bytes, then are dropped.
        let any = try XCTUnwrap(SocketAddress(numericHost: "127.0.0.1", port: 0))
        let probe = try Socket.listen(on: any, backlog: 1, reusePort: false)
        let address = try XCTUnwrap(Socket.localAddress(probe))
        probe.close()
        let s = sender(.tcp(address), queueBytes: 1024)
        let line = [UInt8](repeating: 0x41, count: 100)
        var outcomes: [LogSender.Outcome] = []
        for _ in 0..<50 { outcomes.append(s.send(line)) }
        XCTAssertEqual(outcomes.filter { $0 == .sent }.count, 0)
        XCTAssertEqual(outcomes.filter { $0 == .queued }.count, 1024 / 104)
        XCTAssertEqual(s.counters.dropped + UInt64(s.queuedLines), 50)
        XCTAssertLessThanOrEqual(s.queuedBytes, 1024)
    }

    func testAReceiverThatNeverReadsNeverBlocksTheSender() throws {
        let path = tempPath("full")
        let (rx, _) = try datagramReceiver(unixPath: path)
        defer { rx.close() }
        let s = sender(.unixDatagram(path: path), queueBytes: 16 * 1024)
        XCTAssertTrue(s.isConnected)
        let line = Array("<134>Dec  5 16:17:24 localhost haproxy[1]: 127.0.0.1:40000 [05/Dec/2026:16:17:24.000] fe be/s1 0/0/0/1/1 200 100 - - ---- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"\n".utf8)
        let attempts = 100_000
        let start = Date()
        var outcomes = [0, 0, 0]
        for _ in 0..<attempts {
            switch s.send(line) {
            case .sent: outcomes[0] += 1
            case .queued: outcomes[1] += 1
            case .dropped: outcomes[2] += 1
            }
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 20, "sends return at once")
        XCTAssertGreaterThan(s.counters.dropped, 0)
        XCTAssertGreaterThan(s.counters.sent, 0)
        XCTAssertEqual(Int(s.counters.sent), outcomes[0])
        XCTAssertEqual(Int(s.counters.dropped), outcomes[2])
        XCTAssertEqual(Int(s.counters.sent + s.counters.dropped) + s.queuedLines, attempts)
        // Whatever the kernel took is really there.
        var received = 0
        while receive(rx) != nil { received += 1 }
        XCTAssertEqual(received, Int(s.counters.sent))
        // Reading made room: the queued lines go out on EPOLLOUT.
        let queued = s.queuedLines
        XCTAssertGreaterThan(queued, 0)
        pump { while receive(rx) != nil { received += 1 }; return s.queuedLines == 0 }
        XCTAssertEqual(s.queuedLines, 0)
        XCTAssertEqual(Int(s.counters.sent + s.counters.dropped), attempts)
        s.close()
        XCTAssertEqual(Int(s.counters.sent + s.counters.dropped), attempts)
    }

    func testAFullPipeDropsAndCountsThenDrains() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let (readEnd, writeEnd) = (FileDescriptor(fds[0]), FileDescriptor(fds[1]))
        defer { readEnd.close(); writeEnd.close() }
        // Given blocking, as stdout usually is: the sender makes it non-blocking.
        let s = sender(.fileDescriptor(writeEnd), queueBytes: 2048)
        XCTAssertNotEqual(fcntl(writeEnd.rawValue, F_GETFL) & O_NONBLOCK, 0)
        let line = Array((String(repeating: "x", count: 99) + "\n").utf8)
        for _ in 0..<2000 { s.send(line) }  // 200 KB: more than a pipe holds (64 KiB by default)
        XCTAssertGreaterThan(s.counters.dropped, 0)
        XCTAssertEqual(Int(s.counters.sent + s.counters.dropped) + s.queuedLines, 2000)
        try readEnd.setNonBlocking()
        var bytes: [UInt8] = []
        pump { read(readEnd, into: &bytes); return s.queuedLines == 0 }
        read(readEnd, into: &bytes)
        XCTAssertEqual(Int(s.counters.sent + s.counters.dropped), 2000)
        // Whole lines only: every byte read belongs to a line counted as sent.
        XCTAssertEqual(bytes.count, Int(s.counters.sent) * line.count)
        XCTAssertEqual(bytes.filter { $0 == 0x0A }.count, Int(s.counters.sent))
    }
}
