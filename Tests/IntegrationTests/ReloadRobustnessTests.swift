import XCTest
import Foundation

/// Reloads under adverse timing: a worker killed mid-reload, reload storms,
/// a reload while the previous generation is still draining. Afterwards no
/// process and no master descriptor is left over, and a loop of short
/// connections running throughout lost none.
final class ReloadRobustnessTests: XCTestCase {
    private func launch(workers: Int) throws -> (FulcrumProcess, UInt16, TestBackend) {
        let echo = try startBackend(.echo)
        let port = try FreePort.next()
        let p = try startFulcrum(config: ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", echo.port)], workers: workers),
                                 arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: workers)
        try p.waitUntilMasterSocketListening()
        try p.waitForChildren(count: workers)
        return (p, port, echo)
    }

    /// Every process below the master is a current worker, and the master
    /// holds as many descriptors as it did at the start.
    private func assertSettled(_ p: FulcrumProcess, workers: Int, descriptors: Int?, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(p.waitUntilSettled(workers: workers, timeout: 10),
                      "workers: \(p.childPids()) \((try? p.masterCommand("show proc")) ?? "")", file: file, line: line)
        // A child being spawned (before its exec) is a passing extra descendant.
        waitUntil(timeout: 5) { p.descendantPids().count == workers }
        XCTAssertEqual(p.descendantPids().count, workers, "descendants: \(p.descendantPids())", file: file, line: line)
        var count = p.masterDescriptorCount
        // Closing a generation's last descriptors follows its last exit by one loop turn.
        waitUntil(timeout: 3) { count = p.masterDescriptorCount; return count == descriptors }
        XCTAssertEqual(count, descriptors, "master descriptors: \(masterFds(p))", file: file, line: line)
    }

    private func masterFds(_ p: FulcrumProcess) -> String {
        ProcessTree.directoryEntries("/proc/\(p.pid)/fd").sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }.map { fd -> String in
            var buffer = [CChar](repeating: 0, count: 256)
            let n = readlink("/proc/\(p.pid)/fd/\(fd)", &buffer, 255)
            return "\(fd)=" + (n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?")
        }.joined(separator: " ")
    }

    func testWorkerKilledDuringAReloadLeavesNoLeakAndServiceContinues() throws {
        let (p, port, _) = try launch(workers: 2)
        let descriptors = p.masterDescriptorCount
        let loop = ConnectionLoop(port: port, exchange: ReloadTestHelpers.echoExchange)
        XCTAssertTrue(waitUntil(timeout: 5) { loop.successCount >= 10 })

        // An old (still current) worker killed right after the reload signal.
        let first = Set(p.childPids(role: "worker"))
        try p.signal(SIGUSR2)
        kill(first.first!, SIGKILL)
        XCTAssertTrue(waitUntil(timeout: 10) {
            let now = Set(p.childPids(role: "worker"))
            return now.count == 2 && now.isDisjoint(with: first)
        }, "a new generation serves: \(p.childPids()) \(p.stderrTail())")
        assertSettled(p, workers: 2, descriptors: descriptors)

        // A new worker killed before it is ready: that reload fails, the
        // running generation stays.
        let second = Set(p.childPids(role: "worker"))
        try p.signal(SIGUSR2)
        var victim: pid_t?
        waitUntil(timeout: 5, interval: 0.002) {
            victim = p.childPids(role: "worker").first { !second.contains($0) }
            return victim != nil
        }
        XCTAssertNotNil(victim, "no new worker appeared")
        if let victim { kill(victim, SIGKILL) }
        assertSettled(p, workers: 2, descriptors: descriptors)
        // The victim usually dies before it is ready (the reload fails and the
        // running generation stays); on a loaded machine it may have been
        // ready already (the reload succeeded and the new generation serves).
        let proc = try p.masterCommand("show proc")
        if proc.contains("[failed: 1]") {
            XCTAssertEqual(Set(p.childPids(role: "worker")), second, "the running generation keeps serving")
        } else {
            XCTAssertTrue(proc.contains("[failed: 0]"), proc)
            XCTAssertTrue(Set(p.childPids(role: "worker")).isDisjoint(with: second), "the new generation serves: \(proc)")
        }

        // And the next reload works.
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        assertSettled(p, workers: 2, descriptors: descriptors)
        let (ok, failures) = loop.stop()
        // A connection the killed current worker had accepted dies with it;
        // nothing else may fail.
        XCTAssertLessThanOrEqual(failures.count, 1, "\(failures)")
        XCTAssertGreaterThan(ok, 10)
        for _ in 0..<20 {
            let c = try TCPClient.connect(port: port)
            XCTAssertNil(try ReloadTestHelpers.echoExchange(c))
        }
    }

    func testTenReloadsWithinOneSecondCoalesceAndTheLastConfigWins() throws {
        let (p, port, echo) = try launch(workers: 3)
        let descriptors = p.masterDescriptorCount
        let loop = ConnectionLoop(port: port, exchange: ReloadTestHelpers.echoExchange)
        XCTAssertTrue(waitUntil(timeout: 5) { loop.successCount >= 10 })
        for i in 0..<10 {
            let workers = i == 9 ? 3 : 2 + i % 2
            try p.writeConfig(ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", echo.port)], workers: workers,
                                                          backendLines: i % 2 == 0 ? "    balance leastconn" : ""))
            try p.signal(SIGUSR2)
            sleepSeconds(0.1)
        }
        assertSettled(p, workers: 3, descriptors: descriptors)
        let (ok, failures) = loop.stop()
        XCTAssertEqual(failures, [], "connections lost during the reload storm (\(ok) worked)")
        XCTAssertGreaterThan(ok, 10)
        let proc = try p.masterCommand("show proc")
        XCTAssertNil(ReloadTestHelpers.oldWorkers(proc).first, proc)
        XCTAssertTrue(proc.contains("[failed: 0]"), proc)
    }

    func testReloadWhileThePreviousGenerationStillDrainsKeepsBothUntilTheirConnectionsEnd() throws {
        let (p, port, _) = try launch(workers: 2)
        let descriptors = p.masterDescriptorCount
        let gen1 = Set(p.childPids(role: "worker"))
        let held = try TCPClient.connect(port: port)
        try held.send("one\n")
        XCTAssertEqual(try held.readLine(), "one")
        let loop = ConnectionLoop(port: port, exchange: ReloadTestHelpers.echoExchange)
        XCTAssertTrue(waitUntil(timeout: 5) { loop.successCount >= 10 })

        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        let gen2 = Set(p.childPids(role: "worker")).subtracting(gen1)
        XCTAssertEqual(gen2.count, 2)
        // Only the gen-1 worker holding the connection stays.
        XCTAssertTrue(waitUntil(timeout: 5) { p.childPids(role: "worker").count == 3 }, "\(p.childPids())")
        let holder = Set(p.childPids(role: "worker")).intersection(gen1)
        XCTAssertEqual(holder.count, 1)

        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertTrue(waitUntil(timeout: 5) {
            let now = Set(p.childPids(role: "worker"))
            return now.count == 3 && now.isDisjoint(with: gen2) && now.isSuperset(of: holder)
        }, "generation 2 gone, the holder of generation 1 still there: \(p.childPids())")
        // The master forgets an exited worker one loop turn after reaping it.
        var proc = ""
        waitUntil(timeout: 5) {
            proc = (try? p.masterCommand("show proc")) ?? ""
            return ReloadTestHelpers.oldWorkers(proc) == [holder.first!: "1 sessions"]
        }
        XCTAssertEqual(ReloadTestHelpers.oldWorkers(proc), [holder.first!: "1 sessions"], proc)
        try held.send("two\n")
        XCTAssertEqual(try held.readLine(), "two", "the held connection still works in the draining generation")
        held.close()
        assertSettled(p, workers: 2, descriptors: descriptors)
        let (ok, failures) = loop.stop()
        XCTAssertEqual(failures, [], "connections lost (\(ok) worked)")
    }
}
