import XCTest
import FulcrumCore

/// `show/set/commit/abort ssl ca-file` with HAProxy 2.6.12's answers.
final class CertificateStoreCAFileTests: XCTestCase {
    /// "CA x y" stands for a PEM with CAs x and y; anything else holds none.
    @Sendable private static func inspectCA(_ pem: [UInt8]) -> [CertificateDetails]? {
        let words = String(decoding: pem, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard words.first == "CA", words.count > 1 else { return nil }
        return words.dropFirst().map { name in
            var d = CertificateDetails()
            d.subject = "/CN=\(name)"
            d.issuer = d.subject
            return d
        }
    }

    private func store() -> CertificateStore {
        var s = CertificateStore(inspect: { _ in nil }, inspectCA: Self.inspectCA)
        s.loadCAFile("/c/ca.pem", pem: Array("CA root".utf8), certificates: Self.inspectCA(Array("CA root".utf8))!, instances: 2)
        return s
    }

    private func run(_ s: inout CertificateStore, _ line: String, payload: String? = nil) -> CertificateStore.Reply? {
        s.run(line.split(separator: " ").map(String.init), payload: payload, level: .admin)
    }

    func testSetShowCommit() {
        var s = store()
        XCTAssertEqual(run(&s, "show ssl ca-file")?.text, "# filename\n/c/ca.pem - 1 certificate(s)\n")
        XCTAssertEqual(run(&s, "set ssl ca-file /c/ca.pem", payload: "CA one two\n")?.text, "transaction created for CA /c/ca.pem!\n")
        XCTAssertEqual(run(&s, "show ssl ca-file")?.text,
                       "# transaction\n*/c/ca.pem - 2 certificate(s)\n# filename\n/c/ca.pem - 1 certificate(s)\n")
        let shown = s.showCAFile("*/c/ca.pem:2")
        XCTAssertTrue(shown.hasPrefix("Filename: */c/ca.pem\nStatus: Unused\n \nCertificate #2:\nSerial: "), shown)
        XCTAssertTrue(shown.contains("Subject: /CN=two\n") && !shown.contains("/CN=one"), "only the certificate asked for")
        let commit = run(&s, "commit ssl ca-file /c/ca.pem")
        XCTAssertEqual(commit?.text, "Committing /c/ca.pem..\nSuccess!\n", "one dot per context verifying with it")
        XCTAssertEqual(commit?.effect, .installCAFile(name: "/c/ca.pem", pem: Array("CA one two\n".utf8)))
        XCTAssertTrue(s.showCAFile("/c/ca.pem").hasPrefix("Filename: /c/ca.pem\nStatus: Used\n"))
    }

    func testErrors() {
        var s = store()
        XCTAssertEqual(run(&s, "show ssl ca-file /nope")?.text, "Can't display the CA file : Not found!\n")
        XCTAssertEqual(run(&s, "commit ssl ca-file /c/ca.pem")?.text, "No ongoing transaction! !\nCan't commit /c/ca.pem!\n")
        XCTAssertEqual(run(&s, "abort ssl ca-file /c/ca.pem")?.text, "No ongoing transaction!\n")
        XCTAssertEqual(run(&s, "set ssl ca-file /c/ca.pem", payload: "junk\n")?.text, "Invalid payload\nCan't update /c/ca.pem!\n")
        XCTAssertEqual(run(&s, "set ssl ca-file /nope", payload: "CA x\n")?.text,
                       "Can't replace a CA file which is not referenced by the configuration!\nCan't update /nope!\n")
        XCTAssertEqual(run(&s, "set ssl ca-file /c/ca.pem")?.text, "'set ssl ca-file expects a filename and CAs as a payload\n")
        _ = run(&s, "set ssl ca-file /c/ca.pem", payload: "CA x\n")
        XCTAssertEqual(run(&s, "commit ssl ca-file /nope")?.text,
                       "The ongoing transaction is about '/c/ca.pem' but you are trying to set '/nope'\nCan't commit /nope!\n")
        XCTAssertEqual(run(&s, "abort ssl ca-file /c/ca.pem")?.text, "Transaction aborted for certificate '/c/ca.pem'!\n")
        XCTAssertEqual(run(&s, "commit ssl ca-file")?.text, "'commit ssl ca-file expects a filename\n")
        XCTAssertEqual(run(&s, "abort ssl ca-file")?.text, "'abort ssl ca-file' expects a filename\n")
    }
}
