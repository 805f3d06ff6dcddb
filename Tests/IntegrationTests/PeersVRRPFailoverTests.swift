import XCTest

/// Issue 16's failover lab: two Fulcrum nodes of a VRRP pair, each running
/// the VRRP instance and a `peers` section that keeps their stick table in
/// step (`stick on src` persistence and an http_req_rate counter with a
/// deny rule on it), two web servers on a third node, and a client in its
/// own namespace reaching them through the VIP. After the MASTER stops,
/// the new MASTER sends the client to the server the old one chose (not
/// the one its own round robin would pick) and its rate keeps counting
/// from where the old MASTER left it, so the limit falls at the same
/// request as without the failover.
final class PeersVRRPFailoverTests: XCTestCase {
    private let vip = VRRPLab.virtualAddress()
    /// Two more client addresses, on the client namespace's interface too.
    private let otherClient = "\(VRRPLab.subnet).101"
    private let newClient = "\(VRRPLab.subnet).102"

    private func nodeConfig(_ lab: VRRPLab, node: Int, webHost: String) -> String {
        var vrrp = KeepalivedConfig()
        vrrp.routerID = "node\(node)"
        if node == 1 {
            vrrp.state = "MASTER"
            vrrp.priority = 150
        }
        return """
            global
                workers 1
                localpeer node\(node)
                stats socket \(socket(lab, node)) level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            peers pair
                peer node1 \(lab.nodeAddress(1)):10000
                peer node2 \(lab.nodeAddress(2)):10000
            frontend fe
                bind 0.0.0.0:8080
                http-request track-sc0 src table be
                http-request deny deny_status 429 if { sc_http_req_rate(0) gt 6 }
                default_backend be
            backend be
                balance roundrobin
                stick-table type ip size 1k expire 30m peers pair store http_req_cnt,http_req_rate(60s)
                stick on src
                server s1 \(webHost):8001
                server s2 \(webHost):8002

            """ + vrrp.text
    }

    private func socket(_ lab: VRRPLab, _ node: Int) -> String { lab.directory.file("stats\(node).sock") }

    /// One request from the client namespace to the VIP: "SERVER STATUS"
    /// (the server is the body the web server sent, "-" for a proxy's answer).
    private func request(_ lab: VRRPLab, from source: String? = nil) throws -> String {
        let out = try lab.runChecked(in: lab.clientNamespace, "curl",
                                     ["-s", "--max-time", "5", "-w", " %{http_code}"]
                                     + (source.map { ["--interface", $0] } ?? []) + ["http://\(vip):8080/who"])
        let words = out.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let status = words.last else { return out }
        return (status == "200" ? String(words.first!) : "-") + " " + status
    }

    /// `show table be`'s line for `key` on `node`, without pointer and expiry.
    private func entry(_ lab: VRRPLab, _ node: Int, _ key: String) -> String? {
        guard let text = try? MasterCLI.send("show table be", socketPath: socket(lab, node)) else { return nil }
        return text.split(separator: "\n").first { $0.contains("key=\(key) ") }
            .map { $0.split(separator: " ").filter { !$0.hasPrefix("0x") && !$0.hasPrefix("exp=") }.joined(separator: " ") }
    }

    func testNewMasterKeepsTheClientOnItsServerAndCountsOnItsRate() throws {
        try requireTool("curl")
        try requireTool("python3")
        let lab = try makeVRRPLab(nodes: 3)
        // The web servers, on node 3: each answers /who with its name.
        let webHost = lab.nodeAddress(3)
        for (n, port) in [(1, 8001), (2, 8002)] {
            let root = lab.directory.file("www\(n)")
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            _ = try lab.directory.write("www\(n)/who", "s\(n)\n")
            _ = try lab.start(in: lab.nodeNamespace(3), label: "web\(n)", "python3",
                              ["-m", "http.server", String(port), "--bind", webHost, "--directory", root])
            let up = waitUntil(timeout: 10, interval: 0.1) {
                (try? lab.run(in: lab.nodeNamespace(1), "curl", ["-sf", "--max-time", "2", "http://\(webHost):\(port)/who"]))?.stdout == "s\(n)\n"
            }
            XCTAssertTrue(up, "web server s\(n)")
        }
        for address in [otherClient, newClient] {
            try lab.runChecked(in: lab.clientNamespace, "ip", ["addr", "add", "\(address)/24", "dev", VRRPLab.interface])
        }

        let first = try FulcrumVRRPNode(lab: lab, node: 1, config: nodeConfig(lab, node: 1, webHost: webHost))
        let second = try FulcrumVRRPNode(lab: lab, node: 2, config: nodeConfig(lab, node: 2, webHost: webHost))
        try first.waitForState("MASTER", timeout: 10)
        try second.waitForState("BACKUP", timeout: 10)
        XCTAssertTrue(lab.waitForOwner(vip, node: 1, timeout: 5))

        // Another client takes the round robin's first server; the client
        // is then sent to the second, and kept there.
        XCTAssertEqual(try request(lab, from: otherClient), "s1 200")
        var answers: [String] = []
        for _ in 0..<5 { answers.append(try request(lab)) }
        XCTAssertEqual(answers, Array(repeating: "s2 200", count: 5), "before the failover")
        // The backup learned the entry: server and counters.
        let client = VRRPLab.clientAddress
        let learned = waitUntil(timeout: 8) {
            let e = self.entry(lab, 2, client) ?? ""
            return e.contains("server_id=2") && e.contains("http_req_cnt=5") && e.contains("http_req_rate(60000)=5")
        }
        XCTAssertTrue(learned, "node 2: \(String(describing: entry(lab, 2, client))); node 1: \(String(describing: entry(lab, 1, client)))")

        // The MASTER stops; node 2 takes the VIP.
        let before = second.states().count
        first.stop()
        try second.waitForState("MASTER", after: before, timeout: 10)
        XCTAssertTrue(lab.waitForOwner(vip, node: 2, timeout: 5))

        // Still s2 (node 2's own round robin would start at s1), and the
        // rate goes on: the 7th request in the minute is over the limit.
        XCTAssertEqual(try request(lab), "s2 200", "the new MASTER keeps the client on its server")
        XCTAssertEqual(try request(lab), "- 429", "the new MASTER counts on from the old one's rate")
        // A client node 2 never saw gets its round robin's first server:
        // the persistence above was the synced table's.
        XCTAssertEqual(try request(lab, from: newClient), "s1 200")
        let counted = waitUntil(timeout: 5) {
            let e = self.entry(lab, 2, client) ?? ""
            return e.contains("http_req_cnt=7") && e.contains("http_req_rate(60000)=7")
        }
        XCTAssertTrue(counted, "node 2: \(String(describing: entry(lab, 2, client)))")
    }
}
