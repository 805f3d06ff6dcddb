import XCTest
import FulcrumConfig
@testable import FulcrumCore

/// LBHash against independent references and published values.
final class BalancerHashTests: XCTestCase {
    private let samples = ["", "a", "haproxy", "/index.html?user=42", "192.168.0.1",
                           "The quick brown fox jumps over the lazy dog"]

    private func hash(_ s: String, _ f: HashFunction, avalanche: Bool = false) -> UInt32 {
        Array(s.utf8).withUnsafeBytes { LBHash.hash($0, function: f, avalanche: avalanche) }
    }

    func testSdbmMatchesMultiplicativeForm() {
        // (h << 6) + (h << 16) - h is h * 65599, the textbook sdbm constant.
        for s in samples {
            let reference = s.utf8.reduce(UInt32(0)) { $0 &* 65599 &+ UInt32($1) }
            XCTAssertEqual(hash(s, .sdbm), reference, s)
        }
        XCTAssertEqual(hash("a", .sdbm), 97)
        XCTAssertEqual(hash("ab", .sdbm), 97 &* 65599 &+ 98)
    }

    func testDjb2MatchesMultiplicativeForm() {
        for s in samples {
            let reference = s.utf8.reduce(UInt32(5381)) { $0 &* 33 &+ UInt32($1) }
            XCTAssertEqual(hash(s, .djb2), reference, s)
        }
        XCTAssertEqual(hash("", .djb2), 5381)
    }

    func testCrc32PublishedCheckValues() {
        // The CRC-32/ISO-HDLC check value and two widely published strings.
        XCTAssertEqual(hash("123456789", .crc32), 0xCBF4_3926)
        XCTAssertEqual(hash("", .crc32), 0)
        XCTAssertEqual(hash("The quick brown fox jumps over the lazy dog", .crc32), 0x414F_A339)
    }

    func testWt6KnownValues() {
        // Computed with HAProxy's C hash_wt6 compiled separately.
        let expected: [UInt32] = [0xf99a_0360, 0x714b_f225, 0x8071_3d93, 0xb96d_1fcf, 0xa9d3_c5ba, 0xe4e7_b045]
        for (s, value) in zip(samples, expected) {
            XCTAssertEqual(hash(s, .wt6), value, s)
        }
    }

    func testAvalancheKnownValues() {
        // HAProxy 2.6 full_hash (tools.h), multiplication by 0xC0000001 included.
        let cases: [(UInt32, UInt32)] = [(0, 0xab4e_d927), (1, 0x3486_81b6), (0x7f00_0001, 0x8a1b_584b),
                                         (0xdead_beef, 0xfff0_eada), (4096, 0x49c2_008b), (4097, 0xa497_2c87)]
        for (input, output) in cases {
            XCTAssertEqual(LBHash.avalanche(input), output, String(input, radix: 16))
        }
    }

    func testAvalancheModifierAppliesAfterTheFunction() {
        for f in [HashFunction.sdbm, .djb2, .wt6, .crc32] {
            for s in samples {
                XCTAssertEqual(hash(s, f, avalanche: true), LBHash.avalanche(hash(s, f)), "\(f) \(s)")
            }
        }
    }

    func testSourceKeys() {
        XCTAssertEqual(LBHash.source(ipv4: 0xC0A8_0001, avalanche: false), 0xC0A8_0001)
        XCTAssertEqual(LBHash.source(ipv4: 0xC0A8_0001, avalanche: true), LBHash.avalanche(0xC0A8_0001))
        // 2001:db8::1 → words 0x20010db8, 0, 0, 1 → XOR 0x20010db9.
        var v6 = [UInt8](repeating: 0, count: 16)
        v6[0] = 0x20; v6[1] = 0x01; v6[2] = 0x0d; v6[3] = 0xb8; v6[15] = 1
        v6.withUnsafeBytes {
            XCTAssertEqual(LBHash.source(ipv6: $0, avalanche: false), 0x2001_0db9)
            XCTAssertEqual(LBHash.source(ipv6: $0, avalanche: true), LBHash.avalanche(0x2001_0db9))
        }
        // An IPv4-mapped address hashes like the plain IPv4 XOR 0x0000ffff.
        var mapped = [UInt8](repeating: 0, count: 16)
        mapped[10] = 0xff; mapped[11] = 0xff
        mapped[12] = 127; mapped[15] = 1
        mapped.withUnsafeBytes { XCTAssertEqual(LBHash.source(ipv6: $0, avalanche: false), 0x7F00_0001 ^ 0x0000_ffff) }
    }
}
