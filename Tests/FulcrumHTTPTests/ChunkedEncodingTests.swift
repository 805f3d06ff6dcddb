import XCTest
import FulcrumHTTP

final class ChunkedEncodingTests: XCTestCase {
    /// Size lines are lower-case hex without leading zeros, then CRLF, and
    /// append to what the buffer already holds.
    func testSizeLinesAreLowerCaseHexWithCRLF() {
        for (size, line) in [(0, "0"), (1, "1"), (10, "a"), (255, "ff"), (4096, "1000"), (0x1234_abcd, "1234abcd")] {
            var out: [UInt8] = Array("x".utf8)
            ChunkedEncoding.appendSizeLine(size, to: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), "x" + line + "\r\n", "size \(size)")
        }
    }

    /// What the encoder writes, the project's own chunked parser reads back.
    func testEncodedBodyDecodesThroughTheParser() {
        let payload = Array(repeating: UInt8(ascii: "z"), count: 300)
        var wire: [UInt8] = []
        ChunkedEncoding.appendSizeLine(payload.count, to: &wire)
        wire += payload + ChunkedEncoding.crlf + ChunkedEncoding.lastChunk
        var parser = ChunkedBodyParser(errorStatus: 400)
        var decoded: [UInt8] = []
        let step = wire.withUnsafeBytes { parser.decode($0, into: &decoded) }
        XCTAssertEqual(step, .done(consumed: wire.count))
        XCTAssertEqual(decoded, payload)
    }
}
