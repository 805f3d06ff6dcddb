import Foundation
import Glibc
import XCTest

/// A `VRRPLab` segment turned into a routed lab for BGP announcement tests:
/// its last node is a router, the others are Fulcrum nodes, and the client
/// reaches the VIP (10.79.9.1, on no segment) only through the router's
/// routes, which BIRD on the router learns over BGP from the nodes and
/// installs as one ECMP route (Linux, `fib_multipath_hash_policy` 1: ports in
/// the hash). The router forwards back out of the segment it came from, so it
/// sends no ICMP redirects and the client takes none: every flow crosses it.
///
///     client 10.77.0.100 ──┐
///     node 1 10.77.0.11 ───┤
///     node 2 10.77.0.12 ───┤ br0 ── router (node 4) 10.77.0.14
///     node 3 10.77.0.13 ───┘
///
/// Namespaces are `bgplab-PID-N-ROLE`.
final class BGPLab {
    static let vip = "10.79.9.1"
    let segment: VRRPLab
    /// Fulcrum nodes (the router is not counted).
    let nodeCount: Int

    init(segment: VRRPLab) throws {
        self.segment = segment
        nodeCount = segment.nodeCount - 1
        let router = routerNamespace
        try segment.runChecked(in: router, "sysctl", ["-qw", "net.ipv4.ip_forward=1", "net.ipv4.fib_multipath_hash_policy=1",
                                                      "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.eth0.send_redirects=0"])
        try segment.runChecked(in: clientNamespace, "sysctl", ["-qw", "net.ipv4.conf.all.accept_redirects=0",
                                                              "net.ipv4.conf.eth0.accept_redirects=0"])
        try segment.runChecked(in: clientNamespace, "ip", ["route", "add", "10.79.9.0/24", "via", routerAddress])
    }

    var directory: TemporaryDirectory { segment.directory }
    var routerNamespace: String { segment.nodeNamespace(segment.nodeCount) }
    var routerAddress: String { segment.nodeAddress(segment.nodeCount) }
    var clientNamespace: String { segment.clientNamespace }
    func nodeNamespace(_ index: Int) -> String { segment.nodeNamespace(index) }
    func nodeAddress(_ index: Int) -> String { segment.nodeAddress(index) }

    func start(in namespace: String, label: String, _ tool: String, _ arguments: [String]) throws -> VRRPLabProcess {
        try segment.start(in: namespace, label: label, tool, arguments)
    }

    /// The next hops of the router's kernel route to `destination` (one per
    /// ECMP path), in the kernel's order; [] when there is no route.
    func routerNextHops(_ destination: String = BGPLab.vip) -> [String] {
        guard let out = try? segment.run(in: routerNamespace, "ip", ["-4", "route", "show", destination]).stdout else { return [] }
        let words = out.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" })
        return words.indices.filter { words[$0] == "via" && $0 + 1 < words.count }.map { String(words[$0 + 1]) }
    }
}

extension XCTestCase {
    /// Skips unless root with `ip` and `bird`; `nodes` Fulcrum nodes and a
    /// router on one `VRRPLab` segment, destroyed when the test ends.
    func makeBGPLab(nodes: Int) throws -> BGPLab {
        _ = try requireTool("bird")
        return try BGPLab(segment: makeVRRPLab(nodes: nodes + 1, namePrefix: "bgplab"))
    }
}
