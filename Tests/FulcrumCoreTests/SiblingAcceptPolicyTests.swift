import XCTest
import FulcrumCore

/// tune.listener.multi-queue: when a worker takes a connection queued on a
/// sibling's socket (the decision the workers make from the shared table).
final class SiblingAcceptPolicyTests: XCTestCase {
    private func takes(own: Int, owner: UInt64, started: UInt64, now: Int64 = 1_000) -> Bool {
        SiblingAcceptPolicy.takes(ownStreams: own, ownerStreams: owner, ownerTurnStarted: started, now: now)
    }

    /// An owner holding more streams is left fewer: what queues on its
    /// socket goes to the less loaded sibling, so long-lived connections
    /// even out instead of going to whichever worker wakes first.
    func testTakesFromABusierOwnerOnly() {
        XCTAssertTrue(takes(own: 3, owner: 4, started: 0))
        XCTAssertFalse(takes(own: 4, owner: 4, started: 0), "an equal load stays with the owner")
        XCTAssertFalse(takes(own: 5, owner: 4, started: 999))
        XCTAssertFalse(takes(own: 0, owner: 0, started: 0), "both idle: the owner wakes for its own socket")
    }

    /// An owner more than a millisecond into one turn (handshakes, a long
    /// batch) would leave the connection waiting: taken whatever the loads.
    func testTakesFromAnOwnerStuckInALongTurn() {
        XCTAssertTrue(takes(own: 10, owner: 1, started: 998))
        XCTAssertFalse(takes(own: 10, owner: 1, started: 999), "under the coarse clock's 2 ms, not yet busy")
        XCTAssertFalse(takes(own: 10, owner: 1, started: 1_000))
    }

    /// The look again 2 ms after declining: an owner still waiting for events
    /// did not wake for its own queue (stopped or not scheduled).
    func testRecheckTakesWhatAWaitingOwnerLeft() {
        XCTAssertTrue(SiblingAcceptPolicy.takesOnRecheck(ownStreams: 10, ownerStreams: 0, ownerTurnStarted: 0, now: 1_000))
        XCTAssertFalse(SiblingAcceptPolicy.takesOnRecheck(ownStreams: 10, ownerStreams: 1, ownerTurnStarted: 1_000, now: 1_000),
                       "an owner running a short turn with fewer streams takes its own")
        XCTAssertTrue(SiblingAcceptPolicy.takesOnRecheck(ownStreams: 0, ownerStreams: 1, ownerTurnStarted: 1_000, now: 1_000))
    }
}
