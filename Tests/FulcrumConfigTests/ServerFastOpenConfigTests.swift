import XCTest
@testable import FulcrumConfig

/// Server `tfo`: HAProxy's warning when the backend could not retry.
final class ServerFastOpenConfigTests: XCTestCase {
    func testWarnsUnlessRetryOnCoversALostFastOpenSYN() {
        let bare = parse(tcpDefaults + "backend b\n    server s 127.0.0.1:80 tfo\n")
        XCTAssertEqual(bare.alerts, [])
        XCTAssertEqual(bare.warnings.map(\.message), ["'server b/s' : server has tfo activated, the backend should be configured with at least 'conn-failure', 'empty-response' and 'response-timeout' or we wouldn't be able to retry the connection on failure."])
        XCTAssertEqual(bare.warnings.first?.location?.line, 8)
        for retry in ["conn-failure empty-response response-timeout", "all-retryable-errors"] {
            let covered = parse(tcpDefaults + "backend b\n    retry-on \(retry)\n    server s 127.0.0.1:80 tfo\n")
            XCTAssertEqual(covered.warnings, [], retry)
        }
        XCTAssertEqual(parse(tcpDefaults + "backend b\n    server s 127.0.0.1:80 tfo no-tfo\n").warnings, [])
    }
}
