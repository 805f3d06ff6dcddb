import XCTest

/// Routing under fulcrum and HAProxy with one config: use_backend on path
/// and host ACLs, default_backend, and the keep-alive behaviour around it.
final class SideBySideRoutingTests: XCTestCase {
    private func start() throws -> SideBySide {
        let api = try startRecordingBackend("api")
        let static1 = try startRecordingBackend("static")
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                acl is_api path_beg /api/
                acl is_static hdr(host) -i static.example
                acl is_img path_end .png .jpg
                use_backend be_api if is_api
                use_backend be_static if is_static || is_img
                default_backend be_web
            backend be_api
                server api 127.0.0.1:\(api.port)
            backend be_static
                server static 127.0.0.1:\(static1.port)
            backend be_web
                server web 127.0.0.1:\(web.port)

            """
        return try SideBySide(self, config: config, backends: [api, static1, web])
    }

    func testUseBackendOnPathAndHostAndDefaultBackend() throws {
        let sbs = try start()
        let aspects = SideBySideAspects(responseHeaders: ["X-Served-By", "Content-Type"], requestHeaders: ["Host"])
        let cases: [(String, String)] = [
            (httpGet("/api/users?id=3"), "api"),
            (httpGet("/", host: "static.example"), "static"),
            (httpGet("/", host: "STATIC.example"), "static"),
            (httpGet("/logo.png"), "static"),
            (httpGet("/apix"), "web"),
            (httpGet("/index.html"), "web"),
        ]
        for (request, expected) in cases {
            let seen = try sbs.assertSame(request, aspects)
            XCTAssertEqual(seen[.fulcrum]?.forwarded.map(\.backend), [expected], request)
        }
    }

    func testKeepAliveAcrossBackendsAndClose() throws {
        let sbs = try start()
        let aspects = SideBySideAspects(responseHeaders: ["Connection", "X-Served-By"],
                                        requestHeaders: ["Connection"])
        // Three requests on one connection, switching backends, then close.
        let requests = [httpGet("/api/a"), httpGet("/b"), httpGet("/c", ["Connection: close"])]
        let last = try sbs.assertSame(requests, aspects, checkClose: true)
        XCTAssertEqual(last[.fulcrum]?.closed, true)
        XCTAssertEqual(last[.fulcrum]?.response?.tokens("Connection"), ["close"])
        // A keep-alive request stays open.
        let open = try sbs.assertSame(httpGet("/x"), aspects, checkClose: true)
        XCTAssertEqual(open[.fulcrum]?.closed, false)
    }

    func testHTTP10KeepAliveAndClose() throws {
        let sbs = try start()
        let aspects = SideBySideAspects(responseHeaders: ["Connection", "X-Served-By"],
                                        requestHeaders: ["Connection"])
        let plain = "GET /old HTTP/1.0\r\nHost: site\r\n\r\n"
        let closing = try sbs.assertSame(plain, aspects, checkClose: true)
        XCTAssertEqual(closing[.fulcrum]?.closed, true)
        let keep = "GET /old HTTP/1.0\r\nHost: site\r\nConnection: keep-alive\r\n\r\n"
        let kept = try sbs.assertSame([keep, keep], aspects, checkClose: true)
        XCTAssertEqual(kept[.fulcrum]?.closed, false)
        XCTAssertEqual(kept[.fulcrum]?.response?.tokens("Connection"), ["keep-alive"])
    }

    /// Server-side keep-alive: a client's requests to one server share one
    /// server connection, and a new client's first request opens its own
    /// (the default `http-reuse safe`). Which connection a client's later
    /// requests use differs (docs/differences.md): fulcrum stays on the
    /// client's own, HAProxy may take another idle one.
    func testServerConnectionReuse() throws {
        let sbs = try start()
        var aspects = SideBySideAspects(responseHeaders: ["X-Served-By"])
        aspects.compareServerSequence = true
        let third = try sbs.assertSame([httpGet("/a"), httpGet("/b"), httpGet("/c")], aspects)
        XCTAssertEqual(third[.fulcrum]?.forwarded.first?.sequence, 3)
        // A new client: the first request on a new connection in both.
        let first = try sbs.assertSame(httpGet("/d"), aspects)
        XCTAssertEqual(first[.fulcrum]?.forwarded.first?.sequence, 1)
        // Another new client's second request: fulcrum stays on the client's
        // own server connection; HAProxy may pick any idle one.
        let runs = try sbs.conversation([httpGet("/e"), httpGet("/f")])
        let fulcrum = runs[.fulcrum]!.compactMap { $0.forwarded.first }
        XCTAssertEqual(fulcrum.map(\.sequence), [1, 2])
        XCTAssertEqual(Set(fulcrum.map(\.connection)).count, 1, "\(fulcrum.map(\.connection))")
        let haproxy = runs[.haproxy]!.compactMap { $0.forwarded.first }
        XCTAssertEqual(haproxy.count, 2)
        XCTAssertEqual(haproxy.first?.sequence, 1)
    }
}
