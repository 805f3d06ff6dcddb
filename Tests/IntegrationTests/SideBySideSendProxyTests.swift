import XCTest

/// `server ... send-proxy` / `send-proxy-v2` served by fulcrum and by haproxy
/// 2.6 with the same configuration: the header a server receives, byte for
/// byte (an echo server sends it back; the endpoints are fixed by the
/// client's own PROXY header on an `accept-proxy` bind), and health checks
/// that carry the header as HAProxy's do (none with a check `port`).
final class SideBySideSendProxyTests: XCTestCase {
    private static func v1(_ text: String) -> [UInt8] { Array(("PROXY " + text + "\r\n").utf8) }
    private static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    func testTheHeaderAServerReceives() throws {
        let echo = try startBackend(.echo)
        let config = SideBySide.tcpDefaults + """
            frontend fe_v1
                bind 127.0.0.1:{port} accept-proxy
                default_backend be_v1
            frontend fe_v2
                bind 127.0.0.1:{port2} accept-proxy
                default_backend be_v2
            frontend fe_v2_options
                bind 127.0.0.1:{port3} accept-proxy
                default_backend be_v2_options
            backend be_v1
                server echo 127.0.0.1:\(echo.port) send-proxy
            backend be_v2
                server echo 127.0.0.1:\(echo.port) send-proxy-v2
            backend be_v2_options
                server echo 127.0.0.1:\(echo.port) send-proxy-v2 proxy-v2-options crc32c,ssl,unique-id,authority

            """
        let sbs = try SideBySide(self, config: config, backends: [])
        let payload = Array("hello\n".utf8)
        let v4Body: [UInt8] = [192, 0, 2, 9, 198, 51, 100, 7, 0x9C, 0x40, 0, 80]
        let v6Body: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [9]
            + [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [1] + [0x9C, 0x40, 0x01, 0xBB]
        let cases: [(String, Int, [UInt8], [UInt8])] = [
            ("v1 from TCP4", 1, Self.v1("TCP4 192.0.2.9 198.51.100.7 40000 80"),
             Self.v1("TCP4 192.0.2.9 198.51.100.7 40000 80")),
            ("v1 from TCP6", 1, Self.v1("TCP6 2001:db8::9 2001:db8::1 40000 443"),
             Self.v1("TCP6 2001:db8::9 2001:db8::1 40000 443")),
            ("v2 from TCP4", 2, Self.v1("TCP4 192.0.2.9 198.51.100.7 40000 80"),
             Self.v2Signature + [0x21, 0x11, 0, 12] + v4Body),
            ("v2 from TCP6", 2, Self.v1("TCP6 2001:db8::9 2001:db8::1 40000 443"),
             Self.v2Signature + [0x21, 0x21, 0, 36] + v6Body),
            // CRC32C (haproxy's value, fulcrum's must equal it), an empty UNIQUE_ID (no
            // unique-id-format), SSL for a plain client (flags 0, verify 0);
            // no AUTHORITY without an SNI.
            ("v2 with proxy-v2-options", 3, Self.v1("TCP4 192.0.2.9 198.51.100.7 40000 80"),
             Self.v2Signature + [0x21, 0x11, 0, 12 + 7 + 3 + 8] + v4Body + [0x03, 0, 4, 0, 0, 0, 0] + [0x05, 0, 0]
                + [0x20, 0, 5, 0, 0, 0, 0, 0]),
        ]
        for (name, frontend, inbound, outbound) in cases {
            var received: [ProxyUnderTest: [UInt8]] = [:]
            for proxy in ProxyUnderTest.allCases {
                let client = try TCPClient.connect(port: sbs.ports[proxy]![frontend - 1])
                defer { client.close() }
                try client.send(inbound + payload)
                let back = try client.receive(count: outbound.count + payload.count)
                received[proxy] = back.bytes
            }
            var expected = outbound
            if frontend == 3, let got = received[.haproxy], got.count >= 35 {
                // haproxy's CRC32C; fulcrum's must be the same bytes.
                expected.replaceSubrange(31..<35, with: got[31..<35])
            }
            XCTAssertEqual(received[.haproxy], expected + payload, "\(name): haproxy (the reference)")
            XCTAssertEqual(received[.fulcrum], received[.haproxy], "\(name): fulcrum sends what haproxy sends")
        }
    }

    /// A checked `send-proxy` server whose listener requires the header (the
    /// proxy's own `accept-proxy` frontend): its checks pass, as HAProxy's
    /// do, since they carry the header; with a check `port` they do not, and
    /// the server goes DOWN on both.
    func testHealthChecksCarryTheHeader() throws {
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                use_backend be_port if { path_beg /port }
                use_backend be_forced if { path_beg /forced }
                default_backend be
            frontend health
                bind 127.0.0.1:{port2} accept-proxy
                monitor-uri /health
            backend be
                option httpchk GET /health
                server self 127.0.0.1:{port2} send-proxy check inter 100ms fall 1 rise 1
            backend be_port
                option httpchk GET /health
                http-request set-path /health
                server self 127.0.0.1:{port2} send-proxy check port {port2} inter 100ms fall 1 rise 1
            backend be_forced
                option httpchk GET /health
                http-request set-path /health
                server self 127.0.0.1:{port2} send-proxy-v2 check port {port2} check-send-proxy inter 100ms fall 1 rise 1

            """
        let sbs = try SideBySide(self, config: config, backends: [])
        for proxy in ProxyUnderTest.allCases {
            // The /port backend's checks fail (no header): it goes DOWN.
            XCTAssertTrue(waitUntil(timeout: 10) {
                (try? self.status(sbs, proxy, "/port/health")) == 503
            }, "\(proxy): a check with a port sends no header, fails")
            // As many checks ran on the other (same interval, fall 1): still UP.
            XCTAssertEqual(try status(sbs, proxy, "/health"), 200, "\(proxy): checks with the header pass")
            XCTAssertEqual(try status(sbs, proxy, "/forced"), 200, "\(proxy): check-send-proxy sends it with a check port")
        }
    }

    private func status(_ sbs: SideBySide, _ proxy: ProxyUnderTest, _ path: String) throws -> Int? {
        let client = try TCPClient.connect(port: sbs.ports[proxy]![0])
        defer { client.close() }
        try client.send(httpGet(path, ["Connection: close"]))
        return try client.readHTTPResponse()?.status
    }

    /// Behind a TLS bind (ALPN, SNI, a client certificate): the v2 header's
    /// ALPN, AUTHORITY and SSL TLVs (version, client certificate flags and
    /// verify result, CN, cipher) are byte for byte haproxy's.
    func testTLSFactsInTheV2Header() throws {
        _ = try requireTool("openssl")
        let certificates = try TestCertificates([("a", ["a.test"]), ("client", ["client.test"])])
        addTeardownBlock { certificates.remove() }
        let echo = try startBackend(.echo)
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port} ssl crt \(certificates.pem("a")) alpn h2,http/1.1 verify optional ca-file \(certificates.caFile)
                default_backend be
            backend be
                server echo 127.0.0.1:\(echo.port) send-proxy-v2-ssl-cn proxy-v2-options authority,ssl-cipher

            """
        let sbs = try SideBySide(self, config: config, backends: [])
        var seen: [ProxyUnderTest: String] = [:]
        for proxy in ProxyUnderTest.allCases {
            let port = sbs.ports[proxy]![0]
            // The echo comes back within the second stdin stays open.
            let script = "(printf 'hello\\n'; sleep 1) | openssl s_client -quiet -no_ign_eof -connect 127.0.0.1:\(port)"
                + " -servername a.test -alpn http/1.1 -cert \(certificates.pem("client")) 2>/dev/null | od -An -v -tx1"
            let r = try CommandRunner.run("sh", ["-c", script], timeout: 20)
            seen[proxy] = r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined()
        }
        let haproxy = seen[.haproxy] ?? ""
        // Signature, PROXY TCP4, then ALPN "http/1.1" and AUTHORITY "a.test" among the TLVs, the payload last.
        XCTAssertTrue(haproxy.hasPrefix("0d0a0d0a000d0a515549540a2111"), haproxy)
        XCTAssertTrue(haproxy.contains("010008" + "687474702f312e31"), "ALPN http/1.1 in \(haproxy)")
        XCTAssertTrue(haproxy.contains("020006" + "612e74657374"), "AUTHORITY a.test in \(haproxy)")
        XCTAssertTrue(haproxy.contains("636c69656e742e74657374"), "the client's CN in \(haproxy)")
        XCTAssertTrue(haproxy.hasSuffix("68656c6c6f0a"), haproxy)
        // The client's port and each proxy's own port differ; everything else is the same bytes.
        XCTAssertEqual(Self.withoutPorts(seen[.fulcrum] ?? ""), Self.withoutPorts(haproxy))
    }

    /// The hex of a TCP4 v2 header with its ports (bytes 24-27) blanked.
    private static func withoutPorts(_ hex: String) -> String {
        guard hex.count >= 56 else { return hex }
        var chars = Array(hex)
        for i in 48..<56 { chars[i] = "_" }
        return String(chars)
    }
}
