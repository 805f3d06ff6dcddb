import XCTest
@testable import FulcrumConfig

/// The TLS keywords the workers serve since CRLs, OCSP, ticket key files and
/// DH parameters landed are accepted by the daemon's parse (`tls: .workers`);
/// what stays out is refused at its file:line:column saying why; a
/// `tls-ticket-keys` file is read as HAProxy reads it, with its messages
/// (observed with `haproxy -c` 2.6.12), and a certificate bundle is refused.
final class TLSServedKeywordsTests: XCTestCase {
    func workers(_ text: String) -> ParseResult {
        ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:], tls: .workers)
    }

    func testNewlyServedKeywordsAreAccepted() {
        let text = "global\n  tune.ssl.default-dh-param 2048\n  ssl-dh-param-file /dh.pem\n  tune.ssl.lifetime 600\n"
            + "  tune.ssl.maxrecord 1400\n  ssl-load-extra-files key ocsp issuer sctl\n" + tcpDefaults
            + "frontend f\n  bind :443 ssl crt /x.pem ca-file /ca.pem verify optional crl-file /crl.pem ca-verify-file /v.pem no-ca-names tls-ticket-keys /k npn http/1.1\n"
            + "  default_backend b\nbackend b\n  server s 10.0.0.1:443 ssl verify required ca-file /ca.pem crl-file /crl.pem check-alpn http/1.1 check\n"
        XCTAssertEqual(workers(text).alerts.map(\.message), [])
    }

    func testWhatStaysOutIsRefusedWithItsReasonAtItsColumn() {
        let r = workers(tcpDefaults + "frontend f\n  bind :443 ssl crt /x.pem allow-0rtt\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n")
        assertSingleAlert(r, TLSRefusedReasons.byKeyword["allow-0rtt"]!, line: 8, column: 28)
        XCTAssertTrue(r.alerts.first?.message.contains("replayed") ?? false)
        let g = workers(tcpDefaults + "frontend f\n  bind :443 ssl crt /x.pem generate-certificates\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n")
        XCTAssertEqual(g.alerts.first?.message, TLSRefusedReasons.byKeyword["generate-certificates"]!)
        XCTAssertEqual(g.alerts.first.map { "\($0.location!.line):\($0.location!.column)" }, "8:28")
    }

    private func load(_ bind: String, global: String = "", _ fs: MemoryFiles) -> (Configuration, [String]) {
        let text = "global\n\(global)\n" + tcpDefaults + "frontend f\n  bind :8443 \(bind)\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n"
        var r = ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:], tls: .all)
        XCTAssertEqual(r.alerts, [], "parse")
        let d = TLSFiles.load(&r.configuration, reader: fs)
        XCTAssertTrue(d.allSatisfy { $0.location?.line == 10 || $0.location == nil }, "at the bind line: \(d)")
        return (r.configuration, d.map(\.message))
    }

    func testTicketKeysFileReadAsHAProxyReadsIt() throws {
        let k48 = String(repeating: "A", count: 64), k80 = String(repeating: "B", count: 107) + "="
        let fs = MemoryFiles(files: [
            "/x.pem": "", "/ok": "\(k48)\n\(k48)\r\n\(k48)\n\(k48)\n", "/wide": "\(k80)\n\(k80)\n\(k80)\n",
            "/notb64": "\(k48)\n!!!\n\(k48)\n", "/mixed": "\(k48)\n\(k80)\n\(k48)\n", "/short": "\(k48)\nAAAA\n\(k48)\n",
            "/two": "\(k48)\n\(k48)\n",
        ])
        let (c, ok) = load("ssl crt /x.pem tls-ticket-keys /ok", fs)
        XCTAssertEqual(ok, [])
        XCTAssertEqual(c.frontends.first?.binds.first?.tls.ticketKeys.map(\.count), [48, 48, 48, 48])
        XCTAssertEqual(load("ssl crt /x.pem tls-ticket-keys /wide", fs).0.frontends.first?.binds.first?.tls.ticketKeys.map(\.count),
                       [80, 80, 80])
        XCTAssertEqual(load("ssl crt /x.pem tls-ticket-keys /notb64", fs).1, ["'/notb64' : unable to decode base64 key on line 2"])
        XCTAssertEqual(load("ssl crt /x.pem tls-ticket-keys /mixed", fs).1, ["'/mixed' : wrong sized key on line 2"])
        XCTAssertEqual(load("ssl crt /x.pem tls-ticket-keys /short", fs).1, ["'/short' : wrong sized key on line 2"])
        XCTAssertEqual(load("ssl crt /x.pem tls-ticket-keys /two", fs).1, ["'/two' : please supply at least 3 keys in the tls-tickets-file"])
    }

    func testCertificateBundlesAreRefusedSayingWhy() {
        let fs = MemoryFiles(files: ["/b.pem.rsa": "", "/b.pem.ecdsa": ""])
        XCTAssertEqual(load("ssl crt /b.pem", fs).1, [
            "certificate bundle '/b.pem' (/b.pem.rsa, /b.pem.ecdsa) is not supported: name each certificate with its own 'crt' (HAProxy 2.6 serves the members as separate certificates too)",
        ])
        XCTAssertEqual(load("ssl crt /b.pem", global: "  ssl-load-extra-files key", fs).1,
                       ["unable to stat SSL certificate from file '/b.pem' : No such file or directory."],
                       "without 'bundle' among the extra files, the missing file is just missing")
    }
}
