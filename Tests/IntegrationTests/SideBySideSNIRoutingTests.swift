import Glibc
import XCTest

/// SNI routing without TLS termination (mode tcp, `tcp-request inspect-delay`,
/// `tcp-request content accept|reject`, `use_backend if { req.ssl_sni ... }`),
/// Fulcrum and haproxy 2.6 side by side on one configuration: three TLS
/// backends (one nginx listening on three ports, each answering its own
/// name and the SNI it saw), clients naming a server with `openssl s_client
/// -servername` and `curl --resolve`, non-TLS bytes, a client that sends
/// nothing, a backend rejecting on the ALPN. The same outcome from both,
/// and the same log lines.
final class SideBySideSNIRoutingTests: XCTestCase {
    private static let info = "<134>{time} {program}[{pid}]: "

    private struct Lab {
        let logs: SideBySideLogging
        let echo: TestBackend
    }

    private func start() throws -> Lab {
        _ = try requireTool("openssl")
        _ = try requireTool("curl")
        let certificates = try TestCertificates([("backend", ["a.example", "x.b.example", "c.example"])])
        addTeardownBlock { certificates.remove() }
        chmod(certificates.directory.path, 0o755)
        chmod(certificates.pem("backend"), 0o644)
        let portB = try FreePort.next(), portOther = try FreePort.next()
        func site(_ name: String, _ port: String) -> String {
            """
            server {
                listen 127.0.0.1:\(port) ssl;
                ssl_certificate \(certificates.pem("backend"));
                ssl_certificate_key \(certificates.pem("backend"));
                location / { return 200 "backend \(name) sni=$ssl_server_name\\n"; }
            }

            """
        }
        let nginx = try NginxServer(http: site("a", "{port}") + site("b", "\(portB)") + site("other", "\(portOther)"))
        addTeardownBlock { nginx.stop() }
        let echo = try startBackend(.echo)
        let config = SideBySide.tcpDefaults + """
            frontend sni
                bind 127.0.0.1:{port}
                log {log} local0
                # The chosen backend; not tcplog: its %ts races between "--" and
                # "SD" when nginx resets after its FIN (forwarding, not routing).
                log-format "%ft %b/%s"
                tcp-request inspect-delay 3s
                tcp-request content accept if { req.ssl_hello_type 1 }
                tcp-request content reject
                use_backend a if { req.ssl_sni -i a.example }
                use_backend b if { req_ssl_sni -m end .b.example }
                default_backend other
            frontend lenient
                bind 127.0.0.1:{port2}
                log {log} local0
                option tcplog
                tcp-request inspect-delay 500ms
                tcp-request content accept if { req_ssl_hello_type 1 }
                default_backend echo
            frontend strict
                bind 127.0.0.1:{port3}
                log {log} local0
                option tcplog
                tcp-request inspect-delay 500ms
                tcp-request content accept if { req.ssl_hello_type 1 }
                tcp-request content reject
                default_backend echo
            frontend noinspect
                bind 127.0.0.1:{port4}
                use_backend a if { req.ssl_sni -i a.example }
                default_backend other
            backend a
                server a 127.0.0.1:\(nginx.port)
            backend b
                tcp-request content reject if { req.ssl_alpn acme-tls/1 }
                server b 127.0.0.1:\(portB)
            backend other
                server o 127.0.0.1:\(portOther)
            backend echo
                server e 127.0.0.1:\(echo.port)

            """
        return Lab(logs: try SideBySideLogging(self, config: config, backends: []), echo: echo)
    }

    private func seconds(since start: UInt64) -> Double { Double(Deadline.nowNanoseconds() - start) / 1e9 }

    /// The body nginx answered through `port` for a ClientHello naming `name`.
    private func sClient(_ port: UInt16, serverName: String, alpn: String? = nil) throws -> String {
        let r = try CommandRunner.run("openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", serverName, "-quiet"]
                                      + (alpn.map { ["-alpn", $0] } ?? []),
                                      stdin: "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", timeout: 15)
        return r.stdout.split(whereSeparator: \.isNewline).last.map(String.init) ?? ""
    }

    private func curl(_ port: UInt16, name: String) throws -> String {
        let r = try CommandRunner.run("curl", ["-s", "-k", "-m", "10", "--resolve", "\(name):\(port):127.0.0.1",
                                               "https://\(name):\(port)/"], timeout: 20)
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testRoutesOnTheClientHelloServerNameAsHAProxy() throws {
        let lab = try start()
        for proxy in ProxyUnderTest.allCases {
            let port = lab.logs.port(proxy)
            XCTAssertEqual(try sClient(port, serverName: "A.EXAMPLE"), "backend a sni=A.EXAMPLE", "\(proxy): -i")
            XCTAssertEqual(try curl(port, name: "a.example"), "backend a sni=a.example", "\(proxy)")
            XCTAssertEqual(try curl(port, name: "x.b.example"), "backend b sni=x.b.example", "\(proxy): -m end")
            XCTAssertEqual(try sClient(port, serverName: "x.b.example", alpn: "acme-tls/1"), "", "\(proxy): the backend's own rule rejects")
            XCTAssertEqual(try sClient(port, serverName: "b.example.org"), "backend other sni=b.example.org", "\(proxy): default_backend")
            XCTAssertEqual(try curl(port, name: "c.example"), "backend other sni=c.example", "\(proxy): default_backend")
            // use_backend alone does not wait for the hello: it decides on what is
            // there when the connection is processed. Fulcrum decides at accept;
            // haproxy, on a busy machine, may already have the hello by then.
            let undelayed = try sClient(lab.logs.port(proxy, frontend: 4), serverName: "a.example")
            if proxy == .fulcrum {
                XCTAssertEqual(undelayed, "backend other sni=a.example", "\(proxy): no inspect-delay")
            } else {
                XCTAssertTrue(["backend other sni=a.example", "backend a sni=a.example"].contains(undelayed), "\(proxy): no inspect-delay: \(undelayed)")
            }
        }
        let lines = try lab.logs.assertSameLines(count: 6, LogLineComparison(.exact), "sni routing")
        XCTAssertEqual(lines[.haproxy]!.map(\.message), ["sni a/a", "sni a/a", "sni b/b", "sni b/<NOSRV>", "sni other/o", "sni other/o"],
                       "haproxy's own lines (the reference)")
    }

    /// Bytes that are not a TLS handshake are rejected as soon as they
    /// arrive (the hello type can no longer change): reset, nothing reaches
    /// a server, logged PR against the frontend.
    func testNonTLSBytesAreRejectedAsHAProxy() throws {
        let lab = try start()
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: lab.logs.port(proxy, frontend: 3))
            defer { client.close() }
            try client.send("GET / HTTP/1.0\r\n\r\n")
            let started = Deadline.nowNanoseconds()
            XCTAssertNotEqual(try client.waitForClose(timeout: 5), .timeout, "\(proxy): rejected")
            XCTAssertLessThan(seconds(since: started), 0.4, "\(proxy): before inspect-delay expires")
        }
        XCTAssertFalse(lab.echo.waitForAccepted(atLeast: 1, timeout: 0), "no connection reached the server")
        let tcplog = LogLineComparison(.tcplog)
        let lines = try lab.logs.assertSameLines(count: 1, tcplog, "non-TLS bytes")
        lab.logs.assertReference(lines[.haproxy]!, tcplog, equal: [
            Self.info + "127.0.0.1:{port} [{date}] strict strict/<NOSRV> -1/-1/{t} 0 PR 1/1/0/0/0 0/0",
        ], "non-TLS bytes")
    }

    /// A client that sends nothing: at inspect-delay expiry the rules
    /// decide on no bytes. Without a reject rule the stream is accepted and
    /// goes to its backend (the echo answers what is sent after); with one
    /// it is rejected then, not before.
    func testASilentClientIsDecidedAtInspectDelayExpiryAsHAProxy() throws {
        let lab = try start()
        for proxy in ProxyUnderTest.allCases {
            let accepted = try TCPClient.connect(port: lab.logs.port(proxy, frontend: 2))
            defer { accepted.close() }
            let started = Deadline.nowNanoseconds()
            XCTAssertTrue(lab.echo.waitForAccepted(atLeast: proxy == .fulcrum ? 1 : 2, timeout: 5),
                          "\(proxy): the server is connected at expiry")
            XCTAssertGreaterThan(seconds(since: started), 0.4, "\(proxy): not before inspect-delay expires")
            try accepted.send("late\n")
            XCTAssertEqual(try accepted.receive(count: 5).text, "late\n", "\(proxy): forwarded once accepted")
            try accepted.shutdownWrite()
            XCTAssertNotEqual(try accepted.waitForClose(), .timeout, "\(proxy)")

            let rejected = try TCPClient.connect(port: lab.logs.port(proxy, frontend: 3))
            defer { rejected.close() }
            let again = Deadline.nowNanoseconds()
            XCTAssertNotEqual(try rejected.waitForClose(timeout: 5), .timeout, "\(proxy): rejected at expiry")
            XCTAssertGreaterThan(seconds(since: again), 0.4, "\(proxy): not before inspect-delay expires")
        }
        // tcplog: the accepted stream waited inspect-delay before its server (Tw), 5 bytes came back.
        let tcplog = LogLineComparison(.tcplog)
        let lines = try lab.logs.assertSameLines(count: 2, tcplog, "silent clients")
        lab.logs.assertReference(lines[.haproxy]!, tcplog, equal: [
            "127.0.0.1:{port} [{date}] lenient echo/e {t}/{t}/{t} 5 -- 1/1/0/0/0 0/0",
            "127.0.0.1:{port} [{date}] strict strict/<NOSRV> -1/-1/{t} 0 PR 1/1/0/0/0 0/0",
        ].map { Self.info + $0 }, "silent clients")
    }
}
