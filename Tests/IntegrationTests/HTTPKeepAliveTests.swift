import XCTest
import Foundation

/// Connection management in mode http: keep-alive on both sides, the idle
/// server connection pool (http-reuse), http-server-close / httpclose,
/// HTTP/1.0, pipelining, the http-request and http-keep-alive timeouts,
/// 100-continue, and servers that close after answering.
final class HTTPKeepAliveTests: XCTestCase {
    private func start(_ server: HTTPTestServer, workers: Int = 1, defaults: [String] = [], frontend: [String] = [],
                       backend: [String] = []) throws -> UInt16 {
        try startHTTPProxy(workers: workers, defaults: defaults, frontend: ["default_backend be"] + frontend,
                           sections: Self.backend("be", backend + ["server s1 127.0.0.1:\(server.port)"])).1
    }

    /// Default `http-reuse safe`: the first request opens a connection; the
    /// others ride on it (or on a pooled one), never one per request.
    func testTwentyRequestsOnOneClientConnectionUseAtMostTwoServerConnections() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try start(server)
        let client = try HTTPTestClient(port: port)
        for i in 0..<20 {
            let r = try client.request("GET", "/r\(i)")
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.text, "s1 GET /r\(i)")
        }
        XCTAssertEqual(server.requests.count, 20)
        XCTAssertGreaterThanOrEqual(server.acceptedCount, 1)
        XCTAssertLessThanOrEqual(server.acceptedCount, 2, "server connections for 20 keep-alive requests")
    }

    func testHTTPServerCloseClosesTheServerSideOnly() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try start(server, defaults: ["option http-server-close"])
        let client = try HTTPTestClient(port: port)
        for i in 0..<20 {
            let r = try client.request("GET", "/r\(i)")
            XCTAssertEqual(r.status, 200, "request \(i) on the same client connection")
            XCTAssertFalse(r.tokens("Connection").contains("close"), "request \(i): the client side stays open")
        }
        XCTAssertTrue(waitUntil(timeout: 2) { server.acceptedCount == 20 }, "server connections: \(server.acceptedCount)")
        XCTAssertTrue(server.requests.allSatisfy { $0.values("Connection").map { $0.lowercased() } == ["close"] },
                      "every request tells the server to close")
    }

    func testHTTPCloseClosesBothSides() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try start(server, defaults: ["option httpclose"])
        let client = try HTTPTestClient(port: port)
        let r = try client.request()
        XCTAssertEqual(r.status, 200)
        XCTAssertTrue(r.tokens("Connection").contains("close"), "headers: \(r.headers)")
        XCTAssertEqual(try client.waitForClose(timeout: 3), .eof)
        XCTAssertEqual(server.requests.first?.values("Connection").map { $0.lowercased() }, ["close"])
    }

    func testHTTP10WithoutKeepAliveGetsConnectionClose() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try start(server)
        let client = try HTTPTestClient(port: port)
        let r = try client.request("GET", "/", version: "HTTP/1.0")
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.text, "s1 GET /")
        XCTAssertTrue(r.tokens("Connection").contains("close") || r.statusLine.hasPrefix("HTTP/1.0"),
                      "a 1.0 client must learn the connection ends: \(r.statusLine) \(r.headers)")
        XCTAssertEqual(try client.waitForClose(timeout: 3), .eof)
    }

    func testHTTP10WithKeepAliveStaysOpen() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try start(server)
        let client = try HTTPTestClient(port: port)
        for i in 0..<3 {
            let r = try client.request("GET", "/k\(i)", version: "HTTP/1.0", headers: [("Connection", "keep-alive")])
            XCTAssertEqual(r.text, "s1 GET /k\(i)")
            XCTAssertTrue(r.tokens("Connection").contains("keep-alive"), "request \(i): \(r.headers)")
        }
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try start(server)
        let client = try HTTPTestClient(port: port)
        let targets = (0..<5).map { "/p\($0)" }
        try client.send(targets.map { HTTPTestClient.requestText("GET", $0) }.joined())
        for target in targets {
            XCTAssertEqual(try client.readFinalResponse().text, "s1 GET \(target)")
        }
        XCTAssertEqual(server.requests.map(\.target), targets)
    }

    func testKeepAliveTimeoutClosesAnIdleClientConnection() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try start(server, defaults: ["timeout http-keep-alive 400ms"])
        let client = try HTTPTestClient(port: port)
        XCTAssertEqual(try client.request().status, 200)
        let started = Date()
        let end = try client.waitForClose(timeout: 5)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(end, .eof)
        XCTAssertGreaterThan(elapsed, 0.3)
        XCTAssertLessThan(elapsed, 2.5)
    }

    /// Slowloris: a head trickling in one byte every 100 ms never completes
    /// within `timeout http-request 500ms`: 408, then close, and the server
    /// never hears of it.
    func testSlowHeadGets408WithinHTTPRequestTimeout() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try start(server, defaults: ["timeout http-request 500ms"])
        let client = try HTTPTestClient(port: port)
        let head = Array(HTTPTestClient.requestText("GET", "/slow", headers: [("X-Pad", "aaaaaaaaaaaaaaaa")]).utf8)
        let started = Date()
        for byte in head.prefix(30) {
            do { try client.send([byte]) } catch { break }
            sleepSeconds(0.1)
            if Date().timeIntervalSince(started) > 2 { break }
        }
        let response = try client.readResponse(timeout: 3)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertEqual(response?.status, 408)
        XCTAssertEqual(try client.waitForClose(timeout: 3), .eof)
        XCTAssertLessThan(elapsed, 2.5, "the 408 came \(elapsed) s after the first byte")
        XCTAssertEqual(server.acceptedCount, 0)
    }

    func testExpect100ContinueUpload() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try start(server)
        let client = try HTTPTestClient(port: port)
        let body = String(repeating: "u", count: 10_000)
        try client.send("POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n")
        let interim = try client.readResponse(timeout: 3)
        XCTAssertEqual(interim?.status, 100, "the client waits for 100 Continue before sending its body")
        try client.send(body)
        let r = try client.readFinalResponse(requestMethod: "POST")
        XCTAssertEqual(r.text, "s1 POST /up")
        XCTAssertEqual(server.requests.first?.body.count, body.utf8.count)
    }

    /// A server that answers "Connection: close" cannot be reused: each
    /// request gets a fresh server connection, and the client's stays.
    func testServerClosingAfterItsResponseIsNotReused() throws {
        let server = try startHTTPServer(name: "s1") { request in .text("closing \(request.target)", close: true) }
        let port = try start(server)
        let client = try HTTPTestClient(port: port)
        for i in 0..<3 {
            XCTAssertEqual(try client.request("GET", "/c\(i)").text, "closing /c\(i)")
        }
        XCTAssertEqual(server.acceptedCount, 3)
    }

    /// `http-reuse always` shares idle server connections between client
    /// connections; `never` does not.
    func testHTTPReuseAlwaysSharesAndNeverDoesNot() throws {
        for (mode, expected) in [("always", 1), ("never", 3)] {
            let server = try startHTTPServer(name: "s1")
            let port = try start(server, backend: ["http-reuse \(mode)"])
            for i in 0..<3 {
                let client = try HTTPTestClient(port: port)
                XCTAssertEqual(try client.request("GET", "/\(i)").status, 200)
                client.close()
                sleepSeconds(0.05)
            }
            XCTAssertEqual(server.acceptedCount, expected, "http-reuse \(mode)")
        }
    }
}
