import XCTest
@testable import FulcrumCompression

/// Expectations were checked against haproxy 2.6.12 with `compression algo gzip deflate`
/// (fe1) and `compression algo raw-deflate identity` + offload (fe2).
final class CompressionNegotiationTests: XCTestCase {
    let fe1: [CompressionAlgorithm] = [.gzip, .deflate]
    let fe2: [CompressionAlgorithm] = [.rawDeflate, .identity]

    func choose(_ ae: [String], _ configured: [CompressionAlgorithm], ua: String? = nil) -> CompressionAlgorithm? {
        CompressionNegotiation.choose(acceptEncoding: ae, configured: configured, userAgent: ua)
    }

    func testSingleTokenAndCaseInsensitivity() {
        XCTAssertEqual(choose(["gzip"], fe1), .gzip)
        XCTAssertEqual(choose(["GZIP"], fe1), .gzip)
        XCTAssertEqual(choose(["Deflate"], fe1), .deflate)
        XCTAssertNil(choose(["br"], fe1))
        XCTAssertNil(choose(["x-gzip"], fe1))
        XCTAssertNil(choose([], fe1))
        XCTAssertNil(choose(["gzip"], []))
    }

    func testHighestQWinsAndTiesKeepClientOrder() {
        XCTAssertEqual(choose(["deflate;q=0.5, gzip;q=0.4"], fe1), .deflate)
        XCTAssertEqual(choose(["deflate;q=0.5, gzip"], fe1), .gzip)
        XCTAssertEqual(choose(["deflate, gzip"], fe1), .deflate)
        XCTAssertEqual(choose(["gzip, deflate"], fe1), .gzip)
        XCTAssertEqual(choose(["gzip ; q=0.9, deflate;q=1"], fe1), .deflate)
        // Several fields are read in order like one list.
        XCTAssertEqual(choose(["deflate;q=0.5", "gzip"], fe1), .gzip)
        XCTAssertEqual(choose(["gzip", "deflate"], fe1), .gzip)
    }

    func testZeroQRefuses() {
        XCTAssertNil(choose(["gzip;q=0"], fe1))
        XCTAssertNil(choose(["gzip;q=0.000, deflate;q=0.0001"], fe1)) // 4th decimal ignored
        XCTAssertNil(choose(["gzip;foo=bar;q=0"], fe1))
        XCTAssertNil(choose(["*;q=0"], fe1))
        XCTAssertEqual(choose(["gzip;q=0, deflate"], fe1), .deflate)
    }

    func testUnrecognisedQValuesMeanOne() {
        XCTAssertEqual(choose(["gzip;Q=0"], fe1), .gzip)   // only lower-case q= is read
        XCTAssertEqual(choose(["gzip;q="], fe1), .gzip)    // unparsable: 1
        XCTAssertEqual(choose(["gzip;q=x"], fe1), .gzip)
    }

    func testQValueParsing() {
        func q(_ s: String) -> Int { CompressionNegotiation.parseQvalue(Array(s.utf8)[...], from: 0) }
        XCTAssertEqual(q("0"), 0)
        XCTAssertEqual(q("0.5"), 500)
        XCTAssertEqual(q("0.125"), 125)
        XCTAssertEqual(q("0.1239"), 123)
        XCTAssertEqual(q("1"), 1000)
        XCTAssertEqual(q("1.5"), 1000)
        XCTAssertEqual(q("2"), 1000)
        XCTAssertEqual(q(""), 1000)
        XCTAssertEqual(q("."), 1000)
    }

    func testStarMatchesLastConfigured() {
        // HAProxy 2.6 keeps `compression algo` words in reverse order.
        XCTAssertEqual(choose(["*"], fe1), .deflate)
        XCTAssertEqual(choose(["*"], [.deflate, .gzip]), .gzip)
        XCTAssertEqual(choose(["*"], fe2), .identity)
        XCTAssertEqual(choose(["br, *;q=0.1"], fe1), .deflate)
    }

    func testDeflateTokenPicksLastConfiguredOfDeflateAndRawDeflate() {
        XCTAssertEqual(choose(["deflate"], [.deflate, .rawDeflate]), .rawDeflate)
        XCTAssertEqual(choose(["deflate"], [.rawDeflate, .deflate]), .deflate)
        XCTAssertEqual(choose(["deflate"], fe2), .rawDeflate)
        XCTAssertEqual(choose(["gzip, deflate"], fe2), .rawDeflate)
    }

    func testIdentityFallbackAndOffloadDistinction() {
        let named = CompressionNegotiation.negotiate(acceptEncoding: ["identity"], configured: fe2, userAgent: nil)
        XCTAssertEqual(named, CompressionChoice(algorithm: .identity, fromAcceptEncoding: true))
        let fallback = CompressionNegotiation.negotiate(acceptEncoding: ["br"], configured: fe2, userAgent: nil)
        XCTAssertEqual(fallback, CompressionChoice(algorithm: .identity, fromAcceptEncoding: false))
        let none = CompressionNegotiation.negotiate(acceptEncoding: [], configured: fe2, userAgent: nil)
        XCTAssertEqual(none, CompressionChoice(algorithm: .identity, fromAcceptEncoding: false))
        XCTAssertEqual(choose(["gzip;q=0"], fe2), .identity)
        // identity is not configured in fe1: the token alone selects nothing.
        XCTAssertNil(choose(["identity"], fe1))
    }

    func testQuotedCommaDoesNotSplit() {
        XCTAssertEqual(choose(["br;x=\"a,gzip\", deflate"], fe1), .deflate)
    }

    func testOldMozillaUserAgents() {
        let old = "Mozilla/4.0 (compatible; MSIE 5.5; Windows NT)"
        let ie6 = "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"
        let ie6sp2 = "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)"
        let ie7 = "Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0)"
        XCTAssertNil(choose(["gzip"], fe1, ua: old))
        XCTAssertNil(choose(["gzip"], fe2, ua: old), "no identity fallback either")
        XCTAssertNil(choose(["gzip"], fe1, ua: ie6))
        XCTAssertNil(choose(["gzip"], fe1, ua: "Mozilla/4.08 [en] (X11)"))
        XCTAssertEqual(choose(["gzip"], fe1, ua: ie6sp2), .gzip)
        XCTAssertEqual(choose(["gzip"], fe1, ua: ie7), .gzip)
        XCTAssertEqual(choose(["gzip"], fe1, ua: "Mozilla/5.0 (X11; Linux x86_64)"), .gzip)
        XCTAssertEqual(choose(["gzip"], fe1, ua: "curl/8.0"), .gzip)
    }

    func testContentCodings() {
        XCTAssertEqual(CompressionAlgorithm.rawDeflate.contentCoding, "deflate")
        XCTAssertEqual(CompressionAlgorithm.rawDeflate.contentEncoding, "deflate")
        XCTAssertEqual(CompressionAlgorithm.gzip.contentEncoding, "gzip")
        XCTAssertNil(CompressionAlgorithm.identity.contentEncoding)
        XCTAssertEqual(CompressionAlgorithm(rawValue: "raw-deflate"), .rawDeflate)
    }
}
