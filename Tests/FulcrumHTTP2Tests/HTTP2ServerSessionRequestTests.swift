import FulcrumHTTP
import FulcrumHTTP2
import XCTest

/// HTTP/2 requests in, HTTP/1.1 requests out: what the engine's HTTP
/// analysers would parse.
final class HTTP2ServerSessionRequestTests: XCTestCase {
    /// The request's head parses as FulcrumHTTP parses a client's, and its body framing.
    func parsed(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> (HTTPHead, HTTPBodyFraming, Int)? {
        switch HTTPParser.parseRequest(Array(text.utf8), limits: HTTPLimits()) {
        case .complete(let head, let length):
            guard case .success(let framing) = HTTPFraming.request(head) else {
                XCTFail("framing refused", file: file, line: line)
                return nil
            }
            return (head, framing, length)
        case let other:
            XCTFail("not a request: \(other)", file: file, line: line)
            return nil
        }
    }

    func testServerPrefaceAndAcks() {
        var h = SessionHarness()
        XCTAssertEqual(h.start(HTTP2Settings(initialWindowSize: 1000)), ["SETTINGS maxConcurrentStreams=100", "SETTINGS ack"])
        var ping: [UInt8] = []
        HTTP2FrameEncoder.writePing(opaqueData: 42, ack: false, into: &ping)
        h.send(ping)
        XCTAssertEqual(h.output(), ["PING ack=true 42"])
        XCTAssertTrue(h.session.isIdle)
        XCTAssertEqual(h.log, [])
    }

    func testGetWithoutBody() throws {
        var h = SessionHarness()
        _ = h.start()
        h.send(h.client.headers(1, getFields, endStream: true))
        let expected = "GET /index.html HTTP/1.1\r\nhost: example.com\r\nuser-agent: test/1.0\r\naccept: */*\r\n\r\n"
        XCTAssertEqual(h.request(1), expected)
        let (head, framing, length) = try XCTUnwrap(parsed(h.request(1)))
        XCTAssertEqual(framing, .none)
        XCTAssertEqual(length, expected.utf8.count)
        XCTAssertEqual(head.value(of: "Host"), "example.com")
        XCTAssertEqual(h.log, ["requestEnd 1"])
        XCTAssertFalse(h.session.isIdle)
    }

    func testPostWithContentLength() throws {
        var h = SessionHarness()
        _ = h.start()
        h.send(h.client.headers(1, postFields([("content-type", "text/plain"), ("content-length", "11")]), endStream: false))
        h.send(SessionTestClient.data(1, "hello", endStream: false, padLength: 7) + SessionTestClient.data(1, " world", endStream: true))
        let text = h.request(1)
        XCTAssertEqual(text, "POST /upload HTTP/1.1\r\nhost: example.com\r\ncontent-type: text/plain\r\ncontent-length: 11\r\n\r\nhello world")
        let (_, framing, length) = try XCTUnwrap(parsed(text))
        XCTAssertEqual(framing, .contentLength(11))
        XCTAssertEqual(String(text.utf8.dropFirst(length))!, "hello world")
        XCTAssertEqual(h.log, ["requestEnd 1"])
    }

    func testPostWithoutLengthIsChunked() throws {
        var h = SessionHarness()
        _ = h.start()
        h.send(h.client.headers(1, postFields(), endStream: false))
        XCTAssertEqual(h.request(1), "POST /upload HTTP/1.1\r\nhost: example.com\r\ntransfer-encoding: chunked\r\n\r\n")
        h.send(SessionTestClient.data(1, "hello", endStream: false))
        h.send(SessionTestClient.data(1, String(repeating: "x", count: 300), endStream: false))
        h.send(SessionTestClient.data(1, "", endStream: true))
        let text = h.request(1)
        let (_, framing, length) = try XCTUnwrap(parsed(text))
        XCTAssertEqual(framing, .chunked)
        var chunks = ChunkedBodyParser()
        var payload: [UInt8] = []
        let body = Array(text.utf8.dropFirst(length))
        XCTAssertEqual(body.withUnsafeBytes { chunks.decode($0, into: &payload) }, .done(consumed: body.count))
        XCTAssertEqual(String(decoding: payload, as: UTF8.self), "hello" + String(repeating: "x", count: 300))
        XCTAssertTrue(text.hasSuffix("5\r\nhello\r\n12c\r\n" + String(repeating: "x", count: 300) + "\r\n0\r\n\r\n"))
        XCTAssertEqual(h.log, ["requestEnd 1"])
    }

    func testChunkedRequestTrailers() throws {
        var h = SessionHarness()
        _ = h.start()
        h.send(h.client.headers(1, postFields(), endStream: false))
        h.send(SessionTestClient.data(1, "abc", endStream: false))
        h.send(h.client.headers(1, [("x-checksum", "123")], endStream: true))
        XCTAssertTrue(h.request(1).hasSuffix("\r\n\r\n3\r\nabc\r\n0\r\nx-checksum: 123\r\n\r\n"), h.request(1))
        XCTAssertEqual(h.log, ["requestEnd 1"])
    }

    func testCookiesRejoined() throws {
        var h = SessionHarness()
        _ = h.start()
        h.send(h.client.headers(1, getFields + [("cookie", "a=1"), ("x-mid", "m"), ("cookie", "b=2"), ("cookie", "c=3")], endStream: true))
        let (head, _, _) = try XCTUnwrap(parsed(h.request(1)))
        XCTAssertEqual(head.values(of: "cookie").map { String(decoding: $0, as: UTF8.self) }, ["a=1; b=2; c=3"])
        XCTAssertTrue(h.request(1).hasSuffix("x-mid: m\r\ncookie: a=1; b=2; c=3\r\n\r\n"))
    }

    func testHeaderBlockOverContinuation() throws {
        var h = SessionHarness()
        _ = h.start()
        let frames = h.client.headers(1, getFields + [("x-long", String(repeating: "v", count: 100))], endStream: true, maxFrameSize: 16)
        XCTAssertGreaterThan(frames.count, 9 * 6, "split into several frames")
        h.send(frames)
        XCTAssertTrue(h.request(1).hasSuffix("x-long: " + String(repeating: "v", count: 100) + "\r\n\r\n"), h.request(1))
        XCTAssertEqual(h.log, ["requestEnd 1"])
    }

    /// The same exchange fed whole and one byte per call gives the same request bytes and output.
    func testByteAtATime() throws {
        var client = SessionTestClient()
        var input = SessionTestClient.preface(HTTP2Settings(initialWindowSize: 100_000)) + SessionTestClient.settingsAck()
        input += client.headers(1, postFields([("cookie", "a=1"), ("cookie", "b=2")]), endStream: false, maxFrameSize: 20)
        input += SessionTestClient.data(1, "first", endStream: false, padLength: 3)
        input += client.headers(3, getFields, endStream: true)
        input += SessionTestClient.data(1, "second", endStream: true)
        var whole = SessionHarness(), bytewise = SessionHarness()
        whole.send(input)
        bytewise.send(input, oneByteAtATime: true)
        XCTAssertEqual(bytewise.request(1), whole.request(1))
        XCTAssertEqual(bytewise.request(3), whole.request(3))
        XCTAssertEqual(bytewise.log, whole.log)
        XCTAssertEqual(bytewise.output(), whole.output())
        XCTAssertTrue(whole.request(1).hasSuffix("cookie: a=1; b=2\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n6\r\nsecond\r\n0\r\n\r\n"))
        XCTAssertEqual(whole.log, ["requestEnd 3", "requestEnd 1"])
    }

    func testContentLengthWithEndStreamOnHeadersIsRefused() {
        var h = SessionHarness()
        _ = h.start()
        h.send(h.client.headers(1, postFields([("content-length", "5")]), endStream: true))
        XCTAssertEqual(h.output(), ["RST 1 protocolError"])
        XCTAssertNil(h.requests[1], "no request for the engine")
        XCTAssertEqual(h.log, [])
        // The connection goes on.
        h.send(h.client.headers(3, getFields, endStream: true))
        XCTAssertNotNil(h.requests[3])
    }

    func testMoreDataThanContentLength() {
        var h = SessionHarness()
        _ = h.start()
        h.send(h.client.headers(1, postFields([("content-length", "3")]), endStream: false))
        h.send(SessionTestClient.data(1, "abcde", endStream: true))
        XCTAssertEqual(h.output(), ["RST 1 protocolError"])
        // The head went out when HEADERS came; the excess bytes and the end never do.
        XCTAssertEqual(h.request(1), "POST /upload HTTP/1.1\r\nhost: example.com\r\ncontent-length: 3\r\n\r\n")
        XCTAssertEqual(h.log, ["aborted 1 1 session", "idle"])
    }

    func testLessDataThanContentLength() {
        var h = SessionHarness()
        _ = h.start()
        h.send(h.client.headers(1, postFields([("content-length", "10")]), endStream: false))
        h.send(SessionTestClient.data(1, "abc", endStream: false))
        h.send(SessionTestClient.data(1, "de", endStream: true))
        XCTAssertEqual(h.output(), ["RST 1 protocolError"])
        XCTAssertFalse(h.log.contains("requestEnd 1"))
        XCTAssertEqual(h.log, ["aborted 1 1 session", "idle"])
    }

    func testMalformedRequestsAreStreamErrors() {
        var h = SessionHarness()
        _ = h.start()
        h.send(h.client.headers(1, getFields + [("Upper", "x")], endStream: true))
        h.send(h.client.headers(3, getFields + [("connection", "close")], endStream: true))
        h.send(h.client.headers(5, [(":method", "GET"), (":path", "/")], endStream: true))
        h.send(h.client.headers(7, [(":method", "GET"), (":scheme", "https"), (":path", "/a b")], endStream: true))
        h.send(h.client.headers(9, getFields + [("bad(name", "x")], endStream: true))
        // Targets FulcrumHTTP's request parser would refuse (the first found by the http2-session fuzz target).
        h.send(h.client.headers(11, [(":method", "POST"), (":scheme", "https"), (":authority", "e"), (":path", "/#c")], endStream: true))
        h.send(h.client.headers(13, [(":method", "GET"), (":scheme", "https"), (":authority", "e"), (":path", "/caf\u{e9}")], endStream: true))
        h.send(h.client.headers(15, [(":method", "GET"), (":scheme", "https"), (":authority", "e"), (":path", "http://e/")], endStream: true))
        h.send(h.client.headers(17, [(":method", "CONNECT"), (":authority", "e")], endStream: true))
        XCTAssertEqual(h.output(), [1, 3, 5, 7, 9, 11, 13, 15, 17].map { "RST \($0) protocolError" })
        XCTAssertTrue(h.requests.isEmpty)
        h.send(h.client.headers(19, getFields, endStream: true))
        XCTAssertNotNil(h.requests[19], "HPACK stayed in step through the refused blocks")
        h.send(h.client.headers(21, [(":method", "CONNECT"), (":authority", "e:443")], endStream: false))
        XCTAssertEqual(h.request(21), "CONNECT e:443 HTTP/1.1\r\nhost: e:443\r\n\r\n")
        h.send(h.client.headers(23, [(":method", "OPTIONS"), (":scheme", "https"), (":authority", "e"), (":path", "*")], endStream: true))
        XCTAssertEqual(h.request(23), "OPTIONS * HTTP/1.1\r\nhost: e\r\n\r\n")
    }

    func testTooManyConcurrentStreams() {
        var h = SessionHarness(HTTP2SessionLimits(maxConcurrentStreams: 2))
        XCTAssertEqual(h.start(), ["SETTINGS maxConcurrentStreams=2", "SETTINGS ack"])
        h.send(h.client.headers(1, getFields, endStream: true))
        h.send(h.client.headers(3, getFields, endStream: true))
        h.send(h.client.headers(5, getFields, endStream: true))
        XCTAssertEqual(h.output(), ["RST 5 refusedStream"])
        XCTAssertEqual(h.requests.keys.sorted(), [1, 3])
        // Once one ends, a new stream is served.
        h.respond(1, "HTTP/1.1 204 No Content\r\n\r\n")
        h.send(h.client.headers(7, getFields, endStream: true))
        XCTAssertEqual(h.requests.keys.sorted(), [1, 3, 7])
    }

    func testStreamLimitHoldsBeforeTheClientAcknowledges() {
        var h = SessionHarness(HTTP2SessionLimits(maxConcurrentStreams: 1))
        _ = h.start(acknowledge: false)
        h.send(h.client.headers(1, getFields, endStream: true))
        h.send(h.client.headers(3, getFields, endStream: true))
        XCTAssertEqual(h.output(), ["RST 3 refusedStream"])
        XCTAssertEqual(h.requests.keys.sorted(), [1])
    }

    func testBadPrefaceClosesTheConnection() {
        var h = SessionHarness()
        h.send(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        XCTAssertEqual(h.output(), ["SETTINGS maxConcurrentStreams=100", "GOAWAY 0 protocolError"])
        XCTAssertEqual(h.log, ["close"])
    }

    func testUndecodableHeaderBlockIsAConnectionError() {
        var h = SessionHarness()
        _ = h.start()
        var frame: [UInt8] = []
        HTTP2FrameEncoder.writeHeaders(streamID: 1, fragment: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF], endStream: true, endHeaders: true, into: &frame)
        h.send(frame)
        XCTAssertEqual(h.output(), ["GOAWAY 1 compressionError"])
        XCTAssertEqual(h.log, ["close"])
        XCTAssertTrue(h.session.closed)
    }

    /// A server that does not take the body holds back its own client: the
    /// connection window reopens on receipt, the stream's only once the
    /// engine has forwarded the bytes.
    func testRequestWindowWaitsForTheEngine() {
        var h = SessionHarness()
        h.forwards = false
        _ = h.start()
        h.send(h.client.headers(1, postFields(), endStream: false))
        for _ in 0..<3 { h.send(SessionTestClient.data(1, String(repeating: "z", count: 16_000), endStream: false)) }
        XCTAssertEqual(h.output(), ["WINDOW_UPDATE 0 48000"])
        h.session.requestBodyForwarded(streamID: 1, into: &h.events)
        h.record()
        XCTAssertEqual(h.output(), ["WINDOW_UPDATE 1 48000"])
        h.session.requestBodyForwarded(streamID: 1, into: &h.events)
        XCTAssertEqual(h.output(), [], "nothing more owed")
    }

    func testRequestWindowIsReopened() {
        var h = SessionHarness()
        _ = h.start()
        h.send(h.client.headers(1, postFields(), endStream: false))
        for _ in 0..<3 { h.send(SessionTestClient.data(1, String(repeating: "z", count: 16_000), endStream: false)) }
        XCTAssertEqual(h.output(), ["WINDOW_UPDATE 0 48000", "WINDOW_UPDATE 1 48000"])
    }
}
