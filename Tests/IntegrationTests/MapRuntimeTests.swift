import XCTest

/// Map and ACL changes on a real daemon with two workers: once `add map`,
/// `set map`, `del map` or `add acl` has answered, every request sent
/// afterwards, whichever worker takes it, sees the change; a worker killed
/// with SIGKILL comes back with the changed contents, not the file's (nor
/// the file as edited since); the
/// workers' copies show the same entries and ids as the master's.
final class MapRuntimeTests: XCTestCase {
    private func start() throws -> (FulcrumProcess, UInt16, String, String, String) {
        let api = try startRecordingBackend("api")
        let web = try startRecordingBackend("web")
        let files = try TemporaryDirectory(prefix: "maprt")
        addTeardownBlock { files.remove() }
        let hosts = try files.write("hosts.map", "static.test be_api\n")
        let denied = try files.write("denied.acl", "# nobody yet\n")
        let port = try FreePort.next()
        let stats = files.file("stats.sock")
        let config = """
            global
                workers 2
                stats socket \(stats) level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend fe
                bind 127.0.0.1:\(port)
                http-request deny if { req.hdr(host),lower -f \(denied) }
                use_backend %[req.hdr(host),lower,map(\(hosts),be_web)]
            backend be_api
                server api 127.0.0.1:\(api.port)
            backend be_web
                server web 127.0.0.1:\(web.port)

            """
        let p = try startFulcrum(config: config, arguments: ["-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        try p.waitUntilMasterSocketListening(socketPath: stats)
        return (p, port, stats, hosts, denied)
    }

    /// Who answered a request for `host` on a new connection: the backend's
    /// name, or the status when the proxy answered itself.
    private func served(_ port: UInt16, _ host: String) throws -> String {
        let client = try TCPClient.connect(port: port)
        defer { client.close() }
        try client.send(httpGet("/", host: host, ["Connection: close"]))
        guard let r = try client.readHTTPResponse(requestMethod: "GET") else { return "no response" }
        return r.value("X-Served-By") ?? "\(r.status)"
    }

    /// Connections worker `n` (1-based) accepted.
    private func accepted(_ p: FulcrumProcess, worker n: Int) throws -> Int {
        let info = try p.masterCommand("@\(n) show info")
        guard let line = info.split(separator: "\n").first(where: { $0.hasPrefix("CumConns:") }),
              let value = Int(line.dropFirst("CumConns:".count).trimmingCharacters(in: .whitespaces)) else {
            throw HarnessError.failed("no CumConns in: \(info)")
        }
        return value
    }

    /// What requests for `host` got, sent until both workers took one (at most 64).
    private func everyWorker(_ p: FulcrumProcess, _ port: UInt16, _ host: String) throws -> Set<String> {
        let before = try (1...2).map { try accepted(p, worker: $0) }
        var seen: Set<String> = []
        for _ in 0..<64 {
            seen.insert(try served(port, host))
            let now = try (1...2).map { try accepted(p, worker: $0) }
            if zip(now, before).allSatisfy({ $0 > $1 }) { return seen }
        }
        throw HarnessError.failed("64 connections did not reach both workers")
    }

    func testChangesReachEveryWorkerBeforeTheAnswerAndSurviveARespawn() throws {
        let (p, port, stats, hosts, denied) = try start()
        func cli(_ command: String) throws -> String { try MasterCLI.send(command, socketPath: stats) }
        XCTAssertEqual(try everyWorker(p, port, "static.test"), ["api"])
        XCTAssertEqual(try everyWorker(p, port, "moved.test"), ["web"])

        XCTAssertEqual(try cli("add map \(hosts) moved.test be_api"), "\n")
        XCTAssertEqual(try everyWorker(p, port, "Moved.Test"), ["api"], "add map: every worker, right after the answer")
        XCTAssertEqual(try cli("set map \(hosts) moved.test be_web"), "\n")
        XCTAssertEqual(try everyWorker(p, port, "moved.test"), ["web"], "set map")
        XCTAssertEqual(try cli("del map \(hosts) static.test"), "\n")
        XCTAssertEqual(try everyWorker(p, port, "static.test"), ["web"], "del map")
        XCTAssertEqual(try cli("add acl \(denied) blocked.test"), "\n")
        XCTAssertEqual(try everyWorker(p, port, "blocked.test"), ["403"], "add acl")

        // Each worker's copy holds the same entries, with the same ids, as the master's.
        let master = try cli("show map \(hosts)")
        XCTAssertEqual(master.split(separator: "\n").count, 1, master)
        for n in 1...2 { XCTAssertEqual(try p.masterCommand("@\(n) show map \(hosts)"), master, "worker \(n)") }

        // A worker killed now comes back with the changes, not the file's
        // contents, even when the file was edited meanwhile (a file is read at start and reload).
        XCTAssertEqual(try cli("set map \(hosts) moved.test be_api"), "\n")
        XCTAssertNoThrow(try "static.test be_api\nedited.test be_api\n".write(toFile: hosts, atomically: true, encoding: .utf8))
        let workers = try p.waitForChildren(count: 2)
        kill(workers[0], SIGKILL)
        XCTAssertTrue(waitUntil(timeout: 10) { let now = p.childPids(role: "worker"); return now.count == 2 && !now.contains(workers[0]) })
        try p.waitUntilListening(port: port, sockets: 2)
        XCTAssertEqual(try everyWorker(p, port, "moved.test"), ["api"], "a respawned worker has the change")
        XCTAssertEqual(try everyWorker(p, port, "static.test"), ["web"], "and the deletion")
        XCTAssertEqual(try everyWorker(p, port, "blocked.test"), ["403"], "and the ACL entry")
        XCTAssertEqual(try everyWorker(p, port, "edited.test"), ["web"], "the edited file is not read again")
        for n in 1...2 { XCTAssertEqual(try p.masterCommand("@\(n) show map \(hosts)"), try cli("show map \(hosts)"), "worker \(n)") }

        // A prepared version replaces everything at its commit, in every worker.
        XCTAssertEqual(try cli("prepare map \(hosts)"), "New version created: 1\n\n")
        XCTAssertEqual(try cli("add map @1 \(hosts) <<\nstatic.test be_api\nfresh.test be_api\n\n"), "\n")
        XCTAssertEqual(try everyWorker(p, port, "fresh.test"), ["web"], "not before the commit")
        XCTAssertEqual(try cli("commit map @1 \(hosts)"), "\n")
        XCTAssertEqual(try everyWorker(p, port, "fresh.test"), ["api"])
        XCTAssertEqual(try everyWorker(p, port, "moved.test"), ["web"], "the older version is gone")

        // A reload reads the files again: the map, edited on disk, is taken
        // as written (its runtime changes go); the ACL file, left as it was,
        // keeps its runtime entry (HAProxy forgets it: docs/differences.md).
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertTrue(p.waitUntilSettled(workers: 2))
        XCTAssertEqual(try everyWorker(p, port, "edited.test"), ["api"])
        XCTAssertEqual(try everyWorker(p, port, "fresh.test"), ["web"])
        XCTAssertEqual(try everyWorker(p, port, "blocked.test"), ["403"])
    }

    /// Thirty `set map` flips while wrk keeps both workers busy on the
    /// mapped host: no request fails, and a request sent after each answer
    /// goes where the change says.
    func testChangesUnderLoadLoseNoRequest() throws {
        let (p, port, stats, hosts, _) = try start()
        _ = p
        XCTAssertEqual(try MasterCLI.send("add map \(hosts) flip.test be_api", socketPath: stats), "\n")
        let wrk = try WrkRun(url: "http://127.0.0.1:\(port)/", connections: 10, duration: 4, headers: ["Host: flip.test"])
        var wrong: [String] = []
        var flips = 0
        for i in 0..<30 where wrk.isRunning {
            let target = i % 2 == 0 ? "web" : "api"
            XCTAssertEqual(try MasterCLI.send("set map \(hosts) flip.test be_\(target)", socketPath: stats), "\n")
            flips += 1
            let got = try served(port, "flip.test")
            if got != target { wrong.append("flip \(i): \(got), expected \(target)") }
        }
        let result = try wrk.finish()
        XCTAssertGreaterThanOrEqual(flips, 10, "the changes were made while wrk ran")
        XCTAssertEqual(wrong, [])
        XCTAssertGreaterThan(result.requests, 100, result.output)
        XCTAssertEqual(result.socketErrors, 0, "\(result)")
        XCTAssertEqual(result.badStatuses, 0, "\(result)")
    }
}
