import Glibc
import XCTest

/// `fulcrum -c -f FILE` on keepalived.conf files as operators bring them:
/// the shape distributions and blog posts ship, and Debian's samples.
final class KeepalivedConfigCheckTests: XCTestCase {
    /// The keepalived.conf of distribution packages and most tutorials.
    /// keepalived 2.2.7's own `-t` exits 5 on it (vrrp_garp_interval 0 is out of its
    /// range, strict mode ignores the authentication and sets state from the
    /// priority) but runs it; Fulcrum accepts it with those same warnings.
    private let typical = """
        ! Configuration File for keepalived

        global_defs {
           notification_email {
             acassen@firewall.loc
             failover@firewall.loc
           }
           notification_email_from Alexandre.Cassen@firewall.loc
           smtp_server 192.168.200.1
           smtp_connect_timeout 30
           router_id LVS_DEVEL
           vrrp_skip_check_adv_addr
           vrrp_strict
           vrrp_garp_interval 0
           vrrp_gna_interval 0
        }

        vrrp_instance VI_1 {
            state MASTER
            interface eth0
            virtual_router_id 51
            priority 100
            advert_int 1
            authentication {
                auth_type PASS
                auth_pass 1111
            }
            virtual_ipaddress {
                192.168.200.16
                192.168.200.17
                192.168.200.18
            }
        }

        """

    /// `fulcrum -c` checks that the interfaces an instance names exist, as keepalived -t does:
    /// the files are checked in a lab node's namespace, which has eth0 and, added here, eth1 to
    /// eth3 and eth0.1.
    private func labNamespace() throws -> (VRRPLab, String) {
        let lab = try makeVRRPLab(nodes: 1)
        let ns = lab.nodeNamespace(1)
        try CompatKeepalivedRewrite.prepareInterfaces(lab, namespace: ns)
        return (lab, ns)
    }

    private func check(_ name: String, _ text: String) throws -> CommandResult {
        let (lab, ns) = try labNamespace()
        let path = try lab.directory.write(name, text)
        return try lab.run(in: ns, try FulcrumBinary.path(), ["-c", "-f", path], timeout: 30)
    }

    func testTypicalDistributionFileIsValidWithKeepalivedsWarnings() throws {
        let r = try check("keepalived.conf", typical)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertFalse(r.stderr.contains("[ALERT]"), r.stderr)
        let warnings = r.stderr.split(separator: "\n").filter { $0.hasPrefix("[WARNING]") }
        for expected in [
            "keepalived.conf:13:4: vrrp_strict: Fulcrum does not install firewall rules for VIPs",
            "keepalived.conf:14:23: vrrp_garp_interval '0' is invalid",
            "keepalived.conf:15:22: vrrp_gna_interval '0' is invalid",
            "keepalived.conf:19:11: (VI_1) State MASTER must match being address owner",
            "keepalived.conf:25:19: (VI_1) Strict mode does not support authentication. Ignoring.",
        ] {
            XCTAssertTrue(warnings.contains { $0.contains(expected) }, "missing '\(expected)' in:\n\(r.stderr)")
        }
    }

    func testDebianSamplesAreValid() throws {
        let directory = "/usr/share/doc/keepalived/samples"
        var checked = 0
        let (lab, ns) = try labNamespace()
        for sample in ["keepalived.conf.vrrp", "keepalived.conf.vrrp.localcheck", "keepalived.conf.vrrp.scripts",
                       "keepalived.conf.vrrp.sync"] {
            let path = "\(directory)/\(sample)"
            guard access(path, R_OK) == 0 else { continue }
            let r = try lab.run(in: ns, try FulcrumBinary.path(), ["-c", "-f", path], timeout: 30)
            XCTAssertEqual(r.status, 0, "\(sample): \(r.output)")
            XCTAssertFalse(r.stderr.contains("[ALERT]"), "\(sample): \(r.stderr)")
            checked += 1
        }
        if checked == 0 { throw XCTSkip("keepalived's samples are not installed in \(directory)") }
    }

    func testAnErrorNamesFileLineColumnAndKeyword() throws {
        let broken = typical.replacingOccurrences(of: "   vrrp_gna_interval 0\n", with: "   vrrp_gna_interval 0\n   vrrp_iptables\n")
            .replacingOccurrences(of: "    advert_int 1\n", with: "    advert_int 1\n    use_ipvlan\n")
        let r = try check("broken.conf", broken)
        XCTAssertEqual(r.status, 1, r.output)
        let alerts = r.stderr.split(separator: "\n").filter { $0.hasPrefix("[ALERT]") }
        XCTAssertTrue(alerts.contains { $0.contains("broken.conf:16:4: keepalived keyword 'vrrp_iptables' is not supported (in global_defs)") }, r.stderr)
        XCTAssertTrue(alerts.contains { $0.contains("broken.conf:25:5: keepalived keyword 'use_ipvlan' is not supported (in vrrp_instance 'VI_1')") }, r.stderr)
        XCTAssertFalse(r.stdout.contains("valid"), r.stdout)
    }
}
