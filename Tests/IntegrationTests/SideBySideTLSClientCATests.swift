import XCTest

/// Client certificates against CA and CRL files, Fulcrum and haproxy 2.6 side
/// by side on one configuration: `crl-file` refuses a revoked client
/// certificate and admits a valid one; `ca-verify-file` verifies with a CA
/// that the certificate request does not name; `no-ca-names` sends no names.
final class SideBySideTLSClientCATests: XCTestCase {
    private var ours: TestCertificates!
    private var other: TestCertificates!

    private func start() throws -> SideBySide {
        _ = try requireTool("openssl")
        _ = try requireTool("curl")
        ours = try TestCertificates([("site", ["site.test"]), ("good", ["good.client"]), ("bad", ["bad.client"])])
        other = try TestCertificates([("stranger", ["stranger.client"])], caName: "Other Test CA")
        addTeardownBlock { self.ours.remove(); self.other.remove() }
        let crl = try ours.crl(revoking: ["bad"])
        let site = ours.pem("site"), ca = ours.caFile
        let answer = "http-request return status 200 content-type text/plain string ok"
        let config = SideBySide.httpDefaults + """
            frontend revocation
                bind 127.0.0.1:{port} ssl crt \(site) verify required ca-file \(ca) crl-file \(crl)
                \(answer)
            frontend named
                bind 127.0.0.1:{port2} ssl crt \(site) verify optional ca-file \(ca) ca-verify-file \(other.caFile)
                \(answer)
            frontend unnamed
                bind 127.0.0.1:{port3} ssl crt \(site) verify optional ca-file \(ca) no-ca-names
                \(answer)
            frontend verify_only
                bind 127.0.0.1:{port4} ssl crt \(site) verify required ca-file \(ca) ca-verify-file \(other.caFile)
                \(answer)

            """
        return try SideBySide(self, config: config, backends: [])
    }

    /// The status curl got presenting `client`'s certificate ("000": no answer, the handshake failed).
    private func status(_ port: UInt16, client: String?) throws -> String {
        var args = ["-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ours.caFile,
                    "--resolve", "site.test:\(port):127.0.0.1"]
        if let client { args += ["--cert", client] }
        return try CommandRunner.run("curl", args + ["https://site.test:\(port)/"], timeout: 20).stdout
    }

    /// The CA names the server's certificate request listed, as s_client prints them.
    private func caNames(_ port: UInt16) throws -> [String] {
        let out = try CommandRunner.run("openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "site.test"],
                                        stdin: "", timeout: 15).stdout
        if out.contains("No client certificate CA names sent") { return [] }
        let lines = out.split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(of: "Acceptable client certificate CA names") else { return ["(no request)"] }
        return Array(lines[(start + 1)...].prefix { $0.hasPrefix("CN") || $0.hasPrefix("/") })
    }

    func testRevokedClientCertificateRefusedWithCRLFileAsHAProxy() throws {
        let sbs = try start()
        var seen: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let port = sbs.ports[proxy]![0]
            seen[proxy] = [try status(port, client: ours.pem("good")), try status(port, client: ours.pem("bad")),
                           try status(port, client: nil)]
        }
        XCTAssertEqual(seen[.fulcrum], ["200", "000", "000"], "valid admitted, revoked and missing refused")
        XCTAssertEqual(seen[.fulcrum], seen[.haproxy])
    }

    func testCANamesSentOrNotAndVerifyOnlyCAsAsHAProxy() throws {
        let sbs = try start()
        var seen: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let ports = sbs.ports[proxy]!
            seen[proxy] = [try caNames(ports[1]).joined(separator: ","), try caNames(ports[2]).joined(separator: ","),
                           try status(ports[3], client: other.pem("stranger")), try status(ports[3], client: ours.pem("good")),
                           try status(ports[3], client: nil)]
        }
        XCTAssertEqual(seen[.fulcrum], ["CN = Fulcrum Test CA", "", "200", "200", "000"],
                       "ca-verify-file's CA not named yet trusted; no-ca-names names none")
        XCTAssertEqual(seen[.fulcrum], seen[.haproxy])
    }
}
