import XCTest
@testable import FulcrumHTTP

/// What the differential corpus (IntegrationTests/HTTPDifferentialTests,
/// docs/http-differential.md) found Fulcrum forwarding in a form a next hop
/// could read two ways, each pinned at unit level.
final class HTTPDifferentialRegressionTests: XCTestCase {
    private func parsed(_ s: String, response: Bool = false, file: StaticString = #filePath, line: UInt = #line) -> HTTPHead? {
        let bytes = Array(s.utf8)
        let out = response ? HTTPParser.parseResponse(bytes, limits: HTTPLimits()) : HTTPParser.parseRequest(bytes, limits: HTTPLimits())
        guard case .complete(let h, _) = out else { XCTFail("not complete: \(out)", file: file, line: line); return nil }
        return h
    }

    private func wire(_ h: HTTPHead) -> String {
        if h.isUnmodified { return String(decoding: h.raw, as: UTF8.self) }
        var out: [UInt8] = []
        h.serialize(into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A head with LF-only line ends goes out with CRLF, even unedited: a
    /// server that ends lines only at CRLF would otherwise read
    /// `X-A: a\nTransfer-Encoding: chunked` as one field and frame the body
    /// differently than Fulcrum did.
    func testBareLineFeedsGoOutAsCRLF() throws {
        let request = try XCTUnwrap(parsed("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\nTransfer-Encoding: chunked\r\n\r\n"))
        XCTAssertFalse(request.isUnmodified)
        XCTAssertEqual(wire(request), "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\r\nTransfer-Encoding: chunked\r\n\r\n")
        let lfOnly = try XCTUnwrap(parsed("GET / HTTP/1.1\nHost: a\n\n"))
        XCTAssertEqual(wire(lfOnly), "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = try XCTUnwrap(parsed("HTTP/1.1 200 OK\nContent-Length: 5\n\n", response: true))
        XCTAssertEqual(wire(response), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
        let blankLine = try XCTUnwrap(parsed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\n", response: true))
        XCTAssertEqual(wire(blankLine), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        // Control: CRLF heads still go out as received, without serializing.
        let crlf = try XCTUnwrap(parsed("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
        XCTAssertTrue(crlf.isUnmodified)
        XCTAssertEqual(wire(crlf), "GET / HTTP/1.1\r\nHost: a\r\n\r\n")
    }

    /// A NUL in a value is refused (400 for a request, 502 for a response,
    /// as nginx answers; RFC 9110 §5.5): a C server would end the value at
    /// the NUL. accept-invalid-http-request/-response forward it as HAProxy does.
    func testNULInAValueIsRefused() {
        let request = Array("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u{0}b\r\n\r\n".utf8)
        let response = Array("HTTP/1.1 200 OK\r\nX-A: \u{0}b\r\nContent-Length: 0\r\n\r\n".utf8)
        guard case .invalid(400, _) = HTTPParser.parseRequest(request, limits: HTTPLimits()) else { return XCTFail("request forwarded") }
        guard case .invalid(502, _) = HTTPParser.parseResponse(response, limits: HTTPLimits()) else { return XCTFail("response forwarded") }
        guard case .complete = HTTPParser.parseRequest(request, limits: HTTPLimits(acceptInvalid: true)) else { return XCTFail("accept-invalid") }
    }

    /// A status code that is not three digits from 100 is refused (502):
    /// "1000" read by its first three digits is a 100 Continue, the body
    /// after it the next response. accept-invalid-http-response forwards it
    /// as HAProxy does.
    func testStatusCodesOtherThanThreeDigitsFrom100AreRefused() {
        for line in ["HTTP/1.1 1000 Odd", "HTTP/1.1 099 Odd", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK"] {
            let bytes = Array("\(line)\r\nContent-Length: 0\r\n\r\n".utf8)
            guard case .invalid(502, _) = HTTPParser.parseResponse(bytes, limits: HTTPLimits()) else { return XCTFail("\(line) forwarded") }
            guard case .complete = HTTPParser.parseResponse(bytes, limits: HTTPLimits(acceptInvalid: true)) else {
                return XCTFail("\(line) refused under accept-invalid")
            }
        }
        for line in ["HTTP/1.1 100 Continue", "HTTP/1.1 200", "HTTP/1.1 999 Odd"] {
            guard case .complete = HTTPParser.parseResponse(Array("\(line)\r\n\r\n".utf8), limits: HTTPLimits()) else {
                return XCTFail("\(line) refused")
            }
        }
    }

    /// A 1xx or 204 has no body: a Content-Length or Transfer-Encoding on it
    /// is dropped (as HAProxy does), or a client taking it would read the
    /// next response as this one's body.
    func testLengthsOnBodilessResponsesAreDropped() {
        var e = EmbeddedExchange()
        e.client("PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        e.server("HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n")
        XCTAssertEqual(e.responseAction, .interim)
        XCTAssertEqual(e.toClientText, "HTTP/1.1 100 Continue\r\n\r\n")
        e.client("hi")
        e.server("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nX-A: b\r\n\r\n")
        XCTAssertEqual(e.toClientText, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX-A: b\r\n\r\n")
    }

    /// A 101 to a request that asked for no upgrade is refused with 502 (as
    /// HAProxy does): tunnelled, it would let the client talk to the server
    /// past every rule (the "WebSocket smuggling" vector).
    func testUnrequested101IsRefused() {
        var e = EmbeddedExchange()
        e.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        e.server("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nframe")
        XCTAssertEqual(e.responseAction, .refuse(status: 502))
        XCTAssertNotEqual(e.machine.phase, .tunnel)
        // Control: asked for, it tunnels (HTTPExchangeTests.testUpgradeTurnsIntoATunnel).
        var asked = EmbeddedExchange()
        asked.client("GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n")
        asked.server("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
        XCTAssertEqual(asked.responseAction, .tunnel)
    }

    /// The client reads HTTP/1.1 or HTTP/1.0 in a status line, whatever the
    /// server wrote; a chunked HTTP/1.0 response says HTTP/1.1, or a 1.0
    /// client would read its chunk framing as the body. A request's
    /// "HTTP/0.9" goes to the server as HTTP/1.0.
    func testVersionsGoOutAsHTTP10OrHTTP11() {
        var e = EmbeddedExchange()
        e.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        e.server("HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nhi")
        XCTAssertEqual(e.toClientText, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
        var chunked = EmbeddedExchange()
        chunked.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        chunked.server("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n")
        XCTAssertTrue(chunked.toClientText.hasPrefix("HTTP/1.1 200 OK\r\n"), chunked.toClientText)
        var old = EmbeddedExchange()
        old.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        old.server("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi")
        XCTAssertTrue(old.toClientText.hasPrefix("HTTP/1.0 200 OK\r\n"), "control: HTTP/1.0 stays: \(old.toClientText)")
        var request = EmbeddedExchange()
        request.client("GET / HTTP/0.9\r\nHost: x\r\n\r\n")
        XCTAssertTrue(request.toServerText.hasPrefix("GET / HTTP/1.0\r\n"), request.toServerText)
    }
}
