import FulcrumPosix
import XCTest

/// The masks `Capabilities.keepOnly` hands capset are what /proc/PID/status
/// prints for the same set (VRRPCapabilityTests reads them there).
final class CapabilitiesTests: XCTestCase {
    func testMasksAreTheKernelsBits() {
        XCTAssertEqual(Capabilities.mask([]), 0)
        XCTAssertEqual(Capabilities.mask([.netAdmin, .netRaw]), 0x3000)
        XCTAssertEqual(Capabilities.mask([.netAdmin, .netRaw, .kill]), 0x3020)
        XCTAssertEqual(Capabilities.Capability.allCases.map(\.name), ["cap_kill", "cap_net_admin", "cap_net_raw"])
    }
}
