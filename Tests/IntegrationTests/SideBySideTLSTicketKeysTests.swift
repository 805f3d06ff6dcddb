import Foundation
import XCTest

/// `tls-ticket-keys FILE` in HAProxy's format, Fulcrum and haproxy 2.6 side
/// by side: a ticket one of them issued resumes on the other when both read
/// the same file (48-byte and 80-byte keys, TLSv1.2 and TLSv1.3), resumes
/// on a file rotated by one key (the one before last encrypts, the last
/// three decrypt), and does not resume where the encrypting key is gone.
final class SideBySideTLSTicketKeysTests: XCTestCase {
    func testTicketsCrossBetweenHAProxyAndFulcrumSharingAKeysFile() throws {
        _ = try requireTool("openssl")
        let certificates = try TestCertificates([("site", ["site.test"])])
        addTeardownBlock { certificates.remove() }
        let short = (0..<6).map { _ in (0..<48).map { _ in UInt8.random(in: 0...255) } }
        let long = (0..<3).map { _ in (0..<80).map { _ in UInt8.random(in: 0...255) } }
        func keysFile(_ name: String, _ keys: [[UInt8]]) throws -> String {
            try certificates.directory.write(name, keys.map { Data($0).base64EncodedString() + "\n" }.joined())
        }
        // k1 encrypts in `issued`; `rotated` still holds k1 (decrypting), `gone` does not.
        let issued = try keysFile("issued.keys", [short[0], short[1], short[2]])
        let rotated = try keysFile("rotated.keys", [short[1], short[2], short[3]])
        let gone = try keysFile("gone.keys", [short[2], short[3], short[4]])
        let wide = try keysFile("wide.keys", long)
        let site = certificates.pem("site")
        let answer = "http-request return status 200 content-type text/plain string ok"
        let frontends = [("issued", issued), ("rotated", rotated), ("gone", gone), ("wide", wide)].enumerated().map { n, f in
            "frontend \(f.0)\n    bind 127.0.0.1:\(SideBySide.portPlaceholder(n + 1)) ssl crt \(site) tls-ticket-keys \(f.1)\n    \(answer)\n"
        }
        let config = SideBySide.httpDefaults + frontends.joined()
        let sbs = try SideBySide(self, config: config, backends: [])
        let session = certificates.directory.file("session.pem")
        // The request makes s_client wait for the answer, so a TLSv1.3 ticket arrives before it leaves.
        func connect(_ port: UInt16, _ version: String, _ extra: [String]) throws -> String {
            let out = try CommandRunner.run("openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "site.test",
                                                        version, "-ign_eof"] + extra,
                                            stdin: "GET / HTTP/1.0\r\n\r\n", timeout: 15).stdout
            return out.contains("Reused, TLSv1.") ? "Reused" : out.contains("New, TLSv1.") ? "New" : "failed"
        }
        for version in ["-tls1_2", "-tls1_3"] {
            for (issuer, resumer) in [(ProxyUnderTest.haproxy, ProxyUnderTest.fulcrum), (.fulcrum, .haproxy)] {
                let from = sbs.ports[issuer]!, to = sbs.ports[resumer]!
                let what = "\(version): ticket from \(issuer) resumed by \(resumer)"
                XCTAssertEqual(try connect(from[0], version, ["-sess_out", session]), "New", what)
                XCTAssertEqual(try connect(to[0], version, ["-sess_in", session]), "Reused", what + ", same file")
                XCTAssertEqual(try connect(to[1], version, ["-sess_in", session]), "Reused", what + ", rotated file")
                XCTAssertEqual(try connect(to[2], version, ["-sess_in", session]), "New", what + ", encrypting key gone")
                XCTAssertEqual(try connect(from[3], version, ["-sess_out", session]), "New", what + " (80-byte keys)")
                XCTAssertEqual(try connect(to[3], version, ["-sess_in", session]), "Reused", what + ", 80-byte keys")
            }
        }
    }
}
