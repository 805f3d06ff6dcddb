import XCTest
import Glibc
import CAllocationCounter
@testable import FulcrumPosix

/// The call the worker makes per line, `LogSender.send`, allocates nothing
/// whether the line is sent, queued or dropped (checked in an optimized
/// build: `swift test -c release --filter LogSenderAllocationTests`).
final class LogSenderAllocationTests: XCTestCase {
    func requireOptimizedBuild() throws {
        #if DEBUG
        throw XCTSkip("allocation budgets hold for optimized code: swift test -c release --filter LogSenderAllocationTests")
        #endif
    }

    func allocations(runs: Int = 200, _ body: () -> Void) -> Double {
        for _ in 0..<10 { body() }
        fulcrum_allocations_reset()
        for _ in 0..<runs { body() }
        return Double(fulcrum_allocations_count()) / Double(runs)
    }

    func testSendingQueueingAndDroppingAllocateNothing() throws {
        try requireOptimizedBuild()
        let loop = try EventLoop(capacity: 8)
        let rx = try Socket.datagram(family: AF_INET)
        defer { rx.close() }
        var addr = try XCTUnwrap(SocketAddress(numericHost: "127.0.0.1", port: 0))
        let r = withUnsafePointer(to: &addr.storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(rx.rawValue, $0, addr.length) }
        }
        XCTAssertEqual(r, 0)
        let udp = LogSender(target: .udp(try XCTUnwrap(Socket.localAddress(rx))), loop: loop, kind: 1, index: 0)
        udp.start()
        let line = [UInt8](repeating: 0x41, count: 200)
        var buffer = [UInt8](repeating: 0, count: 4096)
        XCTAssertEqual(allocations {
            udp.send(line)
            _ = buffer.withUnsafeMutableBytes { recv(rx.rawValue, $0.baseAddress!, $0.count, Int32(MSG_DONTWAIT)) }
        }, 0)
        XCTAssertEqual(udp.counters.sent, 210)

        // TCP with nobody listening: lines are queued, then dropped once the queue is full.
        let probe = try Socket.listen(on: try XCTUnwrap(SocketAddress(numericHost: "127.0.0.1", port: 0)), backlog: 1, reusePort: false)
        let address = try XCTUnwrap(Socket.localAddress(probe))
        probe.close()
        let tcp = LogSender(target: .tcp(address), loop: loop, kind: 1, index: 1, queueBytes: 100 * 204)
        tcp.start()
        XCTAssertEqual(allocations(runs: 400) { tcp.send(line) }, 0)
        XCTAssertEqual(tcp.queuedLines, 100)
        XCTAssertEqual(tcp.counters.dropped, 310)
        udp.close(); tcp.close()
    }
}
