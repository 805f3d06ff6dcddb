import XCTest
import Foundation

/// keepalived's routes, rules and static addresses in the namespace lab,
/// Fulcrum on node 1 and keepalived 2.2.7 on node 2 with the same blocks:
/// static_ipaddress / static_routes / static_rules are in from start to stop
/// whatever the state; virtual_routes / virtual_rules are in only while
/// MASTER, and follow the mastership to the keepalived peer and back.
final class VRRPRoutesTests: XCTestCase {
    private let vip = VRRPLab.virtualAddress()

    private func configure(_ c: inout KeepalivedConfig, node: Int) {
        c.prelude = """
            static_ipaddress {
                10.77.0.5\(node)/32 dev eth0 scope link
            }
            static_routes {
                10.90.0.0/16 via 10.77.0.1 dev eth0 table 90
                blackhole 10.90.9.0/24 table 90 metric 3
            }
            static_rules {
                from 10.91.0.0/16 table 90 priority 1000
            }
            """
        c.extraInstanceLines = [
            "virtual_routes {",
            "    10.92.0.0/16 via 10.77.0.1 dev eth0 table 92",
            "    src \(vip) 10.94.0.0/24 dev eth0 table 92 metric 5",
            "    unreachable 10.93.0.0/16 table 92",
            "}",
            "virtual_rules {",
            "    from 10.95.0.0/16 table 92 priority 1001",
            "    to 10.96.0.0/16 fwmark 7 table 92 priority 1002",
            "}",
        ]
    }

    /// `ip route show table N`; "" when the table does not exist (no route
    /// was ever put in it, or the last one left).
    private func routes(_ lab: VRRPLab, node: Int, table: Int) -> String {
        guard let r = try? lab.run(in: lab.nodeNamespace(node), "ip", ["-4", "route", "show", "table", "\(table)"]) else { return "?" }
        if r.succeeded { return r.stdout }
        return r.stderr.contains("does not exist") ? "" : "? \(r.stderr)"
    }

    private func rules(_ lab: VRRPLab, node: Int) -> String {
        (try? lab.runChecked(in: lab.nodeNamespace(node), "ip", ["-4", "rule", "show"])) ?? "?"
    }

    private func hasVirtual(_ lab: VRRPLab, node: Int) -> Bool {
        let r = routes(lab, node: node, table: 92), rl = rules(lab, node: node)
        return r.contains("10.92.0.0/16 via 10.77.0.1 dev eth0") && r.contains("10.94.0.0/24 dev eth0")
            && r.contains("src \(vip) metric 5") && r.contains("unreachable 10.93.0.0/16 proto keepalived")
            && rl.contains("1001:\tfrom 10.95.0.0/16 lookup 92") && rl.contains("1002:\tfrom all to 10.96.0.0/16 fwmark 0x7 lookup 92")
    }

    private func hasNoVirtual(_ lab: VRRPLab, node: Int) -> Bool {
        routes(lab, node: node, table: 92).isEmpty && !rules(lab, node: node).contains("lookup 92")
    }

    private func hasStatic(_ lab: VRRPLab, node: Int) -> Bool {
        let r = routes(lab, node: node, table: 90)
        return r.contains("10.90.0.0/16 via 10.77.0.1 dev eth0") && r.contains("blackhole 10.90.9.0/24 proto keepalived metric 3")
            && rules(lab, node: node).contains("1000:\tfrom 10.91.0.0/16 lookup 90")
            && ((try? lab.ipv4Addresses(node: node)) ?? []).contains("10.77.0.5\(node)")
    }

    func testVirtualRoutesFollowMastershipToKeepalivedAndStaticOnesStayUntilStop() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let (first, second) = try startVRRPPair(lab, .fulcrum, .keepalived) { c, node in configure(&c, node: node) }

        XCTAssertTrue(waitUntil(timeout: 5) { hasVirtual(lab, node: 1) && hasStatic(lab, node: 1) },
                      "MASTER node 1:\n\(routes(lab, node: 1, table: 92))\n\(routes(lab, node: 1, table: 90))\n\(rules(lab, node: 1))")
        XCTAssertTrue(waitUntil(timeout: 5) { hasStatic(lab, node: 2) }, "keepalived's statics on node 2")
        XCTAssertTrue(hasNoVirtual(lab, node: 2), "BACKUP keepalived:\n\(routes(lab, node: 2, table: 92))")

        // Failover to keepalived: node 1 (FAULT) takes its virtual routes out, keeps the static ones.
        let s2 = second.states().count
        try lab.cutLink(node: 1)
        try second.waitForState("MASTER", after: s2, timeout: 5)
        XCTAssertTrue(waitUntil(timeout: 5) { hasNoVirtual(lab, node: 1) },
                      "after failover node 1:\n\(routes(lab, node: 1, table: 92))\n\(rules(lab, node: 1))")
        XCTAssertTrue(waitUntil(timeout: 5) { hasVirtual(lab, node: 2) }, "keepalived MASTER:\n\(routes(lab, node: 2, table: 92))")
        XCTAssertTrue(hasStatic(lab, node: 1))

        // Back: Fulcrum preempts and puts them in again.
        let r1 = first.states().count
        try lab.restoreLink(node: 1)
        try first.waitForState("MASTER", after: r1, timeout: 10)
        XCTAssertTrue(waitUntil(timeout: 5) { hasVirtual(lab, node: 1) && hasNoVirtual(lab, node: 2) },
                      "node 1:\n\(routes(lab, node: 1, table: 92))\nnode 2:\n\(routes(lab, node: 2, table: 92))")

        // Stop: everything Fulcrum put in is gone.
        first.stop()
        XCTAssertTrue(waitUntil(timeout: 5) {
            hasNoVirtual(lab, node: 1) && routes(lab, node: 1, table: 90).isEmpty
                && !rules(lab, node: 1).contains("lookup 90") && !((try? lab.ipv4Addresses(node: 1)) ?? []).contains("10.77.0.51")
        }, "after stop node 1:\n\(routes(lab, node: 1, table: 90))\n\(rules(lab, node: 1))")
        assertNoKeepalivedComplaints([second])
    }
}
