@testable import FulcrumHTTP2
import XCTest

final class HPACKHuffmanTests: XCTestCase {
    func huffman(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        bytes.withUnsafeBytes { HPACKHuffman.encode($0, into: &out) }
        return out
    }

    func unhuffman(_ bytes: [UInt8]) throws(HPACKDecodingError) -> [UInt8] {
        var out: [UInt8] = []
        let result: Result<Void, HPACKDecodingError> = bytes.withUnsafeBytes { raw in
            Result { () throws(HPACKDecodingError) in try HPACKHuffman.decode(raw, into: &out) }
        }
        try result.get()
        return out
    }

    /// The computed canonical codes are the appendix's hex column.
    func testCodesAreAppendixB() {
        let samples: [(Int, UInt32, UInt8)] = [
            (0, 0x1ff8, 13), (1, 0x7fffd8, 23), (9, 0xffffea, 24), (10, 0x3ffffffc, 30), (22, 0x3ffffffe, 30),
            (32, 0x14, 6), (48, 0x0, 5), (58, 0x5c, 7), (60, 0x7ffc, 15), (92, 0x7fff0, 19), (97, 0x3, 5), (127, 0xffffffc, 28),
            (128, 0xfffe6, 20), (153, 0x1fffdc, 21), (192, 0x3ffffe0, 26), (199, 0x1ffffec, 25), (203, 0x7ffffde, 27),
            (220, 0xffffffd, 28), (249, 0xffffffe, 28), (254, 0x7fffff0, 27), (255, 0x3ffffee, 26), (256, 0x3fffffff, 30),
        ]
        for (symbol, code, length) in samples {
            XCTAssertEqual(HPACKHuffmanCode.codes[symbol], code, "symbol \(symbol)")
            XCTAssertEqual(HPACKHuffmanCode.lengths[symbol], length, "symbol \(symbol)")
        }
    }

    /// The lengths make a complete prefix code: sum of 2^-length is 1.
    func testKraftSumIsOne() {
        XCTAssertEqual(HPACKHuffmanCode.lengths.count, 257)
        XCTAssertEqual(HPACKHuffmanCode.lengths.reduce(UInt64(0)) { $0 + (UInt64(1) << (30 - UInt64($1))) }, 1 << 30)
    }

    func testEveryByteRoundTrips() throws {
        for b in 0...255 {
            let one = [UInt8(b)]
            XCTAssertEqual(try unhuffman(huffman(one)), one, "byte \(b)")
            XCTAssertEqual(huffman(one).count, one.withUnsafeBytes { HPACKHuffman.encodedLength($0) })
        }
        let all = (0...255).map(UInt8.init) + (0...255).reversed().map(UInt8.init)
        XCTAssertEqual(try unhuffman(huffman(all)), all)
    }

    func testAppendixStrings() throws {
        XCTAssertEqual(huffman(Array("www.example.com".utf8)), hex("f1e3 c2e5 f23a 6ba0 ab90 f4ff"))
        XCTAssertEqual(huffman(Array("no-cache".utf8)), hex("a8eb 1064 9cbf"))
        XCTAssertEqual(try unhuffman(hex("9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3")), Array("https://www.example.com".utf8))
        XCTAssertEqual(try unhuffman([]), [])
    }

    func testPaddingAndEOSErrors() {
        // "a" is 00011: three ones of padding are right, three zeros not.
        XCTAssertEqual(try unhuffman([0x1F]), Array("a".utf8))
        XCTAssertThrowsError(try unhuffman([0x18])) { XCTAssertEqual($0 as? HPACKDecodingError, .huffmanPadding) }
        XCTAssertThrowsError(try unhuffman([0x1E])) { XCTAssertEqual($0 as? HPACKDecodingError, .huffmanPadding) }
        // Eleven ones of padding: longer than 7 bits.
        XCTAssertThrowsError(try unhuffman([0x1F, 0xFF])) { XCTAssertEqual($0 as? HPACKDecodingError, .huffmanPadding) }
        // A whole byte of padding alone.
        XCTAssertThrowsError(try unhuffman([0xFF])) { XCTAssertEqual($0 as? HPACKDecodingError, .huffmanPadding) }
        // EOS (30 ones) inside the string.
        XCTAssertThrowsError(try unhuffman([0xFF, 0xFF, 0xFF, 0xFF])) { XCTAssertEqual($0 as? HPACKDecodingError, .huffmanEOS) }
        XCTAssertThrowsError(try unhuffman([0x1F, 0xFF, 0xFF, 0xFF, 0xFF])) { XCTAssertEqual($0 as? HPACKDecodingError, .huffmanEOS) }
        // Seven ones after a symbol ending on a byte boundary is fine; the
        // 30-bit codes with a partial tail are not.
        XCTAssertEqual(try unhuffman(huffman([0x30, 0x30, 0x30]) ), [0x30, 0x30, 0x30])
        XCTAssertThrowsError(try unhuffman([0xFF, 0xFF, 0xFF])) { XCTAssertEqual($0 as? HPACKDecodingError, .huffmanPadding) }
    }
}
