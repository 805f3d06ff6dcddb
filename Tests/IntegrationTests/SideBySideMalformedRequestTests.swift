import XCTest

/// Requests a strict parser must refuse or repair: the status each proxy
/// answers, and what (if anything) reaches the server.
final class SideBySideMalformedRequestTests: XCTestCase {
    private let aspects = SideBySideAspects(responseHeaders: ["Connection"],
                                            requestHeaders: ["Content-Length", "Transfer-Encoding", "X-Folded"])

    private func start() throws -> SideBySide {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)

            """
        return try SideBySide(self, config: config, backends: [web])
    }

    private static func post(_ lines: [String], body: String) -> String {
        (["POST /p HTTP/1.1", "Host: site"] + lines).joined(separator: "\r\n") + "\r\n\r\n" + body
    }

    func testFramingConflicts() throws {
        let sbs = try start()
        // Content-Length and chunked together (RFC 9112 6.3): HAProxy 2.6
        // lets chunked win, removes Content-Length and closes after the
        // response; Fulcrum refuses it (docs/differences.md).
        let both = try sbs.exchange(Self.post(["Content-Length: 3", "Transfer-Encoding: chunked"],
                                              body: "5\r\nhello\r\n0\r\n\r\n"), checkClose: true)
        XCTAssertEqual(both[.haproxy]?.forwarded.first.map { String(decoding: $0.body, as: UTF8.self) }, "hello")
        XCTAssertEqual(both[.haproxy]?.forwarded.first?.values("Content-Length"), [])
        XCTAssertEqual(both[.haproxy]?.closed, true)
        XCTAssertEqual(both[.fulcrum]?.response?.status, 400)
        XCTAssertEqual(both[.fulcrum]?.forwarded.count, 0)
        XCTAssertEqual(both[.fulcrum]?.closed, true)
        // Two different lengths.
        let lengths = try sbs.assertSame(Self.post(["Content-Length: 3", "Content-Length: 4"], body: "abcd"),
                                         aspects, checkClose: true)
        XCTAssertEqual(lengths[.fulcrum]?.response?.status, 400)
        for lines in [["Content-Length: 3x"], ["Transfer-Encoding: gzip"]] {
            let seen = try sbs.assertSame(Self.post(lines, body: "abc"), aspects, checkClose: true)
            XCTAssertEqual(seen[.fulcrum]?.response?.status, 400, "\(lines)")
        }
    }

    func testBadChunk() throws {
        let sbs = try start()
        for body in ["zz\r\nhello\r\n0\r\n\r\n", "5\r\nhelloXX0\r\n\r\n"] {
            let seen = try sbs.assertSame(Self.post(["Transfer-Encoding: chunked"], body: body), aspects, checkClose: true)
            XCTAssertEqual(seen[.fulcrum]?.response?.status, 400, body.debugDescription)
        }
    }

    func testHeadSyntax() throws {
        let sbs = try start()
        // obs-fold: HAProxy 2.6 unfolds it, Fulcrum refuses it
        // (docs/differences.md); a missing Host is let through by both.
        let folded = try sbs.exchange("GET / HTTP/1.1\r\nHost: site\r\nX-Folded: a\r\n b\r\n\r\n", checkClose: true)
        XCTAssertEqual(folded[.haproxy]?.forwarded.first?.values("X-Folded"), ["a   b"])
        XCTAssertEqual(folded[.fulcrum]?.response?.status, 400)
        XCTAssertEqual(folded[.fulcrum]?.forwarded.count, 0)
        XCTAssertEqual(folded[.fulcrum]?.closed, true)
        let hostless = try sbs.assertSame("GET / HTTP/1.1\r\n\r\n", aspects, checkClose: true)
        XCTAssertEqual(hostless[.fulcrum]?.response?.status, 200)
        for bad in ["GET / HTTP/1.1\r\nHost : site\r\n\r\n",
                    "GET / HTTP/1.1\r\nHost: site\r\nBad\u{1}Name: x\r\n\r\n",
                    "GET / HTTP/1.1\r\nHost: site\r\nNoColon\r\n\r\n",
                    "GET /a b HTTP/1.1\r\nHost: site\r\n\r\n",
                    "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"] {
            let seen = try sbs.assertSame(bad, aspects, checkClose: true)
            XCTAssertEqual(seen[.fulcrum]?.response?.status, 400, bad.debugDescription)
            XCTAssertEqual(seen[.fulcrum]?.closed, true, bad.debugDescription)
        }
    }

    /// HAProxy takes an unknown HTTP/x.y request line as HTTP/1.1 and says
    /// HTTP/1.1 to the server.
    func testOtherVersionIsForwardedAsHTTP11() throws {
        let sbs = try start()
        let seen = try sbs.assertSame("GET / HTTP/2.0\r\nHost: site\r\n\r\n", aspects, checkClose: true)
        XCTAssertEqual(seen[.fulcrum]?.forwarded.first?.version, "HTTP/1.1")
    }
}
