import Glibc
import XCTest

/// Two real keepalived nodes in the VRRP lab: proves the lab (election, VIP
/// ownership, link cuts, client pings) and measures the failover figures the
/// Fulcrum VRRP tests are compared with. Each measured figure is printed as a
/// "keepalived baseline: ..." line.
final class KeepalivedBaselineTests: XCTestCase {
    private let vip = VRRPLab.virtualAddress()

    /// v2, advert_int 1: cutting the MASTER's link hands the VIP to the
    /// backup within Master_Down_Interval (+100 ms for the client to see it);
    /// restoring the link lets the higher priority node preempt back.
    func testV2LinkCutFailoverAndPreemptBack() throws {
        try linkCutFailoverAndPreemptBack(version: 2, advertInterval: 1, expectedBound: nil)
    }

    /// v3, advert_int 0.1: the same, with an outage under 400 ms.
    func testV3FastAdvertLinkCutFailoverAndPreemptBack() throws {
        try linkCutFailoverAndPreemptBack(version: 3, advertInterval: 0.1, expectedBound: 0.4)
    }

    /// SIGTERM on the MASTER: keepalived sends priority 0 and the backup
    /// takes over after its skew time instead of Master_Down_Interval.
    func testV2GracefulStopHandsOverWithinSkewTime() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let (first, second) = try startPair(lab, version: 2, advertInterval: 1)
        let secondStates = second.states().count

        let failover = try lab.measureFailover(vip: vip, action: .signal(pid: first.process.pid, SIGTERM))
        let skew = VRRPTimes.skew(priority: 100, advert: 1)
        print("keepalived baseline: v2 advert 1s SIGTERM outage \(PingMonitor.format(failover.outage)) s "
              + "(skew time \(PingMonitor.format(skew)) s; \(failover))")
        XCTAssertLessThanOrEqual(failover.outage, skew + 0.1, "\(failover)")
        try second.waitForState("MASTER", after: secondStates, timeout: 2)
        XCTAssertTrue(lab.waitForOwner(vip, node: 2, timeout: 2), "owners: \(String(describing: try? lab.owners(of: vip)))")
        XCTAssertNotNil(first.process.wait(timeout: 5), "keepalived did not exit on SIGTERM")
        XCTAssertTrue(first.log.contains("Stopped"), "keepalived's stop not logged:\n\(first.logTail())")
        assertNoKeepalivedComplaints([first, second])
    }

    /// SIGKILL of the MASTER's VRRP child (the parent respawns it): recorded
    /// for comparison with Fulcrum, whose VIP must survive such a crash.
    func testV2VRRPChildKilledOutageIsBounded() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let (first, second) = try startPair(lab, version: 2, advertInterval: 1)
        let child = try XCTUnwrap(first.vrrpChildPid, "no VRRP child pid file for \(first.name)")

        let failover = try lab.measureFailover(vip: vip, action: .signal(pid: child, SIGKILL), settle: 2)
        print("keepalived baseline: v2 advert 1s SIGKILL of VRRP child outage \(PingMonitor.format(failover.outage)) s "
              + "(\(failover); owners after: \((try? lab.owners(of: vip)) ?? []))")
        XCTAssertNotNil(failover.gap, "the client never got a reply after the VRRP child was killed")
        XCTAssertLessThan(failover.outage, 5, "\(failover)")
        XCTAssertTrue(first.process.isRunning, "keepalived's parent died with its child")
        assertNoKeepalivedComplaints([first, second])
    }

    // MARK: - Helpers

    private func linkCutFailoverAndPreemptBack(version: Int, advertInterval: Double, expectedBound: Double?) throws {
        let lab = try makeVRRPLab(nodes: 2)
        let (first, second) = try startPair(lab, version: version, advertInterval: advertInterval)
        let label = "v\(version) advert \(KeepalivedConfig.format(advertInterval))s"
        let firstStates = first.states().count
        let secondStates = second.states().count

        let failover = try lab.measureFailover(vip: vip, action: .cutLink(node: 1))
        let masterDown = VRRPTimes.masterDown(priority: 100, advert: advertInterval)
        print("keepalived baseline: \(label) link cut outage \(PingMonitor.format(failover.outage)) s "
              + "(Master_Down_Interval \(PingMonitor.format(masterDown)) s; \(failover))")
        XCTAssertLessThanOrEqual(failover.outage, masterDown + 0.1, "\(failover)")
        if let expectedBound {
            XCTAssertLessThan(failover.outage, expectedBound, "\(failover)")
        }
        try second.waitForState("MASTER", after: secondStates, timeout: 1)
        try first.waitForState("FAULT", after: firstStates, timeout: 1)
        XCTAssertEqual(try lab.owners(of: vip), [2])

        let firstBeforeRestore = first.states().count
        let secondBeforeRestore = second.states().count
        let restoredAt = PingMonitor.now()
        try lab.restoreLink(node: 1)
        try first.waitForState("MASTER", after: firstBeforeRestore, timeout: 10 * advertInterval + 5)
        let preempted = PingMonitor.now() - restoredAt
        try second.waitForState("BACKUP", after: secondBeforeRestore, timeout: 2)
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 2),
                      "owners after preempting back: \(String(describing: try? lab.owners(of: vip)))")
        print("keepalived baseline: \(label) preempt back \(PingMonitor.format(preempted)) s after link restore")
        assertNoKeepalivedComplaints([first, second])
    }

    /// The usual pair (node 1 MASTER at 150, node 2 BACKUP at 100), both keepalived.
    private func startPair(_ lab: VRRPLab, version: Int, advertInterval: Double) throws -> (VRRPLabNode, VRRPLabNode) {
        try startVRRPPair(lab, .keepalived, .keepalived) { c, _ in
            c.version = version
            c.advertInterval = advertInterval
            c.authPass = "fulcrum"
        }
    }
}
