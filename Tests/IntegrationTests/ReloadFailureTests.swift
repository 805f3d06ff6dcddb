import XCTest
import Foundation

/// A reload with an invalid configuration changes nothing: the running
/// generation keeps serving, the CLI says why, `show proc` and stderr keep
/// the record.
final class ReloadFailureTests: XCTestCase {
    func testInvalidConfigKeepsServingAndReportsTheErrorEverywhere() throws {
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let good = ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", backend.port)], workers: 2)
        let p = try startFulcrum(config: good, arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        try p.waitUntilMasterSocketListening()
        let workers = Set(try p.waitForChildren(count: 2))
        let bad = good.replacingOccurrences(of: "    server s1", with: "    frobnicate-keyword 12\n    server s1")
        let expected = try FulcrumProcess.checkConfig(bad)
        XCTAssertNotEqual(expected.status, 0, "the bad config must be rejected by -c too")
        let alertLine = expected.output.split(separator: "\n").first { $0.contains("frobnicate-keyword") }.map(String.init)
        XCTAssertNotNil(alertLine, expected.output)

        let loop = ConnectionLoop(port: port, exchange: ConnectionLoop.expectLine("s1"))
        XCTAssertTrue(waitUntil(timeout: 5) { loop.successCount >= 20 }, "traffic before the reload")
        try p.writeConfig(bad)
        let answer = try p.reloadViaMasterCLI()
        XCTAssertTrue(answer.hasPrefix("Success=0\n--\n"), answer)
        XCTAssertTrue(answer.contains("frobnicate-keyword"), answer)
        let afterReload = loop.successCount
        XCTAssertTrue(waitUntil(timeout: 5) { loop.successCount >= afterReload + 20 }, "traffic after the failed reload")
        let (ok, failures) = loop.stop()
        XCTAssertEqual(failures, [], "connections lost around a failed reload (\(ok) worked)")

        XCTAssertEqual(Set(p.childPids(role: "worker")), workers, "the running workers stay")
        let proc = try p.masterCommand("show proc")
        XCTAssertTrue(proc.contains("[failed: 1]"), proc)
        XCTAssertTrue(proc.contains("# last reload failed:"), proc)
        XCTAssertTrue(proc.contains("frobnicate-keyword"), proc)
        XCTAssertNil(ReloadTestHelpers.oldWorkers(proc).first, proc)
        XCTAssertTrue(p.waitForStderr(containing: "Reload failed", timeout: 2), p.stderrTail())
        let alerts = p.stderrText.split(separator: "\n").filter { $0.hasPrefix("[ALERT]") && $0.contains("frobnicate-keyword") }
        XCTAssertFalse(alerts.isEmpty, p.stderrTail())

        // The same file fixed reloads normally.
        try p.writeConfig(good)
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertTrue(p.waitUntilSettled(workers: 2))
        XCTAssertTrue(Set(p.childPids(role: "worker")).isDisjoint(with: workers), "a new generation after the good reload")
        XCTAssertTrue(ReloadTestHelpers.roundTrip(port, expect: "s1"))
    }

    func testBindConflictOnReloadFailsAndKeepsServing() throws {
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let blocker = try LoopbackSocket.listen(port: 0)
        defer { close(blocker) }
        let taken = try LoopbackSocket.localPort(blocker)
        let good = ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", backend.port)], workers: 1)
        let p = try startFulcrum(config: good, arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port)
        try p.waitUntilMasterSocketListening()
        let fdsBefore = p.masterDescriptorCount
        try p.writeConfig(good + "frontend fe2\n    bind 127.0.0.1:\(taken)\n    default_backend be\n")
        let answer = try p.reloadViaMasterCLI()
        XCTAssertTrue(answer.hasPrefix("Success=0\n--\n"), answer)
        XCTAssertTrue(answer.contains("cannot bind socket"), answer)
        XCTAssertTrue(ReloadTestHelpers.roundTrip(port, expect: "s1"))
        // The CLI connection that asked for the reload closes just after the
        // answer: wait (bounded) for the master to let go of it.
        _ = waitUntil(timeout: 3) { p.masterDescriptorCount == fdsBefore }
        XCTAssertEqual(p.masterDescriptorCount, fdsBefore, "nothing opened for the failed reload stays open")
        XCTAssertTrue(try p.masterCommand("show proc").contains("[failed: 1]"))
    }
}
