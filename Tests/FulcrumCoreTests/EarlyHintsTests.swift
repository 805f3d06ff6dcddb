import XCTest
@testable import FulcrumCore

/// One 103 Early Hints interim response per `early-hint` rule, as haproxy 2.6 sends them.
final class EarlyHintsTests: XCTestCase {
    func testEachHintIsItsOwnInterimResponse() {
        var out: [UInt8] = []
        EarlyHints.append(name: Array("Link".utf8), value: Array("</s.css>; rel=preload".utf8), to: &out)
        EarlyHints.append(name: Array("X-A".utf8), value: Array("b".utf8), to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self),
                       "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\nHTTP/1.1 103 Early Hints\r\nX-A: b\r\n\r\n")
    }
}
