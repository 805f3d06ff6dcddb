import XCTest
import CZlib

final class ZlibLinkTests: XCTestCase {
    /// The system library links and is the version Debian ships (1.2.x or later).
    func testZlibIsLinked() {
        let v = String(cString: zlibVersion())
        XCTAssertTrue(v.hasPrefix("1."), v)
    }
}
