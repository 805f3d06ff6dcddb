import XCTest

/// `req.body`, `req.body_len`, `req.body_size` and `req.body_param` with
/// `option http-buffer-request` in the frontend: its rules read the body
/// (an ACL denies on its content, headers carry its values), side by side
/// with haproxy 2.6, for Content-Length and chunked bodies.
final class SideBySideRequestBodyTests: XCTestCase {
    func testBodyFetchesInFrontendRules() throws {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                option http-buffer-request
                acl attack req.body -m sub DROP
                acl long req.body_len gt 12
                http-request deny if attack
                http-request set-header X-Len %[req.body_len]
                http-request set-header X-Size %[req.body_size]
                http-request set-header X-User %[req.body_param(user)]
                http-request set-header X-First %[req.body_param]
                http-request set-header X-Body %[req.body]
                http-request set-header X-Long yes if long
                default_backend web
            backend web
                server web 127.0.0.1:\(web.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web])
        let aspects = SideBySideAspects(requestHeaders: ["X-Len", "X-Size", "X-User", "X-First", "X-Body", "X-Long"],
                                        compareBody: false)
        func post(_ body: String, chunked: Bool = false) -> String {
            let head = "POST /form HTTP/1.1\r\nHost: site\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            guard chunked else { return head + "Content-Length: \(body.utf8.count)\r\n\r\n" + body }
            let half = body.utf8.count / 2
            let a = String(body.prefix(half)), b = String(body.dropFirst(half))
            return head + "Transfer-Encoding: chunked\r\n\r\n"
                + String(a.utf8.count, radix: 16) + "\r\n" + a + "\r\n" + String(b.utf8.count, radix: 16) + "\r\n" + b + "\r\n0\r\n\r\n"
        }
        let form = try sbs.assertSame(post("user=alice&role=admin"), aspects, method: "POST")
        let seen = form[.fulcrum]?.forwarded.first
        XCTAssertEqual(seen?.values("X-Len"), ["21"])
        XCTAssertEqual(seen?.values("X-Size"), ["21"])
        XCTAssertEqual(seen?.values("X-User"), ["alice"])
        XCTAssertEqual(seen?.values("X-First"), ["alice"])
        XCTAssertEqual(seen?.values("X-Long"), ["yes"])
        let short = try sbs.assertSame(post("role=x&user=bob"), aspects, method: "POST")
        XCTAssertEqual(short[.fulcrum]?.forwarded.first?.values("X-User"), ["bob"])
        XCTAssertEqual(short[.fulcrum]?.forwarded.first?.values("X-First"), ["x"])
        XCTAssertEqual(short[.fulcrum]?.forwarded.first?.values("X-Long"), ["yes"])
        let chunked = try sbs.assertSame(post("user=carol", chunked: true), aspects, method: "POST")
        XCTAssertEqual(chunked[.fulcrum]?.forwarded.first?.values("X-User"), ["carol"])
        XCTAssertEqual(chunked[.fulcrum]?.forwarded.first?.values("X-Len"), ["10"])
        XCTAssertEqual(chunked[.fulcrum]?.forwarded.first?.values("X-Long"), [])
        let denied = try sbs.assertSame(post("user=x&cmd=DROP+TABLE"), aspects, method: "POST")
        XCTAssertEqual(denied[.fulcrum]?.response?.status, 403)
        XCTAssertEqual(denied[.fulcrum]?.forwarded.count, 0)
    }
}
