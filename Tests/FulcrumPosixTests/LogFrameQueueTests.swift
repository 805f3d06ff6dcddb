import XCTest
@testable import FulcrumPosix

final class LogFrameQueueTests: XCTestCase {
    func pop(_ q: inout LogFrameQueue) -> String? {
        guard let f = q.first else { return nil }
        let s = String(decoding: f, as: UTF8.self)
        q.removeFirst()
        return s
    }

    func testFramesComeOutInOrderAndWrapAroundTheBlock() {
        var q = LogFrameQueue(capacity: 64)
        defer { q.deallocate() }
        var expected: [String] = []
        var got: [String] = []
        for i in 0..<500 {
            let line = String(repeating: "x", count: i % 13) + "\(i)"
            if Array(line.utf8).withUnsafeBytes({ q.push($0) }) { expected.append(line) }
            // Take one out every other push so the queue keeps wrapping.
            if i % 2 == 1, let s = pop(&q) { got.append(s) }
        }
        while let s = pop(&q) { got.append(s) }
        XCTAssertEqual(got, expected)
        XCTAssertGreaterThan(expected.count, 250)
        XCTAssertTrue(q.isEmpty)
        XCTAssertEqual(q.bytes, 0)
    }

    func testAFullQueueRefusesAndCountsBytes() {
        var q = LogFrameQueue(capacity: 32)
        defer { q.deallocate() }
        let ten = [UInt8](repeating: 7, count: 10)  // 4 + 10 → 16 bytes with padding
        XCTAssertTrue(ten.withUnsafeBytes { q.push($0) })
        XCTAssertTrue(ten.withUnsafeBytes { q.push($0) })
        XCTAssertFalse(ten.withUnsafeBytes { q.push($0) })
        XCTAssertEqual(q.count, 2)
        XCTAssertEqual(q.bytes, 20)
        XCTAssertFalse([UInt8](repeating: 0, count: 29).withUnsafeBytes { q.push($0) })
        XCTAssertEqual(q.removeAll(), 2)
        XCTAssertTrue([UInt8](repeating: 0, count: 28).withUnsafeBytes { q.push($0) })
    }
}

final class LogTargetAddressTests: XCTestCase {
    typealias Target = LogSender.Target

    func testHAProxyLogAddresses() throws {
        XCTAssertEqual(Target(logAddress: "/dev/log"), .unixDatagram(path: "/dev/log"))
        XCTAssertEqual(Target(logAddress: "unix@/run/log.sock"), .unixDatagram(path: "/run/log.sock"))
        XCTAssertEqual(Target(logAddress: "abns@syslog"), .unixDatagram(path: "@syslog"))
        XCTAssertEqual(Target(logAddress: "stdout"), .fileDescriptor(FileDescriptor(1)))
        XCTAssertEqual(Target(logAddress: "stderr"), .fileDescriptor(FileDescriptor(2)))
        XCTAssertEqual(Target(logAddress: "fd@3"), .fileDescriptor(FileDescriptor(3)))
        XCTAssertEqual(Target(logAddress: "127.0.0.1"), .udp(try XCTUnwrap(SocketAddress(numericHost: "127.0.0.1", port: 514))))
        XCTAssertEqual(Target(logAddress: "udp@127.0.0.1:1514"), .udp(try XCTUnwrap(SocketAddress(numericHost: "127.0.0.1", port: 1514))))
        XCTAssertEqual(Target(logAddress: "ipv4@10.0.0.1:9"), .udp(try XCTUnwrap(SocketAddress(numericHost: "10.0.0.1", port: 9))))
        XCTAssertEqual(Target(logAddress: "ipv6@[::1]:600"), .udp(try XCTUnwrap(SocketAddress(numericHost: "::1", port: 600))))
        XCTAssertEqual(Target(logAddress: "udp6@::1:600"), .udp(try XCTUnwrap(SocketAddress(numericHost: "::1", port: 600))))
        XCTAssertEqual(Target(logAddress: "tcp@127.0.0.1:6514"), .tcp(try XCTUnwrap(SocketAddress(numericHost: "127.0.0.1", port: 6514))))
        XCTAssertNil(Target(logAddress: "tcp@127.0.0.1"), "TCP needs a port")
        XCTAssertNil(Target(logAddress: "ipv6@127.0.0.1:514"), "wrong family")
        XCTAssertNil(Target(logAddress: "ring@buf"))
        XCTAssertNil(Target(logAddress: "udp@127.0.0.1:0"))
        XCTAssertNil(Target(logAddress: "fd@x"))
        XCTAssertEqual(Target(logAddress: "udp@127.0.0.1:1514")?.description, "udp@127.0.0.1:1514")
    }
}
