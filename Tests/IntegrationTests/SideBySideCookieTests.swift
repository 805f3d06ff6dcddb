import XCTest

/// `cookie SRV insert indirect nocache`: the Set-Cookie and Cache-Control
/// the proxy adds, stickiness on the cookie, and the cookie removed from
/// what the server sees.
final class SideBySideCookieTests: XCTestCase {
    private let aspects = SideBySideAspects(responseHeaders: ["Set-Cookie", "Cache-Control", "X-Served-By"],
                                            requestHeaders: ["Cookie"])

    private func start(extra: String = "") throws -> SideBySide {
        let responder: RecordingHTTPBackend.Responder = { request in
            var reply = ScriptedResponse.identify(request)
            if request.path == "/own-cookie" { reply.headers.append(("Set-Cookie", "app=7; Path=/")) }
            if request.path == "/cacheable" { reply.headers.append(("Cache-Control", "public, max-age=60")) }
            return reply
        }
        let s1 = try startRecordingBackend("s1", responder: responder)
        let s2 = try startRecordingBackend("s2", responder: responder)
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                balance roundrobin
                cookie SRV insert indirect nocache\(extra)
                server s1 127.0.0.1:\(s1.port) cookie c1
                server s2 127.0.0.1:\(s2.port) cookie c2

            """
        return try SideBySide(self, config: config, backends: [s1, s2])
    }

    func testInsertOnFirstRequestThenStick() throws {
        let sbs = try start()
        // Without a cookie: balanced, and the chosen server's cookie is set.
        let first = try sbs.assertSame(httpGet("/"), aspects)
        let chosen = try XCTUnwrap(first[.fulcrum]?.forwarded.first?.backend)
        XCTAssertEqual(first[.fulcrum]?.response?.value("Set-Cookie"), "SRV=\(chosen == "s1" ? "c1" : "c2"); path=/")
        // With a cookie: that server, nothing set, the cookie hidden from it.
        for _ in 0..<3 {
            let sticky = try sbs.assertSame(httpGet("/", ["Cookie: SRV=c2"]), aspects)
            XCTAssertEqual(sticky[.fulcrum]?.forwarded.map(\.backend), ["s2"])
            XCTAssertEqual(sticky[.fulcrum]?.forwarded.first?.values("Cookie"), [])
            XCTAssertEqual(sticky[.fulcrum]?.response?.values("Set-Cookie"), [])
        }
        // Other cookies around it stay.
        let mixed = try sbs.assertSame(httpGet("/", ["Cookie: a=1; SRV=c1; b=2"]), aspects)
        XCTAssertEqual(mixed[.fulcrum]?.forwarded.first?.values("Cookie"), ["a=1; b=2"])
        try sbs.assertSame(httpGet("/", ["Cookie: SRV=c1; b=2"]), aspects)
        try sbs.assertSame(httpGet("/", ["Cookie: a=1", "Cookie: SRV=c2"]), aspects)
    }

    func testUnknownCookieValueAndServerCookies() throws {
        let sbs = try start()
        // An unknown value is balanced afresh and replaced.
        let unknown = try sbs.assertSame(httpGet("/", ["Cookie: SRV=nope"]), aspects)
        XCTAssertEqual(unknown[.fulcrum]?.response?.values("Set-Cookie").count, 1)
        // The server's own Set-Cookie is kept next to the inserted one.
        try sbs.assertSame(httpGet("/own-cookie", ["Cookie: SRV=c2"]), aspects)
        try sbs.assertSame(httpGet("/own-cookie"), aspects)
        // nocache: a cacheable response that gets the cookie is made private.
        let cacheable = try sbs.assertSame(httpGet("/cacheable"), aspects)
        XCTAssertEqual(cacheable[.fulcrum]?.response?.values("Set-Cookie").count, 1)
        XCTAssertEqual(cacheable[.fulcrum]?.response?.values("Cache-Control"), ["public, max-age=60", "private"])
        try sbs.assertSame(httpGet("/cacheable", ["Cookie: SRV=c1"]), aspects)
    }

    func testCookieAttributes() throws {
        let sbs = try start(extra: " httponly secure domain .example.com")
        let seen = try sbs.assertSame(httpGet("/"), aspects)
        XCTAssertEqual(seen[.fulcrum]?.response?.value("Set-Cookie")?.contains("HttpOnly"), true)
    }
}
