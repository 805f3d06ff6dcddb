import XCTest
@testable import FulcrumCore

/// The agent reply grammar of HAProxy 2.6 (tcpcheck_agent_expect_reply).
final class AgentReplyTests: XCTestCase {
    func reply(_ s: String) throws -> AgentReply {
        guard case .reply(let r) = AgentReply.parse(Array(s.utf8), complete: true) else {
            throw XCTSkip("not a reply") // never taken by the inputs below
        }
        return r
    }

    func testWordsInAnyOrderLastWins() throws {
        let r = try reply("75%,drain up 50% # disk full\n")
        XCTAssertEqual(r.weight, "50%")
        XCTAssertEqual(r.admin, .drain)
        XCTAssertEqual(r.health, .up)
        XCTAssertEqual(r.description, "disk full")
        XCTAssertEqual(r.summary(warning: nil), "via agent : up (disk full)")
        // '#' starts a description only at the start of a word.
        XCTAssertEqual(try reply("down#x y\n").summary(warning: nil), "agent reports an error : down#x")
        let d = try reply("DOWN # broken disk\r\n")
        XCTAssertEqual(d.health, .down)
        XCTAssertEqual(d.summary(warning: nil), "via agent : DOWN (broken disk)")
    }

    func testErrorsAndWarnings() throws {
        let r = try reply("bogus maint other\n")
        XCTAssertEqual(r.error, "bogus")
        XCTAssertEqual(r.summary(warning: nil), "agent reports an error : bogus")
        XCTAssertEqual(try reply("maint\n").summary(warning: nil), "")
        XCTAssertEqual(try reply("300%\n").summary(warning: "w"), "agent warns : w")
        XCTAssertEqual(try reply("up bogus\n").summary(warning: nil), "via agent : up (bogus)")
    }

    func testLineEndings() throws {
        XCTAssertEqual(AgentReply.parse(Array("up".utf8), complete: false), .needMore)
        XCTAssertEqual(AgentReply.parse(Array("up".utf8), complete: true), .incomplete)
        guard case .reply(let r) = AgentReply.parse(Array("stopped\nignored".utf8), complete: false) else {
            return XCTFail("expected a reply")
        }
        XCTAssertEqual(r.healthWord, "stopped")
    }
}
