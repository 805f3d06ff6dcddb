import XCTest
@testable import FulcrumCore

/// HTTP check requests and verdicts; expected bytes and infos were captured
/// from haproxy 2.6.12 against local test servers.
final class HealthHTTPCheckTests: XCTestCase {
    private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    private func eval(_ s: String, complete: Bool = false, _ expect: HTTPCheck.Expect? = nil) -> CheckResult? {
        HTTPCheck.evaluate(bytes(s), complete: complete, expect: expect, durationMs: 3)
    }

    private let ok200 = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world"
    private let degraded = "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\nstatus: degraded \"x\"\r\n"

    // MARK: request

    func testRequestHTTP11WithHeadersAndBody() {
        let r = HTTPCheck.request(method: "POST", uri: "/health", version: "HTTP/1.1",
                                  headers: [("Host", "example.com"), ("X-A", "b")], body: "abc")
        XCTAssertEqual(r, bytes("POST /health HTTP/1.1\r\nhost: example.com\r\nx-a: b\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc"))
    }

    func testRequestHTTP10() {
        XCTAssertEqual(HTTPCheck.request(method: "HEAD", uri: "/ping", version: "HTTP/1.0", headers: [], body: nil),
                       bytes("HEAD /ping HTTP/1.0\r\n\r\n"))
        XCTAssertEqual(HTTPCheck.request(method: "PUT", uri: "/b", version: "HTTP/1.0", headers: [("Host", "h")], body: "xyz"),
                       bytes("PUT /b HTTP/1.0\r\nhost: h\r\ncontent-length: 3\r\n\r\nxyz"))
    }

    func testRequestHTTP11WithoutHostOrBody() {
        XCTAssertEqual(HTTPCheck.request(method: "GET", uri: "/x", version: "HTTP/1.1", headers: [], body: nil),
                       bytes("GET /x HTTP/1.1\r\nconnection: close\r\n\r\n"))
    }

    func testRequestKeepsConfiguredConnectionHeader() {
        let r = String(decoding: HTTPCheck.request(method: "GET", uri: "/", version: "HTTP/1.1",
                                                   headers: [("Connection", "keep-alive")], body: nil), as: UTF8.self)
        XCTAssertEqual(r, "GET / HTTP/1.1\r\nconnection: keep-alive\r\n\r\n")
    }

    // MARK: default expectation

    func testDefaultAccepts2xxAnd3xx() {
        XCTAssertEqual(eval(ok200), CheckResult(status: .l7ok, code: 200, durationMs: 3))
        XCTAssertEqual(eval("HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n"),
                       CheckResult(status: .l7ok, code: 302, durationMs: 3))
        XCTAssertEqual(eval("HTTP/1.0 204 No Content\r\n\r\n")?.status, .l7ok)
    }

    func testDefaultRejects500WithCodeAndReason() {
        XCTAssertEqual(eval("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"),
                       CheckResult(status: .l7status, code: 500, info: "Internal Server Error", durationMs: 3))
        XCTAssertEqual(eval("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbu")?.info, "Service Unavailable",
                       "status rules do not wait for the body")
        XCTAssertEqual(eval("HTTP/1.1 404\r\n\r\n"), CheckResult(status: .l7status, code: 404, durationMs: 3))
    }

    func testPartialResponseNeedsMore() {
        XCTAssertNil(eval(""))
        XCTAssertNil(eval("HTTP/1.1 200 O"))
        XCTAssertNil(eval("HTTP/1.1 200 OK\r\nContent-Le"))
        XCTAssertEqual(eval("HTTP/1.1 200 OK\r\nContent-Le", complete: true)?.status, .l7response)
        XCTAssertEqual(eval("", complete: true), CheckResult(status: .l7response, durationMs: 3))
    }

    func testMalformedIsL7RSPWithoutInfo() {
        XCTAssertEqual(eval("FOO BAR\r\n\r\n"), CheckResult(status: .l7response, durationMs: 3))
        XCTAssertEqual(eval("FO")?.status, .l7response, "not HTTP from the first bytes")
        XCTAssertEqual(eval("HTTP/1.1 2x0 OK\r\n")?.status, .l7response)
        XCTAssertEqual(eval("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")?.status, .l7response)
        XCTAssertEqual(eval("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n")?.status, .l7response)
    }

    // MARK: expect rules

    func testStatusListAndRanges() {
        let e = HTTPCheck.Expect(matcher: .status([200...200, 301...302]))
        XCTAssertEqual(eval("HTTP/1.1 302 Found\r\n\r\n", e)?.status, .l7ok)
        XCTAssertEqual(eval("HTTP/1.1 200 OK\r\n\r\n", e)?.status, .l7ok)
        XCTAssertEqual(eval("HTTP/1.1 303 See Other\r\n\r\n", e),
                       CheckResult(status: .l7status, code: 303, info: "See Other", durationMs: 3))
    }

    func testNegatedStatus() {
        // haproxy: "http-check expect ! status 200" -> L7STS, code: 200, info: "OK".
        let e = HTTPCheck.Expect(negated: true, matcher: .status([200...200]))
        XCTAssertEqual(eval(ok200, e), CheckResult(status: .l7status, code: 200, info: "OK", durationMs: 3))
        XCTAssertEqual(eval("HTTP/1.1 500 Oops\r\n\r\n", e)?.status, .l7ok)
    }

    func testRstatus() throws {
        // haproxy: "http-check expect rstatus ^2" on a 302 -> L7STS, code 302, "Found".
        let e = HTTPCheck.Expect(matcher: .rstatus(try CheckRegex("^2")))
        XCTAssertEqual(eval("HTTP/1.1 302 Found\r\n\r\n", e),
                       CheckResult(status: .l7status, code: 302, info: "Found", durationMs: 3))
        XCTAssertEqual(eval(ok200, e)?.status, .l7ok)
        let n = HTTPCheck.Expect(negated: true, matcher: .rstatus(try CheckRegex("^5")))
        XCTAssertEqual(eval(ok200, n)?.status, .l7ok)
    }

    func testBodyString() {
        let e = HTTPCheck.Expect(matcher: .string("degraded"))
        XCTAssertEqual(eval(degraded, e), CheckResult(status: .l7ok, code: 200, durationMs: 3))
        // haproxy: g2 (body "hello world") -> L7RSP "HTTP content check did not match".
        XCTAssertEqual(eval(ok200, e),
                       CheckResult(status: .l7response, code: 200, info: "HTTP content check did not match", durationMs: 3))
    }

    func testBodyStringWaitsForCompletion() {
        let e = HTTPCheck.Expect(matcher: .string("world"))
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n"
        XCTAssertNil(eval(head, e), "no body yet")
        XCTAssertNil(eval(head + "hello", e), "mismatch before the end of the message")
        XCTAssertEqual(eval(head + "hello", complete: true, e)?.info, "HTTP content check did not match")
        XCTAssertEqual(eval(head + "hello world", e)?.status, .l7ok)
        // Without framing the body ends when the server closes.
        let close = "HTTP/1.0 200 OK\r\n\r\nhello"
        XCTAssertNil(eval(close, e))
        XCTAssertEqual(eval(close, complete: true, e)?.status, .l7response)
        XCTAssertEqual(eval(close + " world", e)?.status, .l7ok, "a match needs no end")
    }

    func testEmptyBody() {
        let e = HTTPCheck.Expect(matcher: .string("x"))
        XCTAssertEqual(eval("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", e),
                       CheckResult(status: .l7response, code: 200,
                                   info: "HTTP content check could not find a response body", durationMs: 3))
    }

    func testNegatedBodyString() {
        let e = HTTPCheck.Expect(negated: true, matcher: .string("degraded"))
        // haproxy: n1 -> L7RSP "HTTP check matched unwanted content".
        XCTAssertEqual(eval(degraded, e)?.info, "HTTP check matched unwanted content")
        XCTAssertEqual(eval(degraded, e)?.status, .l7response)
        XCTAssertNil(eval("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello", e), "absence is only known at the end")
        XCTAssertEqual(eval(ok200, e)?.status, .l7ok)
    }

    func testRstring() throws {
        // haproxy: "rstring ^hello$" on the degraded body -> did not match.
        let e = HTTPCheck.Expect(matcher: .rstring(try CheckRegex("^hello$")))
        XCTAssertEqual(eval(degraded, e)?.info, "HTTP content check did not match")
        let w = HTTPCheck.Expect(matcher: .rstring(try CheckRegex("w[aeiou]rld")))
        XCTAssertEqual(eval(ok200, w)?.status, .l7ok)
        let n = HTTPCheck.Expect(negated: true, matcher: .rstring(try CheckRegex("hel+o")))
        XCTAssertEqual(eval(ok200, n)?.info, "HTTP check matched unwanted content")
    }

    func testChunkedBody() {
        let e = HTTPCheck.Expect(matcher: .string("o w"))
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        XCTAssertEqual(eval(head + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", e)?.status, .l7ok, "match across chunks")
        let x = HTTPCheck.Expect(matcher: .string("zzz"))
        XCTAssertNil(eval(head + "5\r\nhello\r\n", x), "more chunks may come")
        XCTAssertEqual(eval(head + "5\r\nhello\r\n0\r\n\r\n", x)?.status, .l7response, "last chunk ends the message")
        XCTAssertEqual(eval(head + "zz\r\nhello\r\n", x)?.status, .l7response, "bad chunk size")
    }

    func testInvalidRegexThrows() {
        XCTAssertThrowsError(try CheckRegex("(unclosed"))
    }
}
