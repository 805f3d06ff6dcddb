import XCTest
@testable import FulcrumTLS

/// Loading certificates the way HAProxy does, their names for SNI selection,
/// and configuration errors carrying OpenSSL's reasons.
final class TLSContextTests: XCTestCase {
    let pki = TestPKI.shared

    func testOnePEMWithChainAndKey() throws {
        let chain = try TLSCertificateChain(file: pki.serverFile)
        XCTAssertEqual(chain.leaf.subject, "/C=FR/CN=localhost")
        XCTAssertEqual(chain.intermediates.map(\.subject), ["/C=FR/CN=Fulcrum Test Intermediate"])
        XCTAssertEqual(chain.leaf.dnsNames, ["localhost", "*.example.test"])
        XCTAssertEqual(chain.leaf.commonNames, ["localhost"])
        XCTAssertEqual(chain.names, ["localhost", "*.example.test"], "the CN repeats a SAN: once")
        XCTAssertTrue(chain.leaf.pem.hasPrefix("-----BEGIN CERTIFICATE-----"))
        XCTAssertEqual(try TLSCertificate(pem: Array(chain.leaf.pem.utf8)).sha1, chain.leaf.sha1)
    }

    func testKeyBesideTheCertificate() throws {
        let chain = try TLSCertificateChain(file: pki.altFile)
        XCTAssertEqual(chain.names, ["alt.test"])
        XCTAssertNoThrow(try TLSContext(serverCertificateFile: pki.altFile))
    }

    func testCommonNameWithoutSAN() throws {
        let chain = try TLSCertificateChain(file: pki.clientFile)
        XCTAssertEqual(chain.leaf.dnsNames, [])
        XCTAssertEqual(chain.names, ["client.test"])
    }

    func testLoadingErrorsSayWhy() {
        XCTAssertThrowsError(try TLSCertificateChain(file: pki.dir + "/missing.pem")) { e in
            XCTAssertEqual((e as? TLSError)?.description, "reading '\(pki.dir)/missing.pem': No such file or directory")
        }
        XCTAssertThrowsError(try TLSCertificateChain(file: pki.caFile)) { e in
            let text = (e as? TLSError)?.description ?? ""
            XCTAssertTrue(text.hasPrefix("no private key in '\(pki.caFile)', and reading '\(pki.caFile).key'"), text)
        }
        XCTAssertThrowsError(try TLSCertificateChain(file: pki.mismatchFile)) { e in
            let text = (e as? TLSError)?.description ?? ""
            XCTAssertTrue(text.contains("does not match") && text.contains("key values mismatch"), text)
        }
        XCTAssertThrowsError(try TLSCertificateChain(pem: Array("not a pem".utf8))) { e in
            let text = (e as? TLSError)?.description ?? ""
            XCTAssertTrue(text.contains("no certificate") && text.contains("no start line"), text)
        }
    }

    func testOptionErrorsCarryOpenSSLReasons() {
        var o = TLSContextOptions()
        o.ciphers = "NOT-A-CIPHER"
        XCTAssertThrowsError(try TLSContext(role: .server, options: o)) { e in
            let text = (e as? TLSError)?.description ?? ""
            XCTAssertTrue(text.hasPrefix("ciphers 'NOT-A-CIPHER': ") && text.contains("no cipher match"), text)
        }
        o = TLSContextOptions()
        o.curves = "P-999"
        XCTAssertThrowsError(try TLSContext(role: .server, options: o))
        o = TLSContextOptions()
        o.caFile = pki.dir + "/none.pem"
        XCTAssertThrowsError(try TLSContext(role: .client, options: o)) { e in
            XCTAssertTrue((e as? TLSError)?.description.hasPrefix("ca-file") ?? false)
        }
    }

    func testVersionNames() {
        XCTAssertEqual(TLSVersion(name: "TLSv1.0"), .tls1_0)
        XCTAssertEqual(TLSVersion(name: "TLSv1.3")?.name, "TLSv1.3")
        XCTAssertNil(TLSVersion(name: "SSLv3"))
        XCTAssertLessThan(TLSVersion.tls1_2, .tls1_3)
    }

    func testALPNWireFormat() {
        XCTAssertEqual(TLSContext.wireFormat(["h2", "http/1.1"]), [2, 0x68, 0x32, 8] + Array("http/1.1".utf8))
    }
}
