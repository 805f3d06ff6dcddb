import XCTest

/// Local answers: deny (default and deny_status), return (string, status
/// only, hdr), auth, http-response deny; what reaches the backend.
final class SideBySideDenyReturnTests: XCTestCase {
    private let aspects = SideBySideAspects(responseHeaders: ["Content-Type", "Content-Length", "Cache-Control",
                                                             "Connection", "X-Why", "WWW-Authenticate"])

    private func start() throws -> SideBySide {
        let web = try startRecordingBackend("web") { request in
            if request.path == "/fail" { return ScriptedResponse(status: 500, reason: "Internal Server Error", body: "oops") }
            return ScriptedResponse.identify(request)
        }
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request deny if { path /deny }
                http-request deny deny_status 429 if { path /deny429 }
                http-request deny deny_status 400 if { path /deny400 }
                http-request return status 200 content-type text/plain string "hello there" if { path /ret }
                http-request return status 404 if { path /ret404 }
                http-request return status 503 content-type text/plain hdr X-Why maintenance string down if { path /ret503 }
                http-request auth realm Secret if { path /auth }
                http-request allow if { path /allow }
                http-request deny if { path_beg /allow }
                use_backend be_refuse if { path /fail }
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)
            backend be_refuse
                http-response deny
                server web 127.0.0.1:\(web.port)
            frontend fe_request_fetch
                bind 127.0.0.1:{port2}
                http-response deny if { path /fail }
                default_backend be

            """
        return try SideBySide(self, config: config, backends: [web])
    }

    func testDenyStatuses() throws {
        let sbs = try start()
        for (path, status) in [("/deny", 403), ("/deny429", 429), ("/deny400", 400)] {
            let seen = try sbs.assertSame(httpGet(path), aspects, checkClose: true)
            XCTAssertEqual(seen[.fulcrum]?.response?.status, status, path)
            XCTAssertEqual(seen[.fulcrum]?.forwarded.count, 0, path)
        }
        // allow stops the rule list: the later deny is not reached.
        let allowed = try sbs.assertSame(httpGet("/allow"), aspects)
        XCTAssertEqual(allowed[.fulcrum]?.response?.status, 200)
        try sbs.assertSame(httpGet("/allowed"), aspects)
    }

    func testReturnForms() throws {
        let sbs = try start()
        let hello = try sbs.assertSame(httpGet("/ret"), aspects, checkClose: true)
        XCTAssertEqual(hello[.fulcrum]?.response?.bodyText, "hello there")
        let empty = try sbs.assertSame(httpGet("/ret404"), aspects, checkClose: true)
        XCTAssertEqual(empty[.fulcrum]?.response?.status, 404)
        let maintenance = try sbs.assertSame(httpGet("/ret503"), aspects, checkClose: true)
        XCTAssertEqual(maintenance[.fulcrum]?.response?.value("X-Why"), "maintenance")
        // A 200 return keeps the connection: the next request is forwarded.
        try sbs.assertSame([httpGet("/ret"), httpGet("/next")], aspects, checkClose: true)
    }

    func testAuthChallenge() throws {
        let sbs = try start()
        let seen = try sbs.assertSame(httpGet("/auth"), aspects, checkClose: true)
        XCTAssertEqual(seen[.fulcrum]?.response?.status, 401)
        XCTAssertEqual(seen[.fulcrum]?.response?.value("WWW-Authenticate"), "Basic realm=\"Secret\"")
    }

    func testResponseDenyReplacesTheServersAnswer() throws {
        let sbs = try start()
        let seen = try sbs.assertSame(httpGet("/fail"), aspects, checkClose: true)
        XCTAssertEqual(seen[.fulcrum]?.response?.status, 502)
        XCTAssertEqual(seen[.fulcrum]?.forwarded.count, 1)
    }

    /// HAProxy has no request at response time: an ACL on `path` in an
    /// http-response rule never matches (it warns at load), so the server's
    /// answer goes through.
    func testRequestFetchInResponseRuleNeverMatches() throws {
        let sbs = try start()
        let seen = try sbs.assertSame(httpGet("/fail"), aspects, frontend: 2)
        XCTAssertEqual(seen[.fulcrum]?.response?.status, 500)
    }
}
