import XCTest
import FulcrumCore

/// HAProxy's `<<` payload framing: the lines after a command line ending in
/// `<<`, up to an empty line, belong to its last command.
final class RuntimePayloadTests: XCTestCase {
    private func take(_ text: String, closed: Bool = false) -> ([RuntimePayload.Request], String) {
        var input = ArraySlice(text.utf8)
        var out: [RuntimePayload.Request] = []
        while let r = RuntimePayload.next(&input, closed: closed) { out.append(r) }
        return (out, String(decoding: input, as: UTF8.self))
    }

    func testLinesWithoutPayloadComeOneByOne() {
        let (requests, rest) = take("show ssl cert\nshow info\nshow")
        XCTAssertEqual(requests, [.init(line: "show ssl cert"), .init(line: "show info")])
        XCTAssertEqual(rest, "show", "an unterminated line waits for its newline")
    }

    func testPayloadRunsToTheEmptyLine() {
        let (requests, rest) = take("set ssl cert a.pem <<\n-----BEGIN X-----\nAAAA\n-----END X-----\n\nshow ssl cert\n")
        XCTAssertEqual(requests, [.init(line: "set ssl cert a.pem ", payload: "-----BEGIN X-----\nAAAA\n-----END X-----\n",
                                                  payloadLines: 4),
                                  .init(line: "show ssl cert")])
        XCTAssertEqual(rest, "")
    }

    func testPayloadWaitsForItsEmptyLine() {
        let (requests, rest) = take("set ssl cert a.pem <<\nAAAA\n")
        XCTAssertEqual(requests, [], "the payload is not complete before its empty line")
        XCTAssertEqual(rest, "set ssl cert a.pem <<\nAAAA\n", "nothing is consumed meanwhile")
        XCTAssertEqual(RuntimePayload.collectedLines(ArraySlice(rest.utf8)), 2, "prompt mode owes a '+ ' per line read")
        XCTAssertEqual(RuntimePayload.collectedLines(ArraySlice("show info\n".utf8)), 0)
        XCTAssertEqual(RuntimePayload.collectedLines(ArraySlice("set ssl cert a.pem <<\nAAAA\n\n".utf8)), 0, "complete")
    }

    func testPayloadCutByThePeerIsDroppedUnanswered() {
        let (requests, rest) = take("add ssl crt-list l.txt <<\nc.pem [verify none] c.test\n", closed: true)
        XCTAssertEqual(requests, [], "HAProxy runs no command whose payload did not end")
        XCTAssertEqual(rest, "")
        let (last, _) = take("show ssl cert", closed: true)
        XCTAssertEqual(last, [.init(line: "show ssl cert")], "a last line without newline still runs")
    }

    func testCarriageReturnsAndBlanksAroundTheMarker() {
        let (requests, _) = take("set ssl cert a.pem << \r\nAAAA\r\n\r\n")
        XCTAssertEqual(requests.first?.payload, "AAAA\r\n")
        XCTAssertEqual(requests.first?.line, "set ssl cert a.pem ")
    }
}
