import XCTest
import Foundation

/// Issue 15: `auth_type AH` with keepalived 2.2.7 as the peer in the namespace lab. Both
/// check each other's HMAC-MD5-96 and share one sequence counter per instance, so they elect
/// one master and hand over both ways, across restarts (a restarted speaker starts its counter
/// at 0 and catches up from the peer's adverts); with different passwords each refuses the
/// other's adverts (keepalived: "invalid IPSEC HMAC-MD5 value") and both become MASTER.
final class VRRPAuthenticationHeaderInteropTests: XCTestCase {
    private let vip = VRRPLab.virtualAddress()

    private func configure(_ c: inout KeepalivedConfig, password: String = "PASS") {
        c.authType = "AH"
        c.authPass = password
    }

    func testFulcrumMasterKeepalivedBackupFailOverBothWays() throws {
        let lab = try makeVRRPLab(nodes: 2)
        var (fulcrum, keepalived) = try startVRRPPair(lab, .fulcrum, .keepalived) { c, _ in configure(&c) }
        // Adverts cross for a while: the backup never doubts the master.
        sleepSeconds(3)
        XCTAssertEqual(fulcrum.state(), "MASTER")
        XCTAssertEqual(keepalived.states(), ["BACKUP"], "keepalived accepted Fulcrum's AH adverts")

        // Fulcrum stops (priority 0, authenticated): keepalived takes over.
        let k1 = keepalived.states().count
        fulcrum.stop()
        try keepalived.waitForState("MASTER", after: k1, timeout: 5)
        XCTAssertTrue(lab.waitForOwner(vip, node: 2, timeout: 3), "owners \(String(describing: try? lab.owners(of: vip)))")

        // Fulcrum starts again with its counter at 0: as BACKUP for Master_Down_Interval it
        // learns keepalived's numbers, then preempts with higher ones, and keepalived accepts
        // them and steps down.
        var second = KeepalivedConfig()
        second.routerID = "node1"
        second.priority = 150
        configure(&second)
        let k2 = keepalived.states().count
        let f2 = fulcrum.states().count
        fulcrum = try FulcrumVRRPNode(lab: lab, node: 1, config: second)
        try fulcrum.waitForState("MASTER", after: f2, timeout: 10)
        try keepalived.waitForState("BACKUP", after: k2, timeout: 5)
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 3), "owners \(String(describing: try? lab.owners(of: vip)))")

        // keepalived stops and starts again (its counter back at 0): it stays BACKUP behind Fulcrum.
        keepalived.stop()
        // The new process logs to the same files: count its states from here.
        let k3 = keepalived.states().count
        var backup = KeepalivedConfig()
        backup.routerID = "node2"
        configure(&backup)
        keepalived = try KeepalivedNode(lab: lab, node: 2, config: backup)
        try keepalived.waitForState("BACKUP", after: k3, timeout: 10)
        sleepSeconds(3)
        XCTAssertEqual(Array(keepalived.states().dropFirst(k3)), ["BACKUP"])
        XCTAssertEqual(try lab.owners(of: vip), [1])
        assertNoKeepalivedComplaints([keepalived])
        XCTAssertFalse(fulcrum.log.contains("dropped an advert"), fulcrum.logTail())
    }

    func testKeepalivedMasterFulcrumBackupFailOverBothWays() throws {
        let lab = try makeVRRPLab(nodes: 2)
        var (keepalived, fulcrum) = try startVRRPPair(lab, .keepalived, .fulcrum) { c, _ in configure(&c) }
        sleepSeconds(3)
        XCTAssertEqual(fulcrum.states(), ["BACKUP"], "Fulcrum accepted keepalived's AH adverts")

        // The master's link is cut: Fulcrum takes over.
        let f1 = fulcrum.states().count
        try lab.cutLink(node: 1)
        try fulcrum.waitForState("MASTER", after: f1, timeout: 6)
        XCTAssertTrue(waitUntil(timeout: 3) { (try? lab.owners(of: self.vip))?.contains(2) == true })

        // keepalived is restarted with the link back (its counter at 0): it catches up from
        // Fulcrum's adverts and preempts; Fulcrum accepts its numbers and steps down.
        keepalived.stop()
        try lab.restoreLink(node: 1)
        var master = KeepalivedConfig()
        master.routerID = "node1"
        master.priority = 150
        configure(&master)
        let f2 = fulcrum.states().count
        let k2 = keepalived.states().count
        keepalived = try KeepalivedNode(lab: lab, node: 1, config: master)
        try keepalived.waitForState("MASTER", after: k2, timeout: 10)
        try fulcrum.waitForState("BACKUP", after: f2, timeout: 5)
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 3), "owners \(String(describing: try? lab.owners(of: vip)))")
        assertNoKeepalivedComplaints([keepalived])
        XCTAssertFalse(fulcrum.log.contains("dropped an advert"), fulcrum.logTail())
    }

    /// Unicast peers: the ICV leaves the TTL out; one identification and sequence number per advert.
    func testUnicastPairFailsOverAndBack() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let (fulcrum, keepalived) = try startVRRPPair(lab, .fulcrum, .keepalived) { c, _ in
            configure(&c)
            c.unicastPeers = ["placeholder"]
        }
        sleepSeconds(3)
        XCTAssertEqual(keepalived.states(), ["BACKUP"])
        let k1 = keepalived.states().count
        try lab.cutLink(node: 1)
        try keepalived.waitForState("MASTER", after: k1, timeout: 6)
        let f1 = fulcrum.states().count
        let k2 = keepalived.states().count
        try lab.restoreLink(node: 1)
        // Fulcrum was in FAULT while its link was down: back as BACKUP it learns keepalived's
        // numbers, preempts with higher ones, and keepalived steps down.
        try fulcrum.waitForState("MASTER", after: f1, timeout: 10)
        try keepalived.waitForState("BACKUP", after: k2, timeout: 5)
        assertNoKeepalivedComplaints([keepalived])
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 3), "owners \(String(describing: try? lab.owners(of: vip)))")
    }

    func testAWrongPasswordIsRefusedByBoth() throws {
        let lab = try makeVRRPLab(nodes: 2)
        var first = KeepalivedConfig()
        first.routerID = "node1"
        first.state = "MASTER"
        first.priority = 150
        configure(&first, password: "PASS")
        var second = KeepalivedConfig()
        second.routerID = "node2"
        configure(&second, password: "WRONG")
        let fulcrum = try FulcrumVRRPNode(lab: lab, node: 1, config: first)
        try fulcrum.waitForState("MASTER", timeout: 10)
        let keepalived = try KeepalivedNode(lab: lab, node: 2, config: second)
        // keepalived hears only adverts it cannot authenticate: it becomes MASTER too.
        try keepalived.waitForState("MASTER", timeout: 10)
        XCTAssertTrue(waitUntil(timeout: 3) { (try? lab.owners(of: self.vip)) == [1, 2] },
                      "both hold the VIP: \(String(describing: try? lab.owners(of: vip)))")
        XCTAssertTrue(waitUntil(timeout: 3) { keepalived.log.contains("(VI_1) IPSEC-AH : invalid IPSEC HMAC-MD5 value") },
                      keepalived.logTail())
        XCTAssertTrue(waitUntil(timeout: 3) { fulcrum.log.contains("VRRP_Instance(VI_1) dropped an advert: authFailure") },
                      fulcrum.logTail())
        XCTAssertEqual(fulcrum.states(), ["BACKUP", "MASTER"], "Fulcrum never yielded to the unauthenticated advert")
    }

    /// CloudStack's systemvm template uses auth_type AH: `fulcrum -c` accepts it where its
    /// interface (eth2) exists, as `keepalived -t` does.
    func testCloudStackFileChecks() throws {
        let path = FulcrumReleaseBinary.packageRoot
            + "/../shared/compat/keepalived/apache-cloudstack-systemvm-debian-opt-cloud-templates-keepalived.conf"
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("the shared compatibility corpus is not here") }
        let lab = try makeVRRPLab(nodes: 1)
        let ns = lab.nodeNamespace(1)
        try lab.runChecked(in: ns, "ip", ["link", "add", "eth2", "type", "veth", "peer", "name", "peth2"])
        let fulcrum = try lab.run(in: ns, try FulcrumBinary.path(), ["-c", "-f", path], timeout: 30)
        XCTAssertEqual(fulcrum.status, 0, fulcrum.output)
        XCTAssertFalse(fulcrum.stderr.contains("[ALERT]"), fulcrum.stderr)
        let keepalived = try lab.run(in: ns, try requireTool("keepalived"), ["-t", "-f", path], timeout: 30)
        // keepalived 2.2.7 exits 5 on it for notify_primary (a 2.2.8 name) and the missing script.
        XCTAssertFalse(keepalived.output.contains("auth"), keepalived.output)
    }
}
