import XCTest
import FulcrumCore

/// HAProxy's srv_dynamic_maxconn, without the slowstart ramp.
final class DynamicMaxconnTests: XCTestCase {
    func testSettling() {
        XCTAssertTrue(DynamicMaxconn.settle(maxconn: 50, minconn: 0) == (50, 50))
        XCTAssertTrue(DynamicMaxconn.settle(maxconn: 50, minconn: 80) == (80, 80))
        XCTAssertTrue(DynamicMaxconn.settle(maxconn: 0, minconn: 10) == (10, 10))
        XCTAssertTrue(DynamicMaxconn.settle(maxconn: 500, minconn: 50) == (500, 50))
        XCTAssertTrue(DynamicMaxconn.settle(maxconn: 0, minconn: 0) == (0, 0))
    }

    func testLimitFollowsTheBackendLoad() {
        // The example from HAProxy's manual: minconn 50, maxconn 500, fullconn 4000.
        XCTAssertEqual(DynamicMaxconn.limit(maxconn: 500, minconn: 50, fullconn: 4000, backendLoad: 0), 50)
        XCTAssertEqual(DynamicMaxconn.limit(maxconn: 500, minconn: 50, fullconn: 4000, backendLoad: 1000), 125)
        XCTAssertEqual(DynamicMaxconn.limit(maxconn: 500, minconn: 50, fullconn: 4000, backendLoad: 3999), 499)
        XCTAssertEqual(DynamicMaxconn.limit(maxconn: 500, minconn: 50, fullconn: 4000, backendLoad: 4000), 500)
        XCTAssertEqual(DynamicMaxconn.limit(maxconn: 500, minconn: 50, fullconn: 4000, backendLoad: 9000), 500)
        // Static limits and no limit are not touched.
        XCTAssertEqual(DynamicMaxconn.limit(maxconn: 500, minconn: 500, fullconn: 4000, backendLoad: 1), 500)
        XCTAssertEqual(DynamicMaxconn.limit(maxconn: 0, minconn: 0, fullconn: 4000, backendLoad: 1), 0)
        // fullconn 0 (no frontend limit to derive it from): maxconn.
        XCTAssertEqual(DynamicMaxconn.limit(maxconn: 500, minconn: 50, fullconn: 0, backendLoad: 0), 500)
    }
}
