import XCTest

/// `http-request early-hint NAME FMT` side by side with haproxy 2.6: the
/// same 103 Early Hints responses (one per rule whose condition holds, in
/// rule order, log-format values expanded) come before the final response;
/// an HTTP/1.0 client gets none.
final class SideBySideEarlyHintTests: XCTestCase {
    /// Every response the proxy sent, read raw: each head's status line and
    /// fields (names lower-cased: haproxy lower-cases them, Fulcrum keeps the
    /// rule's spelling; docs/differences.md), up to the final one's status.
    private func responses(port: UInt16, request: String) throws -> [String] {
        let client = try TCPClient(port: port)
        defer { client.close() }
        try client.send(request)
        var out: [String] = []
        for _ in 0..<10 {
            guard let status = try client.readLine(), !status.isEmpty else { break }
            var head = [status]
            while let line = try client.readLine(), !line.isEmpty {
                let colon = line.firstIndex(of: ":")!
                let name = line[..<colon].lowercased()
                if status.contains(" 103 ") { head.append(name + line[colon...]) }
            }
            out.append(head.joined(separator: "|"))
            if !status.contains(" 103 ") { break }
        }
        return out
    }

    func testHintsPrecedeTheResponseAsInHAProxy() throws {
        let backend = try RecordingHTTPBackend(name: "app")
        let config = """
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:{port}
                http-request early-hint Link "</style.css>; rel=preload; as=style"
                http-request early-hint Link "</a.js>; rel=preload; as=script" if { path_beg /a }
                http-request set-header X-Seen yes
                http-request early-hint X-Path %[path]
                default_backend be
            backend be
                http-request early-hint X-Backend be
                server s1 127.0.0.1:\(backend.port)

            """
        let proxies = try SideBySide(self, config: config, backends: [backend])
        for request in ["GET /a/page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        "GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        "GET /a HTTP/1.0\r\n\r\n"] {
            var seen: [ProxyUnderTest: [String]] = [:]
            for proxy in ProxyUnderTest.allCases {
                seen[proxy] = try responses(port: proxies.ports[proxy]![0], request: request)
            }
            XCTAssertEqual(seen[.fulcrum], seen[.haproxy], request)
            XCTAssertEqual(seen[.fulcrum]?.last?.contains(" 200 "), true, "\(seen)")
        }
        let first = try responses(port: proxies.ports[.fulcrum]![0], request: "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(Array(first.dropLast()), [
            "HTTP/1.1 103 Early Hints|link: </style.css>; rel=preload; as=style",
            "HTTP/1.1 103 Early Hints|link: </a.js>; rel=preload; as=script",
            "HTTP/1.1 103 Early Hints|x-path: /a",
            "HTTP/1.1 103 Early Hints|x-backend: be",
        ])
    }
}
