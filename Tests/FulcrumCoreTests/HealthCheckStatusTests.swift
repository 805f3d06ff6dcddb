import XCTest
@testable import FulcrumCore

final class HealthCheckStatusTests: XCTestCase {
    func testRawCodesRoundTripAndAreDistinct() {
        for status in CheckStatus.allCases { XCTAssertEqual(CheckStatus(rawCode: status.rawCode), status) }
        XCTAssertEqual(Set(CheckStatus.allCases.map(\.rawCode)).count, CheckStatus.allCases.count)
        XCTAssertNil(CheckStatus(rawCode: 2), "HCHK_STATUS_START is not a result")
        XCTAssertNil(CheckStatus(rawCode: 99))
        XCTAssertEqual(CheckStatus.l4connect.rawCode, 8)
        XCTAssertEqual(CheckStatus.l7status.rawCode, 17)
    }

    func testPassedAndFailed() {
        XCTAssertEqual(Set(CheckStatus.allCases.filter(\.passed)), [.l4ok, .l6ok, .l7ok, .l7okCondition, .processOK])
        XCTAssertEqual(Set(CheckStatus.allCases.filter { !$0.passed && !$0.failed }), [.unknown, .initial])
        XCTAssertTrue(CheckStatus.l7okCondition.conditional)
        XCTAssertFalse(CheckStatus.l7ok.conditional)
    }

    func testWording() {
        XCTAssertEqual(CheckStatus.l4connect.rawValue, "L4CON")
        XCTAssertEqual(CheckStatus.l4connect.reasonText, "Layer4 connection problem")
        XCTAssertEqual(CheckStatus.l7response.reasonText, "Layer7 invalid response")
        XCTAssertEqual(CheckStatus.l6response.reasonText, "Layer6 invalid response")
        XCTAssertEqual(CheckStatus.healthAnalyze.reasonText, "Health analyze")
        XCTAssertEqual(Set(CheckStatus.allCases.filter(\.showsCode)), [.l7ok, .l7okCondition, .l7status, .processOK, .processError, .processTimeout])
    }
}
