import XCTest
import FulcrumConfig
@testable import FulcrumCore

/// The health counter model against HAProxy 2.6's set_server_check_status.
final class HealthStateTests: XCTestCase {
    private let rise = 2, fall = 3

    private func state(_ initState: InitState) -> HealthState {
        HealthState(rise: rise, fall: fall, initState: initState, now: 100)
    }

    func testInitialStates() {
        let def = HealthState(rise: rise, fall: fall, now: 100) // no init-state: HAProxy 2.6's start
        XCTAssertEqual(def.operational, .up); XCTAssertEqual(def.health, 2); XCTAssertEqual(def.lastChange, 100)
        XCTAssertEqual(state(.up), def)
        XCTAssertEqual(state(.fullyUp).health, 4); XCTAssertEqual(state(.fullyUp).operational, .up)
        XCTAssertEqual(state(.down).health, 1); XCTAssertEqual(state(.down).operational, .down)
        XCTAssertEqual(state(.fullyDown).health, 0); XCTAssertEqual(state(.fullyDown).operational, .down)
    }

    func testDefaultGoesDownAtFirstFailure() {
        // haproxy: "server s2 ... check rise 2 fall 2" was DOWN after one refused connect.
        var s = state(.up)
        XCTAssertEqual(s.record(false, rise: rise, fall: fall, now: 200), HealthTransition(to: .down))
        XCTAssertEqual(s.health, 0); XCTAssertEqual(s.lastChange, 200)
    }

    func testDefaultFirstSuccessFillsCounter() {
        var s = state(.up)
        XCTAssertNil(s.record(true, rise: rise, fall: fall, now: 200))
        XCTAssertEqual(s.health, 4)
        XCTAssertEqual(s.lastChange, 100, "no operational change")
    }

    func testFullyUpNeedsFallFailures() {
        var s = state(.fullyUp)
        XCTAssertNil(s.record(false, rise: rise, fall: fall, now: 1)); XCTAssertEqual(s.health, 3)
        XCTAssertNil(s.record(false, rise: rise, fall: fall, now: 2)); XCTAssertEqual(s.health, 2)
        XCTAssertEqual(s.record(false, rise: rise, fall: fall, now: 3), HealthTransition(to: .down))
        XCTAssertEqual(s.health, 0)
        XCTAssertNil(s.record(false, rise: rise, fall: fall, now: 4), "already down")
        XCTAssertEqual(s.health, 0)
    }

    func testOneSuccessWhileGoingDownRestoresFullHealth() {
        var s = state(.fullyUp)
        _ = s.record(false, rise: rise, fall: fall, now: 1)
        _ = s.record(false, rise: rise, fall: fall, now: 2)
        XCTAssertNil(s.record(true, rise: rise, fall: fall, now: 3))
        XCTAssertEqual(s.health, 4)
    }

    func testDownInitComesUpAtFirstSuccess() {
        var s = state(.down)
        XCTAssertEqual(s.record(true, rise: rise, fall: fall, now: 7), HealthTransition(to: .up))
        XCTAssertEqual(s.health, 4); XCTAssertEqual(s.lastChange, 7)
        var f = state(.down)
        XCTAssertNil(f.record(false, rise: rise, fall: fall, now: 7))
        XCTAssertEqual(f.health, 0, "a failure makes it fully down")
    }

    func testFullyDownNeedsRiseSuccesses() {
        var s = state(.fullyDown)
        XCTAssertNil(s.record(true, rise: rise, fall: fall, now: 1)); XCTAssertEqual(s.health, 1)
        XCTAssertEqual(s.record(true, rise: rise, fall: fall, now: 2), HealthTransition(to: .up))
        XCTAssertEqual(s.health, 4)
        // A failure in between restarts the count.
        var t = state(.fullyDown)
        _ = t.record(true, rise: rise, fall: fall, now: 1)
        XCTAssertNil(t.record(false, rise: rise, fall: fall, now: 2)); XCTAssertEqual(t.health, 0)
        XCTAssertNil(t.record(true, rise: rise, fall: fall, now: 3))
    }

    func testLargerRiseAndFall() {
        var s = HealthState(rise: 5, fall: 4, initState: .fullyDown, now: 0)
        for i in 1...4 { XCTAssertNil(s.record(true, rise: 5, fall: 4, now: Int64(i))) }
        XCTAssertEqual(s.record(true, rise: 5, fall: 4, now: 5), HealthTransition(to: .up))
        XCTAssertEqual(s.health, 8)
        for i in 1...3 { XCTAssertNil(s.record(false, rise: 5, fall: 4, now: Int64(10 + i))) }
        XCTAssertEqual(s.record(false, rise: 5, fall: 4, now: 20), HealthTransition(to: .down))
    }

    func testIntervalsPerPhase() {
        func interval(_ s: HealthState, fast: Int? = 100, down: Int? = 5000) -> Int {
            s.nextInterval(rise: rise, fall: fall, inter: 2000, fastinter: fast, downinter: down)
        }
        var s = state(.fullyUp)
        XCTAssertEqual(interval(s), 2000, "full health: inter")
        _ = s.record(false, rise: rise, fall: fall, now: 1)
        XCTAssertEqual(interval(s), 100, "going down: fastinter")
        XCTAssertEqual(interval(s, fast: nil), 2000, "fastinter defaults to inter")
        XCTAssertEqual(interval(state(.up)), 100, "HAProxy starts in transition (UP 1/3)")
        let down = state(.fullyDown)
        XCTAssertEqual(interval(down), 5000, "down at 0: downinter")
        XCTAssertEqual(interval(down, down: nil), 2000, "downinter defaults to inter")
        XCTAssertEqual(interval(state(.down)), 100, "going up: fastinter")
        // fall 1: the default start is already full.
        XCTAssertEqual(HealthState(rise: 2, fall: 1, initState: .up, now: 0)
            .nextInterval(rise: 2, fall: 1, inter: 2000, fastinter: 100, downinter: nil), 2000)
    }

    func testStatsStatus() {
        XCTAssertEqual(state(.up).statsStatus(rise: rise, fall: fall), "UP 1/3") // as haproxy's show stat
        XCTAssertEqual(state(.fullyUp).statsStatus(rise: rise, fall: fall), "UP")
        XCTAssertEqual(state(.fullyDown).statsStatus(rise: rise, fall: fall), "DOWN")
        XCTAssertEqual(state(.down).statsStatus(rise: rise, fall: fall), "DOWN 1/2")
    }

    func testOnErrorFastinterChangesNothing() {
        var s = state(.fullyUp)
        XCTAssertNil(s.apply(.fastinter, rise: rise, fall: fall, now: 5))
        XCTAssertEqual(s, state(.fullyUp))
    }

    func testOnErrorFailCheckIsOneFailure() {
        var s = state(.fullyUp), t = state(.fullyUp)
        XCTAssertNil(s.apply(.failCheck, rise: rise, fall: fall, now: 5))
        _ = t.record(false, rise: rise, fall: fall, now: 5)
        XCTAssertEqual(s, t)
        XCTAssertEqual(s.health, 3)
    }

    func testOnErrorSuddenDeathLeavesOneFailureToDown() {
        var s = state(.fullyUp)
        XCTAssertNil(s.apply(.suddenDeath, rise: rise, fall: fall, now: 5))
        XCTAssertEqual(s.health, rise)
        XCTAssertEqual(s.operational, .up)
        XCTAssertEqual(s.record(false, rise: rise, fall: fall, now: 6), HealthTransition(to: .down))
        // At health == rise (HAProxy's start) it goes down at once, as fe1/o2 did.
        var d = state(.up)
        XCTAssertEqual(d.apply(.suddenDeath, rise: rise, fall: fall, now: 5), HealthTransition(to: .down))
    }

    func testOnErrorMarkDown() {
        var s = state(.fullyUp)
        XCTAssertEqual(s.apply(.markDown, rise: rise, fall: fall, now: 9), HealthTransition(to: .down))
        XCTAssertEqual(s.health, 0); XCTAssertEqual(s.lastChange, 9)
        var d = state(.down)
        XCTAssertNil(d.apply(.markDown, rise: rise, fall: fall, now: 9))
        XCTAssertEqual(d.health, 0, "a server going up is knocked back to 0")
    }

    func testForce() {
        var s = state(.fullyDown)
        XCTAssertEqual(s.force(.up, rise: rise, fall: fall, now: 3), HealthTransition(to: .up))
        XCTAssertEqual(s.health, 4)
        XCTAssertNil(s.force(.up, rise: rise, fall: fall, now: 4))
        XCTAssertEqual(s.force(.down, rise: rise, fall: fall, now: 5), HealthTransition(to: .down))
        XCTAssertEqual(s.health, 0); XCTAssertEqual(s.lastChange, 5)
    }
}
