import XCTest
import Glibc
@testable import FulcrumPosix

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

    func testADescriptorThatCannotBeUsedDropsItsLines() throws {
        let loop = try EventLoop(capacity: 4)
        // A descriptor number nothing has open.
        let s = LogSender(target: .fileDescriptor(FileDescriptor(9999)), loop: loop, kind: 1, index: 0)
        s.start()
        XCTAssertFalse(s.isConnected)
        XCTAssertEqual(s.send(Array("x\n".utf8)), .dropped)
        XCTAssertEqual(s.queuedLines, 0)
        XCTAssertEqual(s.lastError?.rawValue, EBADF)
    }
}
