import XCTest

/// Servers changed under load with two workers: `set server addr` moves new
/// connections to the new address in both workers, an added server takes
/// traffic in both once enabled, and a disabled one drains and is deleted;
/// wrk counts no error through any of it. Each nginx logs the requests it
/// served, so the test knows which address took what.
final class DynamicServerLoadTests: XCTestCase {
    /// An nginx backend and the number of requests it has served so far.
    private func countingBackend() throws -> (NginxServer, () -> Int) {
        let nginx = try NginxServer(http: """
            server {
                listen 127.0.0.1:{port};
                root {root};
                access_log {root}/../access.log;
                keepalive_requests 1000000;
            }
            """)
        addTeardownBlock { nginx.stop() }
        try FileBytes.write(Array("ok\n".utf8), to: nginx.directory.file("www/index.html"))
        chmod(nginx.directory.file("www/index.html"), 0o644)
        let log = nginx.directory.file("access.log")
        return (nginx, { (FileBytes.readText(log) ?? "").split(separator: "\n").count })
    }

    /// Two workers, a stats socket (returned) and the master CLI (for `@N`).
    private func launch(server: String) throws -> (FulcrumProcess, UInt16, String) {
        let port = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "dynl")
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
                balance roundrobin
                \(server)

            """
        let p = try startFulcrum(config: config, arguments: ["-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        return (p, port, dir.file("admin.sock"))
    }

    /// `stot` of a server as each worker counted it.
    private func perWorker(_ p: FulcrumProcess, _ key: String) -> [Int] {
        (1...2).map { w in
            ((try? StatsTable(csv: p.masterCommand("@\(w) show stat"))).flatMap { $0.int(key, "stot") }) ?? -1
        }
    }

    func testSetServerAddrMovesNewConnectionsInEveryWorker() throws {
        let (a, served) = try countingBackend()
        let (b, servedB) = try countingBackend()
        let (p, port, admin) = try launch(server: "server s1 127.0.0.1:\(a.port)")
        let wrk = try WrkRun(url: "http://127.0.0.1:\(port)/index.html", connections: 8, duration: 5,
                             headers: ["Connection: close"])
        XCTAssertTrue(waitUntil(timeout: 5) { served() > 100 }, "traffic reaches the first address")
        XCTAssertEqual(try MasterCLI.send("set server be/s1 addr 127.0.0.1 port \(b.port)", socketPath: admin),
                       "no need to change the addr, port changed from '\(a.port)' to '\(b.port)' by 'stats socket command'\n\n")
        XCTAssertTrue(waitUntil(timeout: 5) { servedB() > 100 }, "traffic reaches the new address")
        // Connections opened before the change have ended by now (one request each).
        let servedByA = served()
        let before = perWorker(p, "be/s1")
        XCTAssertTrue(waitUntil(timeout: 5) { zip(self.perWorker(p, "be/s1"), before).allSatisfy { $0 > $1 + 20 } },
                      "both workers go on sending to s1: \(before) → \(perWorker(p, "be/s1"))")
        let result = try wrk.finish()
        XCTAssertEqual(result.socketErrors, 0, "\(result)")
        XCTAssertEqual(result.badStatuses, 0, "\(result)")
        XCTAssertEqual(served(), servedByA, "no worker went on with the old address")
        XCTAssertTrue(try MasterCLI.send("show servers state be", socketPath: admin).contains(" s1 127.0.0.1 "))
    }

    func testAddedServerServesBothWorkersAndDrainsBeforeDeletion() throws {
        let (a, servedA) = try countingBackend()
        let (b, servedB) = try countingBackend()
        let (p, port, admin) = try launch(server: "server s1 127.0.0.1:\(a.port)")
        let wrk = try WrkRun(url: "http://127.0.0.1:\(port)/index.html", connections: 8, duration: 7,
                             headers: ["Connection: close"])
        XCTAssertTrue(waitUntil(timeout: 5) { servedA() > 100 })
        XCTAssertEqual(try MasterCLI.send("add server be/n1 127.0.0.1:\(b.port) weight 2", socketPath: admin),
                       "New server registered.\n\n")
        XCTAssertEqual(try MasterCLI.send("enable server be/n1", socketPath: admin), "\n")
        XCTAssertTrue(waitUntil(timeout: 5) { self.perWorker(p, "be/n1").allSatisfy { $0 > 20 } },
                      "both workers send to the added server: \(perWorker(p, "be/n1"))")
        XCTAssertGreaterThan(servedB(), 0)

        XCTAssertEqual(try MasterCLI.send("disable server be/n1", socketPath: admin), "\n")
        // In maintenance and drained: deletion is refused while it holds connections, then done.
        var answer = ""
        XCTAssertTrue(waitUntil(timeout: 5) {
            answer = (try? MasterCLI.send("del server be/n1", socketPath: admin)) ?? ""
            return answer == "Server deleted.\n"
        }, "del server: \(answer)")
        let servedByB = servedB(), aBefore = servedA()
        XCTAssertTrue(waitUntil(timeout: 5) { servedA() > aBefore + 100 }, "traffic goes on to s1")
        let result = try wrk.finish()
        XCTAssertEqual(result.socketErrors, 0, "\(result)")
        XCTAssertEqual(result.badStatuses, 0, "\(result)")
        XCTAssertEqual(servedB(), servedByB, "nothing reached the deleted server")
        let stat = try StatsTable(csv: MasterCLI.send("show stat", socketPath: admin))
        XCTAssertNil(stat.rows["be/n1"])
        XCTAssertEqual(try MasterCLI.send("disable server be/n1", socketPath: admin), "No such server.\n\n")
        // What haproxy 2.6 logs for both.
        XCTAssertTrue(p.stderrText.contains("CLI : 'server be/n1' : New server registered."), p.stderrTail())
        XCTAssertTrue(p.stderrText.contains("Server deleted."), p.stderrTail())
    }
}
