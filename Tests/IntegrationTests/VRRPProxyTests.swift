import XCTest
import Foundation

/// VRRP inside a Fulcrum configuration, next to the proxy it protects:
/// `track_backend` moves the VIP away from a node whose backend has no usable
/// server (no `killall -0 haproxy` script needed), and reloads — each of which
/// restarts the VRRP child on a re-executed master — never drop the VIP.
final class VRRPProxyTests: XCTestCase {
    private let vip = VRRPLab.virtualAddress()

    /// Node 1's Fulcrum config: a TCP proxy whose one server is checked every
    /// 200 ms, and a vrrp_instance (priority 150) tracking that backend.
    private func proxyNodeConfig(_ lab: VRRPLab, serverPort: Int) -> String {
        """
        global
            workers 1
        defaults
            mode tcp
            timeout connect 1s
            timeout client 5s
            timeout server 5s
        frontend fe
            bind 0.0.0.0:8080
            default_backend app
        backend app
            server s1 127.0.0.1:\(serverPort) check inter 200 fall 1 rise 1

        """ + {
            var vrrp = KeepalivedConfig()
            vrrp.routerID = "node1"
            vrrp.state = "MASTER"
            vrrp.priority = 150
            vrrp.extraInstanceLines = ["track_backend app"]
            return vrrp.text
        }()
    }

    func testTrackBackendFaultsWhenTheBackendHasNoUsableServer() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let port = 9000
        var low = KeepalivedConfig()
        low.routerID = "node2"
        let second = try FulcrumVRRPNode(lab: lab, node: 2, config: low)
        try second.waitForState("MASTER", timeout: 10)
        // Nothing listens on the server port yet: the backend is down, node 1 faults.
        let first = try FulcrumVRRPNode(lab: lab, node: 1, config: proxyNodeConfig(lab, serverPort: port))
        try first.waitForState("FAULT", timeout: 10)
        sleepSeconds(1)
        XCTAssertEqual(try lab.owners(of: vip), [2])

        // The server comes up: node 1 leaves FAULT and, with the higher priority, takes over.
        let s1 = first.states().count
        let server = try lab.start(in: lab.nodeNamespace(1), label: "app1", "socat",
                                   ["TCP-LISTEN:\(port),reuseaddr,fork", "EXEC:cat"])
        try first.waitForState("MASTER", after: s1, timeout: 10)
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 3))

        // It goes away again: the VIP follows a working proxy.
        let s2 = second.states().count
        let failover = try lab.measureFailover(vip: vip, action: .custom("stop the backend server", { server.stop() }))
        print("fulcrum vrrp: track_backend failover outage \(PingMonitor.format(failover.outage)) s")
        try second.waitForState("MASTER", after: s2, timeout: 5)
        XCTAssertEqual(first.state(), "FAULT")
        XCTAssertLessThan(failover.outage, 2, "\(failover)")
    }

    func testReloadsKeepTheVIPWithoutAHandover() throws {
        let lab = try makeVRRPLab(nodes: 2)
        let port = 9000
        _ = try lab.start(in: lab.nodeNamespace(1), label: "app1", "socat", ["TCP-LISTEN:\(port),reuseaddr,fork", "EXEC:cat"])
        let first = try FulcrumVRRPNode(lab: lab, node: 1, config: proxyNodeConfig(lab, serverPort: port))
        try first.waitForState("MASTER", timeout: 10)
        var low = KeepalivedConfig()
        low.routerID = "node2"
        let second = try KeepalivedNode(lab: lab, node: 2, config: low)
        try second.waitForState("BACKUP", timeout: 10)
        let children = first.vrrpChildPid

        let reloads = try lab.measureFailover(vip: vip, action: .custom("5 reloads", {
            for _ in 0..<5 {
                try first.process.signal(SIGUSR2)
                sleepSeconds(0.5)
            }
        }), settle: 3)
        print("fulcrum vrrp: 5 reloads, longest ping gap \(PingMonitor.format(reloads.outage)) s")
        XCTAssertLessThan(reloads.outage, 0.2, "\(reloads)")
        XCTAssertEqual(second.states(), ["BACKUP"], "the keepalived backup never took over")
        XCTAssertEqual(try lab.owners(of: vip), [1])
        XCTAssertNotEqual(first.vrrpChildPid, children, "each reload restarts the VRRP child")
        XCTAssertGreaterThanOrEqual(first.log.components(separatedBy: "resuming as MASTER").count - 1, 5, first.logTail())
        assertNoKeepalivedComplaints([second])
    }
}
