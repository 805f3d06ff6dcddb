import XCTest
@testable import FulcrumCore

/// observe / error-limit counting, and the check schedule helpers.
final class HealthObserverTests: XCTestCase {
    func testLayer4CountsConsecutiveFailures() {
        var o = ErrorObserver(mode: .layer4, errorLimit: 2)
        XCTAssertNil(o.observe(.l4Failed))
        XCTAssertEqual(o.consecutiveErrors, 1)
        let verdict = o.observe(.l4Failed)
        XCTAssertEqual(verdict, CheckResult(status: .healthAnalyze,
                                            info: "Detected 2 consecutive errors, last one was: L4 unsuccessful connection",
                                            durationMs: -1))
        XCTAssertEqual(o.consecutiveErrors, 0, "counting restarts after a verdict")
    }

    func testSuccessResets() {
        var o = ErrorObserver(mode: .layer4, errorLimit: 3)
        _ = o.observe(.l4Failed); _ = o.observe(.l4Failed)
        XCTAssertNil(o.observe(.l4Connected))
        XCTAssertEqual(o.consecutiveErrors, 0)
        XCTAssertNil(o.observe(.l4Failed)); XCTAssertNil(o.observe(.l4Failed))
        o.checkPassed()
        XCTAssertEqual(o.consecutiveErrors, 0, "a passing check resets too")
    }

    func testLayer4IgnoresHTTPEvents() {
        var o = ErrorObserver(mode: .layer4, errorLimit: 1)
        for e in [ErrorObserver.Event.httpWrongStatus, .httpInvalid, .httpReadTimeout, .httpServerClosed] {
            XCTAssertNil(o.observe(e))
        }
        XCTAssertEqual(o.consecutiveErrors, 0)
        XCTAssertNotNil(o.observe(.l4Failed))
    }

    func testLayer7() {
        var o = ErrorObserver(mode: .layer7, errorLimit: 3)
        XCTAssertNil(o.observe(.httpWrongStatus))
        XCTAssertNil(o.observe(.l4Connected)); XCTAssertEqual(o.consecutiveErrors, 1, "L4 success is ignored at layer7")
        XCTAssertNil(o.observe(.l4Failed)); XCTAssertEqual(o.consecutiveErrors, 2, "L4 failure counts at layer7")
        XCTAssertEqual(o.observe(.httpReadTimeout)?.info, "Detected 3 consecutive errors, last one was: Read timeout (http)")
        _ = o.observe(.httpInvalidHeaders)
        XCTAssertNil(o.observe(.httpOK)); XCTAssertEqual(o.consecutiveErrors, 0)
    }

    func testDefaultErrorLimitIsTen() {
        var o = ErrorObserver(mode: .layer4)
        for _ in 1...9 { XCTAssertNil(o.observe(.l4Failed)) }
        XCTAssertNotNil(o.observe(.l4Failed))
    }

    func testInitialDelaysSpreadOverSmallestLongInterval() {
        XCTAssertEqual(HealthSchedule.initialDelays([2000, 2000, 60000, 300]), [0, 500, 1000, 1500])
        XCTAssertEqual(HealthSchedule.initialDelays([300, 500]), [0, 0], "short intervals do not spread")
        XCTAssertEqual(HealthSchedule.initialDelays([]), [])
    }

    func testSpreadChecks() {
        XCTAssertEqual(HealthSchedule.spread(1000, percent: 10, random01: 0), 1100)
        XCTAssertEqual(HealthSchedule.spread(1000, percent: 10, random01: 1), 900)
        XCTAssertEqual(HealthSchedule.spread(1000, percent: 10, random01: 0.5), 1000)
        XCTAssertEqual(HealthSchedule.spread(1000, percent: 0, random01: 0.2), 1000)
    }

    func testAdvanceOnObservedError() {
        XCTAssertEqual(HealthSchedule.advanced(deadline: 5000, now: 1000, fastinter: 500), 1500)
        XCTAssertEqual(HealthSchedule.advanced(deadline: 1200, now: 1000, fastinter: 500), 1200, "never later")
        XCTAssertEqual(HealthSchedule.advanced(deadline: 5000, now: 1000, fastinter: nil), 5000)
    }
}
