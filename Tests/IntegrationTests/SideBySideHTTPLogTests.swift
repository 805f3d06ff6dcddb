import XCTest

/// mode http log lines (`option httplog`, `httplog clf`, `httpslog`, a
/// custom `log-format`) from fulcrum and haproxy 2.6 on one config and the
/// same traffic, logged over UDP: a keep-alive connection with a 200, a 404
/// from the server and a 503 (no server), then a bad request (`<BADREQ>`,
/// PR--) and a request cut short by the client (CR--), one line each.
/// Captured request and response headers and a captured cookie are in the
/// lines. Each test checks haproxy's own lines against what haproxy 2.6.12
/// was seen writing, then fulcrum's against haproxy's.
final class SideBySideHTTPLogTests: XCTestCase {
    private static func respond(_ request: RecordedRequest) -> ScriptedResponse {
        if request.path == "/missing" {
            return ScriptedResponse(status: 404, reason: "Not Found", headers: [("Content-Type", "text/plain")],
                                    body: "nothing here\n")
        }
        return ScriptedResponse(headers: [("Content-Type", "text/html"), ("Set-Cookie", "SRV=web1; path=/")],
                                body: "hello from web\n")
    }

    /// `format` is the frontend's log format line(s).
    private func start(_ format: String) throws -> SideBySideLogging {
        let web = try startRecordingBackend("web", responder: Self.respond)
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                log {log} local0
                \(format)
                capture request header Host len 32
                capture response header Content-Type len 20
                capture cookie SRV len 32
                use_backend none if { path_beg /none }
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)
            backend none

            """
        return try SideBySideLogging(self, config: config, backends: [web])
    }

    /// The traffic of every test here; returns how many lines it should give.
    private func sendTraffic(_ logs: SideBySideLogging) throws -> Int {
        let runs = try logs.sbs.conversation([httpGet("/a?x=1", ["Cookie: SRV=xyz"]), httpGet("/missing"),
                                              httpGet("/none/b")])
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(runs[proxy]?.map { $0.response?.status ?? 0 }, [200, 404, 503], "\(proxy) statuses")
        }
        try logs.sendAndClose("GARBAGE\r\n\r\n", halfClose: false)
        try logs.sendAndClose("GET /cut HTTP/1.1\r\nHost: site\r\n")
        return 5
    }

    /// The normalised rfc3164 header of a local0.info line.
    private static let info = "<134>{time} {program}[{pid}]: "

    private func check(_ format: String, _ shape: LogLineShape, expected: [String]) throws {
        let logs = try start(format)
        let count = try sendTraffic(logs)
        let comparison = LogLineComparison(shape)
        let lines = try logs.assertSameLines(count: count, comparison, format)
        logs.assertReference(lines[.haproxy]!, comparison, equal: expected.map { Self.info + $0 }, format)
    }

    func testHTTPLog() throws {
        try check("option httplog", .httplog, expected: [
            "127.0.0.1:{port} [{date}] fe be/web {t}/{t}/{t}/{t}/{t} 200 112 SRV=xyz SRV=web1 ---- 1/1/0/0/0 0/0 {site} {text/html} \"GET /a?x=1 HTTP/1.1\"",
            "127.0.0.1:{port} [{date}] fe be/web {t}/{t}/{t}/{t}/{t} 404 92 - - ---- 1/1/0/0/0 0/0 {site} {text/plain} \"GET /missing HTTP/1.1\"",
            "127.0.0.1:{port} [{date}] fe none/<NOSRV> {t}/-1/-1/-1/{t} 503 217 - - SC-- 1/1/0/0/0 0/0 {site} {} \"GET /none/b HTTP/1.1\"",
            "127.0.0.1:{port} [{date}] fe fe/<NOSRV> -1/-1/-1/-1/{t} 400 0 - - PR-- 1/1/0/0/0 0/0 \"<BADREQ>\"",
            "127.0.0.1:{port} [{date}] fe fe/<NOSRV> -1/-1/-1/-1/{t} 400 0 - - CR-- 1/1/0/0/0 0/0 \"<BADREQ>\"",
        ])
    }

    func testHTTPLogCLF() throws {
        try check("option httplog clf", .clf, expected: [
            "127.0.0.1 - - [{date}] \"GET /a?x=1 HTTP/1.1\" 200 112 \"\" \"\" {port} {ignored} \"fe\" \"be\" \"web\" {t} {t} {t} {t} {t} ---- 1 1 0 0 0 0 0 \"SRV=xyz\" \"SRV=web1\" \"site\" \"text/html\"",
            "127.0.0.1 - - [{date}] \"GET /missing HTTP/1.1\" 404 92 \"\" \"\" {port} {ignored} \"fe\" \"be\" \"web\" {t} {t} {t} {t} {t} ---- 1 1 0 0 0 0 0 \"\" \"\" \"site\" \"text/plain\"",
            "127.0.0.1 - - [{date}] \"GET /none/b HTTP/1.1\" 503 217 \"\" \"\" {port} {ignored} \"fe\" \"none\" \"<NOSRV>\" {t} -1 -1 -1 {t} SC-- 1 1 0 0 0 0 0 \"\" \"\" \"site\" \"\"",
            "127.0.0.1 - - [{date}] \"<BADREQ>\" 400 0 \"\" \"\" {port} {ignored} \"fe\" \"fe\" \"<NOSRV>\" -1 -1 -1 -1 {t} PR-- 1 1 0 0 0 0 0 \"\" \"\" ",
            "127.0.0.1 - - [{date}] \"<BADREQ>\" 400 0 \"\" \"\" {port} {ignored} \"fe\" \"fe\" \"<NOSRV>\" -1 -1 -1 -1 {t} CR-- 1 1 0 0 0 0 0 \"\" \"\" ",
        ])
    }

    func testHTTPSLogWithoutTLS() throws {
        try check("option httpslog", .httpslog, expected: [
            "127.0.0.1:{port} [{date}] fe be/web {t}/{t}/{t}/{t}/{t} 200 112 SRV=xyz SRV=web1 ---- 1/1/0/0/0 0/0 {site} {text/html} \"GET /a?x=1 HTTP/1.1\" 0/-/-/-/0 -/-/-",
            "127.0.0.1:{port} [{date}] fe be/web {t}/{t}/{t}/{t}/{t} 404 92 - - ---- 1/1/0/0/0 0/0 {site} {text/plain} \"GET /missing HTTP/1.1\" 0/-/-/-/0 -/-/-",
            "127.0.0.1:{port} [{date}] fe none/<NOSRV> {t}/-1/-1/-1/{t} 503 217 - - SC-- 1/1/0/0/0 0/0 {site} {} \"GET /none/b HTTP/1.1\" 0/-/-/-/0 -/-/-",
            "127.0.0.1:{port} [{date}] fe fe/<NOSRV> -1/-1/-1/-1/{t} 400 0 - - PR-- 1/1/0/0/0 0/0 \"<BADREQ>\" 0/-/-/-/0 -/-/-",
            "127.0.0.1:{port} [{date}] fe fe/<NOSRV> -1/-1/-1/-1/{t} 400 0 - - CR-- 1/1/0/0/0 0/0 \"<BADREQ>\" 0/-/-/-/0 -/-/-",
        ])
    }

    func testCustomLogFormat() throws {
        try check("log-format \"%ci %ft %b %s %ST %B %U %tsc %ac %fc %bc %sc %rc %sq %bq %{+Q}r %HM %HU %HV %hr %hs\"",
                  .exact, expected: [
            "127.0.0.1 fe be web 200 112 59 ---- 1 1 0 0 0 0 0 \"GET /a?x=1 HTTP/1.1\" GET /a?x=1 HTTP/1.1 {site} {text/html}",
            "127.0.0.1 fe be web 404 92 48 ---- 1 1 0 0 0 0 0 \"GET /missing HTTP/1.1\" GET /missing HTTP/1.1 {site} {text/plain}",
            "127.0.0.1 fe none <NOSRV> 503 217 47 SC-- 1 1 0 0 0 0 0 \"GET /none/b HTTP/1.1\" GET /none/b HTTP/1.1 {site} {}",
            "127.0.0.1 fe fe <NOSRV> 400 0 0 PR-- 1 1 0 0 0 0 0 \"<BADREQ>\" <BADREQ> <BADREQ> <BADREQ> ",
            "127.0.0.1 fe fe <NOSRV> 400 0 0 CR-- 1 1 0 0 0 0 0 \"<BADREQ>\" <BADREQ> <BADREQ> <BADREQ> ",
        ])
    }

    /// Keep-alive: one line per request, all with the connection's client
    /// address and port, and nothing when the client leaves between requests.
    func testKeepAliveOneLinePerRequest() throws {
        let logs = try start("option httplog")
        let requests = (1...4).map { httpGet("/k\($0)") }
        let runs = try logs.sbs.conversation(requests)
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(runs[proxy]?.map { $0.response?.status ?? 0 }, [200, 200, 200, 200], "\(proxy) statuses")
        }
        // A request on a new connection marks the end: the keep-alive
        // connection closed between requests before it, logging nothing.
        _ = try logs.sbs.exchange(httpGet("/marker"))
        let lines = try logs.assertSameLines(count: 5, LogLineComparison(.httplog), "keep-alive")
        for proxy in ProxyUnderTest.allCases {
            let fields = lines[proxy]!.map { LogLineComparison.fields(of: $0.message) }
            XCTAssertEqual(fields.compactMap { $0.last }, ["/k1", "/k2", "/k3", "/k4", "/marker"].map { "\"GET \($0) HTTP/1.1\"" },
                           "\(proxy): one line per request, in order")
            XCTAssertEqual(Set(fields.prefix(4).map { $0[0] }).count, 1, "\(proxy): the four share one connection")
            XCTAssertNotEqual(fields.first?[0], fields.last?[0], "\(proxy): the marker came on another connection")
        }
    }
}
