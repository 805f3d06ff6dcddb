import XCTest
import Foundation

/// `-i CONFIG_ID` chooses keepalived's conditional lines: one file, two
/// nodes, each with its own VRID and VIP (`@node1 ...`, `@^node1 ...`).
final class VRRPConditionalTests: XCTestCase {
    func testConfigIDChoosesTheVIPs() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let (a, b) = (VRRPLab.virtualAddress(0), VRRPLab.virtualAddress(1))
        let config = """
            vrrp_instance VI_1 {
                state MASTER
                interface eth0
            @node1 virtual_router_id 61
            @^node1 virtual_router_id 62
                priority 150
                virtual_ipaddress {
                    @node1 \(a)/24 dev eth0
                    @^node1 \(b)/24 dev eth0
                }
            }

            """
        let first = try FulcrumVRRPNode(lab: lab, node: 1, config: config, arguments: ["-i", "node1"])
        let second = try FulcrumVRRPNode(lab: lab, node: 2, config: config, arguments: ["-i", "node2"])
        try first.waitForState("MASTER", timeout: 10)
        try second.waitForState("MASTER", timeout: 10)
        XCTAssertTrue(lab.waitForOwner(a, node: 1, timeout: 5), "\(String(describing: try? lab.owners(of: a)))")
        XCTAssertTrue(lab.waitForOwner(b, node: 2, timeout: 5), "\(String(describing: try? lab.owners(of: b)))")
        XCTAssertTrue(first.log.contains("vrid 61"), first.logTail())
        XCTAssertTrue(second.log.contains("vrid 62"), second.logTail())
    }
}
