import XCTest
import Foundation

/// Strict framing in both directions (issue 10, item 8), raw bytes through
/// the real binary in front of a recording server. Each test sends the same
/// bytes through HAProxy 2.6 where it is installed and holds it to what it
/// does, so a documented difference (docs/differences.md) stays one.
final class HTTPStrictFramingTests: XCTestCase {
    /// Timeouts far above what any check waits for, so "closed at once"
    /// cannot be a timeout in disguise.
    static func config(port: UInt16, server: UInt16, frontend: [String]) -> String {
        """
        defaults
            mode http
            timeout connect 2s
            timeout client 30s
            timeout server 30s
        frontend fe
            bind 127.0.0.1:\(port)
        \(frontend.map { "    " + $0 }.joined(separator: "\n"))
            default_backend be
        backend be
            server s1 127.0.0.1:\(server)

        """
    }

    /// One proxy in front of its own recording server.
    private struct Setup {
        let port: UInt16
        let server: HTTPTestServer
    }

    /// Fulcrum, then HAProxy when installed (the Fulcrum half runs anyway).
    private var proxies: [ProxyUnderTest] { Tools.find("haproxy") == nil ? [.fulcrum] : [.fulcrum, .haproxy] }

    private func start(_ proxy: ProxyUnderTest, frontend: [String] = [],
                       handler: HTTPTestServer.Handler? = nil) throws -> Setup {
        let server = try startHTTPServer(name: "s1", handler: handler)
        let port = try FreePort.next()
        let config = Self.config(port: port, server: server.port, frontend: frontend)
        switch proxy {
        case .fulcrum:
            try startFulcrum(config: config).waitUntilListening(port: port)
        case .haproxy:
            _ = try startHAProxyReference(config: config, port: port)
        }
        return Setup(port: port, server: server)
    }

    private static let smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n"

    /// Requests HAProxy 2.6 forwards and Fulcrum refuses by default.
    private static let ambiguous: [(name: String, bytes: String)] = [
        ("Content-Length then chunked, hiding a request",
         "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \(5 + smuggled.utf8.count)\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled),
        ("chunked then Content-Length",
         "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        ("both in HTTP/1.0",
         "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
        ("obs-fold in a field", "GET / HTTP/1.1\r\nHost: a\r\nX-A: one\r\n two\r\n\r\n"),
        ("obs-fold hiding Transfer-Encoding",
         "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
    ]

    /// Default: 400, a FIN, and not one byte (nor a connection) at the
    /// server. HAProxy 2.6 forwards every one of them (documented difference).
    func testRequestsFramedTwoWaysOrFoldedAreRefusedAndNeverForwarded() throws {
        for proxy in proxies {
            let setup = try start(proxy)
            for (index, c) in Self.ambiguous.enumerated() {
                let client = try HTTPTestClient(port: setup.port)
                defer { client.close() }
                try client.send(c.bytes)
                let response = try client.readResponse(timeout: 5)
                switch proxy {
                case .fulcrum:
                    XCTAssertEqual(response?.status, 400, c.name)
                    XCTAssertEqual(try client.waitForClose(timeout: 3), .eof, "\(c.name): a FIN after the 400")
                    XCTAssertEqual(setup.server.acceptedCount, 0, "\(c.name): fulcrum opened a server connection")
                    XCTAssertEqual(setup.server.totalBytes, 0, "\(c.name): bytes reached the server")
                case .haproxy:
                    XCTAssertEqual(response?.status, 200, "\(c.name): HAProxy 2.6 forwards it (docs/differences.md)")
                    XCTAssertTrue(setup.server.waitForRequests(index + 1), "\(c.name): HAProxy forwarded it")
                }
            }
        }
    }

    /// `option accept-invalid-http-request` restores HAProxy's handling:
    /// chunked wins over a Content-Length, which is removed, and the client
    /// connection closes after the answer; a fold is unfolded with spaces.
    func testAcceptInvalidRequestRestoresHAProxysHandling() throws {
        for proxy in proxies {
            let setup = try start(proxy, frontend: ["option accept-invalid-http-request"])
            let framed = try HTTPTestClient(port: setup.port)
            defer { framed.close() }
            try framed.send(Self.ambiguous[0].bytes)
            let first = try framed.readFinalResponse(requestMethod: "POST")
            XCTAssertEqual(first.status, 200, "\(proxy)")
            XCTAssertEqual(first.tokens("Connection"), ["close"], "\(proxy): \(first.headers)")
            XCTAssertEqual(try framed.waitForClose(timeout: 3), .eof, "\(proxy): closed after the answer")
            XCTAssertTrue(setup.server.waitForRequests(1))
            let folded = try HTTPTestClient(port: setup.port)
            defer { folded.close() }
            try folded.send(Self.ambiguous[3].bytes)
            XCTAssertEqual(try folded.readFinalResponse().status, 200, "\(proxy)")
            XCTAssertTrue(setup.server.waitForRequests(2))
            let requests = setup.server.requests
            XCTAssertEqual(requests.map(\.target), ["/", "/"], "\(proxy): the hidden request reached the server")
            XCTAssertEqual(requests[0].values("Content-Length"), [], "\(proxy): \(requests[0].headText)")
            XCTAssertEqual(requests[0].values("Transfer-Encoding").map { $0.lowercased() }, ["chunked"], "\(proxy)")
            XCTAssertEqual(requests[1].header("X-A"), "one   two", "\(proxy): \(requests[1].headText)")
        }
    }

    /// A server response with Transfer-Encoding and Content-Length reaches
    /// the client framed by chunked only, and its server connection is not
    /// used again (while a well-framed response's is: the control).
    func testResponseFramedTwoWaysLosesContentLengthAndItsConnection() throws {
        let both = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n".utf8)
        for proxy in proxies {
            let setup = try start(proxy) { request in
                request.path == "/both" ? HTTPTestServer.Response(raw: both) : .text("plain")
            }
            let client = try HTTPTestClient(port: setup.port)
            defer { client.close() }
            // Control: keep-alive on both sides reuses the server connection.
            XCTAssertEqual(try client.request("GET", "/a").text, "plain")
            XCTAssertEqual(try client.request("GET", "/b").text, "plain")
            let response = try client.request("GET", "/both")
            XCTAssertEqual(response.status, 200, "\(proxy)")
            XCTAssertEqual(response.values("Content-Length"), [], "\(proxy): \(response.headers)")
            XCTAssertTrue(response.chunked, "\(proxy)")
            XCTAssertEqual(response.text, "hello", "\(proxy)")
            XCTAssertEqual(try client.request("GET", "/after").text, "plain", "\(proxy): the client connection goes on")
            let connections = setup.server.requests.map(\.connection)
            XCTAssertEqual(connections.count, 4)
            XCTAssertEqual(connections[0], connections[1], "\(proxy): control: the server connection is reused")
            XCTAssertEqual(connections[2], connections[1], "\(proxy): /both went on the kept connection")
            XCTAssertNotEqual(connections[3], connections[2], "\(proxy) reused the connection of a response framed two ways")
        }
    }

    /// Issue 10: after an HTTP/1.0 response without keep-alive the client
    /// side closes at once (it used to wait for `timeout client`). HAProxy
    /// 2.6 keeps it and adds `connection: keep-alive` (documented difference);
    /// with keep-alive from the server, both keep the client connection.
    func testHTTP10ResponseWithoutKeepAliveClosesTheClientSide() throws {
        let old = Array("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello".utf8)
        let oldKeepAlive = Array("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello".utf8)
        for proxy in proxies {
            let setup = try start(proxy) { request in
                // The server keeps its connection open either way.
                HTTPTestServer.Response(raw: request.path == "/old" ? old : oldKeepAlive)
            }
            let kept = try HTTPTestClient(port: setup.port)
            defer { kept.close() }
            let first = try kept.request("GET", "/old-keep-alive")
            XCTAssertEqual(first.text, "hello")
            XCTAssertEqual(first.tokens("Connection"), ["keep-alive"], "\(proxy): an HTTP/1.0 response says it is kept")
            XCTAssertEqual(try kept.request("GET", "/old-keep-alive").text, "hello", "\(proxy): kept after keep-alive")

            let client = try HTTPTestClient(port: setup.port)
            defer { client.close() }
            let response = try client.request("GET", "/old")
            XCTAssertEqual(response.text, "hello", "\(proxy)")
            switch proxy {
            case .fulcrum:
                XCTAssertEqual(response.tokens("Connection"), ["close"], "\(response.headers)")
                XCTAssertEqual(try client.waitForClose(timeout: 3), .eof, "closed at once, not at timeout client (30 s)")
            case .haproxy:
                XCTAssertEqual(response.tokens("Connection"), ["keep-alive"], "HAProxy 2.6: \(response.headers)")
                XCTAssertEqual(try client.request("GET", "/old").text, "hello", "HAProxy 2.6 keeps the client connection")
            }
        }
    }

    /// `errorfile 403 /dev/null` with `deny_status 403`: nothing is sent and
    /// the connection closes at once (it used to wait for `timeout client`),
    /// as HAProxy does; the server sees nothing.
    func testEmptyErrorFileClosesAtOnce() throws {
        for proxy in proxies {
            let setup = try start(proxy, frontend: ["errorfile 403 /dev/null", "http-request deny deny_status 403"])
            for version in ["HTTP/1.1", "HTTP/1.0"] {
                let client = try HTTPTestClient(port: setup.port)
                defer { client.close() }
                try client.send("GET / \(version)\r\nHost: a\r\nConnection: keep-alive\r\n\r\n")
                let received = try client.connection.receiveUntilEOF(timeout: 3)
                XCTAssertEqual(received.end, .eof, "\(proxy) \(version): closed at once, not at timeout client (30 s)")
                XCTAssertEqual(received.text, "", "\(proxy) \(version): an empty errorfile sends nothing")
            }
            XCTAssertEqual(setup.server.acceptedCount, 0, "\(proxy): a denied request reached the server")
        }
    }
}
