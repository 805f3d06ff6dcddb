import XCTest

/// Cookie persistence across workers and server states, and response
/// compression (negotiation, eligibility, the bytes themselves).
final class HTTPPersistenceCompressionTests: XCTestCase {
    private func fresh(_ port: UInt16, _ target: String = "/", headers: [(String, String)] = []) throws -> HTTPTestMessage {
        let client = try HTTPTestClient(port: port)
        defer { client.close() }
        return try client.request("GET", target, headers: headers)
    }

    private func cookieBackend(_ servers: [HTTPTestServer], extra: [String] = [], s1Options: String = "") -> String {
        Self.backend("be", ["cookie SRV insert indirect nocache"] + extra + [
            "server s1 127.0.0.1:\(servers[0].port) cookie c1 \(s1Options)",
            "server s2 127.0.0.1:\(servers[1].port) cookie c2",
        ])
    }

    func testInsertedCookieSticksAcrossWorkers() throws {
        let servers = try ["s1", "s2"].map { try startHTTPServer(name: $0) }
        let port = try startHTTPProxy(workers: 2, frontend: ["default_backend be"], sections: cookieBackend(servers)).1
        let first = try fresh(port)
        guard let setCookie = first.header("Set-Cookie"), let server = first.header("X-Server") else {
            return XCTFail("no Set-Cookie or X-Server: \(first.headers)")
        }
        let value = server == "s1" ? "c1" : "c2"
        XCTAssertTrue(setCookie.hasPrefix("SRV=\(value)"), setCookie)
        for i in 0..<10 {
            let r = try fresh(port, "/\(i)", headers: [("Cookie", "SRV=\(value)")])
            XCTAssertEqual(r.header("X-Server"), server, "request \(i) with SRV=\(value)")
            XCTAssertNil(r.header("Set-Cookie"), "a valid cookie is not set again")
        }
        // indirect: the server never sees the persistence cookie.
        XCTAssertTrue(servers.flatMap(\.requests).allSatisfy { $0.values("Cookie").allSatisfy { !$0.contains("SRV=") } })
    }

    /// A cookie naming a server in maintenance: HAProxy 2.6 sends the request
    /// to another server (measured, with and without `option redispatch`;
    /// only `option persist` would insist on the dead one) and sets a new cookie.
    func testCookieForAServerInMaintenanceGoesElsewhere() throws {
        for extra in [["option redispatch"], []] {
            let servers = try ["s1", "s2"].map { try startHTTPServer(name: $0) }
            let port = try startHTTPProxy(workers: 2, frontend: ["default_backend be"],
                                          sections: cookieBackend(servers, extra: extra, s1Options: "disabled")).1
            let r = try fresh(port, headers: [("Cookie", "SRV=c1")])
            XCTAssertEqual(r.status, 200, "\(extra)")
            XCTAssertEqual(r.header("X-Server"), "s2", "\(extra)")
            XCTAssertTrue(r.header("Set-Cookie")?.hasPrefix("SRV=c2") ?? false, "\(extra): \(r.headers)")
            XCTAssertEqual(servers[0].acceptedCount, 0)
        }
    }

    // MARK: compression

    private static let text = String(repeating: "Fulcrum compresses text. ", count: 800)

    private func startCompressing() throws -> (UInt16, HTTPTestServer) {
        let server = try startHTTPServer(name: "s1") { request in
            switch request.path {
            case "/encoded":
                return HTTPTestServer.Response(headers: [("Content-Type", "text/plain"), ("Content-Encoding", "br")],
                                               body: Array(Self.text.utf8))
            case "/image":
                return HTTPTestServer.Response(headers: [("Content-Type", "image/png")], body: Array(Self.text.utf8))
            case "/chunked":
                return HTTPTestServer.Response(headers: [("Content-Type", "text/html")], body: Array(Self.text.utf8),
                                               chunked: true, chunkSize: 3000)
            default:
                return .text(Self.text)
            }
        }
        let port = try startHTTPProxy(frontend: ["default_backend be"], sections: Self.backend("be", [
            "compression algo gzip",
            "compression type text/plain text/html",
            "server s1 127.0.0.1:\(server.port)",
        ])).1
        return (port, server)
    }

    private func gunzip(_ bytes: [UInt8]) throws -> String {
        let gzip = try requireTool("gzip")
        let dir = try TemporaryDirectory(prefix: "fgz")
        defer { dir.remove() }
        try FileBytes.write(bytes, to: dir.file("body.gz"))
        let result = try CommandRunner.run(gzip, ["-dc", dir.file("body.gz")])
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.stdout
    }

    func testTextIsGzippedWhenTheClientAccepts() throws {
        let (port, server) = try startCompressing()
        for target in ["/", "/chunked"] {
            let r = try fresh(port, target, headers: [("Accept-Encoding", "gzip, deflate")])
            XCTAssertEqual(r.status, 200)
            XCTAssertEqual(r.header("Content-Encoding"), "gzip", target)
            XCTAssertTrue(r.tokens("Vary").contains("accept-encoding"), "\(target): \(r.headers)")
            XCTAssertLessThan(r.body.count, Self.text.utf8.count / 4, target)
            XCTAssertEqual(try gunzip(r.body), Self.text, target)
        }
        XCTAssertTrue(server.requests.allSatisfy { $0.header("Accept-Encoding") != nil })
    }

    func testNotCompressedWithoutAcceptEncodingOrWhenIneligible() throws {
        let (port, _) = try startCompressing()
        let plain = try fresh(port)
        XCTAssertNil(plain.header("Content-Encoding"))
        XCTAssertEqual(plain.text, Self.text)
        let encoded = try fresh(port, "/encoded", headers: [("Accept-Encoding", "gzip")])
        XCTAssertEqual(encoded.values("Content-Encoding"), ["br"], "already encoded: left alone")
        XCTAssertEqual(encoded.text, Self.text)
        let image = try fresh(port, "/image", headers: [("Accept-Encoding", "gzip")])
        XCTAssertNil(image.header("Content-Encoding"), "image/png is not a listed type")
        XCTAssertEqual(image.text, Self.text)
    }
}
