import XCTest

/// A rule's own answer (`deny`, `return`) on a keep-alive connection ends the
/// exchange as soon as it is sent, as HAProxy's does: its log line goes out
/// while the client still holds the connection idle, and the connection
/// serves the next request. Before, the exchange stayed open until the
/// client's next event (its line late by as long as the client waited, and
/// its heads held by the idle connection).
final class LocalAnswerKeepAliveTests: XCTestCase {
    private func check(rule: String, path: String, status: Int) throws {
        let backend = try startBackend(.http(status: 200, body: "ok\n"))
        let sink = try UDPLogSink()
        let port = try FreePort.next()
        let config = Self.httpConfig(port: port, global: ["log \(sink.address) local0"],
                                     defaults: ["log global", "option httplog", "timeout http-keep-alive 60s"],
                                     frontend: ["\(rule) if { path \(path) }", "default_backend be"],
                                     sections: Self.backend("be", ["server s1 127.0.0.1:\(backend.port)"]))
        let fulcrum = try startFulcrum(config: config, arguments: ["-f", FulcrumProcess.configPlaceholder])
        try fulcrum.waitUntilListening(port: port)
        let client = try TCPClient.connect(port: port)
        defer { client.close() }
        try client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readHTTPResponse()?.status, status)
        // The client sends nothing more and keeps the connection: the line
        // must come anyway.
        let (line, seen) = sink.waitForLine(containing: "GET \(path) HTTP/1.1")
        XCTAssertNotNil(line, "the answered exchange is logged while its connection is idle: \(seen)")
        XCTAssertTrue(line?.contains(" \(status) ") == true, line ?? "")
        // And the connection goes on to the next request, through the backend.
        try client.send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readHTTPResponse()?.status, 200)
        XCTAssertNotNil(sink.waitForLine(containing: "GET /next HTTP/1.1").found)
    }

    func testDenyIsLoggedWhileTheConnectionIsIdle() throws {
        try check(rule: "http-request deny deny_status 403", path: "/denied", status: 403)
    }

    func testReturnIsLoggedWhileTheConnectionIsIdle() throws {
        try check(rule: "http-request return status 200 content-type text/plain string hello", path: "/returned", status: 200)
    }
}
