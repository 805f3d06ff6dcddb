import XCTest
final class FulcrumCoreTestsPlaceholder: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
