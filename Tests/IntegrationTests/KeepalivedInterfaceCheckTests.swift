import XCTest
import Foundation

/// Issue 15: a vrrp_instance whose `interface` does not exist, or is a loopback one, is refused
/// by `fulcrum -c` (and at start) where `keepalived -t` refuses it, with keepalived 2.2.7's
/// words, at the interface name's file:line:column. Both run in a lab node's namespace, where
/// only lo and eth0 exist.
final class KeepalivedInterfaceCheckTests: XCTestCase {
    private func config(interface: String) -> String {
        """
        vrrp_instance VI_1 {
            state MASTER
            interface \(interface)
            virtual_router_id 51
            priority 100
            virtual_ipaddress {
                10.77.0.200/24
            }
        }

        """
    }

    /// Runs `fulcrum -c` and `keepalived -t` on `text` in a one-node lab.
    private func check(_ text: String) throws -> (fulcrum: CommandResult, keepalived: CommandResult, path: String) {
        let keepalived = try requireTool("keepalived")
        let lab = try makeVRRPLab(nodes: 1)
        let path = try lab.directory.write("keepalived.conf", text)
        let ns = lab.nodeNamespace(1)
        let f = try lab.run(in: ns, try FulcrumBinary.path(), ["-c", "-f", path], timeout: 30)
        let k = try lab.run(in: ns, keepalived, ["-t", "-f", path], timeout: 30)
        return (f, k, path)
    }

    private func alerts(_ r: CommandResult) -> [String] {
        r.stderr.split(separator: "\n").filter { $0.hasPrefix("[ALERT]") }.map(String.init)
    }

    func testANonExistentInterfaceIsRefusedAsKeepalivedRefusesIt() throws {
        let (fulcrum, keepalived, path) = try check(config(interface: "nosuch0"))
        // keepalived 2.2.7: exit 5, "(FILE: Line 3) WARNING - interface nosuch0 for vrrp_instance VI_1
        // doesn't exist", then "Non-existent interface specified in configuration".
        XCTAssertEqual(keepalived.status, 5, keepalived.output)
        XCTAssertTrue(keepalived.output.contains("(\(path): Line 3) WARNING - interface nosuch0 for vrrp_instance VI_1 doesn't exist"),
                      keepalived.output)
        XCTAssertTrue(keepalived.output.contains("Non-existent interface specified in configuration"), keepalived.output)

        XCTAssertEqual(fulcrum.status, 1, fulcrum.output)
        XCTAssertEqual(alerts(fulcrum), [
            "[ALERT] \(path):3:15: interface nosuch0 for vrrp_instance VI_1 doesn't exist",
            "[ALERT] Non-existent interface specified in configuration",
            "[ALERT] Fatal errors found in configuration.",
        ])
        XCTAssertFalse(fulcrum.stdout.contains("valid"), fulcrum.stdout)
    }

    func testALoopbackInterfaceIsRefusedAsKeepalivedRefusesIt() throws {
        let (fulcrum, keepalived, path) = try check(config(interface: "lo"))
        // keepalived 2.2.7: exit 5, "(FILE: Line 3) (VI_1) cannot use a loopback interface (lo) for
        // vrrp - ignoring", then "(VI_1) Unknown interface!".
        XCTAssertEqual(keepalived.status, 5, keepalived.output)
        XCTAssertTrue(keepalived.output.contains("(\(path): Line 3) (VI_1) cannot use a loopback interface (lo) for vrrp - ignoring"),
                      keepalived.output)
        XCTAssertTrue(keepalived.output.contains("(VI_1) Unknown interface!"), keepalived.output)

        XCTAssertEqual(fulcrum.status, 1, fulcrum.output)
        XCTAssertEqual(alerts(fulcrum), [
            "[ALERT] \(path):3:15: (VI_1) cannot use a loopback interface (lo) for vrrp - ignoring",
            "[ALERT] (VI_1) Unknown interface!",
            "[ALERT] Fatal errors found in configuration.",
        ])
    }

    func testMissingTrackedAndVIPInterfacesAreRefusedAsKeepalivedRefusesThem() throws {
        let text = """
            vrrp_instance VI_1 {
                state MASTER
                interface eth0
                virtual_router_id 51
                priority 100
                track_interface {
                    nosuch1
                }
                virtual_ipaddress {
                    10.1.1.1/24 dev nosuch2
                }
            }

            """
        let (fulcrum, keepalived, path) = try check(text)
        XCTAssertEqual(keepalived.status, 5, keepalived.output)
        for expected in ["(\(path): Line 7) (VI_1) tracked interface nosuch1 doesn't exist",
                         "(\(path): Line 10) WARNING - interface nosuch2 for ip address 10.1.1.1/24 doesn't exist",
                         "Non-existent interface specified in configuration"] {
            XCTAssertTrue(keepalived.output.contains(expected), "keepalived: \(expected)\n\(keepalived.output)")
        }
        XCTAssertEqual(fulcrum.status, 1, fulcrum.output)
        XCTAssertEqual(alerts(fulcrum), [
            "[ALERT] \(path):7:9: (VI_1) tracked interface nosuch1 doesn't exist",
            "[ALERT] \(path):10:9: interface nosuch2 for ip address 10.1.1.1/24 doesn't exist",
            "[ALERT] Non-existent interface specified in configuration",
            "[ALERT] Fatal errors found in configuration.",
        ])
    }

    func testAnExistingInterfaceIsAccepted() throws {
        let (fulcrum, keepalived, _) = try check(config(interface: "eth0"))
        XCTAssertEqual(keepalived.status, 0, keepalived.output)
        XCTAssertEqual(fulcrum.status, 0, fulcrum.output)
        XCTAssertEqual(alerts(fulcrum), [])
    }
}
