import XCTest
@testable import FulcrumHTTP

final class ChunkedBodyParserTests: XCTestCase {
    private func feedAll(_ s: [UInt8], _ p: inout ChunkedBodyParser) -> ChunkedBodyParser.Step {
        s.withUnsafeBytes { p.feed($0) }
    }

    /// Byte by byte: every byte before the last is consumed, the last one ends it.
    func testStreamingByteByByte() {
        let body = Array("4;ext=1\r\nWiki\r\n5 \r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n".utf8)
        var p = ChunkedBodyParser()
        var decoded: [UInt8] = []
        for (k, b) in body.enumerated() {
            let step = [b].withUnsafeBytes { p.decode($0, into: &decoded) }
            if k < body.count - 1 {
                XCTAssertEqual(step, .consumed(1), "byte \(k)")
            } else {
                XCTAssertEqual(step, .done(consumed: 1))
            }
        }
        XCTAssertTrue(p.isDone)
        XCTAssertEqual(String(decoding: decoded, as: UTF8.self), "Wikipedia in\r\n\r\nchunks.")
    }

    func testDoneLeavesTheNextMessage() {
        var p = ChunkedBodyParser()
        let s = Array("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n".utf8)
        XCTAssertEqual(feedAll(s, &p), .done(consumed: 13))
        XCTAssertEqual(feedAll(Array("x".utf8), &p), .done(consumed: 0))
    }

    func testSplitAcrossFeeds() {
        var p = ChunkedBodyParser()
        var out: [UInt8] = []
        let parts = ["1", "0\r\n0123456", "789abcdef\r", "\n0\r", "\n\r\n"]
        var steps: [ChunkedBodyParser.Step] = []
        for part in parts { steps.append(Array(part.utf8).withUnsafeBytes { p.decode($0, into: &out) }) }
        XCTAssertEqual(steps, [.consumed(1), .consumed(10), .consumed(10), .consumed(3), .done(consumed: 3)])
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "0123456789abcdef")
    }

    func testAcceptedAsHAProxy() {
        for s in ["0000000000000000005\r\nhello\r\n0\r\n\r\n",  // leading zeros
                  "5\nhello\n0\n\n",                           // bare LF
                  "5 ;a\u{0}b\r\nhello\r\n0\r\n\r\n",          // blank, extension with NUL
                  "5;a\nhello\r\n0\r\n\r\n",                   // extension ended by LF
                  "0\r\nX T: 1\r\n é: 2\r\n\r\n",              // lenient trailer names
                  "0\r\nX-T: a\r\n b\r\n\r\n"] {              // folded trailer
            var p = ChunkedBodyParser()
            guard case .done = feedAll(Array(s.utf8), &p) else { return XCTFail(s) }
        }
    }

    func testRefusals() {
        for s in ["zz\r\n", " 5\r\n", "0x5\r\n", "-5\r\n", "+5\r\n", "\r\n",
                  "10000000000000\r\n",          // 2^52
                  "FFFFFFFFFFFFFFFFF\r\n",       // overflow
                  "5\r\nhelloX", "5\r\nhello\rX", "5x\r\n", "5;a\rb\r\n",
                  "0\r\n: v\r\n", "0\r\nX-T\r\n", "0\r\nX-T: a\rb", "0\r\n\rX"] {
            var p = ChunkedBodyParser(errorStatus: 502)
            XCTAssertEqual(feedAll(Array(s.utf8), &p).invalidStatus, 502, s)
            // the parser stays failed
            XCTAssertEqual(feedAll(Array("0\r\n\r\n".utf8), &p).invalidStatus, 502)
        }
        var p = ChunkedBodyParser()
        XCTAssertEqual(feedAll(Array("FFFFFFFFFFFFF\r\n".utf8), &p), .consumed(15), "2^52 - 1 is accepted")
    }

    func testLongExtensionsAreBounded() {
        var p = ChunkedBodyParser(maxLineSize: 64)
        let s = Array(("1;" + String(repeating: "x", count: 100) + "\r\n").utf8)
        XCTAssertEqual(feedAll(s, &p).invalidStatus, 400)
    }
}

extension ChunkedBodyParser.Step {
    var invalidStatus: Int? { if case .invalid(let e) = self { return e.status } else { return nil } }
}
