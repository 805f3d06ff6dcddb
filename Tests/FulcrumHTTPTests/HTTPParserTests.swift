import XCTest
@testable import FulcrumHTTP

final class HTTPParserTests: XCTestCase {
    let limits = HTTPLimits()

    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
    private func text(_ h: HTTPHead, _ r: Range<Int>) -> String { String(decoding: h.raw[r], as: UTF8.self) }

    private func head(_ s: String, response: Bool = false, limits: HTTPLimits = HTTPLimits(),
                      file: StaticString = #filePath, line: UInt = #line) -> (HTTPHead, Int)? {
        let out = response ? HTTPParser.parseResponse(bytes(s), limits: limits) : HTTPParser.parseRequest(bytes(s), limits: limits)
        guard case .complete(let h, let n) = out else { XCTFail("not complete: \(out)", file: file, line: line); return nil }
        return (h, n)
    }

    private func refusal(_ s: String, response: Bool = false, limits: HTTPLimits = HTTPLimits()) -> Int? {
        let out = response ? HTTPParser.parseResponse(bytes(s), limits: limits) : HTTPParser.parseRequest(bytes(s), limits: limits)
        if case .invalid(let status, _) = out { return status }
        return nil
    }

    func testCompleteRequestHead() throws {
        let s = "POST /a/b?c=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length:  5 \r\nX-Empty:\r\n\r\nhello"
        let (h, n) = try XCTUnwrap(head(s))
        XCTAssertEqual(n, s.utf8.count - 5)
        XCTAssertEqual(h.kind, .request)
        XCTAssertEqual(h.methodString, "POST")
        XCTAssertEqual(h.targetString, "/a/b?c=1")
        XCTAssertEqual(text(h, h.part3), "HTTP/1.1")
        XCTAssertEqual(h.version, .http11)
        XCTAssertEqual(h.status, 0)
        XCTAssertEqual(h.fields.count, 3)
        XCTAssertEqual(h.fields.map { text(h, $0.name) }, ["Host", "Content-Length", "X-Empty"])
        XCTAssertEqual(h.fields.map { text(h, $0.value) }, ["example.com", "5", ""])
        XCTAssertEqual(String(decoding: h.raw, as: UTF8.self), String(s.dropLast(5)))
        XCTAssertEqual(HTTPFraming.request(h), .success(.contentLength(5)))
        var out: [UInt8] = []
        h.serialize(into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self),
                       "POST /a/b?c=1 HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nX-Empty: \r\n\r\n")
    }

    func testVersions() throws {
        XCTAssertEqual(try XCTUnwrap(head("GET / HTTP/1.0\r\n\r\n")).0.version, .http10)
        XCTAssertEqual(try XCTUnwrap(head("GET / HTTP/0.9\r\n\r\n")).0.version, .http10)
        // HAProxy takes 1.2 and 2.0 on an HTTP/1 connection as 1.1
        XCTAssertEqual(try XCTUnwrap(head("GET / HTTP/1.2\r\n\r\n")).0.version, .http11)
        XCTAssertEqual(try XCTUnwrap(head("GET / HTTP/2.0\r\n\r\n")).0.version, .http11)
        XCTAssertEqual(refusal("GET / http/1.1\r\n\r\n"), 400)
        XCTAssertEqual(refusal("GET / HTTP/1.10\r\n\r\n"), 400)
        // accept-invalid: any run of version bytes, 1.1 only when exactly "HTTP/1.1"-shaped
        let relaxed = HTTPLimits(acceptInvalid: true)
        XCTAssertEqual(try XCTUnwrap(head("GET / HTTP/1.10\r\n\r\n", limits: relaxed)).0.version, .http10)
        XCTAssertEqual(refusal("GET / http/1.1\r\n\r\n", limits: relaxed), 400)
    }

    func testLeadingEmptyLinesAreSkippedAndCounted() throws {
        let s = "\r\n\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"
        let (h, n) = try XCTUnwrap(head(s))
        XCTAssertEqual(n, s.utf8.count)
        XCTAssertEqual(h.methodString, "GET")
        XCTAssertEqual(h.raw.first, UInt8(ascii: "G"))
        XCTAssertEqual(refusal("\r\rGET / HTTP/1.1\r\n\r\n"), 400)
    }

    func testBareLFLineEnds() throws {
        let (h, n) = try XCTUnwrap(head("GET / HTTP/1.1\nHost: x\nA: b\n\nrest"))
        XCTAssertEqual(n, 29)
        XCTAssertEqual(h.fields.map { text(h, $0.value) }, ["x", "b"])
    }

    /// A folded request is refused (as nginx and Envoy do); only
    /// accept-invalid-http-request unfolds it as HAProxy 2.6 does.
    func testObsFoldInARequestIsRefusedUnlessAcceptInvalid() throws {
        let folded = "GET / HTTP/1.1\r\nX-A: a\r\n b\r\n\tc\r\nHost: x\r\n\r\n"
        XCTAssertEqual(refusal(folded), 400)
        XCTAssertEqual(refusal("GET / HTTP/1.1\nX-A: a\n\tb\n\n"), 400, "bare LF then HTAB")
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nX-A: a\r\n "), 400, "refused as soon as the fold is seen")
        let (h, _) = try XCTUnwrap(head(folded, limits: HTTPLimits(acceptInvalid: true)))
        XCTAssertEqual(text(h, h.fields[0].value), "a   b  \tc")
        XCTAssertEqual(text(h, h.fields[1].name), "Host")
        XCTAssertFalse(h.raw[h.fields[0].value].contains(13))
    }

    /// Responses keep HAProxy's handling: unfolded with spaces.
    func testObsFoldInAResponseIsUnfolded() throws {
        let (h, _) = try XCTUnwrap(head("HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 0\r\n\r\n", response: true))
        XCTAssertEqual(text(h, h.fields[0].value), "a   b")
    }

    /// Content-Length beside Transfer-Encoding in a request: 400 unless
    /// accept-invalid-http-request (then chunked frames it, see HTTPFraming).
    func testContentLengthBesideTransferEncodingInARequest() {
        for fields in ["Content-Length: 5\r\nTransfer-Encoding: chunked", "Transfer-Encoding: chunked\r\nContent-Length: 5",
                       "Transfer-Encoding: chunked\r\nContent-Length: 0", "Content-Length: 5\r\nTransfer-Encoding: chunked, chunked"] {
            XCTAssertEqual(refusal("POST / HTTP/1.1\r\nHost: x\r\n\(fields)\r\n\r\n"), 400, fields)
        }
        XCTAssertNil(refusal("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                             limits: HTTPLimits(acceptInvalid: true)))
        XCTAssertNil(refusal("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), "chunked alone is fine")
    }

    /// Chunked in an HTTP/1.0 request: an HTTP/1.0 server may not know
    /// chunked and read the chunks as the next request (RFC 9112 §6.1), so
    /// it is refused as nginx does; accept-invalid-http-request forwards it
    /// as HAProxy 2.6 does.
    func testTransferEncodingInAnHTTP10RequestIsRefused() {
        XCTAssertEqual(refusal("POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"), 400)
        XCTAssertEqual(refusal("POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 400)
        XCTAssertNil(refusal("POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
                             limits: HTTPLimits(acceptInvalid: true)))
        XCTAssertNil(refusal("POST / HTTP/1.0\r\nHost: x\r\nContent-Length: 0\r\n\r\n"), "a length is fine")
    }

    func testRefusalsPerRule() {
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), 400, "whitespace before colon")
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\n: x\r\n\r\n"), 400, "empty name")
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nX@Y: x\r\n\r\n"), 400, "non-token name")
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nX: a\rb\r\n\r\n"), 400, "CR in value")
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\n Host: x\r\n\r\n"), 400, "fold on the first field")
        XCTAssertEqual(refusal("G@T / HTTP/1.1\r\n\r\n"), 400, "non-token method")
        XCTAssertEqual(refusal("GET /a b HTTP/1.1\r\n\r\n"), 400, "space in target")
        XCTAssertEqual(refusal("GET /\u{0} HTTP/1.1\r\n\r\n"), 400, "NUL in target")
        XCTAssertEqual(refusal("GET /é HTTP/1.1\r\n\r\n"), 400, "non-ASCII target")
        XCTAssertEqual(refusal("GET /#f HTTP/1.1\r\n\r\n"), 400, "fragment")
        XCTAssertEqual(refusal("GET /\r\n\r\n"), 400, "HTTP/0.9")
        XCTAssertEqual(refusal("GET / HTTP/1.1 \r\n\r\n"), 400, "blank after version")
        XCTAssertEqual(refusal("GET / HTTP/1.1\rX"), 400, "bare CR")
        // relaxed by accept-invalid-http-request
        let relaxed = HTTPLimits(acceptInvalid: true)
        XCTAssertNil(refusal("GET / HTTP/1.1\r\nHost : x\r\n\r\n", limits: relaxed))
        XCTAssertNil(refusal("GET /é#f HTTP/1.1\r\n\r\n", limits: relaxed))
        XCTAssertNil(refusal("GET / HTTP/1.1\r\nX@Y: x\r\n\r\n", limits: relaxed))
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\n: x\r\n\r\n", limits: relaxed), 400)
        XCTAssertEqual(refusal("GET /\u{1} HTTP/1.1\r\n\r\n", limits: relaxed), 400)
    }

    /// Controls other than NUL pass as in HAProxy; a NUL passes only under
    /// accept-invalid (HTTPDifferentialRegressionTests).
    func testNULAndControlsInValuesPassAsInHAProxy() throws {
        let (h, _) = try XCTUnwrap(head("GET / HTTP/1.1\r\nX: a\u{0}b\u{1}\r\n\r\n", limits: HTTPLimits(acceptInvalid: true)))
        XCTAssertEqual(h.raw[h.fields[0].value].count, 4)
        let (c, _) = try XCTUnwrap(head("GET / HTTP/1.1\r\nX: a\u{7F}b\u{1}\r\n\r\n"))
        XCTAssertEqual(c.raw[c.fields[0].value].count, 4)
    }

    /// Every strict prefix of a valid request is incomplete, never invalid
    /// (obs-fold and Content-Length beside chunked: valid under accept-invalid).
    func testEveryPrefixIsIncomplete() {
        let relaxed = HTTPLimits(acceptInvalid: true)
        let full = bytes("\r\nPOST /upload?x=1 HTTP/1.1\r\nHost: example.com\r\nX-A: a\r\n b\r\nContent-Length: 3\nTransfer-Encoding: chunked\r\n\r\n")
        for n in 0..<full.count {
            let out = HTTPParser.parseRequest(Array(full[..<n]), limits: relaxed)
            guard case .incomplete = out else { return XCTFail("prefix \(n): \(out)") }
        }
        guard case .complete(_, let n) = HTTPParser.parseRequest(full, limits: relaxed) else { return XCTFail() }
        XCTAssertEqual(n, full.count)
        let resp = bytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        for n in 0..<resp.count {
            guard case .incomplete = HTTPParser.parseResponse(Array(resp[..<n]), limits: limits) else { return XCTFail("response prefix \(n)") }
        }
    }

    func testIncompleteHeadBeyondLimitIsRefused() {
        let small = HTTPLimits(maxHeadSize: 200, maxRawHeadSize: 100)
        XCTAssertEqual(refusal("GET /" + String(repeating: "a", count: 200), limits: small), 400)
        guard case .incomplete = HTTPParser.parseRequest(bytes("GET /" + String(repeating: "a", count: 50)), limits: small) else {
            return XCTFail()
        }
    }

    func testResponseHeads() throws {
        let (h, n) = try XCTUnwrap(head("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabc", response: true))
        XCTAssertEqual(n, 45)
        XCTAssertEqual(h.kind, .response)
        XCTAssertEqual(h.status, 404)
        XCTAssertEqual(text(h, h.part1), "HTTP/1.1")
        XCTAssertEqual(text(h, h.part2), "404")
        XCTAssertEqual(text(h, h.part3), "Not Found")
        let (interim, _) = try XCTUnwrap(head("HTTP/1.1 100 Continue\r\n\r\n", response: true))
        XCTAssertEqual(interim.status, 100)
        let (noReason, _) = try XCTUnwrap(head("HTTP/1.0 204\r\n\r\n", response: true))
        XCTAssertEqual(noReason.status, 204)
        XCTAssertEqual(noReason.version, .http10)
        XCTAssertTrue(noReason.part3.isEmpty)
        var out: [UInt8] = []
        noReason.serialize(into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "HTTP/1.0 204\r\n\r\n")
        // refusals of a server's response: 502
        // HAProxy 2.6 forwards odd status codes (checked: 20, 099, 600, 2000);
        // Fulcrum only under accept-invalid-http-response (HTTPDifferentialRegressionTests).
        let relaxed = HTTPLimits(acceptInvalid: true)
        XCTAssertEqual(try XCTUnwrap(head("HTTP/1.1 20 OK\r\n\r\n", response: true, limits: relaxed)).0.status, 20)
        XCTAssertEqual(try XCTUnwrap(head("HTTP/1.1 2000 OK\r\n\r\n", response: true, limits: relaxed)).0.status, 2000)
        XCTAssertEqual(try XCTUnwrap(head("HTTP/1.1 099 OK\r\n\r\n", response: true, limits: relaxed)).0.status, 99)
        XCTAssertEqual(try XCTUnwrap(head("HTTP/1.1 600 OK\r\n\r\n", response: true)).0.status, 600)
        XCTAssertEqual(refusal("HTTP/1.1 OK\r\n\r\n", response: true), 502)
        XCTAssertEqual(refusal("HTTP/1.1 2x0 OK\r\n\r\n", response: true), 502)
        XCTAssertEqual(refusal("HTTP/1.1 1234567890 OK\r\n\r\n", response: true), 502)
        XCTAssertEqual(refusal("HTTP/1.1 200 OK\r\nX A: b\r\n\r\n", response: true), 502)
        XCTAssertEqual(refusal("HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\n", response: true), 502)
        XCTAssertEqual(refusal("HTTP/1.1\r\n\r\n", response: true), 502)
        XCTAssertEqual(refusal("http/1.1 200 OK\r\n\r\n", response: true), 502)
        XCTAssertEqual(refusal("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", response: true), 502)
        XCTAssertEqual(refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", response: true), 502)
        // HAProxy 2.6 refuses any response coding but chunked alone (checked)
        XCTAssertEqual(refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", response: true), 502)
        XCTAssertEqual(refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", response: true), 502)
        XCTAssertEqual(refusal("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", response: true), 502)
        XCTAssertNil(refusal("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n", response: true))
    }

    func testRequestChecksOnHostTargetAndWebSocket() {
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400)
        XCTAssertNil(refusal("GET / HTTP/1.1\r\nHost: a\r\nHost: A\r\n\r\n"))
        XCTAssertNil(refusal("GET http://a:80/x HTTP/1.1\r\nHost: A\r\n\r\n"))
        XCTAssertEqual(refusal("GET https://a:80/x HTTP/1.1\r\nHost: a\r\n\r\n"), 400)
        XCTAssertNil(refusal("GET https://u@a/x HTTP/1.1\r\nHost: a:443\r\n\r\n"))
        XCTAssertEqual(refusal("CONNECT a HTTP/1.1\r\n\r\n"), 400)
        XCTAssertNil(refusal("CONNECT [::1]:443 HTTP/1.1\r\n\r\n"))
        XCTAssertEqual(refusal("GET a:80 HTTP/1.1\r\n\r\n"), 400)
        XCTAssertNil(refusal("GET a:80 HTTP/1.1\r\n\r\n", limits: HTTPLimits(acceptInvalid: true)))
        XCTAssertEqual(refusal("GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n"), 400)
        XCTAssertNil(refusal("GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: k\r\n\r\n"))
    }
}
