import XCTest
import Foundation

/// A long transfer in flight across a reload finishes byte for byte in the
/// old worker, which exits once it is done (issue 5: drain).
final class ReloadTransferTests: XCTestCase {
    private let size = 64 << 20

    /// Reloads while `client` is mid-transfer; checks the old worker keeps
    /// the session (show proc: old worker, 1 session) and the new generation
    /// is serving. Returns the old worker's pid.
    private func reloadMidTransfer(_ p: FulcrumProcess) throws -> pid_t {
        let old = try p.waitForChildren(count: 1)
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        let proc = try p.masterCommand("show proc")
        let olds = ReloadTestHelpers.oldWorkers(proc)
        XCTAssertEqual(Array(olds.keys), old, "the old worker drains with the transfer:\n\(proc)")
        XCTAssertEqual(olds[old[0]], "1 sessions", proc)
        XCTAssertEqual(p.childPids(role: "worker").count, 2, "one old and one new worker")
        return old[0]
    }

    func testTCPDownloadOf64MiBInFlightAcrossAReloadCompletesByteExact() throws {
        let source = try startBackend(.source(bytes: size))
        let port = try FreePort.next()
        let p = try startFulcrum(config: ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", source.port)], workers: 1),
                                 arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port)
        try p.waitUntilMasterSocketListening()
        let c = try TCPClient.connect(port: port)
        let head = try c.receive(count: 1 << 20, timeout: 10)
        XCTAssertEqual(head.end, .complete)
        let oldWorker = try reloadMidTransfer(p)
        // The rest arrives through the old worker while the new one serves.
        let rest = try c.receiveUntilEOF(timeout: 90)
        XCTAssertEqual(rest.end, .eof)
        XCTAssertEqual(head.bytes.count + rest.bytes.count, size)
        XCTAssertNil(TestPattern.firstMismatch(in: head.bytes + rest.bytes, from: 0), "bytes differ from the source's")
        c.close()
        XCTAssertTrue(waitUntil(timeout: 5) { !ProcessTree.isAlive(oldWorker) }, "old worker still there after its last session")
        XCTAssertTrue(p.waitUntilSettled(workers: 1))
    }

    func testHTTPDownloadOf64MiBInFlightAcrossAReloadCompletesByteExactThenTheConnectionCloses() throws {
        let nginx = try NginxServer.files(["big.bin": TestPattern.bytes(count: size)])
        addTeardownBlock { nginx.stop() }
        let port = try FreePort.next()
        let cfg = ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", nginx.port)], workers: 1)
            .replacingOccurrences(of: "mode tcp", with: "mode http")
        let p = try startFulcrum(config: cfg, arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port)
        try p.waitUntilMasterSocketListening()
        let c = try TCPClient.connect(port: port)
        try c.send("GET /big.bin HTTP/1.1\r\nHost: test\r\n\r\n")
        var length = -1
        var status = ""
        for _ in 0..<100 {
            guard let line = try c.readLine(timeout: 10) else { break }
            if status.isEmpty { status = line }
            if line.isEmpty { break }
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length" {
                length = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? -1
            }
        }
        XCTAssertEqual(status, "HTTP/1.1 200 OK")
        XCTAssertEqual(length, size)
        let head = try c.receive(count: 1 << 20, timeout: 10)
        XCTAssertEqual(head.end, .complete)
        let oldWorker = try reloadMidTransfer(p)
        let rest = try c.receive(count: size - head.bytes.count, timeout: 60)
        XCTAssertEqual(rest.end, .complete)
        XCTAssertEqual(head.bytes.count + rest.bytes.count, size)
        XCTAssertNil(TestPattern.firstMismatch(in: head.bytes + rest.bytes, from: 0), "body differs from the file")
        // Draining: the idle keep-alive connection is closed (after 1 s idle),
        // then the old worker has nothing left and exits.
        XCTAssertEqual(try c.waitForClose(timeout: 5), .eof)
        XCTAssertTrue(waitUntil(timeout: 5) { !ProcessTree.isAlive(oldWorker) }, "old worker still there after its last session")
        XCTAssertTrue(p.waitUntilSettled(workers: 1))
    }
}
