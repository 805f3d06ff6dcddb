import XCTest

/// `compression algo gzip`: which responses get compressed, the headers
/// that says so (Content-Encoding, Vary, framing, ETag), and that the body
/// inflates to the server's.
final class SideBySideCompressionTests: XCTestCase {
    private static let text = String(repeating: "side by side compression check 0123456789\n", count: 200)
    private let aspects = SideBySideAspects(responseHeaders: ["Content-Encoding", "Vary", "Transfer-Encoding",
                                                             "Content-Length", "ETag", "Content-Type"],
                                            requestHeaders: ["Accept-Encoding"])

    private func start(offload: Bool = false) throws -> SideBySide {
        let web = try startRecordingBackend("web") { request in
            var headers: [(String, String)] = [("Content-Type", "text/plain")]
            switch request.path {
            case "/json": headers = [("Content-Type", "application/json")]
            case "/encoded": headers.append(("Content-Encoding", "br"))
            case "/etag": headers.append(("ETag", "\"v1\""))
            case "/nostore": headers.append(("Cache-Control", "no-transform"))
            default: break
            }
            return ScriptedResponse(headers: headers, body: SideBySideCompressionTests.text,
                                    chunked: request.path == "/chunked")
        }
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                compression algo gzip
                compression type text/plain text/html\(offload ? "\n    compression offload" : "")
                server web 127.0.0.1:\(web.port)

            """
        return try SideBySide(self, config: config, backends: [web])
    }

    func testGzipNegotiationAndBody() throws {
        let sbs = try start()
        let gzip = try sbs.assertSame(httpGet("/", ["Accept-Encoding: gzip, deflate"]), aspects)
        let response = try XCTUnwrap(gzip[.fulcrum]?.response)
        XCTAssertEqual(response.value("Content-Encoding"), "gzip")
        XCTAssertEqual(response.tokens("Vary"), ["accept-encoding"])
        XCTAssertEqual(try Gunzip.text(response.body), SideBySideCompressionTests.text)
        XCTAssertLessThan(response.body.count, SideBySideCompressionTests.text.utf8.count / 4)
        try sbs.assertSame(httpGet("/chunked", ["Accept-Encoding: gzip"]), aspects)
        try sbs.assertSame(httpGet("/etag", ["Accept-Encoding: gzip"]), aspects)
        try sbs.assertSame(httpGet("/", ["Accept-Encoding: gzip;q=0"]), aspects)
        try sbs.assertSame(httpGet("/", ["Accept-Encoding: br"]), aspects)
    }

    func testResponsesLeftAlone() throws {
        let sbs = try start()
        for path in ["/json", "/encoded", "/nostore"] {
            let seen = try sbs.assertSame(httpGet(path, ["Accept-Encoding: gzip"]), aspects)
            XCTAssertNotEqual(seen[.fulcrum]?.response?.value("Content-Encoding"), "gzip", path)
        }
        let plain = try sbs.assertSame(httpGet("/"), aspects)
        XCTAssertNil(plain[.fulcrum]?.response?.value("Content-Encoding"))
        try sbs.assertSame("HEAD / HTTP/1.1\r\nHost: site\r\nAccept-Encoding: gzip\r\n\r\n", aspects, method: "HEAD")
        try sbs.assertSame("GET / HTTP/1.0\r\nHost: site\r\nAccept-Encoding: gzip\r\n\r\n", aspects)
    }

    func testOffloadHidesAcceptEncodingFromTheServer() throws {
        let sbs = try start(offload: true)
        let seen = try sbs.assertSame(httpGet("/", ["Accept-Encoding: gzip"]), aspects)
        XCTAssertEqual(seen[.fulcrum]?.forwarded.first?.values("Accept-Encoding"), [])
        XCTAssertEqual(seen[.fulcrum]?.response?.value("Content-Encoding"), "gzip")
    }
}
