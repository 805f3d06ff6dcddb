import XCTest
@testable import FulcrumCore

/// slowstart ramps, computed by hand from server_recalc_eweight:
/// w = (16 * elapsed_s + ss_s) / ss_s, eweight = weight * w, shown ceil(eweight / 16).
final class HealthSlowStartTests: XCTestCase {
    func testRampTenSeconds() {
        let values = [0, 999, 1000, 5000, 9999, 10000, 60000].map {
            SlowStart.effectiveWeight(userWeight: 10, sinceUp: Int64($0), slowstart: 10_000)
        }
        // factors 1, 1, 2, 9, 15, full, full -> 10/16, 10/16, 20/16, 90/16, 150/16 rounded up.
        XCTAssertEqual(values, [1, 1, 2, 6, 10, 10, 10])
        XCTAssertEqual(SlowStart.scaledWeight(userWeight: 10, sinceUp: 5000, slowstart: 10_000), 90)
        XCTAssertEqual(SlowStart.scaledWeight(userWeight: 10, sinceUp: 10_000, slowstart: 10_000), 160)
    }

    func testRampHundred() {
        XCTAssertEqual(SlowStart.effectiveWeight(userWeight: 100, sinceUp: 0, slowstart: 4000), 7)
        XCTAssertEqual(SlowStart.effectiveWeight(userWeight: 100, sinceUp: 1000, slowstart: 4000), 32)
        XCTAssertEqual(SlowStart.effectiveWeight(userWeight: 100, sinceUp: 3000, slowstart: 4000), 82)
        XCTAssertEqual(SlowStart.effectiveWeight(userWeight: 100, sinceUp: 4000, slowstart: 4000), 100)
    }

    func testSlowstartRoundsUpToSeconds() {
        // 1500 ms is stored as 2 s.
        XCTAssertTrue(SlowStart.isRamping(sinceUp: 1999, slowstart: 1500))
        XCTAssertFalse(SlowStart.isRamping(sinceUp: 2000, slowstart: 1500))
        XCTAssertEqual(SlowStart.scaledWeight(userWeight: 1, sinceUp: 1999, slowstart: 1500), 9)
    }

    func testMinimumOneAndZeroWeight() {
        XCTAssertEqual(SlowStart.effectiveWeight(userWeight: 1, sinceUp: 0, slowstart: 60_000), 1)
        XCTAssertEqual(SlowStart.effectiveWeight(userWeight: 0, sinceUp: 0, slowstart: 60_000), 0)
    }

    func testNoSlowstartOrClockBackwards() {
        XCTAssertEqual(SlowStart.effectiveWeight(userWeight: 7, sinceUp: 0, slowstart: 0), 7)
        XCTAssertFalse(SlowStart.isRamping(sinceUp: 0, slowstart: 0))
        XCTAssertEqual(SlowStart.effectiveWeight(userWeight: 7, sinceUp: -5, slowstart: 10_000), 7)
    }

    /// maxconn ramps too, for every algorithm (srv_dynamic_maxconn): whole
    /// percent of whole seconds, at least 1; unlimited stays unlimited.
    func testConnectionLimitRamp() {
        let limits = [0, 999, 1000, 2500, 5000, 9999, 10_000].map {
            SlowStart.connectionLimit(maxconn: 20, sinceUp: Int64($0), slowstart: 10_000)
        }
        // 0%, 0%, 10%, 20%, 50%, 90%, full -> 1, 1, 2, 4, 10, 18, 20.
        XCTAssertEqual(limits, [1, 1, 2, 4, 10, 18, 20])
        XCTAssertEqual(SlowStart.connectionLimit(maxconn: 0, sinceUp: 0, slowstart: 10_000), 0)
        XCTAssertEqual(SlowStart.connectionLimit(maxconn: 20, sinceUp: 0, slowstart: 0), 20)
        XCTAssertEqual(SlowStart.connectionLimit(maxconn: 20, sinceUp: -5, slowstart: 10_000), 20)
    }
}
