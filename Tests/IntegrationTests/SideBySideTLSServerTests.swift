import Glibc
import XCTest

/// TLS to servers, Fulcrum and haproxy 2.6 side by side with the same
/// configuration in front of an nginx that speaks TLS with a certificate of
/// the test's CA: `ssl verify required ca-file` with the right CA serves,
/// with a wrong CA fails the connection (503), `sni` reaches the server,
/// keep-alive requests reuse the TLS connection.
final class SideBySideTLSServerTests: XCTestCase {
    func testVerifiedTLSToAnNginxBackendAsHAProxy() throws {
        _ = try requireTool("openssl")
        let certificates = try TestCertificates([("backend", ["backend.test"])])
        let other = try TestCertificates([("unused", ["unused.test"])])
        addTeardownBlock { certificates.remove(); other.remove() }
        // nginx's workers run as nobody under root: let them read the certificate.
        for path in [certificates.directory.path, other.directory.path] { chmod(path, 0o755) }
        chmod(certificates.pem("backend"), 0o644)
        let nginx = try NginxServer(http: """
            server {
                listen 127.0.0.1:{port} ssl;
                ssl_certificate \(certificates.pem("backend"));
                ssl_certificate_key \(certificates.pem("backend"));
                keepalive_requests 1000;
                location / { return 200 "tls backend $ssl_server_name $ssl_protocol\\n"; }
            }
            """)
        addTeardownBlock { nginx.stop() }
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                use_backend wrong_ca if { path /bad }
                default_backend good
            backend good
                server n 127.0.0.1:\(nginx.port) ssl verify required ca-file \(certificates.caFile) sni str(backend.test)
            backend wrong_ca
                retries 0
                server n 127.0.0.1:\(nginx.port) ssl verify required ca-file \(other.caFile) sni str(backend.test)

            """
        let sbs = try SideBySide(self, config: config, backends: [])
        let good = try sbs.conversation([httpGet("/"), httpGet("/again")])
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(good[proxy]?.map { $0.response?.status }, [200, 200], "\(proxy)")
            XCTAssertTrue(good[proxy]?.first?.response?.bodyText.hasPrefix("tls backend backend.test TLSv1.") ?? false, "\(proxy)")
        }
        // The same protocol negotiated with nginx by both.
        XCTAssertEqual(good[.fulcrum]?.first?.response?.bodyText, good[.haproxy]?.first?.response?.bodyText)
        let bad = try sbs.exchange(httpGet("/bad"))
        XCTAssertEqual(bad[.fulcrum]?.response?.status, 503)
        XCTAssertEqual(bad[.fulcrum]?.response?.status, bad[.haproxy]?.response?.status)
    }
}
