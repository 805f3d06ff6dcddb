import XCTest
import FulcrumCore

/// The runtime certificate API's transaction and crt-list edits, with
/// HAProxy 2.6.12's answers (captured from its stats socket).
final class CertificateStoreTests: XCTestCase {
    /// PEM stands in as text: "CERT name" is a certificate with its key,
    /// "CERTONLY name" one without, anything else no certificate.
    @Sendable private static func inspect(_ pem: [UInt8]) -> CertificateDetails? {
        let text = String(decoding: pem, as: UTF8.self)
        var d = CertificateDetails()
        let words = text.split(separator: " ")
        guard words.count == 2, words[0] == "CERT" || words[0] == "CERTONLY" else { return nil }
        d.subject = "/CN=" + words[1].trimmingCharacters(in: .whitespacesAndNewlines)
        d.serial = "01"
        d.hasKey = words[0] == "CERT"
        return d
    }

    private func store() -> CertificateStore {
        var s = CertificateStore(inspect: Self.inspect)
        s.load("/c/a.pem", pem: Array("CERT a".utf8), details: Self.inspect(Array("CERT a".utf8)), instances: 1)
        s.load("/c/b.pem", pem: Array("CERT b".utf8), details: Self.inspect(Array("CERT b".utf8)), instances: 0)
        s.loadCrtList("/c/list", lines: [CrtListLine(certificate: "/c/b.pem", options: ["alpn", "http/1.1"],
                                                     filters: ["b.test"], line: 1)], binds: 1)
        return s
    }

    private func run(_ s: inout CertificateStore, _ line: String, payload: String? = nil,
                     level: RuntimeLevel = .admin) -> CertificateStore.Reply? {
        s.run(line.split(separator: " ").map(String.init), payload: payload, level: level)
    }

    func testSetThenCommitInstallsEverywhere() {
        var s = store()
        XCTAssertEqual(run(&s, "set ssl cert /c/a.pem", payload: "CERT new\n")?.text, "Transaction created for certificate /c/a.pem!\n")
        XCTAssertEqual(s.showCertificate(nil), "# transaction\n*/c/a.pem\n# filename\n/c/a.pem\n/c/b.pem\n")
        XCTAssertTrue(s.showCertificate("*/c/a.pem").contains("Status: Unused\n"))
        let commit = run(&s, "commit ssl cert /c/a.pem")
        XCTAssertEqual(commit?.text, "Committing /c/a.pem.\nSuccess!\n", "one dot per context serving it")
        XCTAssertEqual(commit?.effect, .install(name: "/c/a.pem", pem: Array("CERT new\n".utf8)))
        XCTAssertTrue(s.showCertificate("/c/a.pem").contains("Subject: /CN=new\n"))
        XCTAssertNil(s.transaction)
    }

    func testTransactionErrorsInHAProxysWords() {
        var s = store()
        XCTAssertEqual(run(&s, "commit ssl cert /c/a.pem")?.text, "No ongoing transaction! !\nCan't commit /c/a.pem!\n")
        XCTAssertEqual(run(&s, "abort ssl cert /c/a.pem")?.text, "No ongoing transaction!\n")
        XCTAssertEqual(run(&s, "set ssl cert /c/zz.pem", payload: "CERT x")?.text,
                       "Can't replace a certificate which is not referenced by the configuration!\nCan't update /c/zz.pem!\n")
        XCTAssertEqual(run(&s, "set ssl cert /c/a.pem", payload: "garbage")?.text,
                       "unable to load certificate from file '/c/a.pem'.\nCan't load the payload\nCan't update /c/a.pem!\n")
        XCTAssertEqual(run(&s, "set ssl cert /c/a.pem")?.text, "'set ssl cert expects a filename and a certificate as a payload\n")
        XCTAssertEqual(run(&s, "show ssl cert /c/zz.pem")?.text,
                       "Can't display the certificate: Not found or the certificate is a bundle!\n")
        XCTAssertEqual(run(&s, "set ssl cert /c/a.pem", payload: "CERTONLY a")?.text, "Transaction created for certificate /c/a.pem!\n")
        XCTAssertEqual(run(&s, "commit ssl cert /c/b.pem")?.text,
                       "The ongoing transaction is about '/c/a.pem' but you are trying to set '/c/b.pem'\nCan't commit /c/b.pem!\n")
        XCTAssertEqual(run(&s, "commit ssl cert /c/a.pem")?.text,
                       "The transaction must contain at least a certificate and a private key!\nCan't commit /c/a.pem!\n")
        // HAProxy 2.6 updates the open transaction whatever name `set` gives.
        XCTAssertEqual(run(&s, "set ssl cert /c/b.pem", payload: "CERT x")?.text, "Transaction updated for certificate /c/a.pem!\n")
        XCTAssertEqual(run(&s, "abort ssl cert /c/a.pem")?.text, "Transaction aborted for certificate '/c/a.pem'!\n")
        XCTAssertEqual(run(&s, "show ssl crt-list", level: .operator_)?.text, "Permission denied\n")
        XCTAssertEqual(run(&s, "show ssl cert", level: .user)?.text, "Can't allocate memory!\n")
        XCTAssertEqual(run(&s, "show ssl cert", level: .operator_)?.text, s.showCertificate(nil))
    }

    func testACertificateOnTwoBindsKeepsItsContentAndCountsBoth() {
        var s = store()
        s.load("/c/a.pem", pem: Array("CERT other".utf8), details: nil, instances: 1)
        XCTAssertTrue(s.showCertificate("/c/a.pem").contains("Subject: /CN=a\n"), "the first load's certificate stays")
        _ = run(&s, "set ssl cert /c/a.pem", payload: "CERT new")
        XCTAssertEqual(run(&s, "commit ssl cert /c/a.pem")?.text, "Committing /c/a.pem..\nSuccess!\n")
    }

    func testNewAndDelete() {
        var s = store()
        XCTAssertEqual(run(&s, "new ssl cert /c/c.pem")?.text, "New empty certificate store '/c/c.pem'!\n")
        XCTAssertEqual(run(&s, "new ssl cert /c/c.pem")?.text, "Certificate '/c/c.pem' already exists!\n")
        XCTAssertEqual(s.showCertificate("/c/c.pem"), "Filename: /c/c.pem\nStatus: Empty\nOCSP Response Key: \n")
        XCTAssertEqual(run(&s, "del ssl cert /c/a.pem")?.text,
                       "Can't remove the certificate: certificate '/c/a.pem' in use, can't be deleted!\n\n")
        XCTAssertEqual(run(&s, "del ssl cert /c/zz.pem")?.text,
                       "Can't remove the certificate: certificate '/c/zz.pem' doesn't exist!\n\n")
        XCTAssertEqual(run(&s, "del ssl cert /c/c.pem")?.text, "Certificate '/c/c.pem' deleted!\n")
        XCTAssertEqual(run(&s, "new ssl cert")?.text, "'new ssl cert' expects a filename\n")
        XCTAssertNil(run(&s, "show ssl foo"), "not a certificate command")
    }

    func testCrtListAddAndDelete() {
        var s = store()
        XCTAssertEqual(s.showCrtList("/c/list", numbered: true), "# /c/list\n/c/b.pem:1 [alpn http/1.1\u{0}] b.test\n")
        _ = run(&s, "new ssl cert /c/c.pem")
        XCTAssertEqual(run(&s, "add ssl crt-list /c/list /c/c.pem")?.text,
                       "Can't edit the crt-list: certificate '/c/c.pem' is empty!\n")
        _ = run(&s, "set ssl cert /c/c.pem", payload: "CERT c")
        _ = run(&s, "commit ssl cert /c/c.pem")
        let add = run(&s, "add ssl crt-list /c/list", payload: "/c/c.pem [verify none] c.test !d.test\n")
        XCTAssertEqual(add?.text, "Inserting certificate '/c/c.pem' in crt-list '/c/list'.\nSuccess!\n")
        XCTAssertEqual(add?.effect, .crtListAdd(list: "/c/list", line: CrtListLine(certificate: "/c/c.pem",
            options: ["verify", "none"], filters: ["c.test", "!d.test"], line: 2)))
        _ = run(&s, "add ssl crt-list /c/list /c/c.pem")
        XCTAssertEqual(run(&s, "del ssl cert /c/c.pem")?.text,
                       "Can't remove the certificate: certificate '/c/c.pem' in use, can't be deleted!\n\n")
        XCTAssertEqual(run(&s, "del ssl crt-list /c/list /c/c.pem")?.text,
                       "Can't delete the entry: found the certificate '/c/c.pem' in several entries, please specify a line number preceded by colons (2, 3)!\n")
        XCTAssertEqual(run(&s, "del ssl crt-list /c/list /c/c.pem:2")?.effect, .crtListRemove(list: "/c/list", line: 2))
        XCTAssertEqual(run(&s, "del ssl crt-list /c/list /c/c.pem:7")?.text,
                       "Can't delete the entry: found a certificate '/c/c.pem' but the line number is incorrect, please specify a correct line number preceded by colons (3)!\n")
        XCTAssertEqual(run(&s, "del ssl crt-list /c/list /c/a.pem")?.text,
                       "Can't delete the entry: certificate '/c/a.pem' can't be found in crt-list '/c/list'!\n")
        XCTAssertEqual(run(&s, "show ssl crt-list -n /c/list")?.text, "# /c/list\n/c/b.pem:1 [alpn http/1.1\u{0}] b.test\n/c/c.pem:3\n")
        XCTAssertEqual(run(&s, "add ssl crt-list /nope /c/c.pem")?.text, "Can't edit the crt-list: crt-list '/nope' does not exist!\n")
        XCTAssertEqual(run(&s, "show ssl crt-list /nope")?.text, "didn't find the specified filename\n")
        XCTAssertEqual(run(&s, "show ssl crt-list")?.text, "/c/list\n")
    }
}
