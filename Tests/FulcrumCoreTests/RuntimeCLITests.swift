import XCTest
import FulcrumConfig
@testable import FulcrumCore

final class RuntimeCLITests: XCTestCase {
    let s = RuntimeFixture.snapshot()

    func reply(_ line: String, _ level: RuntimeLevel = .admin, master: Bool = false, _ snapshot: RuntimeSnapshot? = nil) -> RuntimeReply {
        RuntimeCLI.respond(to: RuntimeCommandLine.words(line), level: level, master: master, snapshot: snapshot ?? s)
    }
    func change(_ line: String, _ snapshot: RuntimeSnapshot? = nil, file: StaticString = #filePath, line l: UInt = #line) -> RuntimeServerChange? {
        if case .change(let c) = reply(line, .admin, snapshot) { return c }
        XCTFail("\(line): \(reply(line, .admin, snapshot))", file: file, line: l)
        return nil
    }

    func testLookupErrors() {
        XCTAssertEqual(reply("get weight be1/s1"), .text("10 (initial 10)\n"))
        XCTAssertEqual(reply("get weight be1/nope"), .text("No such server.\n"))
        XCTAssertEqual(reply("get weight nope/s1"), .text("No such backend.\n"))
        XCTAssertEqual(reply("get weight fe1/s1"), .text("No such backend.\n"))
        XCTAssertEqual(reply("set weight nope/x abc"), .text("No such backend.\n"))
        XCTAssertEqual(reply("show stat nope 4 -1"), .text("No such proxy.\n"))
        XCTAssertEqual(reply("show servers state nope"), .text("Can't find backend.\n"))
        XCTAssertEqual(reply("set weight be1/s1 5", .user), .text("Permission denied\n"))
    }

    func testWeightsAsHAProxy() {
        // be1/s1: configured weight 10, roundrobin.
        let cases: [(String, Int)] = [("20", 20), ("50%", 5), ("200%", 20), ("101%", 10), ("3000%", 256), ("256", 256),
                                      ("0", 0), ("+3", 3), ("010", 10), ("30000%", 256)]
        for (text, expected) in cases {
            XCTAssertEqual(change("set weight be1/s1 \(text)")?.userWeight, expected, text)
            XCTAssertEqual(change("set server be1/s1 weight \(text)")?.weight, expected, text)
        }
        let errors: [(String, String)] = [
            ("300", "Absolute weight can only be between 0 and 256 inclusive.\n"),
            ("257", "Absolute weight can only be between 0 and 256 inclusive.\n"),
            ("-1", "Absolute weight can only be between 0 and 256 inclusive.\n"),
            ("300x", "Absolute weight can only be between 0 and 256 inclusive.\n"),
            ("abc", "Empty weight string empty or preceded by garbage"),
            ("%", "Empty weight string empty or preceded by garbage"),
            ("5x", "Trailing garbage in weight string"),
            ("1.5", "Trailing garbage in weight string"),
            ("0x10", "Trailing garbage in weight string"),
            ("-5%", "Relative weight must be positive.\n"),
        ]
        for (text, message) in errors { XCTAssertEqual(reply("set weight be1/s1 \(text)"), .text(message), text) }
        XCTAssertEqual(reply("set weight be1/s1"), .text("Require <weight> or <weight%>.\n"))
        XCTAssertEqual(reply("set server be1/s1 weight"), .text("Require <weight> or <weight%>.\n"))
    }

    func testStaticAlgorithmsOnlyTakeZeroOrInitial() {
        // be2 is static-rr, be2/b has weight 1.
        let staticError = RuntimeReply.text("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n")
        XCTAssertEqual(reply("set weight be2/b 50"), staticError)
        XCTAssertEqual(reply("set weight be2/b 2"), staticError)
        XCTAssertEqual(change("set weight be2/b 0")?.weight, 0)
        XCTAssertEqual(change("set weight be2/b 1")?.weight, 1)
        XCTAssertEqual(change("set weight be2/b 100%")?.weight, 1)
        XCTAssertEqual(change("set weight be2/b 0%")?.weight, 0)
        XCTAssertEqual(change("set weight be2/b 50%")?.weight, 0)   // 1 * 50 / 100 = 0
        XCTAssertEqual(change("set weight be3/f1 5")?.weight, 5)    // `first` is dynamic
    }

    func testAlgorithmNamesAndWeightRules() {
        var h = HashTypeForTests.mapBased
        XCTAssertEqual(RuntimeSnapshot.Backend(algorithm: .source, hashType: h).dynamicWeights, false)
        h.method = .consistent
        XCTAssertEqual(RuntimeSnapshot.Backend(algorithm: .source, hashType: h).dynamicWeights, true)
        XCTAssertEqual(RuntimeSnapshot.Backend(algorithm: .staticRoundRobin, hashType: h).algorithm, "static-rr")
        XCTAssertEqual(RuntimeSnapshot.Backend(algorithm: .staticRoundRobin, hashType: h).dynamicWeights, false)
        XCTAssertEqual(RuntimeSnapshot.Backend(algorithm: .leastConn, hashType: h).algorithm, "leastconn")
        XCTAssertEqual(RuntimeSnapshot.Backend(algorithm: .random(draws: 2), hashType: h).dynamicWeights, true)
    }

    func testStateChangesAsHAProxy() {
        // maint: down, checked health to 0; ready from maint: up with health = rise ("UP 1/3").
        let maint = change("set server be1/s1 state maint")!
        XCTAssertEqual(maint.admin, .forcedMaintenance)
        XCTAssertEqual(maint.operational, .down)
        XCTAssertEqual(maint.health, 0)
        var s2 = s
        s2.servers[0].admin = maint.admin; s2.servers[0].operational = maint.operational; s2.servers[0].health = maint.health
        let ready = change("set server be1/s1 state ready", s2)!
        XCTAssertEqual(ready.admin, [])
        XCTAssertEqual(ready.operational, .up)
        XCTAssertEqual(ready.health, 2)
        // drain also leaves maintenance.
        let drain = change("set server be1/s1 state drain", s2)!
        XCTAssertEqual(drain.admin, .drain)
        XCTAssertEqual(drain.operational, .up)
        // `enable server` clears the config's `disabled` too.
        let enabled = change("enable server be2/a")!
        XCTAssertEqual(enabled.admin, [])
        XCTAssertEqual(enabled.operational, .up)
        XCTAssertEqual(enabled.health, 0)   // no check: health untouched
        XCTAssertEqual(change("disable server be2/b")?.admin, .forcedMaintenance)
        // ready on a draining server only ends the drain.
        var s3 = s
        s3.servers[0].admin = .drain
        XCTAssertEqual(change("set server be1/s1 state ready", s3)?.admin, [])
        XCTAssertEqual(change("set server be1/s1 state ready", s3)?.health, 4)
        // maintenance ends a drain (srv_admin_state 8 -> 1, as haproxy 2.6 shows it).
        XCTAssertEqual(change("disable server be1/s1", s3)?.admin, .forcedMaintenance)
        XCTAssertEqual(change("set server be1/s1 state maint", s3)?.admin, .forcedMaintenance)
    }

    func testHealthChangesAsHAProxy() {
        let stopping = change("set server be1/s1 health stopping")!
        XCTAssertEqual(stopping.operational, .stopping)
        XCTAssertEqual(stopping.health, 4)
        let down = change("set server be1/s1 health down")!
        XCTAssertEqual(down.operational, .down)
        XCTAssertEqual(down.health, 0)
        let up = change("set server be1/s2 health up")!
        XCTAssertEqual(up.operational, .up)
        XCTAssertEqual(up.health, 4)
        // In maintenance the state stays, the health is taken.
        let inMaint = change("set server be2/a health up")!
        XCTAssertEqual(inMaint.operational, .down)
        XCTAssertEqual(inMaint.health, 4)
    }

    func testEnableDisableHealth() {
        XCTAssertEqual(change("disable health be1/s1")?.checkEnabled, false)
        XCTAssertEqual(change("enable health be1/s1")?.checkEnabled, true)
        XCTAssertEqual(reply("enable health be1/s3"), .text("Health check was not configured on this server, cannot enable.\n"))
        XCTAssertNil(change("disable health be1/s3")?.checkEnabled)
    }

    func testSessionCommands() {
        XCTAssertEqual(reply("show cli level", .operator_), .text("operator\n"))
        XCTAssertEqual(reply("user", .admin), .setLevel(.user))
        XCTAssertEqual(reply("prompt"), .togglePrompt)
        XCTAssertEqual(reply("quit"), .quit)
        XCTAssertEqual(reply("clear counters", .operator_), .clearCounters(all: false))
        XCTAssertEqual(reply("clear counters all", .operator_), .text("Permission denied\n"))
        XCTAssertEqual(reply("show proc", .user, master: true), .showProc)
        XCTAssertEqual(reply("reload", .admin, master: true), .reload)
        XCTAssertEqual(reply("show version"), .text("1.0.0\n"))
        XCTAssertEqual(reply("show backend"), .text("# name\nbe1\nbe2\nbe3\nli\n"))
        if case .text(let t) = reply("show stat -1 4 -1") {
            XCTAssertEqual(t.split(separator: "\n").count, 8)
        } else { XCTFail("show stat") }
        if case .text(let t) = reply("help", .user) { XCTAssertTrue(t.hasPrefix("The following commands are valid at this level:\n")) }
        else { XCTFail("help") }
    }
}

enum HashTypeForTests {
    static var mapBased: HashType { HashType() }
}
