import XCTest
@testable import FulcrumConfig

final class TimeFormatTests: XCTestCase {
    private func ms(_ text: String) -> Int? {
        if case .success(let v) = ValueParsers.milliseconds(text, for: "t") { return v }
        return nil
    }

    func testUnits() {
        XCTAssertEqual(ms("250"), 250)
        XCTAssertEqual(ms("250ms"), 250)
        XCTAssertEqual(ms("1500us"), 2, "microseconds round up")
        XCTAssertEqual(ms("1us"), 1)
        XCTAssertEqual(ms("0us"), 0)
        XCTAssertEqual(ms("3s"), 3000)
        XCTAssertEqual(ms("2m"), 120_000)
        XCTAssertEqual(ms("1h"), 3_600_000)
        XCTAssertEqual(ms("1d"), 86_400_000)
        XCTAssertEqual(ms("24d"), 2_073_600_000)
    }

    func testRejected() {
        XCTAssertNil(ms(""))
        XCTAssertNil(ms("s"))
        XCTAssertNil(ms("5 s"))
        XCTAssertNil(ms("5sec"))
        XCTAssertNil(ms("-5s"))
        XCTAssertNil(ms("25d"))
        XCTAssertNil(ms("99999999999999999999999"))
    }

    func testInConfiguration() {
        let r = parse("defaults\n  timeout connect 1500us\n  timeout client 2m\n  timeout server 1h\nbackend b\n")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.configuration.backends[0].timeouts.connect, 2)
        XCTAssertEqual(r.configuration.backends[0].timeouts.effectiveQueue, 2)
        XCTAssertEqual(r.configuration.backends[0].timeouts.server, 3_600_000)
    }

    func testSuggestionDistance() {
        XCTAssertEqual(Suggestion.distance(Array("kitten".utf8), Array("sitting".utf8)), 3)
        XCTAssertEqual(Suggestion.distance(Array("ab".utf8), Array("ba".utf8)), 1)
        XCTAssertEqual(Suggestion.closest(to: "deamon", among: ["daemon", "chroot"]), "daemon")
        XCTAssertNil(Suggestion.closest(to: "ab", among: ["xy"]))
        XCTAssertEqual(Suggestion.closest(to: "default_back", among: ["default_backend", "default-server"]), "default_backend")
    }
}
