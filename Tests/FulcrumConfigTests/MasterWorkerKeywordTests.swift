import XCTest
@testable import FulcrumConfig

/// Global `master-worker`: Fulcrum always runs a master, so the keyword is
/// accepted with haproxy's one option and its error for anything else.
final class MasterWorkerKeywordTests: XCTestCase {
    func testAcceptedWithNoExitOnFailureAndRefusedWithAnythingElse() {
        XCTAssertEqual(parse("global\n    master-worker\n").alerts, [])
        XCTAssertEqual(parse("global\n    master-worker no-exit-on-failure\n").alerts, [])
        assertSingleAlert(parse("global\n    master-worker bogus\n"),
                          "'master-worker' only supports 'no-exit-on-failure' option.", line: 2, column: 19)
    }
}
