import Glibc
import XCTest

/// TLS to servers, Fulcrum and haproxy 2.6 side by side with the same
/// configuration in front of an nginx that speaks TLS with a certificate of
/// the test's CA: `ssl verify required ca-file` with the right CA serves,
/// with a wrong CA fails the connection (503), `sni` reaches the server,
/// keep-alive requests reuse the TLS connection.
final class SideBySideTLSServerTests: XCTestCase {
    func testVerifiedTLSToAnNginxBackendAsHAProxy() throws {
        let (certificates, other, nginx) = try startTLSBackend()
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

    /// Health checks over TLS: inherited from `ssl`, HTTP checks through it
    /// (L7OK), a connect-only check (L6OK), a failing handshake (L6RSP).
    func testHealthChecksOverTLSAsHAProxy() throws {
        let (certificates, other, nginx) = try startTLSBackend()
        let statsSockets = try SideBySideStatsSockets(self)
        let sockets = statsSockets.paths, substitutions = statsSockets.substitutions
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend http_check
            backend http_check
                option httpchk GET /
                server n 127.0.0.1:\(nginx.port) ssl verify required ca-file \(certificates.caFile) check-sni backend.test check inter 200
            backend connect_check
                server n 127.0.0.1:\(nginx.port) check-ssl verify none check inter 200
            backend wrong_ca
                server n 127.0.0.1:\(nginx.port) ssl verify required ca-file \(other.caFile) check inter 200

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                           substitutions: substitutions)
        var statuses: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let keys = ["http_check/n", "connect_check/n", "wrong_ca/n"]
            let settled = waitUntil(timeout: 10, interval: 0.1) {
                guard let t = try? StatsTable(csv: MasterCLI.send("show stat", socketPath: sockets[proxy]!)) else { return false }
                statuses[proxy] = keys.map { t.rows[$0]?["check_status"] ?? "" }
                return statuses[proxy]!.allSatisfy { !$0.isEmpty && $0 != "INI" && !$0.hasPrefix("* ") }
            }
            XCTAssertTrue(settled, "\(proxy): checks ran: \(statuses[proxy] ?? [])")
        }
        XCTAssertEqual(statuses[.fulcrum], ["L7OK", "L6OK", "L6RSP"])
        XCTAssertEqual(statuses[.fulcrum], statuses[.haproxy])
    }

    /// `http-check connect` as kubeadm's HA guide writes it (`ssl`, then a
    /// GET): the rule decides TLS; without `default` a server's `ssl` is not
    /// used, with it it is; `port` moves the check.
    func testHTTPCheckConnectRulesAsHAProxy() throws {
        let (_, _, nginx) = try startTLSBackend()
        let statsSockets = try SideBySideStatsSockets(self)
        let sockets = statsSockets.paths, substitutions = statsSockets.substitutions
        let unused = try FreePort.next()
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend plain
            backend kubeadm
                mode tcp
                option httpchk
                http-check connect ssl
                http-check send meth GET uri /healthz
                http-check expect status 200
                server n 127.0.0.1:\(nginx.port) check verify none inter 200
            backend plain
                option httpchk GET /
                http-check connect
                server n 127.0.0.1:\(nginx.port) ssl verify none check inter 200
            backend defaults
                option httpchk GET /
                http-check connect default
                server n 127.0.0.1:\(nginx.port) ssl verify none check inter 200
            backend moved
                option httpchk GET /
                http-check connect port \(nginx.port) ssl
                server n 127.0.0.1:\(unused) verify none check inter 200

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                           substitutions: substitutions)
        var statuses: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let keys = ["kubeadm/n", "plain/n", "defaults/n", "moved/n"]
            let settled = waitUntil(timeout: 10, interval: 0.1) {
                guard let t = try? StatsTable(csv: MasterCLI.send("show stat", socketPath: sockets[proxy]!)) else { return false }
                statuses[proxy] = keys.map { t.rows[$0]?["check_status"] ?? "" }
                return statuses[proxy]!.allSatisfy { !$0.isEmpty && $0 != "INI" && !$0.hasPrefix("* ") }
            }
            XCTAssertTrue(settled, "\(proxy): checks ran: \(statuses[proxy] ?? [])")
        }
        XCTAssertEqual(statuses[.fulcrum], ["L7OK", "L7STS", "L7OK", "L7OK"])
        XCTAssertEqual(statuses[.fulcrum], statuses[.haproxy])
    }
}
