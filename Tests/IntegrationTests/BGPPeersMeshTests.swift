import Foundation
import Glibc
import XCTest

/// Issue 19's tables in step over the BGP lab: the three nodes share a
/// `peers` section (a full mesh, each listing all three and itself by its
/// `localpeer` name), and the router's ECMP spreads one client's flows over
/// them. The client's count is counted once across the nodes (each request
/// pushed to the other two before the client's next one arrives, as
/// HAProxy's last-writer-wins peers do with a sync faster than the client),
/// so the deny starts at the configured count whichever node serves it, and
/// a `stick on src` entry made on one node keeps the client on that server
/// on the others. haproxy 2.6 on the same three nodes, side by side.
final class BGPPeersMeshTests: XCTestCase {
    static let limit = 100
    static let requests = 150
    static let peerPort = 10000

    enum Proxy { case fulcrum, haproxy }

    /// What one run over the three nodes gave.
    struct Run {
        let lab: BGPLab
        let nodes: [BGPLabNode]
        /// The client's lines: "200 n2-s2", "403 n3"...
        let lines: [String]
        let elapsed: Double
        /// Each node's entry for the client when the client ended.
        let endedWith: [String]
    }

    private func socket(_ n: BGPLabNode) -> String { n.lab.directory.file("n\(n.index)-stats.sock") }

    /// The proxy sections every node runs (the peers section lists all three).
    private func proxySections(_ n: BGPLabNode) -> String {
        let lab = n.lab
        return """
            peers mesh
            \((1...lab.nodeCount).map { "    peer n\($0) \(lab.nodeAddress($0)):\(Self.peerPort)" }.joined(separator: "\n"))
            frontend fe
                bind 0.0.0.0:80
                http-request track-sc0 src table app
                http-request deny deny_status 403 if { sc_http_req_cnt(0) gt \(Self.limit) }
                http-after-response set-header x-node \(n.nodeName)
                default_backend app
            backend app
                balance roundrobin
                stick-table type ip size 1k expire 10m peers mesh store http_req_cnt,http_req_rate(10s)
                stick on src
                server s1 127.0.0.1:8081 check inter 200 fall 1 rise 1
                server s2 127.0.0.1:8082 check inter 200 fall 1 rise 1

            """
    }

    /// haproxy in the node's namespace, its VIP on lo and announced by a
    /// fixed BIRD include (what Fulcrum writes while it serves).
    private func startHAProxy(_ n: BGPLabNode) throws {
        let lab = n.lab
        _ = try lab.segment.runChecked(in: n.namespace, "ip", ["addr", "add", "\(BGPLab.vip)/32", "dev", "lo"])
        _ = try lab.directory.write("n\(n.index)-vips.conf", "protocol static fulcrum_vips {\n\tipv4;\n\troute \(BGPLab.vip)/32 via \"lo\";\n}\n")
        let path = try lab.directory.write("n\(n.index)-haproxy.cfg", """
            global
                localpeer \(n.nodeName)
                stats socket \(socket(n)) level admin
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            \(proxySections(n))
            """)
        _ = try lab.start(in: n.namespace, label: "n\(n.index)-haproxy", "haproxy", ["-db", "-f", path])
    }

    private func command(_ n: BGPLabNode, _ command: String) -> String {
        (try? MasterCLI.send(command, socketPath: socket(n))) ?? ""
    }

    /// `show table app`'s entry for `key` on `n`, without pointer and expiry.
    private func entry(_ n: BGPLabNode, _ key: String) -> String {
        command(n, "show table app").split(separator: "\n").first { $0.contains("key=\(key) ") }
            .map { $0.split(separator: " ").filter { !$0.hasPrefix("0x") && !$0.hasPrefix("exp=") }.joined(separator: " ") } ?? ""
    }

    private func value(_ entry: String, _ name: String) -> Int? {
        entry.split(separator: " ").first { $0.hasPrefix(name + "=") }.flatMap { Int($0.dropFirst(name.count + 1)) }
    }

    /// Three nodes of `proxy` in a peers mesh behind the router's ECMP;
    /// node 1 alone puts the client on s2 (`set table`), the others learn
    /// it; then the client's `requests` flows, `pause` s apart: 20 ms, far
    /// more than a push takes even on a busy machine, far less than the
    /// peers process's 100 ms tick (a back-to-back client is measured in
    /// docs/bgp.md).
    private func run(_ proxy: Proxy, pause: Double = 0.02) throws -> Run {
        let lab = try makeBGPLab(nodes: 3)
        _ = try requireTool("nginx")
        _ = try requireTool("python3")
        if proxy == .haproxy { _ = try requireTool("haproxy") }
        _ = try BGPLabNode.startRouterBIRD(lab)
        let nodes = (1...3).map { BGPLabNode(lab: lab, index: $0) }
        for n in nodes {
            n.backendServers = 2
            n.globalConfig = """
                    localpeer \(n.nodeName)
                    stats socket \(socket(n)) level admin
                """
            n.proxyConfig = proxySections(n)
            try n.startBackend()
            if proxy == .haproxy { try startHAProxy(n) }
            try n.startBIRD()
            if proxy == .fulcrum { try n.startFulcrum() }
        }
        XCTAssertTrue(waitUntil(timeout: 30, interval: 0.1) { lab.routerNextHops().count == 3 },
                      "router next hops: \(lab.routerNextHops())")
        // The full mesh: every node has a session up with both others.
        for n in nodes {
            XCTAssertTrue(waitUntil(timeout: 15, interval: 0.05) {
                self.command(n, "show peers").components(separatedBy: "state=EST").count == 3
            }, "\(n.nodeName): " + command(n, "show peers"))
        }
        // Persistence: each node's round robin would alternate s1 and s2.
        let client = VRRPLab.clientAddress
        _ = command(nodes[0], "set table app key \(client) data.server_id 2")
        for n in nodes.dropFirst() {
            XCTAssertTrue(waitUntil(timeout: 5, interval: 0.02) { self.value(self.entry(n, client), "server_id") == 2 },
                          "\(n.nodeName): \(entry(n, client))")
        }
        // One client address, a new connection (source port) per request:
        // ECMP spreads the requests over the three nodes.
        let started = Date()
        let flows = try BGPLabNode.startClient(lab, stopFile: lab.directory.file("client.stop"), limit: Self.requests, pause: pause)
        XCTAssertNotNil(flows.wait(timeout: 120), "the client did not finish")
        let elapsed = Date().timeIntervalSince(started)
        let lines = flows.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, Self.requests, flows.stderr)
        return Run(lab: lab, nodes: nodes, lines: lines, elapsed: elapsed,
                   endedWith: nodes.map { entry($0, client) })
    }

    /// Allowed up to the limit and denied after it, each on every node,
    /// every allowed request on s2; every node's table ends with the
    /// client's total, counted once.
    private func check(_ r: Run, _ name: String) {
        let client = VRRPLab.clientAddress
        let allowed = r.lines.prefix(Self.limit), denied = r.lines.dropFirst(Self.limit)
        XCTAssertEqual(allowed.filter { !($0.hasPrefix("200 n") && $0.hasSuffix("-s2")) }, [], "\(name): allowed answers")
        XCTAssertEqual(denied.filter { !$0.hasPrefix("403 n") }, [], "\(name): denied answers")
        for n in r.nodes {
            XCTAssertTrue(allowed.contains("200 \(n.nodeName)-s2"), "\(name): no allowed request reached \(n.nodeName)")
            XCTAssertTrue(denied.contains("403 \(n.nodeName)"), "\(name): no denied request reached \(n.nodeName)")
        }
        for n in r.nodes {
            XCTAssertTrue(waitUntil(timeout: 5, interval: 0.02) { self.value(self.entry(n, client), "http_req_cnt") == Self.requests },
                          "\(name) \(n.nodeName): \(entry(n, client))")
            let e = entry(n, client)
            XCTAssertEqual(value(e, "server_id"), 2, "\(name) \(n.nodeName): \(e)")
            // The rate's period starts at the first request: within it, the rate is the count.
            if r.elapsed < 9 {
                XCTAssertEqual(value(e, "http_req_rate(10000)"), Self.requests, "\(name) \(n.nodeName): \(e)")
            }
        }
    }

    private func report(_ r: Run, _ name: String) {
        let served = r.nodes.map { n in "\(n.nodeName) \(r.lines.filter { $0.hasPrefix("200 \(n.nodeName)-") || $0 == "403 \(n.nodeName)" }.count)" }
        let firstDenied = r.lines.firstIndex { $0.hasPrefix("403 ") }.map { String($0 + 1) } ?? "none"
        print("bgp peers mesh, \(name): \(r.lines.count) requests in \(String(format: "%.2f", r.elapsed)) s "
              + "(served: \(served.joined(separator: ", "))), first 403 at request \(firstDenied) (limit \(Self.limit)), "
              + "http_req_cnt/http_req_rate(10s) when the client ended: " + zip(r.nodes, r.endedWith).map { n, e in
                  "\(n.nodeName) \(value(e, "http_req_cnt").map(String.init) ?? "-")/\(value(e, "http_req_rate(10000)").map(String.init) ?? "-")"
              }.joined(separator: ", "))
    }

    func testRateCountedOnceAndPersistenceKeptAcrossTheThreeNodes() throws {
        let r = try run(.fulcrum)
        report(r, "fulcrum")
        check(r, "fulcrum")
    }

    /// The same lab and client with haproxy 2.6 on the nodes: the same answers and counts.
    func testHAProxySideBySideCountsAlike() throws {
        let r = try run(.haproxy)
        report(r, "haproxy")
        check(r, "haproxy")
    }
}
