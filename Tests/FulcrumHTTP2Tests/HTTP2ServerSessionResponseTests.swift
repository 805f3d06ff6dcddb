import FulcrumHTTP2
import XCTest

/// HTTP/1.1 responses in, HEADERS and DATA frames out, within the
/// client's frame size and windows.
final class HTTP2ServerSessionResponseTests: XCTestCase {
    func started(_ settings: HTTP2Settings = HTTP2Settings(), _ fields: [(String, String)] = getFields) -> SessionHarness {
        var h = SessionHarness()
        _ = h.start(settings)
        h.send(h.client.headers(1, fields, endStream: true))
        _ = h.output()
        return h
    }

    func testContentLengthResponse() {
        var h = started()
        h.respond(1, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 5\r\n\r\nhel")
        h.respond(1, "lo")
        XCTAssertEqual(h.output(), ["HEADERS 1 end=false :status=200 content-type=text/plain content-length=5", "DATA 1 3 end=false", "DATA 1 2 end=true"])
        XCTAssertEqual(h.bodies[1], Array("hello".utf8))
        XCTAssertEqual(h.log, ["requestEnd 1", "ended 1", "idle"])
        XCTAssertTrue(h.session.isIdle)
    }

    func testHeadSplitAnywhere() {
        let response = "HTTP/1.1 404 Not Found\r\nX-A: 1\r\nContent-Length: 3\r\n\r\nabc"
        for split in 1..<response.utf8.count {
            var h = started()
            h.respond(1, String(response.prefix(split)))
            h.respond(1, String(response.dropFirst(split)))
            let lines = h.output()
            XCTAssertEqual(lines.first, "HEADERS 1 end=false :status=404 x-a=1 content-length=3", "split at \(split)")
            XCTAssertEqual(lines.last?.hasSuffix("end=true"), true, "split at \(split)")
            XCTAssertEqual(h.bodies[1], Array("abc".utf8), "split at \(split)")
            XCTAssertEqual(h.log, ["requestEnd 1", "ended 1", "idle"], "split at \(split)")
        }
    }

    func testNoBodyResponses() {
        var h = started()
        h.respond(1, "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n")
        XCTAssertEqual(h.output(), ["HEADERS 1 end=true :status=304 etag=\"x\""])
        var head = started(HTTP2Settings(), [(":method", "HEAD"), (":scheme", "https"), (":authority", "a"), (":path", "/")])
        head.respond(1, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        XCTAssertEqual(head.output(), ["HEADERS 1 end=true :status=200 content-length=1000"])
        XCTAssertEqual(head.log, ["requestEnd 1", "ended 1", "idle"])
    }

    func testChunkedResponseBecomesDataFrames() {
        var h = started()
        h.respond(1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nUpgrade: h2c\r\n\r\n5\r\nhel")
        h.respond(1, "lo\r\n6;ext=1\r\n world\r\n")
        h.respond(1, "0\r\nX-Trailer: t\r\n\r\n")
        XCTAssertEqual(h.output(), ["HEADERS 1 end=false :status=200", "DATA 1 3 end=false", "DATA 1 8 end=false", "DATA 1 0 end=true"])
        XCTAssertEqual(h.bodies[1], Array("hello world".utf8))
        XCTAssertEqual(h.log, ["requestEnd 1", "ended 1", "idle"])
    }

    func testResponseUntilClose() {
        var h = started()
        h.respond(1, "HTTP/1.1 200 OK\r\n\r\nsome")
        h.respond(1, " bytes")
        h.session.endResponse(streamID: 1, into: &h.events)
        h.record()
        XCTAssertEqual(h.output(), ["HEADERS 1 end=false :status=200", "DATA 1 4 end=false", "DATA 1 6 end=false", "DATA 1 0 end=true"])
        XCTAssertEqual(h.log, ["requestEnd 1", "ended 1", "idle"])
    }

    func testInterimResponses() {
        var h = started()
        h.respond(1, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertEqual(h.output(), ["HEADERS 1 end=false :status=100", "HEADERS 1 end=false :status=103 link=</a.css>",
                                    "HEADERS 1 end=false :status=200 content-length=2", "DATA 1 2 end=true"])
    }

    func testSwitchingProtocolsCannotBeCarried() {
        var h = started()
        h.respond(1, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
        XCTAssertEqual(h.output(), ["RST 1 internalError"])
        XCTAssertEqual(h.log, ["requestEnd 1", "aborted 1 2 session", "idle"])
    }

    /// 100000 bytes against the default 65535-byte windows: 65535 go in
    /// frames of at most 16384, the rest waits for WINDOW_UPDATE.
    func testResponseLargerThanTheWindowWaits() {
        var h = started()
        let body = String(repeating: "0123456789", count: 10_000)
        h.respond(1, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + body)
        let first = h.output()
        XCTAssertEqual(first.first, "HEADERS 1 end=false :status=200 content-length=100000")
        XCTAssertEqual(h.bodies[1]?.count, 65_535)
        XCTAssertLessThanOrEqual(h.frameSizes.max() ?? 0, 16_384)
        XCTAssertEqual(first.last, "DATA 1 16383 end=false")
        XCTAssertEqual(h.log, ["requestEnd 1", "blocked 1"])
        // The stream's window alone is not enough: the connection's is closed too.
        h.send(SessionTestClient.windowUpdate(1, 50_000))
        XCTAssertEqual(h.output(), [])
        h.send(SessionTestClient.windowUpdate(0, 20_000))
        XCTAssertEqual(h.output(), ["DATA 1 16384 end=false", "DATA 1 3616 end=false"])
        XCTAssertEqual(h.log, ["requestEnd 1", "blocked 1"])
        h.send(SessionTestClient.windowUpdate(0, 20_000))
        XCTAssertEqual(h.output(), ["DATA 1 14465 end=true"])
        XCTAssertEqual(h.bodies[1], Array(body.utf8))
        XCTAssertEqual(h.log, ["requestEnd 1", "blocked 1", "unblocked 1", "ended 1", "idle"])
    }

    func testPeerMaxFrameSizeAndInitialWindow() {
        var h = started(HTTP2Settings(initialWindowSize: 10, maxFrameSize: 20_000))
        h.respond(1, "HTTP/1.1 200 OK\r\nContent-Length: 25\r\n\r\n" + String(repeating: "a", count: 25))
        XCTAssertEqual(h.output(), ["HEADERS 1 end=false :status=200 content-length=25", "DATA 1 10 end=false"])
        // A larger SETTINGS_INITIAL_WINDOW_SIZE opens every stream's window (§6.9.2).
        var settings: [UInt8] = []
        HTTP2FrameEncoder.writeSettings(HTTP2Settings(initialWindowSize: 100), into: &settings)
        h.send(settings)
        XCTAssertEqual(h.output(), ["SETTINGS ack", "DATA 1 15 end=true"])
    }

    func testClientResetMidResponse() {
        var h = started()
        h.respond(1, "HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + String(repeating: "b", count: 70_000))
        _ = h.output()
        XCTAssertEqual(h.log, ["requestEnd 1", "blocked 1"])
        h.send(SessionTestClient.rst(1, .cancel))
        XCTAssertEqual(h.log, ["requestEnd 1", "blocked 1", "aborted 1 8 peer", "idle"])
        h.respond(1, String(repeating: "b", count: 1000))
        h.send(SessionTestClient.windowUpdate(0, 100_000))
        XCTAssertEqual(h.output(), [], "nothing more on the reset stream")
        XCTAssertTrue(h.session.isIdle)
    }

    func testEarlyResponseStopsTheUpload() {
        var h = SessionHarness()
        _ = h.start()
        h.send(h.client.headers(1, postFields(), endStream: false))
        h.respond(1, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(h.output(), ["HEADERS 1 end=true :status=413 content-length=0", "RST 1 noError"])
        XCTAssertEqual(h.log, ["ended 1", "idle"])
        h.send(SessionTestClient.data(1, "late", endStream: true))
        XCTAssertEqual(h.output(), [], "DATA the client sent before it saw the reset is dropped")
    }

    func testTruncatedResponseIsReset() {
        var h = started()
        h.respond(1, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        h.session.endResponse(streamID: 1, into: &h.events)
        h.record()
        XCTAssertEqual(h.output(), ["HEADERS 1 end=false :status=200 content-length=10", "DATA 1 3 end=false", "RST 1 internalError"])
        XCTAssertEqual(h.log, ["requestEnd 1", "aborted 1 2 session", "idle"])
    }

    func testGracefulShutdown() {
        var h = started()
        h.session.shutdown(into: &h.events)
        h.record()
        XCTAssertEqual(h.output(), ["GOAWAY 1 noError"])
        // A stream opened after the GOAWAY is not served.
        h.send(h.client.headers(3, getFields, endStream: true))
        XCTAssertNil(h.requests[3])
        XCTAssertEqual(h.log, ["requestEnd 1"])
        h.respond(1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertEqual(h.output(), ["HEADERS 1 end=false :status=200 content-length=2", "DATA 1 2 end=true"])
        XCTAssertEqual(h.log, ["requestEnd 1", "ended 1", "idle", "close"])
    }

    func testIdleShutdownClosesAtOnce() {
        var h = SessionHarness()
        _ = h.start()
        h.session.shutdown(into: &h.events)
        h.record()
        XCTAssertEqual(h.output(), ["GOAWAY 0 noError"])
        XCTAssertEqual(h.log, ["close"])
    }

    func testClientGoaway() {
        var h = started()
        var goaway: [UInt8] = []
        HTTP2FrameEncoder.writeGoaway(lastStreamID: 0, errorCode: 0, debugData: [], into: &goaway)
        h.send(goaway)
        XCTAssertEqual(h.log, ["requestEnd 1", "peerGoaway 0 0"])
        h.respond(1, "HTTP/1.1 204 No Content\r\n\r\n")
        XCTAssertEqual(h.log, ["requestEnd 1", "peerGoaway 0 0", "ended 1", "idle", "close"])
    }

    func testConcurrentStreamsShareTheConnectionWindow() {
        var h = SessionHarness()
        _ = h.start()
        h.send(h.client.headers(1, getFields, endStream: true))
        h.send(h.client.headers(3, getFields, endStream: true))
        h.respond(1, "HTTP/1.1 200 OK\r\nContent-Length: 60000\r\n\r\n" + String(repeating: "1", count: 60_000))
        h.respond(3, "HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n" + String(repeating: "3", count: 10_000))
        _ = h.output()
        XCTAssertEqual(h.bodies[1]?.count, 60_000)
        XCTAssertEqual(h.bodies[3]?.count, 5535)
        XCTAssertEqual(h.log, ["requestEnd 1", "requestEnd 3", "ended 1", "blocked 3"])
        h.send(SessionTestClient.windowUpdate(0, 4465))
        _ = h.output()
        XCTAssertEqual(h.bodies[3], Array(repeating: UInt8(ascii: "3"), count: 10_000))
        XCTAssertEqual(h.log, ["requestEnd 1", "requestEnd 3", "ended 1", "blocked 3", "unblocked 3", "ended 3", "idle"])
    }
}
