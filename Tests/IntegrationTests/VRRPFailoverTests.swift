import XCTest
import Foundation

/// Issue 6 with two Fulcrum nodes in the lab: failover on a link cut within
/// Master_Down_Interval, preemption back, nopreempt, preempt_delay,
/// track_script weights, priority 0 on graceful stop, and no VIP loss when
/// the MASTER's VRRP child is killed. Each figure is printed as a
/// "fulcrum vrrp: ..." line next to the keepalived baseline's.
final class VRRPFailoverTests: XCTestCase {
    private let vip = VRRPLab.virtualAddress()

    func testV2LinkCutFailsOverWithinMasterDownAndPreemptsBack() throws {
        try linkCut(version: 2, advert: 1)
    }

    func testV3FastAdvertFailsOverUnder400Milliseconds() throws {
        try linkCut(version: 3, advert: 0.1, bound: 0.4)
    }

    private func linkCut(version: Int, advert: Double, bound: Double? = nil) throws {
        let lab = try makeVRRPLab(nodes: 2)
        let (first, second) = try startVRRPPair(lab, .fulcrum, .fulcrum) { c, _ in c.version = version; c.advertInterval = advert; c.authPass = "fulcrum" }
        let label = "v\(version) advert \(KeepalivedConfig.format(advert))s"
        let (s1, s2) = (first.states().count, second.states().count)
        let failover = try lab.measureFailover(vip: vip, action: .cutLink(node: 1))
        let masterDown = VRRPTimes.masterDown(priority: 100, advert: advert)
        print("fulcrum vrrp: \(label) link cut outage \(PingMonitor.format(failover.outage)) s (Master_Down_Interval \(PingMonitor.format(masterDown)) s)")
        XCTAssertLessThanOrEqual(failover.outage, masterDown + 0.1, "\(failover)")
        if let bound { XCTAssertLessThan(failover.outage, bound, "\(failover)") }
        try second.waitForState("MASTER", after: s2, timeout: 1)
        try first.waitForState("FAULT", after: s1, timeout: 1)
        XCTAssertEqual(try lab.owners(of: vip), [2])

        let (r1, r2) = (first.states().count, second.states().count)
        let restored = PingMonitor.now()
        try lab.restoreLink(node: 1)
        try first.waitForState("MASTER", after: r1, timeout: 10 * advert + 5)
        print("fulcrum vrrp: \(label) preempt back \(PingMonitor.format(PingMonitor.now() - restored)) s after link restore")
        try second.waitForState("BACKUP", after: r2, timeout: 2)
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 2), "owners: \(String(describing: try? lab.owners(of: vip)))")
    }

    func testGracefulStopSendsPriorityZeroAndBackupTakesOverWithinSkewTime() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let (first, second) = try startVRRPPair(lab, .fulcrum, .fulcrum) { c, _ in c.authPass = "fulcrum" }
        let s2 = second.states().count
        let failover = try lab.measureFailover(vip: vip, action: .signal(pid: first.process.pid, SIGTERM))
        let skew = VRRPTimes.skew(priority: 100, advert: 1)
        print("fulcrum vrrp: v2 advert 1s SIGTERM outage \(PingMonitor.format(failover.outage)) s (skew time \(PingMonitor.format(skew)) s)")
        XCTAssertLessThanOrEqual(failover.outage, skew + 0.1, "\(failover)")
        try second.waitForState("MASTER", after: s2, timeout: 2)
        XCTAssertNotNil(first.process.wait(timeout: 5), "fulcrum did not exit on SIGTERM")
        XCTAssertTrue(first.states().last == "STOP", "\(first.states())")
        XCTAssertTrue(lab.waitForOwner(vip, node: 2, timeout: 2))
    }

    func testKillingTheMastersVRRPChildLosesNoVIP() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let (first, second) = try startVRRPPair(lab, .fulcrum, .fulcrum) { c, _ in c.authPass = "fulcrum" }
        let child = try XCTUnwrap(first.vrrpChildPid, "no fulcrum-vrrp child on node 1")
        let s2 = second.states().count
        let failover = try lab.measureFailover(vip: vip, action: .signal(pid: child, SIGKILL), settle: 4)
        print("fulcrum vrrp: v2 advert 1s SIGKILL of VRRP child outage \(PingMonitor.format(failover.outage)) s")
        // Replies come every ~25 ms; anything near that is no outage at all.
        XCTAssertLessThan(failover.outage, 0.2, "\(failover)")
        XCTAssertEqual(second.states().count, s2, "the backup never took over: \(second.states())")
        XCTAssertEqual(try lab.owners(of: vip), [1])
        XCTAssertTrue(waitUntil(timeout: 3) { first.vrrpChildPid != nil && first.vrrpChildPid != child })
        XCTAssertTrue(first.log.contains("resuming as MASTER"), first.logTail())
        let node1 = try XCTUnwrap(first as? FulcrumVRRPNode)
        XCTAssertEqual(try node1.masterCommand("show vrrp"),
                       "# instance state\nVI_1 MASTER\n# vrrp process \(node1.vrrpChildPid ?? 0)\n")
    }

    /// A lab whose node 2 (priority 100) runs alone and is MASTER, for node 1
    /// to join later.
    private func lowerPriorityMasterAlone() throws -> (VRRPLab, FulcrumVRRPNode) {
        let lab = try makeVRRPLab(nodes: 2)
        var low = KeepalivedConfig()
        low.routerID = "node2"
        let second = try FulcrumVRRPNode(lab: lab, node: 2, config: low)
        try second.waitForState("MASTER", timeout: 10)
        return (lab, second)
    }

    func testNopreemptKeepsTheLowerPriorityMaster() throws {
        let (lab, second) = try lowerPriorityMasterAlone()
        var high = KeepalivedConfig()
        high.routerID = "node1"
        high.priority = 150
        high.nopreempt = true
        let first = try FulcrumVRRPNode(lab: lab, node: 1, config: high)
        try first.waitForState("BACKUP", timeout: 10)
        sleepSeconds(2 * VRRPTimes.masterDown(priority: 150, advert: 1))
        XCTAssertEqual(first.states(), ["BACKUP"], "nopreempt: the higher priority stays BACKUP")
        XCTAssertEqual(try lab.owners(of: vip), [2])
        // It takes over when the master goes.
        second.stop()
        try first.waitForState("MASTER", after: 1, timeout: 3)
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 2))
    }

    func testPreemptDelayWaitsBeforeTakingOver() throws {
        let (lab, _) = try lowerPriorityMasterAlone()
        var high = KeepalivedConfig()
        high.routerID = "node1"
        high.priority = 150
        high.preemptDelay = 3
        let started = PingMonitor.now()
        let first = try FulcrumVRRPNode(lab: lab, node: 1, config: high)
        try first.waitForState("MASTER", timeout: 15)
        let took = PingMonitor.now() - started
        print("fulcrum vrrp: preempt_delay 3 took over after \(PingMonitor.format(took)) s")
        XCTAssertGreaterThanOrEqual(took, 3, "preempted before preempt_delay")
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 2))
    }

    func testTrackScriptWeightMovesMastership() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let flag = lab.directory.file("node1-unhealthy")
        let (first, second) = try startVRRPPair(lab, .fulcrum, .fulcrum) { c, node in
            guard node == 1 else { return }
            c.trackScript = .init(name: "chk", command: "/bin/sh -c 'test ! -e \(flag)'", interval: 1, weight: -60, fall: 1, rise: 1)
        }
        let (s1, s2) = (first.states().count, second.states().count)
        // 150 - 60 = 90 < 100: node 2 preempts.
        XCTAssertTrue(FileManager.default.createFile(atPath: flag, contents: Data()))
        try second.waitForState("MASTER", after: s2, timeout: 8)
        try first.waitForState("BACKUP", after: s1, timeout: 2)
        XCTAssertTrue(lab.waitForOwner(vip, node: 2, timeout: 2))
        let r1 = first.states().count
        try FileManager.default.removeItem(atPath: flag)
        try first.waitForState("MASTER", after: r1, timeout: 8)
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 2))
    }

    func testNotifyScriptsGetKeepalivedsArguments() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let record = lab.directory.file("notify.log")
        let (first, second) = try startVRRPPair(lab, .fulcrum, .fulcrum) { c, node in
            guard node == 1 else { return }
            c.extraInstanceLines = [
                "notify \"/bin/sh -c 'echo $* >> \(record)' notify\"",
                "notify_master \"/bin/sh -c 'echo entered-master >> \(record)'\"",
                "notify_fault \"/bin/sh -c 'echo entered-fault >> \(record)'\"",
            ]
        }
        _ = second
        var lines: [String] = []
        waitUntil(timeout: 5) {
            lines = (FileBytes.readText(record) ?? "").split(separator: "\n").map(String.init)
            return lines.contains("INSTANCE VI_1 MASTER 150") && lines.contains("entered-master")
        }
        XCTAssertTrue(lines.contains("INSTANCE VI_1 BACKUP 150"), "\(lines)")
        XCTAssertTrue(lines.contains("INSTANCE VI_1 MASTER 150"), "\(lines)")
        XCTAssertTrue(lines.contains("entered-master"), "\(lines)")
        let s1 = first.states().count
        try lab.cutLink(node: 1)
        try first.waitForState("FAULT", after: s1, timeout: 3)
        waitUntil(timeout: 5) {
            lines = (FileBytes.readText(record) ?? "").split(separator: "\n").map(String.init)
            // Both scripts run at once: wait for each one's line.
            return lines.contains("entered-fault") && lines.contains("INSTANCE VI_1 FAULT 150")
        }
        XCTAssertTrue(lines.contains("INSTANCE VI_1 FAULT 150"), "\(lines)")
        XCTAssertTrue(lines.contains("entered-fault"), "\(lines)")
    }

    /// A tracked script that outlives its timeout is killed with everything
    /// it started (its own process group) and counts as failed.
    func testTrackScriptPastItsTimeoutIsKilledAndFails() throws {
        let lab = try makeVRRPLab(nodes: 1)
        let marker = "fulcrum-timeout-\(getpid())"
        var config = KeepalivedConfig()
        config.state = "MASTER"
        config.priority = 150
        config.prelude = """
            vrrp_script slow {
                script "/bin/sh -c 'sleep 30 & sleep 31; echo \(marker)'"
                interval 60
                timeout 1
                fall 1
                rise 1
            }
            """
        config.extraInstanceLines = ["track_script {", "    slow", "}"]
        let node = try FulcrumVRRPNode(lab: lab, node: 1, config: config)
        try node.waitForState("FAULT", timeout: 10)
        XCTAssertTrue(node.log.contains("VRRP_Script(slow) failed"), node.logTail())
        // Both sleeps (the script and the one it put in the background) are gone.
        func sleepers() -> [String] {
            ProcessTree.directoryEntries("/proc").compactMap { pid -> String? in
                guard Int32(pid) != nil, let cmd = FileBytes.readText("/proc/\(pid)/cmdline") else { return nil }
                // Exactly the script's two sleeps: another `sleep 3…` on the
                // machine (a shell waiting 300 s) is not one of them.
                let text = cmd.replacingOccurrences(of: "\0", with: " ")
                return text == "sleep 30 " || text == "sleep 31 " ? pid : nil
            }
        }
        XCTAssertTrue(waitUntil(timeout: 3) { sleepers().isEmpty }, "leftover script processes: \(sleepers())")
        XCTAssertEqual(try lab.owners(of: vip), [])
    }

    /// enable_script_security: a script root would run from a directory
    /// anyone can write to is disabled (keepalived's rule), so it cannot fault
    /// the instance; the same script from a root-only place runs.
    func testScriptSecurityDisablesAScriptOthersCouldReplace() throws {
        let lab = try makeVRRPLab(nodes: 1)
        let open = lab.directory.file("open")
        XCTAssertEqual(mkdir(open, 0o777), 0)
        chmod(open, 0o777)
        let script = open + "/check"
        XCTAssertTrue(FileManager.default.createFile(atPath: script, contents: Data("#!/bin/sh\nexit 1\n".utf8)))
        chmod(script, 0o755)
        var config = KeepalivedConfig()
        config.state = "MASTER"
        config.priority = 150
        config.globalLines = ["script_user root", "enable_script_security"]
        config.prelude = """
            vrrp_script replaceable {
                script "\(script)"
                interval 1
                fall 1
            }
            """
        config.extraInstanceLines = ["track_script {", "    replaceable", "}"]
        let node = try FulcrumVRRPNode(lab: lab, node: 1, config: config)
        try node.waitForState("MASTER", timeout: 10)
        XCTAssertTrue(node.log.contains("VRRP_Script(replaceable) is insecure"), node.logTail())
        sleepSeconds(2.5)
        XCTAssertEqual(node.states(), ["BACKUP", "MASTER"], "the failing but insecure script never ran")
    }
}
