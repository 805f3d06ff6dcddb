import XCTest

/// `redirect` and `http-request redirect`: location, prefix and scheme
/// forms, codes, drop-query and append-slash.
final class SideBySideRedirectTests: XCTestCase {
    private let aspects = SideBySideAspects(responseHeaders: ["Location", "Cache-Control", "Content-Length",
                                                             "Content-Type", "Connection", "Set-Cookie"])

    private func start() throws -> SideBySide {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request redirect location /moved code 301 if { path /loc }
                http-request redirect location https://other.example/x?y=1 if { path /abs }
                http-request redirect prefix https://new.example if { path_beg /pre/ }
                http-request redirect prefix /p2 drop-query if { path_beg /dq/ }
                http-request redirect prefix /p3 code 308 drop-query append-slash if { path_beg /as }
                http-request redirect scheme https if { path_beg /sch }
                http-request redirect scheme https code 307 if { path_beg /s307 }
                http-request redirect location /see code 303 if { path /c303 }
                redirect location /legacy code 302 if { path /oldkw }
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)

            """
        return try SideBySide(self, config: config, backends: [web])
    }

    func testRedirectForms() throws {
        let sbs = try start()
        let cases: [(String, Int, String)] = [
            (httpGet("/loc"), 301, "/moved"),
            (httpGet("/abs"), 302, "https://other.example/x?y=1"),
            (httpGet("/pre/a/b?c=d"), 302, "https://new.example/pre/a/b?c=d"),
            (httpGet("/dq/a?c=d"), 302, "/p2/dq/a"),
            (httpGet("/sch/x?q=1", host: "www.example"), 302, "https://www.example/sch/x?q=1"),
            (httpGet("/s307", host: "www.example:8080"), 307, "https://www.example:8080/s307"),
            (httpGet("/c303"), 303, "/see"),
            (httpGet("/oldkw"), 302, "/legacy"),
        ]
        for (request, status, location) in cases {
            let seen = try sbs.assertSame(request, aspects, checkClose: true)
            XCTAssertEqual(seen[.fulcrum]?.response?.status, status, request)
            XCTAssertEqual(seen[.fulcrum]?.response?.value("Location"), location, request)
            XCTAssertEqual(seen[.fulcrum]?.forwarded.count, 0, request)
        }
    }

    func testAppendSlash() throws {
        let sbs = try start()
        let slash = try sbs.assertSame(httpGet("/as/dir?x=1"), aspects)
        XCTAssertEqual(slash[.fulcrum]?.response?.status, 308)
        try sbs.assertSame(httpGet("/as/dir/?x=1"), aspects)
    }

    func testRedirectKeepsTheConnectionLikeHAProxy() throws {
        let sbs = try start()
        // Two redirects on one connection, then a forwarded request.
        try sbs.assertSame([httpGet("/loc"), httpGet("/c303"), httpGet("/fine")], aspects, checkClose: true)
    }
}
