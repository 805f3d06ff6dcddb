import XCTest
import FulcrumLog

final class SyslogPriorityTests: XCTestCase {
    func testPriorityIsFacilityTimesEightPlusSeverity() {
        // HAProxy's default httplog line to local0 at info: <134>.
        XCTAssertEqual(LogFacility.local0.priority(.info), 134)
        XCTAssertEqual(LogFacility.kern.priority(.emerg), 0)
        XCTAssertEqual(LogFacility.local7.priority(.debug), 191)
    }

    func testNamesRoundTripAndUnknownNamesAreRejected() {
        for level in LogLevel.allCases { XCTAssertEqual(LogLevel(name: level.name), level) }
        for facility in LogFacility.allCases { XCTAssertEqual(LogFacility(name: facility.name), facility) }
        XCTAssertNil(LogLevel(name: "information"))
        XCTAssertNil(LogFacility(name: "local8"))
        XCTAssertTrue(LogLevel.err < LogLevel.info)
    }
}
