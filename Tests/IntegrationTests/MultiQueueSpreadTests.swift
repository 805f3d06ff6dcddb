import XCTest
import Foundation

/// `tune.listener.multi-queue` (the default): a worker takes from a sibling's
/// accept queue only when that sibling is busier or stuck, so keep-alive
/// connections opened all at once stay spread over both workers, not piled
/// onto whichever woke first (an earlier version, where idle workers raced for
/// every connection, split 50 such connections 42/9).
final class MultiQueueSpreadTests: XCTestCase {
    func testKeepAliveConnectionsOpenedAtOnceStaySpreadOverTheWorkers() throws {
        let port = try FreePort.next()
        let p = try startFulcrum(config: """
            global
                workers 2
            defaults
                mode http
                timeout connect 2s
                timeout client 30s
                timeout server 30s
            frontend fe
                bind 127.0.0.1:\(port)
                http-request return status 200 content-type text/plain string ok

            """)
        try p.waitUntilListening(port: port, sockets: 2)
        let workers = try p.waitForChildren(count: 2)
        // Until a worker is ready its sibling rightly takes what queues on its
        // socket (ProcessFaultTests); the spread is measured once both serve.
        XCTAssertTrue(p.waitForStderr(containing: "Loading success"), "the workers never became ready")
        let total = 50
        var clients: [TCPClient] = []
        defer { clients.forEach { $0.close() } }
        for _ in 0..<total { clients.append(try TCPClient.connect(port: port, timeout: 5)) }
        for c in clients { try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n") }
        for (i, c) in clients.enumerated() { XCTAssertEqual(try c.readHTTPResponse()?.status, 200, "connection \(i)") }

        // Every connection is held by one worker: count them by owner.
        let ss = try CommandRunner.run("ss", ["-tnpH", "state", "established", "( sport = :\(port) )"])
        XCTAssertTrue(ss.succeeded, ss.output)
        var held: [Int32: Int] = [:]
        for line in ss.stdout.split(separator: "\n") {
            guard let r = line.range(of: "pid="), let pid = Int32(line[r.upperBound...].prefix { $0.isNumber }) else { continue }
            held[pid, default: 0] += 1
        }
        XCTAssertEqual(Set(held.keys), Set(workers), "only the workers hold client connections: \(ss.stdout)")
        XCTAssertEqual(held.values.reduce(0, +), total)
        // The kernel's hash alone splits 50 connections 18/32 at worst in a
        // few runs; a pile-up on one worker is what this rules out.
        XCTAssertLessThanOrEqual(held.values.max() ?? total, 35, "split \(held.values.sorted())")
    }
}
