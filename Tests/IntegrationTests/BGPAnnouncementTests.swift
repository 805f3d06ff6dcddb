import Foundation
import Glibc
import XCTest

/// Active-active VIPs over BGP (docs/bgp.md): three Fulcrum nodes, each with
/// its own BIRD, announce one VIP to a router namespace whose BIRD installs
/// an ECMP route (Linux, L4 hash); a client opens many flows to the VIP.
final class BGPAnnouncementTests: XCTestCase {
    /// The client's result lines from `from` on.
    private func results(_ client: VRRPLabProcess, from: Int = 0) -> [Substring] {
        Array(client.stdout.split(separator: "\n").dropFirst(from))
    }

    private func waitForResults(_ client: VRRPLabProcess, count: Int, timeout: Double = 30) throws {
        guard waitUntil(timeout: timeout, interval: 0.05, { results(client).count >= count }) else {
            throw HarnessError.timeout("\(count) client requests within \(timeout) s (got \(results(client).count))")
        }
    }

    func testThreeNodesShareTheVIPAndLeaveWithoutBreakingTheOthersFlows() throws {
        let lab = try makeBGPLab(nodes: 3)
        _ = try requireTool("nginx")
        _ = try requireTool("python3")
        _ = try BGPLabNode.startRouterBIRD(lab)
        let nodes = (1...3).map { BGPLabNode(lab: lab, index: $0) }
        for n in nodes {
            try n.startBackend()
            try n.startBIRD()
            try n.startFulcrum()
        }
        // Every node announces: the router holds a 3-way ECMP route.
        XCTAssertTrue(waitUntil(timeout: 30, interval: 0.1) { lab.routerNextHops().count == 3 },
                      "router next hops: \(lab.routerNextHops())")
        for n in nodes {
            // BIRD's protocols are read every bird_retry (500 ms).
            XCTAssertTrue(waitUntil(timeout: 5, interval: 0.05) {
                let show = n.masterCommand("show bgp")
                return show.contains("web ANNOUNCED \(BGPLab.vip)/32") && show.contains("uplink BGP up Established")
            }, n.masterCommand("show bgp"))
        }
        // The router's route changes, printed when the test fails.
        _ = try lab.start(in: lab.routerNamespace, label: "router-routes", "ip", ["-ts", "monitor", "route"])

        // All three take traffic, and nothing fails.
        let stop = lab.directory.file("client.stop")
        let client = try BGPLabNode.startClient(lab, stopFile: stop)
        try waitForResults(client, count: 300)
        let first = results(client)
        for n in nodes { XCTAssertTrue(first.contains { $0 == "200 \(n.nodeName)" }, "no flow reached \(n.nodeName)") }
        XCTAssertEqual(first.filter { !$0.hasPrefix("200 ") }, [])

        // A node's backend fails: it withdraws, within the router's BGP hold
        // time (3 s), long before BGP itself would notice. Linux's
        // hash-threshold ECMP keeps the other paths' hash ranges only when the
        // removed path is the middle one (docs/bgp.md): that node fails.
        let hops = lab.routerNextHops()
        guard hops.count == 3, let failing = nodes.first(where: { lab.nodeAddress($0.index) == hops[1] }) else {
            return XCTFail("next hops \(hops)")
        }
        let beforeFailure = results(client).count
        try failing.backend?.signal(SIGKILL)
        XCTAssertTrue(waitUntil(timeout: 3, interval: 0.02) { !lab.routerNextHops().contains(lab.nodeAddress(failing.index)) },
                      "\(failing.nodeName) still a next hop: \(lab.routerNextHops())")
        XCTAssertEqual(lab.routerNextHops().count, 2)
        let withdrawnAt = results(client).count
        try waitForResults(client, count: withdrawnAt + 300)
        let duringFailure = results(client, from: beforeFailure)
        // The failing node's own flows got a 5xx until the route left; no
        // connection broke (what a rerouted flow of another node would show).
        XCTAssertEqual(duringFailure.filter { $0.hasPrefix("error") || $0 == "none -" }, [])
        // Once withdrawn (a few in-flight requests of grace), only the others answer.
        let afterWithdrawal = results(client, from: withdrawnAt + 5)
        XCTAssertEqual(afterWithdrawal.filter { !$0.hasPrefix("200 ") || $0 == "200 \(failing.nodeName)" }, [])
        XCTAssertTrue(failing.masterCommand("show bgp").contains("web WITHDRAWN"), failing.masterCommand("show bgp"))
        XCTAssertTrue(failing.log.contains("BGP_Instance(web) withdrawing \(BGPLab.vip)/32"), failing.log)

        // SIGUSR1 on another node: the route goes first, while Fulcrum still
        // serves; it stops after the drain; no request fails meanwhile.
        let survivors = nodes.filter { $0.index != failing.index }
        let draining = survivors[0], remaining = survivors[1]
        let beforeDrain = results(client).count
        try draining.fulcrum?.signal(SIGUSR1)
        var servingWhenWithdrawn = false
        XCTAssertTrue(waitUntil(timeout: 5, interval: 0.01) {
            let gone = lab.routerNextHops() == [lab.nodeAddress(remaining.index)]
            if gone { servingWhenWithdrawn = draining.fulcrum?.isRunning == true }
            return gone
        }, "router next hops: \(lab.routerNextHops())")
        XCTAssertTrue(servingWhenWithdrawn, "the route must leave before Fulcrum stops")
        XCTAssertNotNil(draining.fulcrum?.wait(timeout: 15), "the draining node did not stop")
        let drainEnded = results(client).count
        try waitForResults(client, count: drainEnded + 200)
        XCTAssertEqual(results(client, from: beforeDrain).filter { !$0.hasPrefix("200 ") }, [])
        XCTAssertEqual(results(client, from: drainEnded + 5).filter { $0 != "200 \(remaining.nodeName)" }, [])
        XCTAssertTrue(draining.log.contains("Withdrawing BGP routes"), draining.log)
        _ = try lab.directory.write("client.stop", "")
        XCTAssertNotNil(client.wait(timeout: 15))

        // The failed node's backend comes back: announced again after rise
        // (and the hold-down, long over by now).
        try failing.startBackend()
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) {
            Set(lab.routerNextHops()) == [lab.nodeAddress(failing.index), lab.nodeAddress(remaining.index)]
        }, "router next hops: \(lab.routerNextHops())")
        XCTAssertTrue(failing.masterCommand("show bgp").contains("web ANNOUNCED"))
        // A node killed outright (Fulcrum and BIRD): the router's BGP hold time (3 s) withdraws it.
        try remaining.fulcrum?.signal(SIGKILL)
        try remaining.bird?.signal(SIGKILL)
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { lab.routerNextHops() == [lab.nodeAddress(failing.index)] },
                      "router next hops: \(lab.routerNextHops())")
        let all = results(client)
        print("bgp lab: \(all.count) requests: " + nodes.map { n in "\(n.nodeName) \(all.filter { $0 == "200 \(n.nodeName)" }.count)" }.joined(separator: ", ")
              + ", 5xx while \(failing.nodeName) failed \(duringFailure.filter { !$0.hasPrefix("200") }.count), connection errors \(all.filter { $0.hasPrefix("error") }.count)")
    }

    /// No BIRD where bird_socket points: reported in `show bgp` and the log,
    /// retried, and the master keeps serving; BIRD started later gets the VIP
    /// announced; BIRD stopped again is reported again.
    func testMissingBIRDIsReportedAndRetriedWithoutHarmingTheMaster() throws {
        let lab = try makeBGPLab(nodes: 1)
        _ = try requireTool("nginx")
        let node = BGPLabNode(lab: lab, index: 1)
        try node.startBackend()
        try node.startFulcrum()
        XCTAssertTrue(waitUntil(timeout: 15, interval: 0.05) { node.masterCommand("show bgp").contains("unreachable: cannot connect to \(node.birdSocket)") },
                      node.masterCommand("show bgp") + node.log)
        XCTAssertTrue(node.log.contains("BGP: BIRD at \(node.birdSocket): "), node.log)
        XCTAssertTrue(node.log.contains("No such file or directory; retrying every 500 ms"), node.log)
        // The decision goes on without BIRD: the include says to announce.
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { node.masterCommand("show bgp").contains("web ANNOUNCED") })
        XCTAssertEqual(FileBytes.readText(node.include).map { $0.contains("route \(BGPLab.vip)/32 via \"lo\";") }, true)
        XCTAssertTrue(node.masterCommand("show proc").contains("master"))
        XCTAssertTrue(node.fulcrum?.isRunning == true)

        // BIRD comes: the router learns the VIP from the file Fulcrum wrote.
        _ = try BGPLabNode.startRouterBIRD(lab)
        try node.startBIRD()
        XCTAssertTrue(waitUntil(timeout: 20, interval: 0.1) { lab.routerNextHops() == [lab.nodeAddress(1)] },
                      "router next hops: \(lab.routerNextHops())")
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { node.masterCommand("show bgp").contains("uplink BGP up Established") },
                      node.masterCommand("show bgp"))

        // BIRD stops: reported again, the master lives on.
        node.bird?.stop()
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { node.masterCommand("show bgp").contains("unreachable") },
                      node.masterCommand("show bgp"))
        XCTAssertTrue(node.fulcrum?.isRunning == true)
        XCTAssertTrue(node.masterCommand("show proc").contains("master"))
    }

    /// A reload whose configuration drops a VIP withdraws its route at once,
    /// keeps the address for the drain time, then removes it; the VIP that
    /// stays is never withdrawn by the reload.
    func testReloadWithoutAVIPWithdrawsItAndReleasesItAfterTheDrain() throws {
        let lab = try makeBGPLab(nodes: 1)
        _ = try requireTool("nginx")
        let api = "10.79.9.2"
        _ = try BGPLabNode.startRouterBIRD(lab)
        let node = BGPLabNode(lab: lab, index: 1)
        node.extraConfig = """
            bgp_instance api {
                virtual_ipaddress {
                    \(api)
                }
                track_backend {
                    app
                }
                interval 0.2
                rise 1
                drain_time 2
            }

            """
        try node.startBackend()
        try node.startBIRD()
        try node.startFulcrum()
        let hop = lab.nodeAddress(1)
        XCTAssertTrue(waitUntil(timeout: 30, interval: 0.1) { lab.routerNextHops() == [hop] && lab.routerNextHops(api) == [hop] },
                      "router: \(lab.routerNextHops()) \(lab.routerNextHops(api))")
        XCTAssertEqual(Set(node.loopbackAddresses()).isSuperset(of: [BGPLab.vip, api]), true, "\(node.loopbackAddresses())")

        node.extraConfig = ""
        try node.reload()
        var webLeft = false
        var addressKeptAfterWithdrawal = false
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.01) {
            if lab.routerNextHops() != [hop] { webLeft = true }
            let withdrawn = lab.routerNextHops(api).isEmpty
            if withdrawn { addressKeptAfterWithdrawal = node.loopbackAddresses().contains(api) }
            return withdrawn
        }, "api still routed: \(lab.routerNextHops(api))")
        XCTAssertTrue(addressKeptAfterWithdrawal, "the address must stay for the drain")
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) {
            if lab.routerNextHops() != [hop] { webLeft = true }
            return !node.loopbackAddresses().contains(api)
        }, "\(api) still on lo: \(node.loopbackAddresses())")
        XCTAssertFalse(webLeft, "the reload withdrew the VIP it kept")
        XCTAssertTrue(node.loopbackAddresses().contains(BGPLab.vip))
        XCTAssertTrue(node.log.contains("10.79.9.2/32 left the configuration"), node.log)
        XCTAssertFalse(node.masterCommand("show bgp").contains("api"), node.masterCommand("show bgp"))
    }

    /// `fulcrum -c` refuses a vip_interface or a tracked interface that does
    /// not exist, at its word, as a vrrp_instance's interfaces are refused.
    func testMissingInterfacesAreRefusedAtLoad() throws {
        let lab = try makeBGPLab(nodes: 1)
        let path = try lab.directory.write("bgp.conf", """
            bgp_defs {
                vip_interface bgp-nosuch0
            }
            bgp_instance web {
                virtual_ipaddress {
                    \(BGPLab.vip)
                }
                track_interface {
                    bgp-nosuch1
                }
            }

            """)
        let r = try lab.segment.run(in: lab.nodeNamespace(1), try FulcrumBinary.path(), ["-c", "-f", path], timeout: 30)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertEqual(r.stderr.split(separator: "\n").filter { $0.hasPrefix("[ALERT]") }.map(String.init), [
            "[ALERT] \(path):2:19: vip_interface bgp-nosuch0 for the BGP virtual addresses doesn't exist (make it: 'ip link add bgp-nosuch0 type dummy', or name lo)",
            "[ALERT] \(path):9:9: (web) tracked interface bgp-nosuch1 doesn't exist",
            "[ALERT] Fatal errors found in configuration.",
        ])
        let valid = try lab.directory.write("bgp-lo.conf", """
            bgp_defs {
                vip_interface lo
            }
            bgp_instance web {
                virtual_ipaddress {
                    \(BGPLab.vip)
                }
                track_interface {
                    eth0
                }
            }

            """)
        let ok = try lab.segment.run(in: lab.nodeNamespace(1), try FulcrumBinary.path(), ["-c", "-f", valid], timeout: 30)
        XCTAssertEqual(ok.status, 0, ok.output)
    }
}
