import XCTest
import Foundation

/// What bounds an old generation's drain: `hard-stop-after` (time) and
/// `mworker-max-reloads` (reloads survived), as in HAProxy.
final class ReloadDrainLimitsTests: XCTestCase {
    private func launch(global: String) throws -> (FulcrumProcess, UInt16) {
        let echo = try startBackend(.echo)
        let port = try FreePort.next()
        let p = try startFulcrum(config: ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", echo.port)], workers: 1,
                                                                     global: global),
                                 arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port)
        try p.waitUntilMasterSocketListening()
        return (p, port)
    }

    private func hold(_ port: UInt16) throws -> TCPClient {
        let c = try TCPClient.connect(port: port)
        try c.send("hold\n")
        XCTAssertEqual(try c.readLine(), "hold")
        return c
    }

    func testHardStopAfterCutsAHeldConnectionOfTheOldGenerationInTime() throws {
        let (p, port) = try launch(global: "    hard-stop-after 1s")
        let old = try p.waitForChildren(count: 1)[0]
        let held = try hold(port)
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        let drainStart = Deadline.nowNanoseconds()
        // Still served for most of the second...
        sleepSeconds(0.5)
        try held.send("still\n")
        XCTAssertEqual(try held.readLine(timeout: 0.3), "still", "cut before hard-stop-after")
        // ...then cut.
        let end = try held.waitForClose(timeout: 5)
        let elapsed = Double(Deadline.nowNanoseconds() - drainStart) / 1e9
        XCTAssertNotEqual(end, .timeout, "held connection not cut by hard-stop-after")
        XCTAssertGreaterThanOrEqual(elapsed, 0.8)
        XCTAssertLessThanOrEqual(elapsed, 3.0, "hard-stop-after 1s took \(elapsed) s")
        XCTAssertTrue(waitUntil(timeout: 3) { !ProcessTree.isAlive(old) })
        XCTAssertTrue(p.waitUntilSettled(workers: 1))
        XCTAssertTrue(p.stderrText.contains("hard-stop-after"), p.stderrTail())
    }

    /// HAProxy 2.6 (checked by hand with `mworker-max-reloads 1`): the
    /// worker's reload count includes the reload that made it old, so it gets
    /// SIGTERM at the second reload after it started.
    func testMworkerMaxReloadsOneTerminatesAnOldWorkerAtTheSecondReload() throws {
        let (p, port) = try launch(global: "    mworker-max-reloads 1")
        let old = try p.waitForChildren(count: 1)[0]
        let held = try hold(port)
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        sleepSeconds(0.3)
        XCTAssertTrue(ProcessTree.isAlive(old), "one reload survived is within mworker-max-reloads 1")
        try held.send("after one\n")
        XCTAssertEqual(try held.readLine(), "after one")
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertTrue(waitUntil(timeout: 3) { !ProcessTree.isAlive(old) },
                      "old worker survived 2 reloads with mworker-max-reloads 1:\n\((try? p.masterCommand("show proc")) ?? "")")
        XCTAssertNotEqual(try held.waitForClose(timeout: 3), .timeout)
        XCTAssertTrue(p.stderrText.contains("mworker-max-reloads"), p.stderrTail())
        XCTAssertTrue(p.waitUntilSettled(workers: 1))
    }
}
