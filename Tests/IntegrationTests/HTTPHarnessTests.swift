import XCTest

/// The HTTP harness pieces on their own (no daemon), so a red HTTP test
/// points at the daemon and not at the server or client it was measured with.
final class HTTPHarnessTests: XCTestCase {
    func testServerRecordsBytesAndKeepsTheConnectionAlive() throws {
        let server = try startHTTPServer(name: "s1")
        let client = try HTTPTestClient(port: server.port)
        let first = try client.request("GET", "/a?x=1", headers: [("X-T", "1")])
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.text, "s1 GET /a?x=1")
        let second = try client.request("POST", "/b", body: "hello")
        XCTAssertEqual(second.text, "s1 POST /b")
        XCTAssertEqual(server.acceptedCount, 1)
        XCTAssertEqual(server.requests.map(\.path), ["/a", "/b"])
        XCTAssertEqual(server.requests.last?.body, Array("hello".utf8))
        let sent = HTTPTestClient.requestText("GET", "/a?x=1", headers: [("X-T", "1")])
            + HTTPTestClient.requestText("POST", "/b", body: "hello")
        XCTAssertEqual(server.connectionBytes, [Array(sent.utf8)])
    }

    func testServerChunkedResponseAndContinue() throws {
        let server = try startHTTPServer(name: "s1") { _ in
            HTTPTestServer.Response(body: Array(repeating: 65, count: 3000), chunked: true, chunkSize: 1000)
        }
        let client = try HTTPTestClient(port: server.port)
        try client.send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        XCTAssertEqual(try client.readResponse()?.status, 100)
        try client.send("ok")
        let response = try client.readFinalResponse()
        XCTAssertTrue(response.chunked)
        XCTAssertEqual(response.body.count, 3000)
    }
}
