import XCTest

/// `option forwardfor` and its `except`, `if-none` and `header` forms, in
/// frontends (one per form) and in backends reached from one frontend.
final class SideBySideForwardedForTests: XCTestCase {
    private let aspects = SideBySideAspects(requestHeaders: ["X-Forwarded-For", "X-Client"])

    func testFrontendForms() throws {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend fe_plain
                bind 127.0.0.1:{port}
                option forwardfor
                default_backend be
            frontend fe_except
                bind 127.0.0.1:{port2}
                option forwardfor except 127.0.0.0/8
                default_backend be
            frontend fe_except_other
                bind 127.0.0.1:{port3}
                option forwardfor except 10.0.0.0/8
                default_backend be
            frontend fe_ifnone
                bind 127.0.0.1:{port4}
                option forwardfor if-none
                default_backend be
            frontend fe_header
                bind 127.0.0.1:{port5}
                option forwardfor header X-Client
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web])
        let cases: [(Int, [String], [String])] = [
            (1, [], ["127.0.0.1"]),
            (1, ["X-Forwarded-For: 192.0.2.9"], ["192.0.2.9", "127.0.0.1"]),
            (2, [], []),
            (3, [], ["127.0.0.1"]),
            (4, [], ["127.0.0.1"]),
            (4, ["X-Forwarded-For: 192.0.2.9"], ["192.0.2.9"]),
            (5, ["X-Forwarded-For: 192.0.2.9"], ["192.0.2.9"]),
        ]
        for (frontend, extra, expected) in cases {
            let seen = try sbs.assertSame(httpGet("/", extra), aspects, frontend: frontend)
            XCTAssertEqual(seen[.fulcrum]?.forwarded.first?.values("X-Forwarded-For"), expected, "frontend \(frontend)")
        }
        let custom = try sbs.assertSame(httpGet("/"), aspects, frontend: 5)
        XCTAssertEqual(custom[.fulcrum]?.forwarded.first?.values("X-Client"), ["127.0.0.1"])
    }

    /// HAProxy adds the header when the frontend or the backend asks for it
    /// (the backend's header name and `except` first).
    func testBackendForms() throws {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                use_backend be_except if { path_beg /except }
                use_backend be_ifnone if { path_beg /ifnone }
                use_backend be_header if { path_beg /header }
                default_backend be_plain
            backend be_plain
                option forwardfor
                server web 127.0.0.1:\(web.port)
            backend be_except
                option forwardfor except 127.0.0.0/8
                server web 127.0.0.1:\(web.port)
            backend be_ifnone
                option forwardfor if-none
                server web 127.0.0.1:\(web.port)
            backend be_header
                option forwardfor header X-Client
                server web 127.0.0.1:\(web.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web])
        let cases: [(String, [String])] = [
            (httpGet("/"), ["127.0.0.1"]),
            (httpGet("/", ["X-Forwarded-For: 192.0.2.9"]), ["192.0.2.9", "127.0.0.1"]),
            (httpGet("/except"), []),
            (httpGet("/ifnone", ["X-Forwarded-For: 192.0.2.9"]), ["192.0.2.9"]),
        ]
        for (request, expected) in cases {
            let seen = try sbs.assertSame(request, aspects)
            XCTAssertEqual(seen[.fulcrum]?.forwarded.first?.values("X-Forwarded-For"), expected, request)
        }
        let custom = try sbs.assertSame(httpGet("/header"), aspects)
        XCTAssertEqual(custom[.fulcrum]?.forwarded.first?.values("X-Client"), ["127.0.0.1"])
    }

    /// `option originalto` (the address the client connected to, `except`
    /// matched against it) and `http-send-name-header` (the chosen server's
    /// name, replacing what the client sent), in frontends and backends.
    func testOriginalToAndSendNameHeaderAsHAProxy() throws {
        let web = try startRecordingBackend("web")
        let other = try startRecordingBackend("other")
        let config = SideBySide.httpDefaults + """
            frontend fe_plain
                bind 127.0.0.1:{port}
                option originalto
                default_backend be
            frontend fe_except
                bind 127.0.0.1:{port2}
                option originalto except 127.0.0.0/8 header X-Dest
                default_backend be_named
            backend be
                http-send-name-header X-Server
                server web1 127.0.0.1:\(web.port)
            backend be_named
                option originalto header X-Dest
                http-send-name-header X-Srv
                balance roundrobin
                server web2 127.0.0.1:\(web.port)
                server other 127.0.0.1:\(other.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web, other])
        let aspects = SideBySideAspects(requestHeaders: ["X-Original-To", "X-Dest", "X-Server", "X-Srv"])
        let plain = try sbs.assertSame(httpGet("/", ["X-Server: forged"]), aspects)
        XCTAssertEqual(plain[.fulcrum]?.forwarded.first?.values("X-Original-To"), ["127.0.0.1"])
        XCTAssertEqual(plain[.fulcrum]?.forwarded.first?.values("X-Server"), ["web1"])
        // The frontend's `except` holds although the backend asks for the header too.
        let named = try sbs.assertSame(httpGet("/", ["X-Srv: forged"]), aspects, frontend: 2)
        XCTAssertEqual(named[.fulcrum]?.forwarded.first?.values("X-Dest"), [])
        XCTAssertEqual(named[.fulcrum]?.forwarded.first?.values("X-Srv"), ["web2"])
        let next = try sbs.assertSame(httpGet("/"), aspects, frontend: 2)
        XCTAssertEqual(next[.fulcrum]?.forwarded.first?.values("X-Srv"), ["other"])
    }
}
