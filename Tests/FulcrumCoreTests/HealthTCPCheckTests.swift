import XCTest
@testable import FulcrumCore

/// tcp-check expect rules; infos as haproxy 2.6.12 logged them against a
/// server answering "+PONG\r\n" to "PING\r\n" (expect at step 2).
final class HealthTCPCheckTests: XCTestCase {
    private let pong = Array("+PONG\r\n".utf8)

    private func match(_ received: [UInt8], _ matcher: TCPCheck.Matcher, negated: Bool = false,
                       complete: Bool = false, step: Int = 2) -> TCPCheck.MatchOutcome {
        TCPCheck.match(received, matcher: matcher, negated: negated, complete: complete, step: step, durationMs: 50)
    }

    private func failure(_ info: String) -> TCPCheck.MatchOutcome {
        .failed(CheckResult(status: .l7response, info: info, durationMs: 50))
    }

    func testString() {
        XCTAssertEqual(match(pong, .string("+PONG")), .matched)
        XCTAssertEqual(match(Array("+PO".utf8), .string("+PONG")), .needMore, "shorter than the pattern")
        XCTAssertEqual(match(pong, .string("FOO")), .needMore, "a mismatch waits for more")
        XCTAssertEqual(match(pong, .string("FOO"), complete: true), failure("TCPCHK did not match content 'FOO' at step 2"))
        XCTAssertEqual(match(Array("+PO".utf8), .string("+PONG"), complete: true),
                       failure("TCPCHK did not match content '+PONG' at step 2"))
    }

    func testNegatedString() {
        XCTAssertEqual(match(pong, .string("PONG"), negated: true, step: 1),
                       failure("TCPCHK matched unwanted content 'PONG' at step 1"))
        XCTAssertEqual(match(pong, .string("ERR"), negated: true), .needMore, "absence is only known at the end")
        XCTAssertEqual(match(pong, .string("ERR"), negated: true, complete: true), .matched)
    }

    func testRstring() throws {
        XCTAssertEqual(match(pong, .rstring(try CheckRegex("^-ERR")), complete: true),
                       failure("TCPCHK did not match content (regex) at step 2"))
        XCTAssertEqual(match(pong, .rstring(try CheckRegex("P[O]NG"))), .matched)
        XCTAssertEqual(match(pong, .rstring(try CheckRegex("PONG")), negated: true),
                       failure("TCPCHK matched unwanted content (regex) at step 2"))
    }

    func testBinary() {
        XCTAssertEqual(match(pong, .binary([0x2B, 0x50, 0x4F, 0x4E, 0x47])), .matched)
        XCTAssertEqual(match(pong, .binary([0x2D, 0x45]), complete: true), failure("TCPCHK did not match content (binary) at step 2"))
        XCTAssertEqual(match([0x00, 0x01], .binary([0x00, 0x01, 0x02])), .needMore)
        XCTAssertEqual(match([0x00, 0xFF, 0x02], .binary([0xFF, 0x02])), .matched)
        XCTAssertEqual(match([0x00, 0xFF, 0x02], .binary([0xFF]), negated: true),
                       failure("TCPCHK matched unwanted content (binary) at step 2"))
    }

    func testRbinaryMatchesUpperCaseHexDump() throws {
        XCTAssertEqual(match(pong, .rbinary(try CheckRegex("^2B504F"))), .matched)
        XCTAssertEqual(match([0xAB], .rbinary(try CheckRegex("ab")), complete: true),
                       failure("TCPCHK did not match content (binary regex) at step 2"))
    }

    func testPassedResultAndLogLine() {
        let r = TCPCheck.passedResult(lastRuleIsConnect: false, durationMs: 6)
        XCTAssertEqual(r, CheckResult(status: .l7ok, code: 0, info: "(tcp-check)", durationMs: 6))
        XCTAssertEqual(HealthLog.stateChange(backend: "be_tcp", server: "t1", to: .up, result: r, activeLeft: 1,
                                             backupLeft: 0, sessionsActive: 0, requeued: 0, queued: 0),
                       "Server be_tcp/t1 is UP, reason: Layer7 check passed, code: 0, info: \"(tcp-check)\", check duration: 6ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.")
        XCTAssertEqual(TCPCheck.passedResult(lastRuleIsConnect: true, durationMs: 1).status, .l4ok)
    }

    func testErrorContext() {
        // haproxy: L7TOUT info " at step 1 of tcp-check (expect string 'PONG')".
        XCTAssertEqual(TCPCheck.errorContext(step: 1, rule: .expect(.string("PONG"))), " at step 1 of tcp-check (expect string 'PONG')")
        XCTAssertEqual(TCPCheck.errorContext(step: 0, rule: nil), " at initial connection step of tcp-check")
        XCTAssertEqual(TCPCheck.errorContext(step: 3, rule: .connect(port: 8080)), " at step 3 of tcp-check (connect port 8080)")
        XCTAssertEqual(TCPCheck.errorContext(step: 3, rule: .connect(port: nil)), " at step 3 of tcp-check (connect)")
        XCTAssertEqual(TCPCheck.errorContext(step: 2, rule: .send), " at step 2 of tcp-check (send)")
        XCTAssertEqual(try TCPCheck.errorContext(step: 2, rule: .expect(.rstring(CheckRegex("x")))), " at step 2 of tcp-check (expect regex)")
    }
}
