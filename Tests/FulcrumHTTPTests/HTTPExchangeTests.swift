import XCTest
@testable import FulcrumHTTP

/// The HTTP/1.x exchange machine driven with bytes, no sockets.
final class HTTPExchangeTests: XCTestCase {
    func testKeepAliveExchangeReusesBothConnections() {
        var e = EmbeddedExchange()
        e.client("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(e.toServerText, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        e.server("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        XCTAssertEqual(e.toClientText, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
        XCTAssertEqual(e.ends, [.init(reuseServer: true, closeClient: false)])
        XCTAssertEqual(e.machine.phase, .request)
        e.client("GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(e.machine.requests, 2)
        XCTAssertTrue(e.toServerText.hasSuffix("GET /b HTTP/1.1\r\nHost: x\r\n\r\n"))
    }

    func testHTTP10WithoutKeepAliveClosesTheClientAfterTheResponse() {
        var e = EmbeddedExchange()
        e.client("GET / HTTP/1.0\r\n\r\n")
        // Toward the server the proxy asks for keep-alive (HAProxy does the same).
        XCTAssertTrue(e.toServerText.contains("Connection: keep-alive\r\n"))
        e.server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertTrue(e.toClientText.contains("Connection: close\r\n"))
        XCTAssertEqual(e.ends, [.init(reuseServer: true, closeClient: true)])
        XCTAssertEqual(e.machine.phase, .closed)
    }

    func testHTTP10WithKeepAliveStaysOpenAndSaysSo() {
        var e = EmbeddedExchange()
        e.client("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        e.server("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertTrue(e.toClientText.contains("Connection: keep-alive\r\n"))
        XCTAssertEqual(e.ends, [.init(reuseServer: true, closeClient: false)])
    }

    func testChunkedRequestBodyIsReframedWithoutExtensions() {
        var e = EmbeddedExchange()
        e.client("POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n")
        e.client("0000A\r\n0123456789\r\n0\r\n\r\n")
        XCTAssertTrue(e.toServerText.hasSuffix("\r\n\r\n3\r\nabc\r\na\r\n0123456789\r\n0\r\n\r\n"), e.toServerText)
        XCTAssertTrue(e.machine.requestBody.isDone)
    }

    func testBrokenChunkIsRefusedWith400() {
        var e = EmbeddedExchange()
        e.client("POST /u HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        XCTAssertEqual(e.refused, 400)
    }

    func testBodyReadUntilCloseEndsWithTheServerAndClosesTheClient() {
        var e = EmbeddedExchange()
        e.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        e.server("HTTP/1.1 200 OK\r\n\r\npart1")
        e.server("part2")
        XCTAssertTrue(e.ends.isEmpty)
        XCTAssertTrue(e.serverCloses())
        XCTAssertTrue(e.toClientText.hasSuffix("Connection: close\r\n\r\npart1part2"), e.toClientText)
        XCTAssertEqual(e.ends, [.init(reuseServer: false, closeClient: true)])
    }

    func testResponseCutShortIsNotComplete() {
        var e = EmbeddedExchange()
        e.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        e.server("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        XCTAssertFalse(e.serverCloses())
        XCTAssertTrue(e.ends.isEmpty)
    }

    func testInterimResponsesAreForwardedBeforeTheFinalOne() {
        var e = EmbeddedExchange()
        e.client("PUT /f HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        e.server("HTTP/1.1 100 Continue\r\n\r\n")
        XCTAssertEqual(e.responseAction, .interim)
        XCTAssertEqual(e.toClientText, "HTTP/1.1 100 Continue\r\n\r\n")
        e.client("hi")
        XCTAssertTrue(e.toServerText.hasSuffix("\r\n\r\nhi"))
        e.server("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(e.ends, [.init(reuseServer: true, closeClient: false)])
    }

    func testUpgradeTurnsIntoATunnel() {
        var e = EmbeddedExchange()
        e.client("GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        XCTAssertNil(e.refused)
        e.server("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nframe")
        XCTAssertEqual(e.responseAction, .tunnel)
        XCTAssertEqual(e.machine.phase, .tunnel)
        XCTAssertTrue(e.toClientText.contains("Connection: upgrade\r\n"))
        XCTAssertTrue(e.toClientText.hasSuffix("\r\n\r\nframe"))
    }

    func testSuccessfulConnectIsATunnel() {
        var e = EmbeddedExchange()
        e.client("CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n")
        e.server("HTTP/1.1 200 Connection established\r\n\r\n")
        XCTAssertEqual(e.responseAction, .tunnel)
    }

    func testResponseToHeadHasNoBody() {
        var e = EmbeddedExchange()
        e.client("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        e.server("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        XCTAssertEqual(e.ends, [.init(reuseServer: true, closeClient: false)])
    }

    func testServerCloseModeClosesOnlyTheServerSide() {
        var e = EmbeddedExchange(policy: .init(serverKeepAlive: false, clientKeepAlive: true))
        e.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(e.toServerText.contains("Connection: close\r\n"))
        e.server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        XCTAssertFalse(e.toClientText.contains("Connection:"))
        XCTAssertEqual(e.ends, [.init(reuseServer: false, closeClient: false)])
    }

    func testHTTPCloseModeClosesTheClient() {
        var e = EmbeddedExchange(policy: .init(serverKeepAlive: false, clientKeepAlive: false))
        e.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        e.server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        XCTAssertTrue(e.toClientText.contains("Connection: close\r\n"))
        XCTAssertEqual(e.ends, [.init(reuseServer: false, closeClient: true)])
    }

    func testDrainingAnswersWithConnectionClose() {
        var e = EmbeddedExchange()
        e.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        e.draining = true
        e.server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        XCTAssertTrue(e.toClientText.contains("Connection: close\r\n"))
        XCTAssertEqual(e.ends, [.init(reuseServer: true, closeClient: true)])
    }

    func testServerSayingCloseIsNotReused() {
        var e = EmbeddedExchange()
        e.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        e.server("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(e.ends, [.init(reuseServer: false, closeClient: false)])
        XCTAssertFalse(e.toClientText.contains("Connection:"), "hop-by-hop fields are not forwarded")
    }

    func testBrokenChunkedResponseIsRefusedWith502() {
        var e = EmbeddedExchange()
        e.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        e.server("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n")
        XCTAssertEqual(e.responseAction, .refuse(status: 502))
    }

    func testPipelinedRequestsAreServedInOrder() {
        var e = EmbeddedExchange()
        e.client("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(e.machine.requests, 1, "the second waits for the first response")
        e.server("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na")
        XCTAssertEqual(e.machine.requests, 2)
        XCTAssertTrue(e.toServerText.hasSuffix("GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"))
    }

    func testLocalAnswerBeforeTheBodyWasReadCloses() {
        var e = EmbeddedExchange()
        e.client("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
        e.machine.answer(HTTPErrorPages.response(status: 403), close: false)
        XCTAssertTrue(e.machine.closeAfterAnswer, "the unread body would be taken for the next request")
        XCTAssertEqual(e.machine.answerSent(), .init(reuseServer: false, closeClient: true))
    }

    func testLocalAnswerKeepsAKeepAliveConnection() {
        var e = EmbeddedExchange()
        e.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        e.machine.answer(HTTPErrorPages.response(status: 403), close: false)
        XCTAssertEqual(e.machine.answerSent(), .init(reuseServer: false, closeClient: false))
        XCTAssertEqual(e.machine.phase, .request)
    }

    /// `errorfile N /dev/null`: an empty answer closes at once, keep-alive or not.
    func testEmptyLocalAnswerCloses() {
        var e = EmbeddedExchange()
        e.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        e.machine.answer([], close: false)
        XCTAssertEqual(e.machine.answerSent(), .init(reuseServer: false, closeClient: true))
        XCTAssertEqual(e.machine.phase, .closed)
    }

    /// Framed two ways by the server: chunked frames it, the Content-Length
    /// does not reach the client, and the server connection is not reused.
    func testResponseFramedTwoWaysLosesContentLengthAndItsServerConnection() {
        let e = getAnswered(by: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        XCTAssertEqual(e.toClientText, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        XCTAssertEqual(e.ends, [.init(reuseServer: false, closeClient: false)])
    }

    /// Issue 10: an HTTP/1.0 response without keep-alive closes the client
    /// side after it, and says so (HAProxy 2.6 keeps it: docs/differences.md).
    func testHTTP10ResponseWithoutKeepAliveClosesTheClient() {
        let e = getAnswered(by: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertEqual(e.toClientText, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        XCTAssertEqual(e.ends, [.init(reuseServer: false, closeClient: true)])
        let kept = getAnswered(by: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertEqual(kept.ends, [.init(reuseServer: true, closeClient: false)])
        // The kept connection says so, as HAProxy does: an HTTP/1.0 response
        // without it means close to the client.
        XCTAssertEqual(kept.toClientText, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok")
    }

    /// An HTTP/1.1 keep-alive GET answered by `response`.
    private func getAnswered(by response: String) -> EmbeddedExchange {
        var e = EmbeddedExchange()
        e.client("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        e.server(response)
        return e
    }

    /// Requests framed two ways or folded never reach the machine's routing.
    func testAmbiguousRequestsAreRefusedBeforeRouting() {
        for request in ["POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n"] {
            var e = EmbeddedExchange()
            e.client(request)
            XCTAssertEqual(e.refused, 400, request)
            XCTAssertEqual(e.toServer, [], request)
            XCTAssertEqual(e.machine.requests, 0, request)
        }
    }

    func testChunkFramingIsWrittenOnTheStack() {
        var out: [UInt8] = []
        let payload = [UInt8](repeating: 0x61, count: 0x1f3)
        payload.withUnsafeBytes { p in HTTPBodyForwarder.writeChunk(p, last: true) { out += $0 } }
        XCTAssertEqual(String(decoding: out.prefix(5), as: UTF8.self), "1f3\r\n")
        XCTAssertEqual(String(decoding: out.suffix(7), as: UTF8.self), "\r\n0\r\n\r\n")
        XCTAssertEqual(out.count, 5 + 0x1f3 + 2 + 5)
    }
}
