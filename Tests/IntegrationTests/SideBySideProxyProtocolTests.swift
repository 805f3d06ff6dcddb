import XCTest

/// `bind ... accept-proxy` and `tcp-request connection expect-proxy layer4`
/// served by fulcrum and by haproxy 2.6 with the same configuration: PROXY
/// v1 and v2 headers (TCP4, TCP6, UNKNOWN, LOCAL, TLVs) carry the client's
/// address into `src` routing, X-Forwarded-For and the log line's
/// %ci/%cp/%fi/%fp; bad headers close the connection and log HAProxy's line.
final class SideBySideProxyProtocolTests: XCTestCase {
    private static let info = "<134>{time} {program}[{pid}]: "

    private func start(tls: TestCertificates? = nil) throws -> (SideBySideLogging, RecordingHTTPBackend, RecordingHTTPBackend) {
        let web = try startRecordingBackend("web")
        let routed = try startRecordingBackend("routed")
        let tlsFrontend = tls.map { c in """
            frontend fe_tls
                bind 127.0.0.1:{port4} ssl crt \(c.pem("a")) accept-proxy
                option forwardfor
                default_backend web

            """ } ?? ""
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port} accept-proxy
                log {log} local0
                log-format "%ci:%cp %fi:%fp %f %b/%s %ST"
                option forwardfor
                use_backend routed if { src 192.0.2.0/24 }
                use_backend routed if { dst 198.51.100.99 } { dst_port 8080 }
                default_backend web
            frontend fe_expect
                bind 127.0.0.1:{port2}
                log {log} local0
                log-format "%ci:%cp %fi:%fp %f %b/%s %ST"
                option forwardfor
                tcp-request connection expect-proxy layer4 if { src 127.0.0.0/8 }
                default_backend web
            frontend fe_other
                bind 127.0.0.1:{port3}
                option forwardfor
                tcp-request connection expect-proxy layer4 if { src 10.0.0.0/8 }
                default_backend web
            \(tlsFrontend)backend web
                server web 127.0.0.1:\(web.port)
            backend routed
                server routed 127.0.0.1:\(routed.port)

            """
        let logs = try SideBySideLogging(self, config: config, backends: [web, routed])
        return (logs, web, routed)
    }

    /// `prefix` then one request on a fresh connection to `proxy`: the
    /// response (nil: closed without one) and what the backends received.
    private func send(_ logs: SideBySideLogging, _ proxy: ProxyUnderTest, frontend: Int, prefix: [UInt8],
                      request: String = httpGet("/", ["Connection: close"])) throws -> (HTTPTestResponse?, [RecordedRequest]) {
        for backend in logs.sbs.backends { _ = backend.takeRequests() }
        let client = try TCPClient.connect(port: logs.port(proxy, frontend: frontend))
        defer { client.close() }
        try client.send(prefix + Array(request.utf8))
        let response = try client.readHTTPResponse()
        return (response, logs.sbs.backends.flatMap { $0.takeRequests() })
    }

    private static func v1(_ text: String) -> [UInt8] { Array(("PROXY " + text + "\r\n").utf8) }

    private static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
    private static func v2(command: UInt8 = 1, family: UInt8, body: [UInt8]) -> [UInt8] {
        v2Signature + [0x20 | command, family, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }
    private static func port(_ p: Int) -> [UInt8] { [UInt8(p >> 8), UInt8(p & 0xFF)] }
    /// 192.0.2.77:40001 → 198.51.100.7:8443.
    private static let v2TCP4Body: [UInt8] = [192, 0, 2, 77, 198, 51, 100, 7] + port(40001) + port(8443)
    /// 2001:db8::9:40002 → 2001:db8::1:443.
    private static let v2TCP6Body: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [9]
        + [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 10) + [0, 1] + port(40002) + port(443)

    /// Each form of header: where the request went, the X-Forwarded-For the
    /// server saw and the log line (client and frontend address as carried).
    func testHeadersCarryTheClientAddress() throws {
        let (logs, _, _) = try start()
        let tlvs: [UInt8] = [0x01, 0x00, 0x02] + Array("h2".utf8) + [0x02, 0x00, 0x04] + Array("site".utf8)
            + [0x04, 0x00, 0x02, 0, 0]
        let cases: [(String, [UInt8], String, String)] = [
            ("v1 TCP4", Self.v1("TCP4 192.0.2.9 198.51.100.7 40000 80"), "routed", "192.0.2.9"),
            ("v1 TCP4 outside the ACL", Self.v1("TCP4 203.0.113.5 198.51.100.7 40000 80"), "web", "203.0.113.5"),
            ("v1 TCP6", Self.v1("TCP6 2001:db8::9 2001:db8::1 40000 443"), "web", "2001:db8::9"),
            ("v1 UNKNOWN", Self.v1("UNKNOWN"), "web", "127.0.0.1"),
            ("v2 TCP4", Self.v2(family: 0x11, body: Self.v2TCP4Body), "routed", "192.0.2.77"),
            ("v2 TCP6", Self.v2(family: 0x21, body: Self.v2TCP6Body), "web", "2001:db8::9"),
            ("v2 TCP4 with TLVs", Self.v2(family: 0x11, body: Self.v2TCP4Body + tlvs), "routed", "192.0.2.77"),
            ("v2 LOCAL", Self.v2(command: 0, family: 0x00, body: []), "web", "127.0.0.1"),
            ("v1 TCP4 routed by dst", Self.v1("TCP4 203.0.113.5 198.51.100.99 40000 8080"), "routed", "203.0.113.5"),
            ("v1 TCP4 dst port outside the ACL", Self.v1("TCP4 203.0.113.5 198.51.100.99 40000 80"), "web", "203.0.113.5"),
        ]
        for (name, header, backend, forwarded) in cases {
            for proxy in ProxyUnderTest.allCases {
                let (response, seen) = try send(logs, proxy, frontend: 1, prefix: header)
                XCTAssertEqual(response?.status, 200, "\(name): \(proxy)")
                XCTAssertEqual(seen.map(\.backend), [backend], "\(name): \(proxy) routes by the carried src")
                XCTAssertEqual(seen.first?.values("X-Forwarded-For"), [forwarded], "\(name): \(proxy)")
            }
        }
        // The log lines: %ci:%cp and %fi:%fp are the carried endpoints (the
        // ports compared below: UNKNOWN and LOCAL log each proxy's own).
        let lines = try logs.assertSameLines(count: cases.count, LogLineComparison(LogLineShape(fields: [0: .endpoint, 1: .endpoint])),
                                             "accept-proxy log lines")
        let fulcrum = lines[.fulcrum]!.map(\.message)
        XCTAssertEqual(fulcrum.first, "192.0.2.9:40000 198.51.100.7:80 fe routed/routed 200")
        XCTAssertEqual(fulcrum[4], "192.0.2.77:40001 198.51.100.7:8443 fe routed/routed 200")
        XCTAssertEqual(fulcrum[5], "2001:db8::9:40002 2001:db8::1:443 fe web/web 200")
    }

    /// What is not a good header closes the connection without an answer,
    /// on both, with HAProxy's line for a connection that never became a stream.
    func testBadHeadersCloseTheConnectionAndLogHAProxysLine() throws {
        let (logs, _, _) = try start()
        var tooLongV1 = Array("PROXY TCP4 ".utf8)
        tooLongV1 += Array(repeating: UInt8(ascii: "1"), count: 120)
        let cases: [(String, [UInt8], String)] = [
            ("no header", [], "Received something which does not look like a PROXY protocol header"),
            ("v1 UDP4", Self.v1("UDP4 192.0.2.9 198.51.100.7 1 2"), "Received an unhandled protocol in the PROXY protocol header"),
            ("v1 field missing", Self.v1("TCP4 192.0.2.9 198.51.100.7 1"), "Received an invalid PROXY protocol header"),
            ("v1 too long", tooLongV1 + [0x0D, 0x0A], "Received an invalid PROXY protocol header"),
            ("v2 command 2", Self.v2(command: 2, family: 0x11, body: Self.v2TCP4Body), "Received an invalid PROXY protocol header"),
            ("v2 short address block", Self.v2(family: 0x21, body: Self.v2TCP4Body), "Received an invalid PROXY protocol header"),
            ("v2 TLV past the end", Self.v2(family: 0x11, body: Self.v2TCP4Body + [0x04, 0x00, 0x09, 1]),
             "Received an invalid PROXY protocol header"),
        ]
        // The client a v2 header carried before its TLVs failed is the one logged.
        let carried = cases.count - 1
        for (name, header, _) in cases {
            for proxy in ProxyUnderTest.allCases {
                let client = try TCPClient.connect(port: logs.port(proxy))
                defer { client.close() }
                try client.send(header + Array(httpGet("/").utf8))
                let received = try client.receiveUntilEOF(timeout: 5)
                XCTAssertNotEqual(received.end, .timeout, "\(name): \(proxy) closes")
                XCTAssertEqual(received.bytes, [], "\(name): \(proxy) answers nothing")
            }
        }
        // A cut header (no more bytes come), then a client that closes at once.
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: logs.port(proxy))
            defer { client.close() }
            try client.send(Array("PROXY TCP4 192.0.2.9 198.51".utf8))
            XCTAssertNotEqual(try client.waitForClose(timeout: 5), .timeout, "truncated: \(proxy) closes")
        }
        try logs.emptyConnection()
        let comparison = LogLineComparison(LogLineShape(fields: [0: .endpoint]))
        let lines = try logs.assertSameLines(count: cases.count + 2, comparison, "bad headers")
        let expected = cases.map(\.2) + ["Truncated PROXY protocol header received",
                                         "Connection closed while waiting for PROXY protocol header"]
        logs.assertReference(lines[.haproxy]!, comparison, equal: expected.enumerated().map { i, message in
            Self.info + (i == carried ? "192.0.2.77" : "127.0.0.1") + ":{port} [{date}] fe/1: " + message
        }, "bad headers")
    }

    /// A deliberate difference (docs/differences.md): haproxy's v1 parser
    /// reads "192.0.2.999" as 192.0.5.231 and serves the request; fulcrum
    /// refuses an address inet_pton would refuse.
    func testOutOfRangeV1AddressIsRefused() throws {
        let (logs, _, _) = try start()
        let header = Self.v1("TCP4 192.0.2.999 198.51.100.7 1 2")
        let (refused, nothing) = try send(logs, .fulcrum, frontend: 1, prefix: header)
        XCTAssertNil(refused)
        XCTAssertEqual(nothing.count, 0)
        let (served, seen) = try send(logs, .haproxy, frontend: 1, prefix: header)
        XCTAssertEqual(served?.status, 200, "haproxy wraps the octet")
        XCTAssertEqual(seen.first?.values("X-Forwarded-For"), ["192.0.5.231"])
    }

    /// `tcp-request connection expect-proxy layer4 if COND`: required when
    /// the condition holds (127.0.0.1 here), not looked for otherwise.
    func testExpectProxyRule() throws {
        let (logs, _, _) = try start()
        for proxy in ProxyUnderTest.allCases {
            let (response, seen) = try send(logs, proxy, frontend: 2, prefix: Self.v1("TCP4 192.0.2.9 198.51.100.7 40000 80"))
            XCTAssertEqual(response?.status, 200, "\(proxy)")
            XCTAssertEqual(seen.first?.values("X-Forwarded-For"), ["192.0.2.9"], "\(proxy): carried address")
            let (refused, nothing) = try send(logs, proxy, frontend: 2, prefix: [])
            XCTAssertNil(refused, "\(proxy): a plain request is refused when the rule holds")
            XCTAssertEqual(nothing.count, 0)
            // The condition does not hold: the bytes are HTTP's, a PROXY line a bad request.
            let (plain, forwarded) = try send(logs, proxy, frontend: 3, prefix: [])
            XCTAssertEqual(plain?.status, 200, "\(proxy): no header expected")
            XCTAssertEqual(forwarded.first?.values("X-Forwarded-For"), ["127.0.0.1"])
            let (bad, _) = try send(logs, proxy, frontend: 3, prefix: Self.v1("TCP4 192.0.2.9 198.51.100.7 40000 80"))
            XCTAssertEqual(bad?.status, 400, "\(proxy): a PROXY line where none is expected")
        }
    }

    /// On a TLS bind the header comes before the handshake (curl
    /// --haproxy-protocol sends it first).
    func testHeaderBeforeTheTLSHandshake() throws {
        _ = try requireTool("curl")
        _ = try requireTool("openssl")
        let certificates = try TestCertificates([("a", ["a.test"])])
        addTeardownBlock { certificates.remove() }
        let (logs, web, _) = try start(tls: certificates)
        for proxy in ProxyUnderTest.allCases {
            _ = web.takeRequests()
            let port = logs.port(proxy, frontend: 4)
            let result = try CommandRunner.run("curl", ["-s", "-m", "10", "-k", "--haproxy-protocol", "-o", "/dev/null",
                                                        "-w", "%{http_code}", "https://127.0.0.1:\(port)/tls"], timeout: 20)
            XCTAssertEqual(result.stdout, "200", "\(proxy): \(result.stderr)")
            let seen = web.takeRequests()
            XCTAssertEqual(seen.map(\.target), ["/tls"], "\(proxy)")
            XCTAssertEqual(seen.first?.values("X-Forwarded-For"), ["127.0.0.1"], "\(proxy)")
            // Without the header the handshake's first bytes are not a PROXY header.
            let plain = try CommandRunner.run("curl", ["-s", "-m", "10", "-k", "-o", "/dev/null", "-w", "%{http_code}",
                                                       "https://127.0.0.1:\(port)/tls"], timeout: 20)
            XCTAssertEqual(plain.stdout, "000", "\(proxy): refused")
        }
    }

    /// `balance source` hashes the carried address: each of 32 clients
    /// (one real address) reaches the server haproxy picks for it.
    func testBalanceSourceUsesTheCarriedAddress() throws {
        let servers = try (1...4).map { try startBackend(.identify("s\($0)")) }
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port} accept-proxy
                default_backend be
            backend be
                balance source
            \(servers.enumerated().map { "    server s\($0.offset + 1) 127.0.0.1:\($0.element.port)" }.joined(separator: "\n"))

            """
        let sbs = try SideBySide(self, config: config, backends: [])
        var chosen: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for i in 1...32 {
                let client = try TCPClient.connect(port: sbs.ports[proxy]![0])
                defer { client.close() }
                try client.send(Self.v1("TCP4 203.0.113.\(i * 7) 198.51.100.7 40000 80"))
                chosen[proxy, default: []].append(try client.readLine() ?? "<closed>")
            }
        }
        XCTAssertEqual(chosen[.fulcrum], chosen[.haproxy], "the server per carried source")
        XCTAssertGreaterThanOrEqual(Set(chosen[.fulcrum] ?? []).count, 3, "32 sources spread over the farm")
    }

    /// No header within `timeout client`: closed, with HAProxy's timeout
    /// line; `option dontlognull` drops the line of a client that closed
    /// without sending anything, not that of a bad header; a frontend
    /// without a log format logs no such line at all.
    func testTimeoutAndDontLogNull() throws {
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port} accept-proxy name pp
                timeout client 300ms
                log {log} local0
                option httplog
                default_backend none
            frontend quiet
                bind 127.0.0.1:{port2} accept-proxy
                log {log} local0
                option httplog
                option dontlognull
                default_backend none
            frontend legacy
                bind 127.0.0.1:{port3} accept-proxy
                log {log} local0
                default_backend none
            backend none

            """
        let logs = try SideBySideLogging(self, config: config, backends: [])
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: logs.port(proxy))
            defer { client.close() }
            XCTAssertNotEqual(try client.waitForClose(timeout: 5), .timeout, "\(proxy): closed at timeout client")
        }
        try logs.emptyConnection(frontend: 2)
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: logs.port(proxy, frontend: 2))
            defer { client.close() }
            try client.send(Array(httpGet("/").utf8))
            XCTAssertNotEqual(try client.waitForClose(timeout: 5), .timeout, "\(proxy): a request is not a header")
        }
        try logs.sendAndClose(httpGet("/"), frontend: 3, halfClose: false)
        let comparison = LogLineComparison(LogLineShape(fields: [0: .endpoint]))
        let lines = try logs.assertSameLines(count: 2, comparison, "timeout and dontlognull")
        logs.assertReference(lines[.haproxy]!, comparison, equal: [
            Self.info + "127.0.0.1:{port} [{date}] fe/pp: Timeout while waiting for PROXY protocol header",
            Self.info + "127.0.0.1:{port} [{date}] quiet/1: Received something which does not look like a PROXY protocol header",
        ], "timeout and dontlognull")
    }
}
