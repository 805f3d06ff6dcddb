import XCTest
@testable import FulcrumHTTP

/// Inputs the fuzz targets (Tests/Fuzz) found, kept as regressions.
final class HTTPFuzzRegressionTests: XCTestCase {
    private func text(_ h: HTTPHead, _ r: Range<Int>) -> String { String(decoding: h.raw[r], as: UTF8.self) }

    /// http-request: an obs-fold right after an empty value left the fold's
    /// spaces at the start of the value ("   \0"), so the head written back
    /// out parsed to another value. HAProxy 2.6 starts the value after them.
    func testFoldAfterAnEmptyValueStartsTheValueAfterTheFold() throws {
        let crash: [UInt8] = Array("T / H\nHo".utf8) + [0xFF, 0xFF, 0xFF, 0x00] + Array("GET /\u{19}HTTP/0.1".utf8)
            + [0xFF, 0xFF, 0xFF, 0xFF, 0xFF] + Array(":\r\n \0\n\n".utf8)
        guard case .complete(let h, _) = HTTPParser.parseRequest(crash, limits: HTTPLimits(acceptInvalid: true)) else {
            return XCTFail("not complete")
        }
        XCTAssertEqual(Array(h.raw[h.fields[0].value]), [0])
        for response in [false, true] {
            let head = response ? "HTTP/1.1 200 OK\r\nX-A:\r\n \t b c \r\nContent-Length: 0\r\n\r\n"
                                : "GET / HTTP/1.1\r\nX-A:\r\n \t b c \r\nHost: x\r\n\r\n"
            let out = response ? HTTPParser.parseResponse(Array(head.utf8), limits: HTTPLimits())
                               : HTTPParser.parseRequest(Array(head.utf8), limits: HTTPLimits(acceptInvalid: true))
            guard case .complete(let h, _) = out else { return XCTFail("not complete: \(out)") }
            XCTAssertEqual(text(h, h.fields[0].value), "b c", response ? "response" : "request")
            var written: [UInt8] = []
            h.serialize(into: &written)
            guard case .complete(let again, _) = response ? HTTPParser.parseResponse(written, limits: HTTPLimits())
                                                          : HTTPParser.parseRequest(written, limits: HTTPLimits(acceptInvalid: true)) else {
                return XCTFail("written head does not parse")
            }
            XCTAssertEqual(text(again, again.fields[0].value), "b c")
        }
    }
}
