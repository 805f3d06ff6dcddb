import XCTest
import FulcrumBytes
@testable import FulcrumConfig

final class CookieAndCompressionTests: XCTestCase {
    private func backend(_ lines: String, defaults: String = httpDefaults) -> (Backend?, ParseResult) {
        let r = parse(defaults + "backend b\n" + lines + "\n    server s1 10.0.0.1:80 cookie a\n")
        return (r.configuration.backends.first, r)
    }

    func testCookie() {
        let (b, r) = backend("    cookie SRV insert indirect nocache postonly preserve httponly secure domain .a.com domain .b.com maxidle 30m maxlife 1d")
        XCTAssertEqual(r.diagnostics, [])
        var expected = CookieConfig(name: "SRV", mode: .insert)
        expected.indirect = true; expected.nocache = true; expected.postonly = true; expected.preserve = true
        expected.httponly = true; expected.secure = true
        expected.domains = [".a.com", ".b.com"]
        expected.maxidle = 1800; expected.maxlife = 86400
        XCTAssertEqual(b?.http.cookie, expected)
        XCTAssertEqual(b?.servers.first?.params.cookie, "a")
    }

    func testCookieInheritedFromDefaults() {
        let (b, r) = backend("", defaults: httpDefaults.replacingOccurrences(of: "    mode http\n", with: "    mode http\n    cookie SID prefix\n"))
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(b?.http.cookie, CookieConfig(name: "SID", mode: .prefix))
    }

    func testCookieErrors() {
        func alert(_ line: String) -> Diagnostic? { onlyAlert(backend("    " + line).1, line) }
        XCTAssertEqual(alert("cookie S insert rewrite")?.message, "cookie 'rewrite', 'insert' and 'prefix' modes are incompatible.")
        XCTAssertEqual(alert("cookie S insert rewrite")?.location, SourceLocation(file: "t.cfg", line: 8, column: 21))
        XCTAssertEqual(alert("cookie S rewrite indirect")?.message, "cookie 'rewrite' and 'indirect' modes are incompatible.")
        XCTAssertEqual(alert("cookie S")?.message, "'cookie S' without 'insert', 'rewrite' or 'prefix' (a cookie only read for persistence) is not supported yet (in section 'backend')")
        XCTAssertEqual(alert("cookie S insert attr SameSite=Lax")?.message, "'attr' of 'cookie' is not supported yet (in section 'backend')")
        XCTAssertEqual(alert("cookie S prefix maxidle 1h")?.message, "cookie 'maxidle' and 'maxlife' need the 'insert' mode")
        XCTAssertEqual(alert("cookie S insert nocach")?.message.hasSuffix("but got 'nocach'; did you mean 'nocache'?"), true)
        XCTAssertEqual(alert("cookie")?.message, "'cookie' expects <cookie_name> as argument")
    }

    func testCookieInTCPBackendWarnsAndIsDropped() {
        let (b, r) = backend("    mode tcp\n    cookie S insert")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message), [
            "cookie will be ignored for backend 'b' (needs 'mode http').",
            "backend 'b' : ignoring cookie for server 's1' as HTTP mode is disabled.",
        ])
        XCTAssertNil(b?.http.cookie)
        XCTAssertNil(b?.servers.first?.params.cookie)
    }

    func testPoolMaxConn() {
        let r = parse(httpDefaults + "backend b\n    default-server pool-max-conn 10\n    server s1 10.0.0.1:80\n    server s2 10.0.0.2:80 pool-max-conn -1\n")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.configuration.backends.first?.servers.map(\.params.poolMaxConn), [10, -1])
        assertSingleAlert(parse(httpDefaults + "backend b\n    server s1 10.0.0.1:80 pool-max-conn x\n"),
                          "'pool-max-conn' expects -1 (unlimited) or a positive integer (got 'x')", line: 8, column: 41)
    }

    func testCompression() {
        let (b, r) = backend("    compression algo gzip deflate raw-deflate identity\n    compression type text/html \"text/plain; charset=utf-8\" Application/JSON\n    compression offload")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(b?.http.compression.algorithms, [.gzip, .deflate, .rawDeflate, .identity])
        XCTAssertEqual(b?.http.compression.types, ["text/html", "text/plain", "application/json"])
        XCTAssertEqual(b?.http.compression.offload, true)
        func alert(_ line: String) -> Diagnostic? { onlyAlert(backend("    " + line).1, line) }
        XCTAssertEqual(alert("compression algo brotli")?.message, "'compression' : 'brotli' is not a supported algorithm; expected 'gzip', 'deflate', 'raw-deflate' or 'identity'")
        XCTAssertEqual(alert("compression algo brotli")?.location?.column, 22)
        XCTAssertEqual(alert("compression type")?.message, "'compression type' expects <type>")
        XCTAssertEqual(alert("compression algo-res gzip")?.message, "'compression algo-res' is not supported yet (in section 'backend')")
        XCTAssertEqual(alert("compression offload now")?.message, "unexpected argument 'now' for 'compression offload'")
    }

    func testErrorfileAndHTTPError() {
        let (b, r) = backend("    errorfile 503 /etc/fulcrum/503.http\n    http-error status 429 content-type text/plain string \"slow down\"\n    errorfile 429 /etc/fulcrum/429.http\n    http-error status 500 content-type text/html file /etc/fulcrum/500.html")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(b?.http.errorFiles, [503: "/etc/fulcrum/503.http", 429: "/etc/fulcrum/429.http"])
        XCTAssertEqual(b?.http.errorResponses, [500: HTTPErrorResponse(status: 500, contentType: "text/html", body: .file(path: "/etc/fulcrum/500.html"))])
        assertSingleAlert(backend("    errorfile 418 /x").1, "errorfile : status code '418' not handled; expected one of 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504", line: 8, column: 15)
        assertSingleAlert(backend("    errorfile 503").1, "'errorfile' expects <status_code> and <file> as arguments", line: 8, column: 5)
        assertSingleAlert(backend("    http-error status 503 string x").1, "'http-error' : a content type must be defined when a payload is configured", line: 8, column: 27)
        assertSingleAlert(backend("    errorfiles site").1, "proxy 'b': unknown http-errors section 'site'.", line: 8, column: 5)
    }

    func testReuseRetryOnAndOptions() {
        let (b, r) = backend("    http-reuse always\n    retry-on conn-failure 503 all-retryable-errors\n    option http-server-close\n    option forwardfor except 127.0.0.0/8 header X-Real-IP if-none\n    timeout http-request 10s\n    timeout http-keep-alive 2s")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(b?.http.reuse, .always)
        XCTAssertEqual(b?.http.retryOn, ["connect-failure", "503", "empty-response", "junk-response", "response-timeout", "0rtt-rejected", "500", "502", "504"])
        XCTAssertEqual(b?.http.connectionMode, .serverClose)
        var ff = ForwardFor(); ff.except = IPNetwork("127.0.0.0/8"); ff.header = "X-Real-IP"; ff.ifNone = true
        XCTAssertEqual(b?.http.forwardFor, ff)
        XCTAssertEqual(b?.timeouts.httpRequest, 10_000)
        XCTAssertEqual(b?.timeouts.httpKeepAlive, 2_000)
        let (d, _) = backend("")
        XCTAssertEqual(d?.http.retryOn, ["connect-failure"])
        XCTAssertEqual(d?.http.reuse, .safe)
        XCTAssertEqual(backend("    retry-on none").0?.http.retryOn, [])
        assertSingleAlert(backend("    retry-on connect-failure").1, "'retry-on': unknown keyword 'connect-failure'", line: 8, column: 14)
        assertSingleAlert(backend("    retry-on none 503").1, "'retry-on' 'none' keyword only usable alone", line: 8, column: 14)
        assertSingleAlert(backend("    option forwardfor except nonsense").1,
                          "'option forwardfor' : 'except' expects an IP network such as 10.0.0.0/8 (got 'nonsense')", line: 8, column: 30)
        assertSingleAlert(backend("    http-reuse sometimes").1, "'http-reuse' only supports 'never', 'safe', 'aggressive', 'always'", line: 8, column: 16)
    }

    func testConnectionModeLastOneWinsAndNegation() {
        func mode(_ lines: String) -> HTTPConnectionMode? { backend(lines).0?.http.connectionMode }
        XCTAssertEqual(mode("    option httpclose\n    option http-keep-alive"), .keepAlive)
        XCTAssertEqual(mode("    option http-keep-alive\n    option httpclose"), .close)
        XCTAssertEqual(mode("    option httpclose\n    no option httpclose"), .keepAlive)
        XCTAssertEqual(mode("    option httpclose\n    no option http-server-close"), .close)
        let inherited = backend("", defaults: httpDefaults.replacingOccurrences(of: "    mode http\n", with: "    mode http\n    option http-server-close\n    option accept-invalid-http-request\n")).0
        XCTAssertEqual(inherited?.http.connectionMode, .serverClose)
        XCTAssertEqual(inherited?.http.acceptInvalidRequest, true)
        assertSingleAlert(backend("    no option forwardfor except 10.0.0.0/8").1, "unexpected argument 'except' for 'no option forwardfor'", line: 8, column: 26)
    }

    func testHTTPBalance() {
        XCTAssertEqual(backend("    balance uri whole len 10 depth 3").0?.balance, .uri(whole: true, length: 10, depth: 3))
        XCTAssertEqual(backend("    balance uri").0?.balance, .uri(whole: false, length: 0, depth: 0))
        XCTAssertEqual(backend("    balance url_param id").0?.balance, .urlParam("id"))
        XCTAssertEqual(backend("    balance hdr(Host)").0?.balance, .header("Host"))
        assertSingleAlert(backend("    balance uri len 0").1, "balance uri : 'len' expects a positive integer (got '0').", line: 8, column: 21)
        assertSingleAlert(backend("    balance uri foo").1, "balance uri only accepts parameters 'len', 'depth', 'path-only', and 'whole' (got 'foo').", line: 8, column: 17)
        assertSingleAlert(backend("    balance url_param").1, "balance url_param requires an URL parameter name.", line: 8, column: 13)
        assertSingleAlert(backend("    balance url_param id check_post").1, "'check_post' of 'balance url_param' is not supported yet (in section 'backend')", line: 8, column: 26)
        assertSingleAlert(backend("    balance hdr(host) use_domain_only").1, "'use_domain_only' of 'balance hdr' is not supported yet (in section 'backend')", line: 8, column: 23)
        let (tcp, r) = backend("    mode tcp\n    balance uri")
        XCTAssertEqual(tcp?.balance, .roundRobin)
        XCTAssertTrue(r.warnings.contains { $0.message == "Layer 7 hash not possible for backend 'b' (needs 'mode http'). Falling back to round robin." })
    }

    func testTuneGlobals() {
        let r = parse("global\n    tune.bufsize 32768\n    tune.maxrewrite 2048\n    tune.http.maxhdr 200\n")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual([r.configuration.global.bufferSize, r.configuration.global.maxRewrite, r.configuration.global.maxHeaders], [32768, 2048, 200])
        let d = parse("global\n    daemon\n").configuration.global
        XCTAssertEqual([d.bufferSize, d.maxRewrite, d.maxHeaders], [16384, 1024, 101])
        let clamped = parse("global\n    tune.bufsize 4096\n    tune.maxrewrite 4000\n")
        XCTAssertEqual(clamped.configuration.global.maxRewrite, 2048)
        XCTAssertEqual(clamped.warnings.map(\.message), ["'tune.maxrewrite' 4000 is reduced to 2048, half of 'tune.bufsize' (4096), as HAProxy does"])
        assertSingleAlert(parse("global\n    tune.http.maxhdr 32768\n"), "'tune.http.maxhdr' expects a numeric value between 1 and 32767 (got '32768')", line: 2, column: 22)
        assertSingleAlert(parse("global\n    tune.bufsize 0\n"), "'tune.bufsize' expects a numeric value between 1024 and 268435455 (got '0')", line: 2, column: 18)
    }
}
