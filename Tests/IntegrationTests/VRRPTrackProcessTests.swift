import XCTest
import Foundation
import Glibc

/// `vrrp_track_process` + `track_process` on a lab node: the instance is in
/// FAULT (no VIP) while the tracked process does not run, MASTER with its
/// VIP once it runs, and FAULT again when it dies; a `weight` moves the
/// priority instead. The process is a copy of sleep(1) under a name of the
/// test's, so nothing else on the machine matches it.
final class VRRPTrackProcessTests: XCTestCase {
    private func startTracked(_ path: String) throws -> ChildProcess {
        let p = try ChildProcess(executable: path, arguments: ["300", "1"], environment: [:],
                                 stdoutPath: "/dev/null", stderrPath: "/dev/null")
        addTeardownBlock { _ = p.terminateTree(grace: 1) }
        return p
    }

    func testTrackedProcessFaultsTheInstanceWhileItDoesNotRun() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let name = "fulcrumtrk\(getpid() % 10000)"
        let binary = lab.directory.file(name)
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: binary)
        let vip = VRRPLab.virtualAddress(0)
        let config = """
            vrrp_track_process app {
                process \(name)
                parameters 300 1
                param_match initial
                quorum 1
            }
            vrrp_instance VI_1 {
                state MASTER
                interface eth0
                virtual_router_id 71
                priority 150
                advert_int 1
                virtual_ipaddress {
                    \(vip)/24 dev eth0
                }
                track_process {
                    app
                }
            }

            """
        let node = try FulcrumVRRPNode(lab: lab, node: 1, config: config)
        try node.waitForState("FAULT", timeout: 10)
        XCTAssertFalse(try lab.owners(of: vip).contains(1), "no VIP while the process is missing")

        let before = node.states().count
        let tracked = try startTracked(binary)
        try node.waitForState("MASTER", after: before, timeout: 10)
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 5))

        let running = node.states().count
        _ = tracked.terminateTree(grace: 1)
        try node.waitForState("FAULT", after: running, timeout: 10)
        XCTAssertTrue(waitUntil(timeout: 5) { (try? lab.owners(of: vip).contains(1)) == false }, "the VIP leaves with the process")
        XCTAssertTrue(node.log.contains("Quorum lost for tracked process app"), node.logTail())
    }
}
