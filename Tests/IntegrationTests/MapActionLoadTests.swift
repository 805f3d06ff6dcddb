import XCTest

/// `http-request set-map` on every request of a wrk run over two workers,
/// each request writing another value (the client's port) to one key: no
/// request fails, and once the run ends the master's copy of the map and
/// each worker's hold the same entries, the last change the master ordered.
final class MapActionLoadTests: XCTestCase {
    func testSetMapOnEveryRequestUnderLoadConverges() throws {
        let files = try TemporaryDirectory(prefix: "mapload")
        addTeardownBlock { files.remove() }
        let map = try files.write("hot.map", "hot 0\ncold 1\n")
        let port = try FreePort.next()
        let stats = files.file("stats.sock")
        let p = try startFulcrum(config: """
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
                http-request set-map(\(map)) hot %[src_port]
                http-request return status 200 content-type text/plain lf-string "%[str(hot),map(\(map))]"

            """, arguments: ["-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        try p.waitUntilMasterSocketListening(socketPath: stats)

        let wrk = try WrkRun(url: "http://127.0.0.1:\(port)/", connections: 20, duration: 3)
        let result = try wrk.finish()
        XCTAssertGreaterThan(result.requests, 500, result.description)
        XCTAssertEqual(result.socketErrors, 0, result.description)
        XCTAssertEqual(result.badStatuses, 0, result.description)

        func listing(_ command: String) -> String { (try? p.masterCommand(command)) ?? "" }
        var last: [String] = []
        let converged = waitUntil(timeout: 5) {
            last = [listing("@1 show map \(map)"), listing("@2 show map \(map)"),
                    (try? MasterCLI.send("show map \(map)", socketPath: stats)) ?? ""]
            return last[0] == last[1] && last[1] == last[2] && last[0].contains(" hot ")
        }
        XCTAssertTrue(converged, "the copies differ: \(last)")
        XCTAssertEqual(last.first?.split(separator: "\n").count, 2, "still one entry per key: \(last)")
    }
}
