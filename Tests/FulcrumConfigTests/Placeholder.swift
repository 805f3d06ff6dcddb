import XCTest
final class FulcrumConfigTestsPlaceholder: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
