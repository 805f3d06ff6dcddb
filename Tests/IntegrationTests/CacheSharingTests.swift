import Foundation
import XCTest

/// The cache's shared region: what one worker stored, every worker serves;
/// the objects never take more than `total-max-size` (least recently used
/// first out); an object expires after its max-age.
final class CacheSharingTests: XCTestCase {
    private func launch(workers: Int, cache: String, body: Int = 10, cacheControl: String = "max-age=60")
        throws -> (FulcrumProcess, port: UInt16, admin: String, web: RecordingHTTPBackend) {
        let web = try startRecordingBackend("web") { r in
            ScriptedResponse(headers: [("Cache-Control", cacheControl)],
                             body: r.target + String(repeating: "x", count: max(0, body - r.target.utf8.count)))
        }
        let port = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "cachesh")
        addTeardownBlock { dir.remove() }
        let config = """
            global
                workers \(workers)
                stats socket \(dir.file("admin.sock")) level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 30s
                timeout server 30s
            frontend fe
                bind 127.0.0.1:\(port)
                http-request cache-use c
                http-response cache-store c
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)
            \(cache)

            """
        let p = try startFulcrum(config: config, arguments: ["-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: workers)
        return (p, port, dir.file("admin.sock"), web)
    }

    private func get(_ client: TCPClient, _ path: String) throws -> HTTPTestResponse {
        try client.send(httpGet(path))
        return try XCTUnwrap(try client.readHTTPResponse(requestMethod: "GET"), path)
    }

    func testEveryWorkerServesWhatOneStored() throws {
        let (p, port, admin, web) = try launch(workers: 2, cache: "cache c\n    total-max-size 4")
        // Fresh connections: the kernel spreads them over both workers.
        for _ in 0..<40 {
            let c = try TCPClient.connect(port: port)
            XCTAssertEqual(try get(c, "/shared").status, 200)
            c.close()
        }
        XCTAssertEqual(web.takeRequests().count, 1, "one store, every other request a hit, whichever worker took it")
        for worker in 1...2 {
            let own = try StatsTable(csv: p.masterCommand("@\(worker) show stat"))
            XCTAssertGreaterThan(own.int("fe/FRONTEND", "req_tot") ?? 0, 0, "worker \(worker) served requests")
            // Each worker maps the same region, and so does the master.
            let listing = try p.masterCommand("@\(worker) show cache")
            XCTAssertEqual(listing.split(separator: "\n").filter { $0.contains(" hash:") }.count, 1, listing)
        }
        let listing = try MasterCLI.send("show cache", socketPath: admin)
        XCTAssertEqual(listing.split(separator: "\n").filter { $0.contains(" hash:") }.count, 1, listing)
    }

    func testObjectsStayWithinTheCacheSizeLeastRecentlyUsedFirstOut() throws {
        // 1 MB: 1024 blocks of 1 kB; each object takes 4 (3 kB of body).
        let (_, port, admin, web) = try launch(workers: 1, cache: "cache c\n    total-max-size 1\n    max-object-size 8000",
                                               body: 3000)
        let c = try TCPClient.connect(port: port)
        defer { c.close() }
        for k in 0..<600 {
            XCTAssertEqual(try get(c, "/o\(k)").status, 200)
            if k % 20 == 0 { _ = try get(c, "/o0") } // keeps /o0 recently used
        }
        XCTAssertEqual(web.takeRequests().count, 600, "every object stored once, /o0 always a hit")
        let listing = try MasterCLI.send("show cache", socketPath: admin)
        let objects = listing.split(separator: "\n").filter { $0.contains(" hash:") }
        let blocks = objects.compactMap { line -> Int? in
            guard let r = line.range(of: #"\(([0-9]+) blocks\)"#, options: .regularExpression) else { return nil }
            return Int(line[r].dropFirst().prefix { $0.isNumber })
        }
        XCTAssertEqual(blocks.count, objects.count)
        XCTAssertLessThanOrEqual(blocks.reduce(0, +), 1024, "within total-max-size")
        XCTAssertGreaterThan(objects.count, 200, "the cache is used up to its size")
        XCTAssertLessThan(objects.count, 600)
        // The newest and the one kept in use are there, the oldest are gone.
        _ = try get(c, "/o599")
        _ = try get(c, "/o0")
        XCTAssertEqual(web.takeRequests().count, 0)
        _ = try get(c, "/o1")
        XCTAssertEqual(web.takeRequests().map(\.target), ["/o1"])
    }

    func testAReloadKeepsTheObjectsOfAnUnchangedCache() throws {
        let (p, port, admin, web) = try launch(workers: 2, cache: "cache c\n    total-max-size 2")
        func fetch(_ path: String) throws {
            let c = try TCPClient.connect(port: port)
            defer { c.close() }
            XCTAssertEqual(try get(c, path).status, 200)
        }
        try fetch("/kept")
        XCTAssertEqual(web.takeRequests().count, 1)
        // A reload (the master re-executes itself): the same cache, the same objects.
        XCTAssertTrue(try p.reloadViaMasterCLI().contains("Success=1"))
        XCTAssertTrue(p.waitUntilSettled(workers: 2))
        for _ in 0..<10 { try fetch("/kept") }
        XCTAssertEqual(web.takeRequests().count, 0, "served from the region the new workers inherited")
        XCTAssertEqual(try MasterCLI.send("show cache", socketPath: admin).split(separator: "\n").filter { $0.contains(" hash:") }.count, 1)
        // Another size is another cache: it starts empty.
        let config = try String(contentsOfFile: p.configPath, encoding: .utf8)
        try p.writeConfig(config.replacingOccurrences(of: "total-max-size 2", with: "total-max-size 3"))
        XCTAssertTrue(try p.reloadViaMasterCLI().contains("Success=1"))
        XCTAssertTrue(p.waitUntilSettled(workers: 2))
        try fetch("/kept")
        XCTAssertEqual(web.takeRequests().count, 1)
    }

    func testAnObjectLeavesAfterItsMaxAge() throws {
        let (_, port, _, web) = try launch(workers: 1, cache: "cache c\n    total-max-size 1\n    max-age 60",
                                           cacheControl: "s-maxage=1, max-age=600")
        let c = try TCPClient.connect(port: port)
        defer { c.close() }
        _ = try get(c, "/short")
        let stored = Date()
        _ = try get(c, "/short")
        XCTAssertEqual(web.takeRequests().count, 1, "a hit while fresh")
        // s-maxage wins over max-age: gone within two seconds (HAProxy counts whole seconds).
        let expired = waitUntil(timeout: 5, interval: 0.1) {
            _ = try? self.get(c, "/short")
            return !web.takeRequests().isEmpty
        }
        XCTAssertTrue(expired)
        XCTAssertLessThan(Date().timeIntervalSince(stored), 3)
    }
}
