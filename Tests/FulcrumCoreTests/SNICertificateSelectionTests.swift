import XCTest
@testable import FulcrumCore

/// The certificate HAProxy 2.6 presents for a server name.
final class SNICertificateSelectionTests: XCTestCase {
    typealias Cert = SNICertificateSelection.Certificate

    let three = SNICertificateSelection([
        Cert(names: ["default.example"]),
        Cert(names: ["*.example.com", "example.com"]),
        Cert(names: ["www.example.com"]),
    ])

    func testExactBeatsWildcardAndTheFirstIsTheDefault() {
        XCTAssertEqual(three.select(serverName: "www.example.com", strictSNI: false), 2)
        XCTAssertEqual(three.select(serverName: "WWW.Example.COM", strictSNI: false), 2, "names compare case-insensitively")
        XCTAssertEqual(three.select(serverName: "api.example.com", strictSNI: false), 1)
        XCTAssertEqual(three.select(serverName: "example.com", strictSNI: false), 1)
        XCTAssertEqual(three.select(serverName: "a.b.example.com", strictSNI: false), 0, "a wildcard covers one label")
        XCTAssertEqual(three.select(serverName: "unknown.org", strictSNI: false), 0)
        XCTAssertEqual(three.select(serverName: nil, strictSNI: false), 0)
    }

    func testStrictSNIRefusesUnknownNamesAndMissingSNI() {
        XCTAssertNil(three.select(serverName: "unknown.org", strictSNI: true))
        XCTAssertNil(three.select(serverName: nil, strictSNI: true))
        XCTAssertEqual(three.select(serverName: "api.example.com", strictSNI: true), 1)
        XCTAssertNil(SNICertificateSelection([]).select(serverName: "x", strictSNI: false))
    }

    func testCrtListFiltersReplaceTheCertificatesNamesAndNegativeFiltersExclude() {
        let s = SNICertificateSelection([
            Cert(names: ["fallback.example"]),
            Cert(names: ["ignored.example"], filters: ["*.example.org", "!secret.example.org"]),
            Cert(names: ["secret.example.org"], filters: ["vault.example.org"]),
        ])
        XCTAssertEqual(s.select(serverName: "www.example.org", strictSNI: true), 1)
        XCTAssertNil(s.select(serverName: "ignored.example", strictSNI: true), "filters replace the certificate's names")
        XCTAssertNil(s.select(serverName: "secret.example.org", strictSNI: true), "excluded from the wildcard of its line")
        XCTAssertEqual(s.select(serverName: "secret.example.org", strictSNI: false), 0)
        XCTAssertEqual(s.select(serverName: "vault.example.org", strictSNI: true), 2)
    }

    func testECDSAPreferredWhenTheClientSignsWithIt() {
        let s = SNICertificateSelection([
            Cert(names: ["a.example"], keyType: .rsa),
            Cert(names: ["a.example"], keyType: .ecdsa),
        ])
        XCTAssertEqual(s.select(serverName: "a.example", strictSNI: false), 1)
        XCTAssertEqual(s.select(serverName: "a.example", strictSNI: false, ecdsa: false), 0)
        XCTAssertEqual(s.select(serverName: "a.example", strictSNI: false, ecdsa: false, rsa: false), 1)
    }
}
