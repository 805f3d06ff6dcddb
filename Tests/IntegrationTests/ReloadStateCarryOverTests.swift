import XCTest
import Foundation

/// What the runtime knows about servers survives a reload with an unchanged
/// configuration: health (a DOWN server stays DOWN until its next check),
/// admin state, runtime weights, check results and cumulative counters.
final class ReloadStateCarryOverTests: XCTestCase {
    private var dir: TemporaryDirectory!

    private func admin(_ command: String) throws -> String {
        try MasterCLI.send(command, socketPath: dir.file("admin.sock"), timeout: 5)
    }

    /// Columns that must be equal before and after; time-based ones
    /// (lastchg, downtime, lastsess, check_duration, rates) are left out.
    private let stableColumns = ["status", "weight", "act", "bck", "stot", "bin", "bout", "econ", "eresp", "wretr",
                                 "wredis", "chkdown", "lbtot", "check_status", "check_code", "cli_abrt", "srv_abrt",
                                 "smax", "iid", "sid"]

    func testHealthAdminWeightAndCountersAreTheSameAfterAnUnchangedReload() throws {
        let s1 = try startBackend(.identify("s1")), s3 = try startBackend(.identify("s3"))
        let dead = try FreePort.next()
        let port = try FreePort.next()
        dir = try TemporaryDirectory(prefix: "frst")
        addTeardownBlock { self.dir.remove() }
        let cfg = ReloadTestHelpers.tcpConfig(port: port, servers: [], workers: 2,
                                              global: "    stats socket \(dir.file("admin.sock")) level admin")
            + """
                server s1 127.0.0.1:\(s1.port) check inter 200
                server s2 127.0.0.1:\(dead) check inter 200 fall 2 downinter 30s
                server s3 127.0.0.1:\(s3.port)

            """
        let p = try startFulcrum(config: cfg, arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        XCTAssertTrue(p.waitForStderr(containing: "Server be/s2 is DOWN", timeout: 10), p.stderrTail())
        var names: [String: Int] = [:]
        for _ in 0..<20 {
            let c = try TCPClient.connect(port: port)
            try c.send("hello\n")
            if let n = try c.readLine() { names[n, default: 0] += 1 }
        }
        XCTAssertEqual(names.keys.sorted(), ["s1", "s3"], "traffic on both live servers")
        XCTAssertEqual(try admin("disable server be/s3"), "\n")
        XCTAssertEqual(try admin("set weight be/s1 7"), "\n")
        for _ in 0..<10 { XCTAssertTrue(ReloadTestHelpers.roundTrip(port, expect: "s1")) }
        XCTAssertTrue(waitUntil(timeout: 5) {
            ReloadTestHelpers.statRows((try? self.admin("show stat")) ?? "")["fe/FRONTEND"]?["scur"] == "0"
        })
        let before = ReloadTestHelpers.statRows(try admin("show stat"))
        let stateBefore = try admin("show servers state be")
        XCTAssertEqual(before["be/s2"]?["status"], "DOWN")
        XCTAssertEqual(before["be/s3"]?["status"], "MAINT")
        XCTAssertEqual(before["be/s1"]?["weight"], "7")
        XCTAssertEqual(before["fe/FRONTEND"]?["stot"], "30")

        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        // Not UP at any moment after the reload: it is DOWN until a check says otherwise.
        var seen: Set<String> = []
        for _ in 0..<20 {
            if let s = ReloadTestHelpers.statRows((try? admin("show stat")) ?? "")["be/s2"]?["status"] { seen.insert(s) }
            sleepSeconds(0.05)
        }
        XCTAssertEqual(seen, ["DOWN"], "s2's status after the reload")
        let after = ReloadTestHelpers.statRows(try admin("show stat"))
        for row in ["fe/FRONTEND", "be/BACKEND", "be/s1", "be/s2", "be/s3"] {
            for column in stableColumns {
                XCTAssertEqual(after[row]?[column], before[row]?[column], "\(row) \(column)")
            }
        }
        let failsBefore = Int(before["be/s2"]?["chkfail"] ?? "") ?? -1
        let failsAfter = Int(after["be/s2"]?["chkfail"] ?? "") ?? -1
        XCTAssertTrue(failsAfter >= failsBefore && failsAfter <= failsBefore + 1, "chkfail \(failsBefore) → \(failsAfter)")
        // show servers state, without srv_time_since_last_change (field 10).
        func stable(_ text: String) -> [String] {
            text.split(separator: "\n").map { line in
                line.hasPrefix("#") ? String(line)
                    : line.split(separator: " ", omittingEmptySubsequences: false).enumerated()
                        .filter { $0.offset != 9 }.map { String($0.element) }.joined(separator: " ")
            }
        }
        XCTAssertEqual(stable(try admin("show servers state be")), stable(stateBefore))
        // The carried state is the live state: s3 still gets nothing, s1 everything.
        for _ in 0..<10 { XCTAssertTrue(ReloadTestHelpers.roundTrip(port, expect: "s1")) }
        XCTAssertEqual(try admin("get weight be/s1"), "7 (initial 1)\n\n")
    }

    /// Cumulative counters count every connection, including those accepted
    /// by the old generation while the new one was starting and the bytes of
    /// sessions that finish in the draining generation.
    func testCountersIncludeConnectionsAndBytesOfTheOldGenerationDuringTheReload() throws {
        let echo = try startBackend(.echo)
        let port = try FreePort.next()
        let p = try startFulcrum(config: ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", echo.port)], workers: 2),
                                 arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        try p.waitUntilMasterSocketListening()
        let held = try TCPClient.connect(port: port)
        try held.send("before\n")
        XCTAssertEqual(try held.readLine(), "before")
        let loop = ConnectionLoop(port: port, pause: 0, exchange: ReloadTestHelpers.echoExchange)
        XCTAssertTrue(waitUntil(timeout: 5) { loop.successCount >= 20 })
        for _ in 0..<3 { XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n") }
        let (ok, failures) = loop.stop()
        XCTAssertEqual(failures, [])
        // 1000 bytes each way through the draining first generation.
        let payload = String(repeating: "x", count: 999)
        try held.send(payload + "\n")
        XCTAssertEqual(try held.readLine(), payload)
        held.close()
        XCTAssertTrue(p.waitUntilSettled(workers: 2))
        // The old generation's last counts join the history when the master
        // has reaped it (one loop turn after its exit).
        var rows: [String: [String: String]] = [:]
        waitUntil(timeout: 5) {
            rows = ReloadTestHelpers.statRows((try? p.masterCommand("show stat")) ?? "")
            return rows["fe/FRONTEND"]?["stot"] == String(ok + 1) && rows["fe/FRONTEND"]?["bin"] == String(7 + 1000 + 5 * ok)
        }
        XCTAssertEqual(rows["fe/FRONTEND"]?["stot"], String(ok + 1), "sessions: every connection made")
        XCTAssertEqual(rows["be/s1"]?["stot"], String(ok + 1))
        // Client bytes in: "before\n" + payload line + "ping\n" per loop connection.
        XCTAssertEqual(rows["fe/FRONTEND"]?["bin"], String(7 + 1000 + 5 * ok), "bytes in, including the drained session's")
    }
}
