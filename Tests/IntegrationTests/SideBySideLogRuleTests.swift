import XCTest

/// What rules add to a line, side by side with haproxy 2.6:
/// `http-request capture` (a sample cut to its length, in %hr and in
/// `capture.req.hdr(N)`), `http-request set-log-level` (err, and silent:
/// no line), and `unique-id-format` logged as %ID.
final class SideBySideLogRuleTests: XCTestCase {
    func testCaptureSetLogLevelAndUniqueID() throws {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                log {log} local0
                unique-id-format id-%rt
                log-format "%ID %ST %[capture.req.hdr(0)] %hr %{+Q}r"
                http-request capture req.hdr(User-Agent) len 10
                http-request set-log-level err if { path_beg /err }
                http-request set-log-level silent if { path_beg /silent }
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)

            """
        let logs = try SideBySideLogging(self, config: config, backends: [web])
        let agent = ["User-Agent: a-long-user-agent/1.0"]
        let runs = try logs.sbs.conversation([httpGet("/a", agent), httpGet("/err/x", agent), httpGet("/silent/y", agent),
                                              httpGet("/b")])
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(runs[proxy]?.map { $0.response?.status ?? 0 }, [200, 200, 200, 200], "\(proxy) statuses")
        }
        let comparison = LogLineComparison(.exact)
        let lines = try logs.assertSameLines(count: 3, comparison, "rules")
        logs.assertReference(lines[.haproxy]!, comparison, equal: [
            "<134>{time} {program}[{pid}]: id-0 200 a-long-use {a-long-use} \"GET /a HTTP/1.1\"",
            "<131>{time} {program}[{pid}]: id-1 200 a-long-use {a-long-use} \"GET /err/x HTTP/1.1\"",
            // The silent request used id-2.
            "<134>{time} {program}[{pid}]: id-3 200 - {} \"GET /b HTTP/1.1\"",
        ], "rules")
    }
}
