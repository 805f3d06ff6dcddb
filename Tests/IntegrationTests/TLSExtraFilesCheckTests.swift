import XCTest

/// The files beside a certificate are checked at load, by `fulcrum -c` as by
/// `haproxy -c` (2.6). A `.key` file is read only while
/// `ssl-load-extra-files` names `key`. A `.ocsp` file: without a known issuer, with an `.issuer` that
/// did not issue the certificate, the configuration is refused; with the
/// right issuer it loads, and a response about another certificate is
/// ignored with HAProxy's warning (the configuration still loads).
/// HAProxy 2.6's warning, as `haproxy -c` prints it.
private enum TLSOCSPWarning {
    static let text = "OCSP single response: Certificate ID does not match certificate and issuer. Content will be ignored."
}

final class TLSExtraFilesCheckTests: XCTestCase {
    func testKeyAndOCSPFilesRefusedOrAcceptedAsHAProxy() throws {
        _ = try requireTool("openssl")
        let haproxy = try requireTool("haproxy")
        let certificates = try TestCertificates([("site", ["site.test"]), ("other", ["other.test"])])
        let stranger = try TestCertificates([("unused", ["unused.test"])], caName: "Other Test CA")
        addTeardownBlock { certificates.remove(); stranger.remove() }
        let ca = FileBytes.readText(certificates.caFile) ?? ""
        func outcome(_ name: String, global: String = "", crt: String = "site") throws -> [String] {
            let config = try certificates.directory.write("\(name).cfg", """
                global
                \(global)
                defaults
                    mode http
                    timeout connect 2s
                    timeout client 2s
                    timeout server 2s
                frontend fe
                    bind 127.0.0.1:1 ssl crt \(certificates.pem(crt))
                    http-request return status 200

                """)
            return [try CommandRunner.run(FulcrumBinary.path(), ["-c", "-f", config], timeout: 20),
                    try CommandRunner.run(haproxy, ["-c", "-f", config], timeout: 20)].map { $0.succeeded ? "valid" : "refused" }
        }
        // `other` with its key in other.pem.key, as `crt` finds it when `key` is looked for.
        try certificates.directory.write("other.pem", FileBytes.readText(certificates.directory.file("other.crt")) ?? "")
        try certificates.directory.write("other.pem.key", FileBytes.readText(certificates.directory.file("other.key")) ?? "")
        XCTAssertEqual(try outcome("key-beside", crt: "other"), ["valid", "valid"])
        XCTAssertEqual(try outcome("key-not-looked-for", global: "    ssl-load-extra-files ocsp", crt: "other"), ["refused", "refused"])
        try certificates.ocspResponse(for: "site", revoked: false)
        XCTAssertEqual(try outcome("no-issuer"), ["refused", "refused"], "no issuer to compute the certificate id")
        try certificates.directory.write("site.pem.issuer", FileBytes.readText(stranger.caFile) ?? "")
        XCTAssertEqual(try outcome("wrong-issuer"), ["refused", "refused"], "an .issuer that did not issue it")
        try certificates.directory.write("site.pem.issuer", ca)
        XCTAssertEqual(try outcome("good"), ["valid", "valid"])
        let otherResponse = try certificates.ocspResponse(for: "other", revoked: false)
        try FileBytes.write(FileBytes.read(otherResponse) ?? [], to: certificates.pem("site") + ".ocsp")
        XCTAssertEqual(try outcome("other-response"), ["valid", "valid"], "a response about another certificate is ignored")
        let warned = try CommandRunner.run(FulcrumBinary.path(), ["-c", "-f", certificates.directory.file("other-response.cfg")],
                                           timeout: 20)
        XCTAssertTrue(warned.stderr.contains(TLSOCSPWarning.text), warned.stderr)
    }
}
