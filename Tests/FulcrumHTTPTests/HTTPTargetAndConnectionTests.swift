import XCTest
@testable import FulcrumHTTP

final class HTTPTargetTests: XCTestCase {
    private func parts(_ s: String) -> (HTTPTarget.Form, String?, String?, String, String?) {
        let b = Array(s.utf8)[...]
        let t = HTTPTarget(b)
        func str(_ r: Range<Int>?) -> String? { r.map { String(decoding: b[$0], as: UTF8.self) } }
        return (t.form, str(t.scheme), str(t.authority), str(t.path)!, str(t.query))
    }

    func testForms() {
        XCTAssertTrue(parts("/a/b?x=1&y") == (.origin, nil, nil, "/a/b", "x=1&y"))
        XCTAssertTrue(parts("/") == (.origin, nil, nil, "/", nil))
        XCTAssertTrue(parts("/a?") == (.origin, nil, nil, "/a", ""))
        XCTAssertTrue(parts("http://Example.com:8080/p?q") == (.absolute, "http", "Example.com:8080", "/p", "q"))
        XCTAssertTrue(parts("https://h") == (.absolute, "https", "h", "", nil))
        XCTAssertTrue(parts("http://h?q") == (.absolute, "http", "h", "", "q"))
        XCTAssertTrue(parts("example.com:443") == (.authority, nil, "example.com:443", "", nil))
        XCTAssertTrue(parts("[::1]:443") == (.authority, nil, "[::1]:443", "", nil))
        XCTAssertTrue(parts("*") == (.asterisk, nil, nil, "", nil))
    }

    func testRangesAreInTheSliceIndices() {
        let raw = Array("GET /p?q HTTP/1.1".utf8)
        let t = HTTPTarget(raw[4..<8])
        XCTAssertEqual(t.path, 4..<6)
        XCTAssertEqual(t.query, 7..<8)
        XCTAssertEqual(t.pathAndQuery, 4..<8)
    }
}

final class HTTPConnectionHeaderTests: XCTestCase {
    private func head(_ s: String) -> HTTPHead {
        let b = Array(s.utf8)
        let out = s.hasPrefix("HTTP/") ? HTTPParser.parseResponse(b, limits: HTTPLimits()) : HTTPParser.parseRequest(b, limits: HTTPLimits())
        guard case .complete(let h, _) = out else { fatalError("\(out)") }
        return h
    }

    func testTokensAndPersistence() {
        let h = head("GET / HTTP/1.1\r\nConnection: Keep-Alive, X-Foo\r\nconnection: UPGRADE\r\nUpgrade: h2c\r\n\r\n")
        XCTAssertEqual(HTTPConnectionHeader.tokens(h), [.keepAlive, .other, .upgrade])
        XCTAssertTrue(HTTPConnectionHeader.isKeepAlive(h))
        XCTAssertTrue(HTTPConnectionHeader.isUpgradeRequest(h))
        XCTAssertFalse(HTTPConnectionHeader.isWebSocketRequest(h))
        XCTAssertFalse(HTTPConnectionHeader.isKeepAlive(head("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")))
        XCTAssertFalse(HTTPConnectionHeader.isKeepAlive(head("GET / HTTP/1.0\r\n\r\n")))
        XCTAssertTrue(HTTPConnectionHeader.isKeepAlive(head("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")))
        XCTAssertFalse(HTTPConnectionHeader.isKeepAlive(head("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n")))
        XCTAssertEqual(HTTPConnectionHeader.tokens(head("GET / HTTP/1.1\r\n\r\n")), [])
    }

    func testExpectAndUpgrades() {
        XCTAssertTrue(HTTPConnectionHeader.expectsContinue(head("PUT / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n")))
        XCTAssertFalse(HTTPConnectionHeader.expectsContinue(head("PUT / HTTP/1.1\r\nExpect: 200-ok\r\n\r\n")))
        let ws = head("GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: WebSocket/13\r\nSec-WebSocket-Key: k\r\n\r\n")
        XCTAssertTrue(HTTPConnectionHeader.isWebSocketRequest(ws))
        XCTAssertFalse(HTTPConnectionHeader.isWebSocketRequest(head("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")))
        XCTAssertTrue(HTTPConnectionHeader.isUpgradeResponse(head("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")))
        XCTAssertFalse(HTTPConnectionHeader.isUpgradeResponse(head("HTTP/1.1 200 OK\r\n\r\n")))
    }
}
