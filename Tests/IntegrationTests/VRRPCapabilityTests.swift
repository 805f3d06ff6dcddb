import Glibc
import XCTest

/// Issue 17: once its sockets are open the VRRP child keeps only the
/// capabilities it needs, CAP_NET_ADMIN and CAP_NET_RAW (CapEff and CapPrm
/// of /proc/PID/status), and still does its work with them: the VIP is added
/// after the drop (the instance starts BACKUP and becomes MASTER a
/// Master_Down_Interval later). Scripts run as `script_user`; when that user
/// is not root the child keeps CAP_KILL too, which a vrrp_script's timeout
/// needs (root without it may signal only its own uid's processes).
final class VRRPCapabilityTests: XCTestCase {
    private let vip = VRRPLab.virtualAddress()
    /// capability(7): CAP_KILL 5, CAP_NET_ADMIN 12, CAP_NET_RAW 13.
    private static let netAdminAndRaw = "0000000000003000"
    private static let netAdminRawAndKill = "0000000000003020"

    func testTheVRRPChildKeepsOnlyNetAdminAndNetRawAndStillAddsItsVIP() throws {
        let lab = try makeVRRPLab(nodes: 1, namePrefix: "scalecaps")
        let node = try FulcrumVRRPNode(lab: lab, node: 1, config: KeepalivedConfig())
        try node.waitForState("MASTER", timeout: 10)
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 5), "the VIP was not added after the drop")
        let child = try XCTUnwrap(node.vrrpChildPid, "no fulcrum-vrrp child")
        XCTAssertEqual(ProcessTree.statusField(of: child, "CapEff"), Self.netAdminAndRaw)
        XCTAssertEqual(ProcessTree.statusField(of: child, "CapPrm"), Self.netAdminAndRaw)
        XCTAssertEqual(ProcessTree.statusField(of: child, "Uid"), "0")
        // The master keeps root's: the drop is the child's own.
        XCTAssertNotEqual(ProcessTree.statusField(of: node.process.pid, "CapEff"), Self.netAdminAndRaw)
    }

    func testScriptsRunAsScriptUserAndAreKilledAtTheirTimeout() throws {
        let lab = try makeVRRPLab(nodes: 1, namePrefix: "scalecaps")
        let files = try TemporaryDirectory(prefix: "scalecaps-scripts")
        addTeardownBlock { files.remove() }
        chmod(files.path, 0o755)
        let out = files.file("notify-uid")
        try FileBytes.write([], to: out)
        chmod(out, 0o666)
        let notify = try files.write("notify.sh", "#!/bin/sh\nid -u > \(out)\n")
        chmod(notify, 0o755)
        var config = KeepalivedConfig()
        config.globalLines = ["script_user nobody"]
        // A check that outlives its timeout: killed after 1 s, not 31.5.
        config.prelude = """
            vrrp_script chk_slow {
                script "/bin/sleep 31.5"
                interval 2
                timeout 1
                weight -10
            }
            """
        config.extraInstanceLines = ["notify_master \"\(notify)\"", "track_script {", "    chk_slow", "}"]
        let node = try FulcrumVRRPNode(lab: lab, node: 1, config: config)
        try node.waitForState("MASTER", timeout: 10)

        XCTAssertTrue(waitUntil(timeout: 10) { FileBytes.readText(out)?.hasSuffix("\n") == true }, node.logTail())
        XCTAssertEqual(FileBytes.readText(out), "65534\n", "notify_master's uid")

        let child = try XCTUnwrap(node.vrrpChildPid, "no fulcrum-vrrp child")
        XCTAssertEqual(ProcessTree.statusField(of: child, "CapEff"), Self.netAdminRawAndKill)
        XCTAssertEqual(ProcessTree.statusField(of: child, "CapPrm"), Self.netAdminRawAndKill)

        var check: pid_t = 0
        XCTAssertTrue(waitUntil(timeout: 10) {
            check = ProcessTree.descendants(of: child).first { ProcessTree.commandLine(of: $0) == ["/bin/sleep", "31.5"] } ?? 0
            return check != 0
        }, "chk_slow never ran:\n\(node.logTail())")
        XCTAssertEqual(ProcessTree.statusField(of: check, "Uid"), "65534", "chk_slow's uid")
        XCTAssertTrue(waitUntil(timeout: 6) { !ProcessTree.isAlive(check) }, "chk_slow outlived its 1 s timeout")
    }
}
