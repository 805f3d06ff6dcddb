import XCTest
import Foundation

/// keepalived's `use_vmac` in the namespace lab: Fulcrum makes a macvlan
/// (private mode) carrying 00:00:5e:00:01:33 for VRID 51, puts the VIP on it
/// and advertises from it; keepalived 2.2.7 with the same block is the peer.
/// `vmac_xmit_base` sends the adverts from the base interface instead.
final class VRRPVirtualMACTests: XCTestCase {
    private let vip = VRRPLab.virtualAddress()
    private let virtualMAC = "00:00:5e:00:01:33"

    private func config(priority: Int, state: String, extra: String = "") -> String {
        """
        vrrp_instance VI_1 {
            state \(state)
            interface eth0
            virtual_router_id 51
            priority \(priority)
            advert_int 1
            use_vmac
        \(extra)
            virtual_ipaddress {
                \(vip)/24
            }
        }

        """
    }

    /// One advert seen from the client: tcpdump's "SRC > DST" link-layer line.
    private func firstAdvert(_ lab: VRRPLab) throws -> String {
        try lab.run(in: lab.clientNamespace, "tcpdump", ["-i", "eth0", "-e", "-n", "-l", "-c", "1", "ip", "proto", "112"],
                    timeout: 5).stdout
    }

    private func link(_ lab: VRRPLab, node: Int, _ name: String) -> String {
        (try? lab.run(in: lab.nodeNamespace(node), "ip", ["-d", "link", "show", name]))?.stdout ?? ""
    }

    func testVirtualMACCarriesTheVIPAndTheAdvertsWithKeepalivedAsPeer() throws {
        try requireTool("tcpdump")
        let lab = try makeVRRPLab(nodes: 2)
        let first = try FulcrumVRRPNode(lab: lab, node: 1, config: config(priority: 150, state: "MASTER"))
        try first.waitForState("MASTER", timeout: 10)
        let second = try KeepalivedNode(lab: lab, node: 2, config: config(priority: 100, state: "BACKUP"))
        try second.waitForState("BACKUP", timeout: 10)

        let vmac = link(lab, node: 1, "vrrp.51")
        XCTAssertTrue(vmac.contains("link/ether \(virtualMAC)"), vmac)
        XCTAssertTrue(vmac.contains("macvlan mode private"), vmac)
        XCTAssertTrue(vmac.contains("state UP") || vmac.contains(",UP"), vmac)
        XCTAssertEqual(try lab.ipv4Addresses(namespace: lab.nodeNamespace(1), interface: "vrrp.51"), [vip])
        XCTAssertFalse(try lab.ipv4Addresses(node: 1).contains(vip), "the VIP is on the vmac, not on eth0")

        let advert = try firstAdvert(lab)
        XCTAssertTrue(advert.contains("\(virtualMAC) > 01:00:5e:00:00:12"), "advert: \(advert)")
        // The VIP's ARP reply carries the virtual MAC (eth0 answers only for its own address).
        let replies = try lab.start(in: lab.clientNamespace, label: "arp", "tcpdump",
                                    ["-i", "eth0", "-e", "-n", "-l", "-c", "1", "arp and arp[6:2] == 2"])
        XCTAssertTrue(waitUntil(timeout: 5) { replies.stderr.contains("listening on") }, replies.stderr)
        try lab.runChecked(in: lab.clientNamespace, "ip", ["neigh", "flush", "all"])
        try lab.runChecked(in: lab.clientNamespace, "ping", ["-c", "1", "-W", "2", vip])
        XCTAssertTrue(waitUntil(timeout: 5) { replies.stdout.contains("is-at") }, replies.stdout)
        XCTAssertTrue(replies.stdout.contains("Reply \(vip) is-at \(virtualMAC)"), replies.stdout)

        // keepalived heard those adverts as a BACKUP should, and takes over on a cut.
        XCTAssertEqual(second.states(), ["BACKUP"])
        let s2 = second.states().count
        try lab.cutLink(node: 1)
        try second.waitForState("MASTER", after: s2, timeout: 5)
        XCTAssertTrue(waitUntil(timeout: 3) {
            (try? lab.ipv4Addresses(namespace: lab.nodeNamespace(2), interface: "vrrp.51")) == [vip]
        }, "keepalived's vmac holds the VIP")
        let r1 = first.states().count
        try lab.restoreLink(node: 1)
        try first.waitForState("MASTER", after: r1, timeout: 10)
        assertNoKeepalivedComplaints([second])

        // Stop: the vmac goes.
        first.stop()
        XCTAssertTrue(waitUntil(timeout: 5) { link(lab, node: 1, "vrrp.51").isEmpty }, link(lab, node: 1, "vrrp.51"))
    }

    func testTransmitBaseSendsAdvertsWithTheInterfacesOwnMAC() throws {
        try requireTool("tcpdump")
        let lab = try makeVRRPLab(nodes: 1)
        let first = try FulcrumVRRPNode(lab: lab, node: 1,
                                        config: config(priority: 150, state: "MASTER", extra: "    vmac_xmit_base"))
        try first.waitForState("MASTER", timeout: 10)
        let own = try lab.runChecked(in: lab.nodeNamespace(1), "cat", ["/sys/class/net/eth0/address"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(try lab.ipv4Addresses(namespace: lab.nodeNamespace(1), interface: "vrrp.51"), [vip])
        let advert = try firstAdvert(lab)
        XCTAssertTrue(advert.contains("\(own) > 01:00:5e:00:00:12"), "advert: \(advert) (eth0 is \(own))")
    }
}
