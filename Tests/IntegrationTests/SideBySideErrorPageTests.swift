import XCTest

/// Error answers: HAProxy's default pages (403, 503, 504, 400) byte for
/// byte, and an `errorfile` replacing one.
final class SideBySideErrorPageTests: XCTestCase {
    private let aspects = SideBySideAspects(responseHeaders: ["Content-Type", "Content-Length", "Cache-Control",
                                                             "Connection", "X-Custom"])
    private static let custom403 = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n"
        + "X-Custom: frontend\r\nContent-Length: 4\r\n\r\nnope"
    private static let custom503 = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\n"
        + "X-Custom: errorfile\r\nCache-Control: no-cache\r\nContent-Length: 19\r\n\r\n<h1>custom 503</h1>"

    private func start() throws -> SideBySide {
        let web = try startRecordingBackend("web") { request in
            if request.path == "/slow" { sleepSeconds(1.5) }
            return ScriptedResponse.identify(request)
        }
        let closed = try FreePort.next()
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request deny if { path /deny }
                http-request deny if { path /fe-deny }
                use_backend be_down if { path_beg /down }
                use_backend be_custom if { path_beg /custom }
                use_backend be_empty if { path_beg /empty }
                default_backend be
            backend be
                timeout server 1s
                server web 127.0.0.1:\(web.port)
            backend be_down
                retries 1
                timeout connect 500ms
                server gone 127.0.0.1:\(closed)
            backend be_custom
                retries 1
                errorfile 503 {files}/503.http
                server gone 127.0.0.1:\(closed)
            backend be_empty
            frontend fe_custom
                bind 127.0.0.1:{port2}
                errorfile 403 {files}/403.http
                errorfile 503 {files}/503.http
                http-request deny if { path /fe-deny }
                use_backend be_empty if { path /empty }
                default_backend be_down

            """
        return try SideBySide(self, config: config, backends: [web],
                              files: ["503.http": SideBySideErrorPageTests.custom503,
                                      "403.http": SideBySideErrorPageTests.custom403])
    }

    func testDefaultPages() throws {
        let sbs = try start()
        for (path, status) in [("/deny", 403), ("/down", 503), ("/empty", 503), ("/slow", 504)] {
            let seen = try sbs.assertSame(httpGet(path), aspects, checkClose: true)
            XCTAssertEqual(seen[.fulcrum]?.response?.status, status, path)
            XCTAssertTrue(seen[.fulcrum]?.response?.bodyText.contains("<h1>\(status) ") ?? false, path)
        }
    }

    func testFrontendErrorfileReplacesThePage() throws {
        let sbs = try start()
        let denied = try sbs.assertSame(httpGet("/fe-deny"), aspects, checkClose: true, frontend: 2)
        XCTAssertEqual(denied[.fulcrum]?.response?.bodyText, "nope")
        // The frontend's page also covers a 503 of its default backend...
        let down = try sbs.assertSame(httpGet("/"), aspects, checkClose: true, frontend: 2)
        XCTAssertEqual(down[.fulcrum]?.response?.value("X-Custom"), "errorfile")
        // ... and of a backend chosen by use_backend.
        let empty = try sbs.assertSame(httpGet("/empty"), aspects, checkClose: true, frontend: 2)
        XCTAssertEqual(empty[.fulcrum]?.response?.value("X-Custom"), "errorfile")
    }

    /// A backend's errorfile answers for errors of that backend, also when
    /// use_backend (not default_backend) chose it.
    func testBackendErrorfileReplacesThePage() throws {
        let sbs = try start()
        let seen = try sbs.assertSame(httpGet("/custom"), aspects, checkClose: true)
        XCTAssertEqual(seen[.fulcrum]?.response?.bodyText, "<h1>custom 503</h1>")
        XCTAssertEqual(seen[.fulcrum]?.response?.value("X-Custom"), "errorfile")
    }

    func testBadRequestPage() throws {
        let sbs = try start()
        let seen = try sbs.assertSame("GET / HTTP/1.1\r\nHost: site\r\nBad Header: x\r\n\r\n", aspects, checkClose: true)
        XCTAssertEqual(seen[.fulcrum]?.response?.status, 400)
    }

    /// An `http-errors` section imported with `errorfiles` (all of it, or the
    /// codes listed), and `errorloc` / `errorloc303` redirects, in a
    /// frontend and in a backend: the same answers from both proxies.
    func testHTTPErrorsSectionsAndErrorlocAsHAProxy() throws {
        let closed = try FreePort.next()
        let config = SideBySide.httpDefaults + """
            frontend only403
                bind 127.0.0.1:{port}
                errorfiles site 403
                http-request deny if { path /deny }
                default_backend down
            frontend all
                bind 127.0.0.1:{port2}
                errorfiles site
                http-request deny if { path /deny }
                default_backend down
            frontend moved
                bind 127.0.0.1:{port3}
                errorloc 503 http://example.com/sorry
                use_backend down303 if { path /303 }
                default_backend down
            backend down
                retries 0
                timeout connect 500ms
                server gone 127.0.0.1:\(closed)
            backend down303
                retries 0
                errorloc303 503 /maintenance
                server gone 127.0.0.1:\(closed)
            http-errors site
                errorfile 403 {files}/403.http
                errorfile 503 {files}/503.http

            """
        let sbs = try SideBySide(self, config: config, backends: [],
                                 files: ["503.http": SideBySideErrorPageTests.custom503,
                                         "403.http": SideBySideErrorPageTests.custom403])
        let aspects = SideBySideAspects(responseHeaders: ["Content-Type", "Content-Length", "Cache-Control", "Location", "X-Custom"])
        let denied = try sbs.assertSame(httpGet("/deny"), aspects)
        XCTAssertEqual(denied[.fulcrum]?.response?.bodyText, "nope", "403 imported")
        let notImported = try sbs.assertSame(httpGet("/"), aspects)
        XCTAssertEqual(notImported[.fulcrum]?.response?.status, 503)
        XCTAssertNil(notImported[.fulcrum]?.response?.value("X-Custom"), "503 not in the codes listed: the default page")
        let imported = try sbs.assertSame(httpGet("/"), aspects, frontend: 2)
        XCTAssertEqual(imported[.fulcrum]?.response?.value("X-Custom"), "errorfile")
        let redirected = try sbs.assertSame(httpGet("/"), aspects, frontend: 3)
        XCTAssertEqual(redirected[.fulcrum]?.response?.status, 302)
        XCTAssertEqual(redirected[.fulcrum]?.response?.value("Location"), "http://example.com/sorry")
        let seeOther = try sbs.assertSame(httpGet("/303"), aspects, frontend: 3)
        XCTAssertEqual(seeOther[.fulcrum]?.response?.status, 303, "the backend's own errorloc303 wins")
        XCTAssertEqual(seeOther[.fulcrum]?.response?.value("Location"), "/maintenance")
    }
}
