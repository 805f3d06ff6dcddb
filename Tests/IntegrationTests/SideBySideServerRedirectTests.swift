import XCTest

/// Server `redir PREFIX`: GET and HEAD requests for the server get HAProxy's
/// 302 to the prefix + path and the connection closes; other methods reach
/// the server.
final class SideBySideServerRedirectTests: XCTestCase {
    private let aspects = SideBySideAspects(responseHeaders: ["Location", "Cache-Control", "Content-Length", "Connection"])

    private func start() throws -> SideBySide {
        let web = try startRecordingBackend("web")
        let keep = try startRecordingBackend("keep")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                use_backend same if { path_beg /same }
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port) redir http://img.example.com
            backend same
                server keep 127.0.0.1:\(keep.port) redir /

            """
        return try SideBySide(self, config: config, backends: [web, keep])
    }

    func testGetAndHeadAreRedirectedOthersForwarded() throws {
        let sbs = try start()
        let get = try sbs.assertSame(httpGet("/a/b?x=1"), aspects, checkClose: true)
        XCTAssertEqual(get[.fulcrum]?.response?.status, 302)
        XCTAssertEqual(get[.fulcrum]?.response?.value("Location"), "http://img.example.com/a/b?x=1")
        XCTAssertEqual(get[.fulcrum]?.forwarded.count, 0)
        XCTAssertEqual(get[.fulcrum]?.closed, true)

        let head = try sbs.assertSame("HEAD /h HTTP/1.1\r\nHost: site\r\n\r\n", aspects, method: "HEAD", checkClose: true)
        XCTAssertEqual(head[.fulcrum]?.response?.status, 302)

        let absolute = try sbs.assertSame(httpGet("http://front.example/abs?q", host: "front.example"), aspects, checkClose: true)
        XCTAssertEqual(absolute[.fulcrum]?.response?.value("Location"), "http://img.example.com/abs?q", "\(String(describing: absolute[.fulcrum]?.response?.status))")

        // The prefix "/" keeps the URL as it was.
        let same = try sbs.assertSame(httpGet("/same/x"), aspects, checkClose: true)
        XCTAssertEqual(same[.fulcrum]?.response?.value("Location"), "/same/x")

        let post = "POST /form HTTP/1.1\r\nHost: site\r\nContent-Length: 3\r\n\r\nabc"
        let posted = try sbs.assertSame(post, aspects, method: "POST")
        XCTAssertEqual(posted[.fulcrum]?.forwarded.count, 1, "a POST reaches the server")
    }
}
