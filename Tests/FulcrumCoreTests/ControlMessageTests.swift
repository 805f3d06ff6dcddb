import XCTest
@testable import FulcrumCore

final class ControlMessageTests: XCTestCase {
    func testRoundTrip() {
        let all: [ControlMessage] = [.ready, .drain, .cliRequest(id: 7, level: 2, command: "show stat typed"),
                                     .cliRequest(id: 1, level: 0, command: ""),
                                     .cliReply(id: 9, final: true, text: "a\nb\n"), .cliReply(id: 3, final: false, text: ""),
                                     .shutdownSessions(serverLine: 12, cause: UInt8(ascii: "D")),
                                     .bgpState(instance: "web", state: "HELD-DOWN"), .birdStatus("up\nuplink BGP up Established"),
                                     .bgpStop, .bgpDrained, .vrrpState(instance: "VI_1", state: "MASTER")]
        for m in all { XCTAssertEqual(ControlMessage.decode(m.encode()), m) }
        XCTAssertNil(ControlMessage.decode(Array("cli x 1 help".utf8)))
        XCTAssertNil(ControlMessage.decode(Array("reply 1 maybe\nx".utf8)))
        XCTAssertNil(ControlMessage.decode(Array("bogus".utf8)))
    }

    func testLongRepliesAreChunkedAndReassemble() {
        let text = String(repeating: "é0123456789\n", count: 10_000)
        let parts = ControlMessage.replies(id: 4, text: text)
        XCTAssertGreaterThan(parts.count, 1)
        var joined = ""
        for (i, p) in parts.enumerated() {
            guard case .cliReply(let id, let final, let t) = p else { return XCTFail() }
            XCTAssertEqual(id, 4)
            XCTAssertEqual(final, i == parts.count - 1)
            XCTAssertLessThanOrEqual(t.utf8.count, ControlMessage.chunkSize)
            joined += t
        }
        XCTAssertEqual(joined, text)
    }

    func testCommittedCertificatesTravelInChunksAndCrtListEdits() {
        let pem = String(repeating: "A", count: ControlMessage.chunkSize * 2 + 10)
        let parts = ControlMessage.certificate(name: "/etc/c/a.pem", pem: pem)
        XCTAssertEqual(parts.count, 3)
        var joined = ""
        for (i, p) in parts.enumerated() {
            guard case .certificate(let name, let final, let text)? = ControlMessage.decode(p.encode()) else {
                return XCTFail("part \(i) does not decode")
            }
            XCTAssertEqual(name, "/etc/c/a.pem")
            XCTAssertEqual(final, i == parts.count - 1)
            joined += text
        }
        XCTAssertEqual(joined, pem)
        for m in [ControlMessage.crtListAdd(list: "/etc/l st", line: 3, text: "/c.pem [verify none] c.test"),
                  .crtListRemove(list: "/etc/l st", line: 3)] {
            XCTAssertEqual(ControlMessage.decode(m.encode()), m)
        }
    }
}
