import XCTest
final class FulcrumPosixTestsPlaceholder: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
