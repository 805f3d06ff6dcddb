import XCTest
@testable import FulcrumHTTP

/// Which connections outlive a response, from the response alone.
final class HTTPPersistenceTests: XCTestCase {
    private func after(_ s: String, method: String = "GET") throws -> HTTPPersistence {
        var head: HTTPHead
        switch HTTPParser.parseResponse(Array(s.utf8), limits: HTTPLimits()) {
        case .complete(let h, _): head = h
        case let other: throw HTTPError(status: 0, reason: "not a complete response: \(other)")
        }
        let framing = try HTTPFraming.response(head, requestMethod: Array(method.utf8)[...]).get()
        let conflict = HTTPNormalization.applyToResponse(&head)
        return HTTPPersistence.afterResponse(head, framing: framing, lengthConflict: conflict)
    }

    private let both = HTTPPersistence(server: true, client: true)

    func testHTTP11KeepsBothUnlessToldOtherwise() throws {
        XCTAssertEqual(try after("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"), both)
        XCTAssertEqual(try after("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"), both)
        XCTAssertEqual(try after("HTTP/1.1 204 No Content\r\n\r\n"), both)
        // The server's close ends its own connection only (HAProxy 2.6 measured).
        XCTAssertEqual(try after("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n"),
                       HTTPPersistence(server: false, client: true))
    }

    /// Issue 10: an HTTP/1.0 response without keep-alive closes the client
    /// side after it; with keep-alive both connections go on.
    func testHTTP10WithoutKeepAliveEndsBoth() throws {
        let none = HTTPPersistence(server: false, client: false)
        XCTAssertEqual(try after("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n"), none)
        XCTAssertEqual(try after("HTTP/1.0 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n"), none)
        XCTAssertEqual(try after("HTTP/1.0 304 Not Modified\r\n\r\n"), none)
        XCTAssertEqual(try after("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n"), both)
    }

    /// Content-Length beside chunked: the server connection is not reused
    /// (its server may frame the body otherwise); the client's goes on.
    func testLengthConflictEndsTheServerConnection() throws {
        let serverClosed = HTTPPersistence(server: false, client: true)
        XCTAssertEqual(try after("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"), serverClosed)
        XCTAssertEqual(try after("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"), serverClosed)
        XCTAssertEqual(try after("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", method: "HEAD"),
                       serverClosed)
    }

    func testBodyUntilCloseAndUpgradesEndTheExchange() throws {
        XCTAssertEqual(try after("HTTP/1.1 200 OK\r\n\r\n"), HTTPPersistence(server: false, client: false))
        XCTAssertEqual(try after("HTTP/1.1 200 Connection established\r\n\r\n", method: "CONNECT"),
                       HTTPPersistence(server: false, client: false))
        XCTAssertFalse(try after("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n").client)
    }
}
