import XCTest
@testable import FulcrumProxy

/// `retry-on` as the model spells it (HAProxy's `conn-failure` is
/// `connect-failure` there, `all-retryable-errors` already expanded).
final class RetryConditionsTests: XCTestCase {
    func testEachWordCoversItsCauseAndNothingElse() {
        let r = RetryConditions(["connect-failure", "empty-response", "503", "0rtt-rejected"])
        XCTAssertTrue(r.covers(.connectFailure))
        XCTAssertTrue(r.covers(.emptyResponse))
        XCTAssertTrue(r.covers(.status(503)))
        XCTAssertFalse(r.covers(.junkResponse))
        XCTAssertFalse(r.covers(.responseTimeout))
        XCTAssertFalse(r.covers(.status(502)))
        XCTAssertFalse(r.covers(.status(200)))
    }

    func testTheDefaultRetriesOnlyAFailedConnection() {
        let r = RetryConditions(["connect-failure"])
        XCTAssertTrue(r.covers(.connectFailure))
        for cause in [RetryConditions.Cause.emptyResponse, .junkResponse, .responseTimeout, .status(503)] {
            XCTAssertFalse(r.covers(cause), "\(cause)")
        }
        XCTAssertFalse(RetryConditions([]).covers(.connectFailure), "retry-on none")
    }
}
