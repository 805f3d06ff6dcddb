import XCTest
@testable import FulcrumCompression

final class DecompressTests: XCTestCase {
    func gzipped(_ body: [UInt8]) throws -> [UInt8] {
        let c = try ResponseCompressor(algorithm: .gzip)
        var out: [UInt8] = []
        c.compress(body, into: &out)
        c.finish(into: &out)
        return try XCTUnwrap(ChunkedBody.decode(out)).payload
    }

    func testRejectsTruncatedCorruptAndTrailingBytes() throws {
        let body = ResponseCompressorTests.randomBytes(5000, seed: 9)
        let good = try gzipped(body)
        XCTAssertEqual(Decompress.inflate(good, gzip: true), body)
        XCTAssertNil(Decompress.inflate(Array(good.dropLast(3)), gzip: true), "truncated trailer")
        XCTAssertNil(Decompress.inflate(good + [0], gzip: true), "trailing byte")
        var corrupt = good
        corrupt[corrupt.count - 6] ^= 0xFF // CRC
        XCTAssertNil(Decompress.inflate(corrupt, gzip: true), "bad CRC")
        XCTAssertNil(Decompress.inflate(good, gzip: false), "gzip is not zlib")
        XCTAssertNil(Decompress.inflate([], gzip: true))
    }

    func testLimit() throws {
        let body = [UInt8](repeating: 0x41, count: 200_000)
        let good = try gzipped(body)
        XCTAssertNil(Decompress.inflate(good, gzip: true, limit: 100_000))
        XCTAssertEqual(Decompress.inflate(good, gzip: true, limit: 200_000), body)
    }
}
