import Glibc
import XCTest

/// TLS to servers, Fulcrum and haproxy 2.6 side by side in front of an nginx
/// that speaks TLS: `crl-file` on a server line refuses a server whose
/// certificate the CRL revokes (503) and keeps serving one it does not;
/// `check-alpn` is what the health checks announce (nginx logs the protocol
/// it agreed on per check request); without it they announce the server's
/// own `alpn` (HAProxy sets it on the server's context, so do we), or nothing.
final class SideBySideTLSServerRevocationTests: XCTestCase {
    func testServerCRLFileAndCheckALPNAsHAProxy() throws {
        _ = try requireTool("openssl")
        let certificates = try TestCertificates([("backend", ["backend.test"]), ("revoked", ["revoked.test"])])
        addTeardownBlock { certificates.remove() }
        let crl = try certificates.crl(revoking: ["revoked"])
        // nginx's workers run as nobody under root: let them read the certificates.
        chmod(certificates.directory.path, 0o755)
        for name in ["backend", "revoked"] { chmod(certificates.pem(name), 0o644) }
        let revokedPort = try FreePort.next()
        func site(_ listen: String, _ name: String) -> String {
            """
            server {
                listen 127.0.0.1:\(listen) ssl;
                ssl_certificate \(certificates.pem(name));
                ssl_certificate_key \(certificates.pem(name));
                access_log {root}/../alpn.log alpn;
                location / { return 200 "\(name)\\n"; }
            }
            """
        }
        let nginx = try NginxServer(http: "log_format alpn '$request_uri [$ssl_alpn_protocol]';\n"
                                    + site("{port}", "backend") + "\n" + site("\(revokedPort)", "revoked"))
        addTeardownBlock { nginx.stop() }
        let ca = certificates.caFile
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                use_backend revoked if { path /revoked }
                default_backend good
            backend good
                server n 127.0.0.1:\(nginx.port) ssl verify required ca-file \(ca) crl-file \(crl) sni str(backend.test)
            backend revoked
                retries 0
                server n 127.0.0.1:\(revokedPort) ssl verify required ca-file \(ca) crl-file \(crl) sni str(revoked.test)
            backend alpn_check
                option httpchk GET /alpn-{who}
                server n 127.0.0.1:\(nginx.port) check-ssl verify none check-alpn http/1.1 check inter 300
            backend plain_check
                option httpchk GET /plain-{who}
                server n 127.0.0.1:\(nginx.port) check-ssl verify none check inter 300
            backend server_alpn
                option httpchk GET /inherit-{who}
                server n 127.0.0.1:\(nginx.port) ssl verify none alpn http/1.1 check inter 300

            """
        let sbs = try SideBySide(self, config: config, backends: [],
                                 substitutions: [.fulcrum: ["{who}": "fulcrum"], .haproxy: ["{who}": "haproxy"]])
        let good = try sbs.exchange(httpGet("/"))
        let revoked = try sbs.exchange(httpGet("/revoked"))
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(good[proxy]?.response?.status, 200, "\(proxy): a certificate the CRL does not list")
            XCTAssertEqual(good[proxy]?.response?.bodyText, "backend\n", "\(proxy)")
            XCTAssertEqual(revoked[proxy]?.response?.status, 503, "\(proxy): a revoked server certificate")
        }
        let log = nginx.directory.file("alpn.log")
        var lines: Set<String> = []
        let expected: Set<String> = ["/alpn-fulcrum [http/1.1]", "/plain-fulcrum [-]", "/alpn-haproxy [http/1.1]", "/plain-haproxy [-]",
                                     "/inherit-fulcrum [http/1.1]", "/inherit-haproxy [http/1.1]"]
        let seen = waitUntil(timeout: 10, interval: 0.1) {
            lines = Set((FileBytes.readText(log) ?? "").split(separator: "\n").map(String.init).filter { !$0.hasPrefix("/ ") && !$0.hasPrefix("/revoked") })
            return lines.isSuperset(of: expected)
        }
        XCTAssertTrue(seen, "checks seen by nginx: \(lines.sorted())")
        XCTAssertEqual(lines, expected, "nothing but these: the same protocol from both proxies' checks")
    }
}
