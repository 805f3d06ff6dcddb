import XCTest
import Foundation

/// keepalived 2.2.8's "primary" names in the lab: `notify_primary` runs on
/// entering MASTER and `notify_primary_rx_lower_pri` when the MASTER hears a
/// lower priority. To have two MASTERs, the adverts go one way only: Fulcrum
/// (150) sends to a unicast peer nobody holds, keepalived 2.2.7 (100) to
/// Fulcrum, so keepalived becomes MASTER too and Fulcrum hears it.
final class VRRPPrimaryAliasTests: XCTestCase {
    func testNotifyPrimaryAndLowerPriorityScriptsRun() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let record = lab.directory.file("notify.log")
        var fulcrum = KeepalivedConfig()
        fulcrum.state = "MASTER"
        fulcrum.priority = 150
        fulcrum.unicastSource = lab.nodeAddress(1)
        fulcrum.unicastPeers = ["\(VRRPLab.subnet).99"]
        fulcrum.extraInstanceLines = [
            "notify_primary \"/bin/sh -c 'echo entered-primary >> \(record)'\"",
            "notify_primary_rx_lower_pri \"/bin/sh -c 'echo heard-lower >> \(record)'\"",
        ]
        let first = try FulcrumVRRPNode(lab: lab, node: 1, config: fulcrum)
        try first.waitForState("MASTER", timeout: 10)
        func lines() -> [String] { (FileBytes.readText(record) ?? "").split(separator: "\n").map(String.init) }
        XCTAssertTrue(waitUntil(timeout: 5) { lines().contains("entered-primary") }, "\(lines())")
        XCTAssertFalse(lines().contains("heard-lower"), "no lower priority heard yet")

        var peer = KeepalivedConfig()
        peer.state = "MASTER"
        peer.priority = 100
        peer.unicastSource = lab.nodeAddress(2)
        peer.unicastPeers = [lab.nodeAddress(1)]
        let second = try KeepalivedNode(lab: lab, node: 2, config: peer)
        try second.waitForState("MASTER", timeout: 10)
        XCTAssertTrue(waitUntil(timeout: 5) { lines().contains("heard-lower") }, "\(lines())\n\(second.logTail())")
        XCTAssertEqual(first.states(), ["BACKUP", "MASTER"], "a lower priority does not move the MASTER")
    }
}
