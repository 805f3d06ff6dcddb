import XCTest
import Glibc

/// `tune.recv_enough`: a worker forwarding a TCP stream reads again after a
/// short read smaller than the setting (HAProxy's rule; that read finds
/// nothing: EAGAIN), while without it any short read ends the run of reads
/// (edge-triggered epoll reports what comes later). Seen with strace on the
/// worker while small messages go through an echo server.
final class RecvEnoughTests: XCTestCase {
    private func emptyReads(recvEnough: Int?) throws -> Int {
        let backend = try startBackend(.echo)
        let port = try FreePort.next()
        let p = try startFulcrum(config: ReloadTestHelpers.tcpConfig(
            port: port, servers: [("s1", backend.port)], workers: 1,
            global: recvEnough.map { "    tune.recv_enough \($0)" } ?? ""))
        try p.waitUntilListening(port: port, sockets: 1)
        let worker = try p.waitForChildren(count: 1)[0]
        let client = try TCPClient(port: port)
        defer { client.close() }
        let rounds = 20
        let trace = try SyscallTrace.session(of: [worker], calls: ["read", "recvfrom"], follow: false, until: { $0.contains("\"ping\\n\"") }, attach: {
            try client.send("ping\n")
            XCTAssertEqual(try client.readLine(), "ping")
        }, measured: { traced in
            for i in 0..<rounds {
                try client.send("message \(i)\n")
                XCTAssertEqual(try client.readLine(), "message \(i)")
            }
            // The worker reads "end" only after whatever the last message
            // made it do: the lines before that read are the rounds' whole.
            try client.send("end\n")
            XCTAssertEqual(try client.readLine(), "end")
            XCTAssertTrue(waitUntil(timeout: 5, interval: 0.02) { traced().contains { $0.contains("\"end\\n\"") } })
        })
        let lines = trace.lines.dropFirst(trace.measuredFrom).prefix { !$0.contains("\"end\\n\"") }
        XCTAssertGreaterThanOrEqual(lines.filter { $0.contains("\"message ") }.count, 2 * rounds, "both directions' reads traced")
        return lines.filter { $0.contains("= -1 EAGAIN") }.count
    }

    func testSmallShortReadsReadAgainOnlyWithTheSetting() throws {
        let with = try emptyReads(recvEnough: 10136)
        let without = try emptyReads(recvEnough: nil)
        // Each message is read twice (client and server side), each read short.
        XCTAssertGreaterThanOrEqual(with, 2 * 20, "a read again after each small short read")
        XCTAssertLessThan(without, 10, "no read after a short read by default")
    }
}
