import XCTest

/// Fulcrum only: a log target that cannot take lines never delays or fails
/// a request. Under a bounded wrk run, lines to a unix datagram socket
/// nobody reads (its queue full after a few hundred) and to a UDP port
/// nobody listens on are dropped and counted: `show info` reports
/// DroppedLogs (haproxy's field name), and wrk counts no error. haproxy is
/// not run: it blocks or drops in its own way.
final class LogBackpressureTests: XCTestCase {
    private func launch(logLines: [String]) throws -> (process: FulcrumProcess, port: UInt16, admin: String) {
        try requireTool("wrk")
        let nginx = try NginxServer.files(["index.html": Array(repeating: UInt8(ascii: "x"), count: 512)])
        addTeardownBlock { nginx.stop() }
        let port = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "flbp")
        addTeardownBlock { dir.remove() }
        let config = """
            global
                workers 1
                stats socket \(dir.file("admin.sock")) level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:\(port)
                option httplog
                capture request header Host len 32
            \(logLines.map { "    " + $0 }.joined(separator: "\n"))
                default_backend be
            backend be
                server s1 127.0.0.1:\(nginx.port)

            """
        let process = try startFulcrum(config: config)
        try process.waitUntilListening(port: port)
        return (process, port, dir.file("admin.sock"))
    }

    private func droppedLogs(_ admin: String) throws -> Int? {
        let info = try MasterCLI.send("show info", socketPath: admin)
        return info.split(separator: "\n").first { $0.hasPrefix("DroppedLogs:") }
            .flatMap { Int($0.dropFirst("DroppedLogs:".count).trimmingCharacters(in: .whitespaces)) }
    }

    /// wrk for 3 s on 8 connections; fails on any error it counted.
    private func load(port: UInt16) throws -> WrkResult {
        let result = try WrkRun(url: "http://127.0.0.1:\(port)/index.html", connections: 8, duration: 3).finish()
        XCTAssertEqual(result.socketErrors, 0, "\(result)")
        XCTAssertEqual(result.badStatuses, 0, "\(result)")
        XCTAssertGreaterThan(result.requests, 1000, "\(result)")
        return result
    }

    func testUnreadUnixSocketAndAbsentUDPReceiverDropAndCount() throws {
        let full = try UnreadDatagramSocket()
        addTeardownBlock { full.stop() }
        let absent = try FreePort.next()
        let (process, port, admin) = try launch(logLines: ["log \(full.path) local0",
                                                           "log 127.0.0.1:\(absent) local1"])
        XCTAssertEqual(try droppedLogs(admin), 0, "nothing dropped before any traffic")
        let result = try load(port: port)
        XCTAssertTrue(full.hasPending, "lines did reach the socket until it was full")
        var dropped: Int?
        waitUntil(timeout: 5) {
            dropped = try? droppedLogs(admin)
            return (dropped ?? 0) > 0
        }
        XCTAssertGreaterThan(dropped ?? 0, 0, "show info DroppedLogs after \(result.requests) requests")
        XCTAssertTrue(process.isRunning)
    }

    /// A UDP target nobody listens on: the kernel may take every datagram
    /// (and the ICMP errors come back later), so only the requests are
    /// held to zero errors here.
    func testAbsentUDPReceiverNeverFailsRequests() throws {
        let absent = try FreePort.next()
        let (process, port, admin) = try launch(logLines: ["log 127.0.0.1:\(absent) local0"])
        let result = try load(port: port)
        XCTAssertNotNil(try droppedLogs(admin), "show info has DroppedLogs (after \(result.requests) requests)")
        XCTAssertTrue(process.isRunning)
    }
}
