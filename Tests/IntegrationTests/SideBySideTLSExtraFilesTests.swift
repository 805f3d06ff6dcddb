import Foundation
import XCTest

/// What a bind serves from the files beside its certificates and from the
/// global TLS tunables, Fulcrum and haproxy 2.6 side by side on one
/// configuration, seen with `openssl s_client`: the `.ocsp` response stapled
/// (good, revoked; none with `ssl-load-extra-files none`), the `.sctl` list,
/// NPN, DHE with the certificate's own DH parameters, the default ones or
/// `ssl-dh-param-file`'s, `tune.ssl.maxrecord` in the records' sizes and
/// `tune.ssl.lifetime` in the ticket lifetime hint.
final class SideBySideTLSExtraFilesTests: XCTestCase {
    private var certificates: TestCertificates!

    /// Certificates with their extra files: `site` (good OCSP, issuer, SCT
    /// list), `gone` (revoked OCSP), `dh` (DH parameters in its PEM).
    private func makeCertificates() throws {
        _ = try requireTool("openssl")
        certificates = try TestCertificates([("site", ["site.test"]), ("gone", ["gone.test"]), ("dh", ["dh.test"])])
        addTeardownBlock { self.certificates.remove() }
        let ca = FileBytes.readText(certificates.caFile) ?? ""
        try certificates.ocspResponse(for: "site", revoked: false)
        try certificates.ocspResponse(for: "gone", revoked: true)
        for name in ["site", "gone"] { try certificates.directory.write("\(name).pem.issuer", ca) }
        // One SCT (v1, a made-up log id and signature): s_client parses, it does not verify.
        var sct: [UInt8] = [0] + [UInt8](repeating: 7, count: 32) + [0, 0, 1, 0x80, 0, 0, 0, 0] + [0, 0] + [4, 3, 0, 4, 1, 2, 3, 4]
        sct = [UInt8(sct.count >> 8), UInt8(sct.count & 0xff)] + sct
        try FileBytes.write([UInt8(sct.count >> 8), UInt8(sct.count & 0xff)] + sct, to: certificates.pem("site") + ".sctl")
        let dh = FileBytes.readText(try certificates.dhParameters(group: "ffdhe3072")) ?? ""
        try certificates.directory.write("dh.pem", (FileBytes.readText(certificates.pem("dh")) ?? "") + dh)
    }

    private func start(global: String) throws -> SideBySide {
        let big = String(repeating: "0123456789abcdef", count: 750)
        let answer = "http-request return status 200 content-type text/plain file {files}/big.txt"
        let config = SideBySide.httpDefaults + """
            frontend site
                bind 127.0.0.1:{port} ssl crt \(certificates.pem("site"))
                \(answer)
            frontend gone
                bind 127.0.0.1:{port2} ssl crt \(certificates.pem("gone"))
                \(answer)
            frontend dh
                bind 127.0.0.1:{port3} ssl crt \(certificates.pem("dh"))
                \(answer)
            frontend npn
                bind 127.0.0.1:{port4} ssl crt \(certificates.pem("gone")) npn http/1.1
                \(answer)

            """
        return try SideBySide(self, config: config, backends: [], global: global, files: ["big.txt": big])
    }

    private func client(_ port: UInt16, _ args: [String]) throws -> String {
        try CommandRunner.run("openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-ign_eof"] + args,
                              stdin: "GET / HTTP/1.0\r\n\r\n", timeout: 15).stdout
    }

    private func lines(_ text: String, starting prefixes: [String]) -> [String] {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { line in prefixes.contains { line.hasPrefix($0) } }
    }

    /// The largest application-data record received, from `-msg`'s record headers.
    private func largestRecord(_ msg: String) -> Int {
        let rows = msg.split(separator: "\n").map(String.init)
        var largest = 0
        for (i, row) in rows.enumerated() where row.hasPrefix("<<<") && row.contains("RecordHeader") && i + 1 < rows.count {
            let bytes = rows[i + 1].split(separator: " ").compactMap { UInt8($0, radix: 16) }
            if bytes.count == 5, bytes[0] == 0x17 { largest = max(largest, Int(bytes[3]) << 8 | Int(bytes[4])) }
        }
        return largest
    }

    func testStapledOCSPSCTsNPNDHAndRecordsAsHAProxy() throws {
        try makeCertificates()
        let sbs = try start(global: "    tune.ssl.maxrecord 1000\n    tune.ssl.lifetime 600\n    tune.ssl.default-dh-param 4096\n")
        var seen: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let ports = sbs.ports[proxy]!
            let good = try client(ports[0], ["-status", "-servername", "site.test"])
            let revoked = try client(ports[1], ["-status", "-servername", "gone.test"])
            let unasked = try client(ports[0], ["-servername", "site.test"])
            // No CT logs known: s_client shows the SCTs without judging them.
            let logs = try certificates.directory.write("ct_logs.cnf", "enabled_logs = \n")
            let sct = try client(ports[0], ["-ct", "-ctlogfile", logs, "-tls1_2", "-servername", "site.test"])
            let npn = try client(ports[3], ["-tls1_2", "-nextprotoneg", "http/1.1"])
            let ownDH = try client(ports[2], ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"])
            let defaultDH = try client(ports[0], ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"])
            let records = try client(ports[0], ["-tls1_2", "-msg"])
            let hint = try client(ports[0], ["-tls1_2"])
            seen[proxy] = lines(good, starting: ["OCSP Response Status", "Cert Status"])
                + lines(revoked, starting: ["OCSP Response Status", "Cert Status"])
                + lines(unasked, starting: ["OCSP response:", "OCSP Response Status"])
                + lines(sct, starting: ["SCTs present", "Log ID"])
                + lines(npn, starting: ["Next protocol"])
                + lines(ownDH, starting: ["Server Temp Key", "New,"])
                + lines(defaultDH, starting: ["Server Temp Key", "New,"]).map { $0.hasPrefix("Server") ? $0 + " (no larger than the RSA key)" : $0 }
                + ["largest record \(largestRecord(records))", records.contains("200 OK") ? "answered" : "no answer"]
                + lines(hint, starting: ["TLS session ticket lifetime hint"])
        }
        XCTAssertEqual(seen[.fulcrum], seen[.haproxy])
        let fulcrum = seen[.fulcrum] ?? []
        for expected in ["Cert Status: good", "Cert Status: revoked", "Next protocol: (1) http/1.1",
                         "Server Temp Key: DH, 3072 bits", "Server Temp Key: DH, 2048 bits (no larger than the RSA key)",
                         "largest record 1024",
                         "answered", "TLS session ticket lifetime hint: 600 (seconds)"] {
            XCTAssertTrue(fulcrum.contains(expected), "\(expected) in \(fulcrum)")
        }
        XCTAssertTrue(fulcrum.contains("SCTs present (1)"), "\(fulcrum)")
    }

    func testNoExtraFilesAndADHParamFileAsHAProxy() throws {
        try makeCertificates()
        let dh = try certificates.dhParameters(group: "ffdhe4096")
        let sbs = try start(global: "    ssl-load-extra-files none\n    ssl-dh-param-file \(dh)\n")
        var seen: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let ports = sbs.ports[proxy]!
            let status = try client(ports[0], ["-status", "-servername", "site.test"])
            let dhe = try client(ports[0], ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"])
            let ownDH = try client(ports[2], ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"])
            let records = try client(ports[0], ["-tls1_2", "-msg"])
            seen[proxy] = lines(status, starting: ["OCSP response:", "OCSP Response Status"])
                + lines(dhe, starting: ["Server Temp Key"]) + lines(ownDH, starting: ["Server Temp Key"])
                + ["largest record \(largestRecord(records) > 8000 ? "full" : "\(largestRecord(records))")"]
                + lines(records, starting: ["TLS session ticket lifetime hint"])
        }
        XCTAssertEqual(seen[.fulcrum], seen[.haproxy])
        XCTAssertEqual(seen[.fulcrum], ["OCSP response: no response sent", "Server Temp Key: DH, 4096 bits",
                                        "Server Temp Key: DH, 3072 bits", "largest record full",
                                        "TLS session ticket lifetime hint: 7200 (seconds)"])
    }

    /// No DH setting anywhere and none in the certificate: no DHE suite, in
    /// HAProxy 2.6 as in Fulcrum.
    func testNoDHEWithoutDHParametersAsHAProxy() throws {
        try makeCertificates()
        let sbs = try start(global: "")
        for proxy in ProxyUnderTest.allCases {
            let ports = sbs.ports[proxy]!
            let none = try client(ports[0], ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"])
            XCTAssertEqual(lines(none, starting: ["New,", "Server Temp Key"]), ["New, (NONE), Cipher is (NONE)"], "\(proxy)")
            let own = try client(ports[2], ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"])
            XCTAssertEqual(lines(own, starting: ["Server Temp Key"]), ["Server Temp Key: DH, 3072 bits"], "\(proxy)")
        }
    }
}
