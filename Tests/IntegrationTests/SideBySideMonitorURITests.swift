import XCTest

/// `monitor-uri` and `monitor fail` side by side with haproxy 2.6: the
/// proxy's own 200 (503 when a `monitor fail` condition holds), answered
/// before the http-request rules, byte for byte; the backend never sees the
/// request; the connection stays open; no log line.
final class SideBySideMonitorURITests: XCTestCase {
    private let aspects = SideBySideAspects(responseHeaders: ["Content-Type", "Content-Length", "Cache-Control", "Connection"])

    private static func config(backendPort: UInt16) -> String {
        SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                log {log} local0
                log-format "%ST %{+Q}r"
                monitor-uri /health
                acl site_down hdr(x-down) -m found
                monitor fail if site_down
                http-request deny if { path /health }
                default_backend be
            backend be
                server web 127.0.0.1:\(backendPort)

            """
    }

    func testMonitorAnswersBeforeRulesAndNeverReachesTheBackend() throws {
        let web = try startRecordingBackend("web")
        let logs = try SideBySideLogging(self, config: Self.config(backendPort: web.port), backends: [web])
        let sbs = logs.sbs
        // 200 with HAProxy's page although a deny rule matches the path; the
        // connection is kept: the next request on it is forwarded.
        let ok = try sbs.assertSame([httpGet("/health"), httpGet("/next")], aspects, checkClose: true)
        XCTAssertEqual(ok[.fulcrum]?.response?.status, 200)
        let first = try sbs.assertSame(httpGet("/health"), aspects)
        XCTAssertEqual(first[.fulcrum]?.response?.status, 200)
        XCTAssertEqual(first[.fulcrum]?.response?.bodyText, "<html><body><h1>200 OK</h1>\nService ready.\n</body></html>\n")
        XCTAssertEqual(first[.fulcrum]?.forwarded.count, 0)
        // monitor fail: 503, still never forwarded.
        let failing = try sbs.assertSame(httpGet("/health", ["X-Down: 1"]), aspects, checkClose: true)
        XCTAssertEqual(failing[.fulcrum]?.response?.status, 503)
        XCTAssertEqual(failing[.fulcrum]?.forwarded.count, 0)
        // The path of an absolute URI counts; a query string makes it another URI (then denied).
        let absolute = try sbs.assertSame(httpGet("http://site/health"), aspects)
        XCTAssertEqual(absolute[.fulcrum]?.response?.status, 200)
        let query = try sbs.assertSame(httpGet("/health?x=1"), aspects)
        XCTAssertEqual(query[.fulcrum]?.response?.status, 403)
        // Case matters.
        let upper = try sbs.assertSame(httpGet("/HEALTH"), aspects)
        XCTAssertEqual(upper[.fulcrum]?.forwarded.count, 1)
        // Only the forwarded and denied requests are logged: /next, /health?x=1, /HEALTH.
        let lines = try logs.assertSameLines(count: 3, LogLineComparison(.exact), "monitor requests")
        XCTAssertEqual(lines[.fulcrum]?.map(\.message), ["200 \"GET /next HTTP/1.1\"", "403 \"GET /health?x=1 HTTP/1.1\"",
                                                        "200 \"GET /HEALTH HTTP/1.1\""])
    }

    func testHeadAndHTTP10() throws {
        let web = try startRecordingBackend("web")
        let sbs = try SideBySide(self, config: Self.config(backendPort: web.port).replacingOccurrences(of: "    log {log} local0\n", with: ""),
                                 backends: [web])
        let head = try sbs.assertSame(["HEAD /health HTTP/1.1\r\nHost: site\r\n\r\n"], aspects, method: "HEAD", checkClose: true)
        XCTAssertEqual(head[.fulcrum]?.response?.status, 200)
        let old = try sbs.assertSame(["GET /health HTTP/1.0\r\n\r\n"], aspects, checkClose: true)
        XCTAssertEqual(old[.fulcrum]?.response?.value("Connection"), "close")
    }

    func testCountedAsIntercepted() throws {
        let web = try startRecordingBackend("web")
        let statsSockets = try SideBySideStatsSockets(self)
        let sockets = statsSockets.paths, substitutions = statsSockets.substitutions
        let config = Self.config(backendPort: web.port).replacingOccurrences(of: "    log {log} local0\n", with: "")
        let sbs = try SideBySide(self, config: config, backends: [web], global: SideBySideStatsSockets.global,
                                 substitutions: substitutions)
        try sbs.assertSame([httpGet("/health"), httpGet("/health", ["X-Down: 1"]), httpGet("/next")], aspects)
        for proxy in ProxyUnderTest.allCases {
            let table = try StatsTable(csv: MasterCLI.send("show stat", socketPath: sockets[proxy]!))
            XCTAssertEqual(table.int("fe/FRONTEND", "intercepted"), 2, "\(proxy)")
            XCTAssertEqual(table.int("fe/FRONTEND", "req_tot"), 3, "\(proxy)")
            XCTAssertEqual(table.int("be/BACKEND", "req_tot"), 1, "\(proxy)")
        }
    }
}
