import XCTest
@testable import FulcrumBGP

/// The announce decision on injected time: rise/fall debouncing, hold-down
/// against flapping, drain on stop.
final class VIPAnnouncementTests: XCTestCase {
    private let settings = VIPAnnouncement.Settings(rise: 3, fall: 2, holdDown: 10_000, drainTime: 5000)

    /// Feeds samples one interval (1 s) apart from `start`; returns the actions and the next time.
    private func feed(_ m: inout VIPAnnouncement, _ samples: [Bool], from start: Int64) -> ([VIPAnnouncement.Action], Int64) {
        var all: [VIPAnnouncement.Action] = []
        var now = start
        for s in samples {
            var actions: [VIPAnnouncement.Action] = []
            m.tick(now: now, actions: &actions)
            m.sample(healthy: s, now: now, actions: &actions)
            all += actions
            now += 1000
        }
        return (all, now)
    }

    func testAnnouncesAfterRiseAndWithdrawsAfterFall() {
        var m = VIPAnnouncement(settings)
        var (actions, now) = feed(&m, [true, true], from: 0)
        XCTAssertEqual(actions, [])
        XCTAssertEqual(m.state, .withdrawn)
        (actions, now) = feed(&m, [true], from: now)
        XCTAssertEqual(actions, [.announce])
        XCTAssertEqual(m.state, .announced)
        // One bad sample between good ones moves nothing.
        (actions, now) = feed(&m, [false, true, false, true], from: now)
        XCTAssertEqual(actions, [])
        (actions, now) = feed(&m, [false, false], from: now)
        XCTAssertEqual(actions, [.withdraw])
        XCTAssertEqual(m.state, .withdrawn)
        XCTAssertEqual(m.withdrawnAt, now - 1000)
    }

    /// A backend flapping every few seconds makes one announcement per hold-down, not one per flap.
    func testHoldDownStopsAFlappingBackendFromFlappingTheRoute() {
        var m = VIPAnnouncement(VIPAnnouncement.Settings(rise: 1, fall: 1, holdDown: 10_000, drainTime: 0))
        var (actions, now) = feed(&m, [true], from: 0)
        XCTAssertEqual(actions, [.announce])
        // Down at 1 s: withdrawn. Up again at 2 s: held down until 11 s.
        (actions, now) = feed(&m, [false, true, false, true, true], from: now)
        XCTAssertEqual(actions, [.withdraw])
        XCTAssertEqual(m.state, .heldDown)
        XCTAssertEqual(m.nextDeadline, 11_000)
        var tick: [VIPAnnouncement.Action] = []
        m.tick(now: 10_999, actions: &tick)
        XCTAssertEqual(tick, [])
        m.tick(now: 11_000, actions: &tick)
        XCTAssertEqual(tick, [.announce])
        XCTAssertEqual(m.state, .announced)
        _ = now
    }

    /// Health lost during the hold-down: nothing is announced when it ends.
    func testHoldDownEndsWithdrawnWhenHealthLeftMeanwhile() {
        var m = VIPAnnouncement(VIPAnnouncement.Settings(rise: 1, fall: 1, holdDown: 10_000, drainTime: 0))
        var (actions, now) = feed(&m, [true, false, true, false], from: 0)
        XCTAssertEqual(actions, [.announce, .withdraw])
        XCTAssertEqual(m.state, .withdrawn)
        XCTAssertNil(m.nextDeadline)
        (actions, now) = feed(&m, Array(repeating: false, count: 12), from: now)
        XCTAssertEqual(actions, [])
    }

    func testStopDrainsThenReleases() {
        var m = VIPAnnouncement(settings, announced: true)
        var actions: [VIPAnnouncement.Action] = []
        m.stop(now: 100_000, actions: &actions)
        XCTAssertEqual(actions, [.withdraw])
        XCTAssertEqual(m.state, .draining)
        XCTAssertEqual(m.nextDeadline, 105_000)
        // Samples no longer count once stopping.
        actions = []
        m.sample(healthy: true, now: 101_000, actions: &actions)
        m.tick(now: 104_999, actions: &actions)
        XCTAssertEqual(actions, [])
        m.tick(now: 105_000, actions: &actions)
        XCTAssertEqual(actions, [.release])
        XCTAssertEqual(m.state, .stopped)
        m.stop(now: 106_000, actions: &actions)
        XCTAssertEqual(actions, [.release])
    }

    /// Withdrawn by health 2 s before the stop: the drain ends 5 s after the withdrawal.
    func testStopAfterAWithdrawalCountsTheDrainFromIt() {
        var m = VIPAnnouncement(VIPAnnouncement.Settings(rise: 1, fall: 1, holdDown: 0, drainTime: 5000), announced: true)
        var actions: [VIPAnnouncement.Action] = []
        m.sample(healthy: false, now: 10_000, actions: &actions)
        m.stop(now: 12_000, actions: &actions)
        XCTAssertEqual(actions, [.withdraw])
        XCTAssertEqual(m.nextDeadline, 15_000)
        // Never announced: nothing to drain.
        var fresh = VIPAnnouncement(settings)
        actions = []
        fresh.stop(now: 0, actions: &actions)
        XCTAssertEqual(actions, [.release])
        XCTAssertEqual(fresh.state, .stopped)
    }

    /// A resumed announcer keeps the route out, and withdraws only after `fall` bad samples.
    func testResumedAnnouncementStaysUntilFall() {
        var m = VIPAnnouncement(settings, announced: true)
        var (actions, now) = feed(&m, [false], from: 0)
        XCTAssertEqual(actions, [])
        XCTAssertTrue(m.isAnnounced)
        (actions, now) = feed(&m, [false], from: now)
        XCTAssertEqual(actions, [.withdraw])
    }
}
