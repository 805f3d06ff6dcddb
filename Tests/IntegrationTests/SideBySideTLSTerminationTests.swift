import XCTest

/// `bind ... ssl crt` served by Fulcrum and by haproxy 2.6 with the same
/// configuration and the same certificates (a CA the test makes): the
/// certificate each picks by SNI (exact, wildcard, default), strict-sni,
/// refused versions, ALPN, the seed configurations' `redirect scheme https if
/// !{ ssl_fc }` and X-Forwarded-Proto / SNI headers from the ssl_fc fetches.
final class SideBySideTLSTerminationTests: XCTestCase {
    private var certificates: TestCertificates!

    private func start() throws -> SideBySide {
        _ = try requireTool("openssl")
        _ = try requireTool("curl")
        certificates = try TestCertificates([("default", ["default.test"]), ("a", ["a.test"]), ("wild", ["*.wild.test"]),
                                             ("client", ["client.test"])])
        addTeardownBlock { self.certificates.remove() }
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend web
                bind 127.0.0.1:{port} ssl crt \(certificates.pem("default")) crt \(certificates.pem("a")) crt \(certificates.pem("wild")) alpn http/1.1
                bind 127.0.0.1:{port2}
                http-request redirect scheme https if !{ ssl_fc }
                http-request set-header X-Forwarded-Proto https if { ssl_fc }
                http-request set-header X-SNI %[ssl_fc_sni] if { ssl_fc_has_sni }
                http-request set-header X-TLS %[ssl_fc_protocol]
                http-request set-header X-Resumed %[ssl_fc_is_resumed]
                default_backend be
            frontend strict
                bind 127.0.0.1:{port3} ssl crt \(certificates.pem("a")) strict-sni
                default_backend be
            frontend tcp_tls
                mode tcp
                bind 127.0.0.1:{port4} ssl crt \(certificates.pem("a"))
                default_backend be_tcp
            frontend mutual
                bind 127.0.0.1:{port5} ssl crt \(certificates.pem("a")) verify required ca-file \(certificates.caFile)
                http-request set-header X-Client-DN %[ssl_c_s_dn]
                http-request set-header X-Client-Verify %[ssl_c_verify]
                default_backend be
            backend be_tcp
                mode tcp
                server web 127.0.0.1:\(web.port)
            backend be
                server web 127.0.0.1:\(web.port)

            """
        return try SideBySide(self, config: config, backends: [web])
    }

    private func servedSubject(_ port: UInt16, serverName: String?) throws -> String? {
        try TLSProbe.servedSubject(port, serverName: serverName)
    }

    private func curl(_ args: [String]) throws -> CommandResult {
        try CommandRunner.run("curl", ["-s", "-m", "10", "--cacert", certificates.caFile] + args, timeout: 20)
    }

    func testCertificateChoiceStrictSNIAndVersionsAsHAProxy() throws {
        let sbs = try start()
        for proxy in ProxyUnderTest.allCases {
            let ports = sbs.ports[proxy]!
            XCTAssertEqual(try servedSubject(ports[0], serverName: "a.test"), "CN = a.test", "\(proxy)")
            XCTAssertEqual(try servedSubject(ports[0], serverName: "x.wild.test"), "CN = *.wild.test", "\(proxy)")
            XCTAssertEqual(try servedSubject(ports[0], serverName: "other.test"), "CN = default.test", "\(proxy)")
            XCTAssertEqual(try servedSubject(ports[0], serverName: nil), "CN = default.test", "\(proxy)")
            XCTAssertEqual(try servedSubject(ports[2], serverName: "a.test"), "CN = a.test", "\(proxy) strict-sni")
            XCTAssertNil(try servedSubject(ports[2], serverName: "other.test"), "\(proxy) strict-sni refuses other names")
            // Binds start at TLSv1.2 by default, in both.
            let old = try curl(["--tlsv1", "--tls-max", "1.1", "--resolve", "a.test:\(ports[0]):127.0.0.1", "https://a.test:\(ports[0])/"])
            XCTAssertFalse(old.succeeded, "\(proxy): TLS 1.1 refused")
        }
    }

    func testSeedConfigurationsRedirectAndForwardedProto() throws {
        let sbs = try start()
        var seen: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let ports = sbs.ports[proxy]!
            let plain = try curl(["-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: site",
                                  "http://127.0.0.1:\(ports[1])/path?q=1"])
            let tls = try curl(["-w", "%{http_code} %{http_version}", "--resolve", "a.test:\(ports[0]):127.0.0.1",
                                "https://a.test:\(ports[0])/hello"])
            let forwarded = sbs.backends[0].takeRequests()
            let request = try XCTUnwrap(forwarded.last, "\(proxy): nothing forwarded")
            seen[proxy] = [plain.stdout, String(tls.stdout.suffix(7)), request.values("X-Forwarded-Proto").joined(),
                           request.values("X-SNI").joined(), request.values("X-TLS").joined(), request.target,
                           request.values("X-Resumed").joined()]
        }
        XCTAssertEqual(seen[.fulcrum], seen[.haproxy])
        XCTAssertEqual(seen[.fulcrum]?.first, "302 https://site/path?q=1")
        XCTAssertEqual(seen[.fulcrum]?[2], "https")
        XCTAssertEqual(seen[.fulcrum]?[3], "a.test")
    }

    /// TLS termination in mode tcp, and client certificates required with
    /// their subject and verify result in headers.
    func testTCPModeAndClientCertificatesAsHAProxy() throws {
        let sbs = try start()
        var seen: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let ports = sbs.ports[proxy]!
            let tcp = try curl(["-w", " %{http_code}", "--resolve", "a.test:\(ports[3]):127.0.0.1", "https://a.test:\(ports[3])/over-tcp"])
            let tcpForwarded = sbs.backends[0].takeRequests().last?.target ?? "-"
            let anonymous = try curl(["-o", "/dev/null", "-w", "%{http_code}", "--resolve", "a.test:\(ports[4]):127.0.0.1",
                                      "https://a.test:\(ports[4])/"])
            let withCert = try curl(["-o", "/dev/null", "-w", "%{http_code}", "--cert", certificates.pem("client"),
                                     "--resolve", "a.test:\(ports[4]):127.0.0.1", "https://a.test:\(ports[4])/mutual"])
            let request = sbs.backends[0].takeRequests().last
            seen[proxy] = [String(tcp.stdout.suffix(4)), tcpForwarded, anonymous.stdout, withCert.stdout,
                           request?.values("X-Client-DN").joined() ?? "-", request?.values("X-Client-Verify").joined() ?? "-"]
        }
        XCTAssertEqual(seen[.fulcrum], seen[.haproxy])
        XCTAssertEqual(seen[.fulcrum]?[1], "/over-tcp")
        XCTAssertEqual(seen[.fulcrum]?[3], "200")
        XCTAssertEqual(seen[.fulcrum]?[4], "/CN=client.test")
    }
}
