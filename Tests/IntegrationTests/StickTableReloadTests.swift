import XCTest

/// A stick table outlives a reload (the master re-executes itself and the
/// new generation maps the same region while the table's definition is
/// unchanged): counters go on from where they were.
final class StickTableReloadTests: XCTestCase {
    func testCountersSurviveAReload() throws {
        let web = try startRecordingBackend("web")
        let dir = try TemporaryDirectory(prefix: "stickrl")
        addTeardownBlock { dir.remove() }
        let port = try FreePort.next()
        let socket = dir.file("admin.sock")
        let config = """
            global
                workers 2
                stats socket \(socket) level admin
            defaults
                mode http
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            frontend fe
                bind 127.0.0.1:\(port)
                stick-table type ip size 1k expire 1m store http_req_cnt
                http-request track-sc0 src
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)

            """
        let p = try startFulcrum(config: config, arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        func request() throws -> Int {
            let client = TCPClient(descriptor: try SourceBoundClient.connect(from: "127.0.8.1", port: port, timeout: 5))
            defer { client.close() }
            try client.send(httpGet("/", ["Connection: close"]))
            return try client.readHTTPResponse()?.status ?? 0
        }
        func entry() throws -> String? {
            try MasterCLI.send("show table fe", socketPath: socket).split(separator: "\n").dropFirst().first
                .map { $0.split(separator: " ").filter { !$0.hasPrefix("0x") && !$0.hasPrefix("exp=") }.joined(separator: " ") }
        }
        for _ in 0..<3 { XCTAssertEqual(try request(), 200) }
        XCTAssertTrue(waitUntil(timeout: 5) { (try? entry()) == "key=127.0.8.1 use=0 http_req_cnt=3" }, String(describing: try? entry()))
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertTrue(p.waitUntilSettled(workers: 2), "the old generation left")
        XCTAssertEqual(try entry(), "key=127.0.8.1 use=0 http_req_cnt=3", "kept over the reload")
        XCTAssertEqual(try request(), 200)
        // The exchange's end (which releases the entry) may follow the response by a moment.
        XCTAssertTrue(waitUntil(timeout: 5) { (try? entry()) == "key=127.0.8.1 use=0 http_req_cnt=4" }, "the new workers count into it: \(String(describing: try? entry()))")
    }
}
