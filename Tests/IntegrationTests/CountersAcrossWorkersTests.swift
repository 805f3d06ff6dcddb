import XCTest

/// Counters are the sum of every worker's, exactly, and survive a reload:
/// two workers share the traffic (the kernel spreads connections across
/// their SO_REUSEPORT listeners), the totals in `show stat` and `show info`
/// are what was sent, per-worker views (`@N`) add up to them, and an
/// unchanged reload keeps them.
final class CountersAcrossWorkersTests: XCTestCase {
    /// Two workers in front of a recording backend, with a stats socket
    /// (returned) and the master CLI.
    private func launch() throws -> (FulcrumProcess, port: UInt16, statsSocket: String) {
        let web = try startRecordingBackend("web")
        let port = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "ctrw")
        addTeardownBlock { dir.remove() }
        let config = """
            global
                workers 2
                stats socket \(dir.file("admin.sock")) level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 30s
                timeout server 30s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)

            """
        let p = try startFulcrum(config: config, arguments: ["-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        return (p, port, dir.file("admin.sock"))
    }

    func testTotalsAreExactAcrossWorkersAndReloads() throws {
        let (p, port, admin) = try launch()
        func stat() throws -> StatsTable { try StatsTable(csv: MasterCLI.send("show stat", socketPath: admin)) }
        func send(connections: Int, requestsEach: Int) throws {
            for _ in 0..<connections {
                let c = try TCPClient.connect(port: port)
                for i in 0..<requestsEach {
                    try c.send(httpGet("/\(i)"))
                    XCTAssertEqual(try c.readHTTPResponse(requestMethod: "GET")?.status, 200)
                }
                c.close()
            }
        }
        func settled() -> Bool {
            waitUntil(timeout: 10, interval: 0.05) { (try? stat())?.int("fe/FRONTEND", "scur") == 0 }
        }
        try send(connections: 40, requestsEach: 1)
        try send(connections: 1, requestsEach: 10)
        XCTAssertTrue(settled())
        let total = try stat()
        for (key, column, value) in [("fe/FRONTEND", "req_tot", 50), ("fe/FRONTEND", "hrsp_2xx", 50),
                                     ("fe/FRONTEND", "stot", 41), ("fe/FRONTEND", "conn_tot", 41),
                                     ("be/BACKEND", "req_tot", 50), ("be/web", "hrsp_2xx", 50), ("be/web", "stot", 50)] {
            XCTAssertEqual(total.int(key, column), value, "\(key) \(column)")
        }
        XCTAssertGreaterThanOrEqual(total.int("fe/FRONTEND", "req_rate_max") ?? 0, 1)
        // Each worker counted a share, and the shares add up.
        var shares: [Int] = []
        for worker in 1...2 {
            let own = try StatsTable(csv: p.masterCommand("@\(worker) show stat"))
            shares.append(own.int("fe/FRONTEND", "req_tot") ?? -1)
        }
        XCTAssertEqual(shares.reduce(0, +), 50, "per-worker req_tot \(shares)")
        XCTAssertTrue(shares.allSatisfy { $0 > 0 }, "both workers served: \(shares)")
        let info = parseShowInfo(try MasterCLI.send("show info", socketPath: admin))
        XCTAssertEqual(info["CumReq"], "50")
        XCTAssertEqual(info["CumConns"], "41")

        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertTrue(p.waitUntilSettled(workers: 2))
        XCTAssertEqual(try stat().int("fe/FRONTEND", "req_tot"), 50, "kept over the reload")
        try send(connections: 5, requestsEach: 2)
        XCTAssertTrue(settled())
        let after = try stat()
        XCTAssertEqual(after.int("fe/FRONTEND", "req_tot"), 60)
        XCTAssertEqual(after.int("be/web", "hrsp_2xx"), 60)
        XCTAssertEqual(after.int("fe/FRONTEND", "stot"), 46)
    }
}

extension CountersAcrossWorkersTests {
    /// A worker killed with its sessions open: the counts it held in the
    /// shared table (scur, CurrConns, what maxconn reads) drop at once, the
    /// respawned worker starts from zero, the other worker's stay.
    func testAKilledWorkersSessionsLeaveTheSharedCounts() throws {
        let (p, port, admin) = try launch()
        func stat() throws -> StatsTable { try StatsTable(csv: MasterCLI.send("show stat", socketPath: admin)) }
        // Idle keep-alive connections after one request each, spread over both workers.
        var clients: [TCPClient] = []
        for _ in 0..<20 {
            let c = try TCPClient.connect(port: port)
            try c.send(httpGet("/"))
            XCTAssertEqual(try c.readHTTPResponse(requestMethod: "GET")?.status, 200)
            clients.append(c)
        }
        XCTAssertEqual(try stat().int("fe/FRONTEND", "scur"), 20)
        let held = try StatsTable(csv: p.masterCommand("@1 show stat")).int("fe/FRONTEND", "scur") ?? -1
        let victimSlotPid = try XCTUnwrap(Int32(p.masterCommand("@1 show info").split(separator: "\n")
            .first { $0.hasPrefix("Pid: ") }?.dropFirst(5) ?? ""))
        kill(victimSlotPid, SIGKILL)
        // Its clients see the end; the others keep their connection.
        var closed = 0
        for c in clients {
            if let end = try? c.waitForClose(timeout: 0.3), end == .eof || end == .reset { closed += 1 }
        }
        XCTAssertEqual(closed, held, "the killed worker held \(held) of the 20")
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) {
            (try? stat())?.int("fe/FRONTEND", "scur") == 20 - held
        }, "scur after the kill: \(String(describing: try? stat().int("fe/FRONTEND", "scur"))), expected \(20 - held)")
        XCTAssertEqual(parseShowInfo(try MasterCLI.send("show info", socketPath: admin))["CurrConns"],
                       String(20 - held))
        XCTAssertTrue(p.waitUntilSettled(workers: 2), "respawned")
        XCTAssertEqual(try StatsTable(csv: p.masterCommand("@1 show stat")).int("fe/FRONTEND", "scur"), 0,
                       "the respawned worker starts from zero")
    }
}
