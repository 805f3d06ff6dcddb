import XCTest
import Foundation

/// Issue 6: Fulcrum and keepalived 2.2 from Debian's packages as a pair, each
/// in both roles, VRRP v2 and v3, multicast and unicast: the election is
/// right, the backup takes over when the master's link is cut, and
/// keepalived logs no complaint about Fulcrum's packets (checksum, version,
/// authentication, address count).
final class VRRPInteropTests: XCTestCase {
    private let vip = VRRPLab.virtualAddress()

    func testV2MulticastFulcrumMaster() throws { try pair(.fulcrum, .keepalived, version: 2, unicast: false) }
    func testV2MulticastKeepalivedMaster() throws { try pair(.keepalived, .fulcrum, version: 2, unicast: false) }
    func testV3MulticastFulcrumMaster() throws { try pair(.fulcrum, .keepalived, version: 3, unicast: false) }
    func testV3MulticastKeepalivedMaster() throws { try pair(.keepalived, .fulcrum, version: 3, unicast: false) }
    func testV2UnicastFulcrumMaster() throws { try pair(.fulcrum, .keepalived, version: 2, unicast: true) }
    func testV2UnicastKeepalivedMaster() throws { try pair(.keepalived, .fulcrum, version: 2, unicast: true) }
    func testV3UnicastFulcrumMaster() throws { try pair(.fulcrum, .keepalived, version: 3, unicast: true) }
    func testV3UnicastKeepalivedMaster() throws { try pair(.keepalived, .fulcrum, version: 3, unicast: true) }

    private func pair(_ master: VRRPSpeakerKind, _ backup: VRRPSpeakerKind, version: Int, unicast: Bool) throws {
        let lab = try makeVRRPLab(nodes: 2)
        let advert = version == 3 ? 0.5 : 1
        let (first, second) = try startVRRPPair(lab, master, backup) { c, _ in
            c.version = version
            c.advertInterval = advert
            c.authPass = "fulcrum"
            if unicast { c.unicastPeers = ["placeholder"] }
        }
        let label = "v\(version) \(unicast ? "unicast" : "multicast") \(master.rawValue) master, \(backup.rawValue) backup"
        // A few adverts cross both ways before the cut.
        sleepSeconds(2 * advert)
        XCTAssertEqual(first.state(), "MASTER")
        XCTAssertEqual(second.states(), ["BACKUP"], "\(label): the backup never doubted the master")

        let s2 = second.states().count
        let failover = try lab.measureFailover(vip: vip, action: .cutLink(node: 1))
        let masterDown = VRRPTimes.masterDown(priority: 100, advert: advert)
        print("vrrp interop: \(label): link cut outage \(PingMonitor.format(failover.outage)) s (Master_Down_Interval \(PingMonitor.format(masterDown)) s)")
        XCTAssertLessThanOrEqual(failover.outage, masterDown + 0.1, "\(label): \(failover)")
        try second.waitForState("MASTER", after: s2, timeout: 1)
        XCTAssertEqual(try lab.owners(of: vip), [2])

        let r1 = first.states().count
        try lab.restoreLink(node: 1)
        try first.waitForState("MASTER", after: r1, timeout: 10 * advert + 5)
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 3), "\(label): owners \(String(describing: try? lab.owners(of: vip)))")
        assertNoKeepalivedComplaints([first, second])
    }
}
