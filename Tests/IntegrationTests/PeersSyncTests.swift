import XCTest
import Glibc

/// HAProxy's peers protocol between Fulcrum and haproxy 2.6, and between
/// two Fulcrum nodes, on loopback ports: a `tcp-request connection
/// track-sc0 src` entry (counters and a rate) made on one node appears in
/// `show table` on the other, both ways; a node that starts again learns
/// the tables back; reloads keep syncing; `stick on src` follows a client
/// from one node to the other.
final class PeersSyncTests: XCTestCase {
    struct Node {
        let name: String
        let peerPort: UInt16
        let frontPort: UInt16
        let socket: String
    }

    /// The same table on every node: `fe`, its key the client's address.
    func config(_ me: Node, _ nodes: [Node], localpeer: Bool = true, size: String = "1k", global: String = "",
                store: String = "conn_cnt,gpc0,gpc0_rate(10s),http_req_rate(10s)") -> String {
        """
        global
            \(localpeer ? "localpeer \(me.name)" : "")
            \(global)
            stats socket \(me.socket) level admin
        defaults
            mode tcp
            timeout connect 2s
            timeout client 10s
            timeout server 10s
        peers mesh
        \(nodes.map { "    peer \($0.name) 127.0.0.1:\($0.peerPort)" }.joined(separator: "\n"))
        frontend fe
            bind 127.0.0.1:\(me.frontPort)
            stick-table type ip size \(size) expire 1m peers mesh store \(store)
            tcp-request connection track-sc0 src
            tcp-request connection sc-inc-gpc0(0)
            tcp-request connection reject

        """
    }

    func node(_ name: String, _ dir: TemporaryDirectory) throws -> Node {
        Node(name: name, peerPort: try FreePort.next(), frontPort: try FreePort.next(), socket: dir.file("\(name).sock"))
    }

    /// One connection from `source` (refused after being tracked: the
    /// reset may already have come when connect returns).
    func touch(_ n: Node, from source: String) throws {
        let fd: Int32
        do { fd = try SourceBoundClient.connect(from: source, port: n.frontPort, timeout: 5) } catch {
            if "\(error)".contains("errno 104") { return }
            throw error
        }
        var b: UInt8 = 0
        _ = recv(fd, &b, 1, 0)
        close(fd)
    }

    /// `show table fe`'s entry for `key`, without its pointer and expiry.
    func entry(_ n: Node, _ key: String) -> String? {
        guard let text = try? MasterCLI.send("show table fe", socketPath: n.socket) else { return nil }
        return text.split(separator: "\n").first { $0.contains("key=\(key) ") }
            .map { $0.split(separator: " ").filter { !$0.hasPrefix("0x") && !$0.hasPrefix("exp=") }.joined(separator: " ") }
    }

    func waitForEntry(_ n: Node, _ key: String, _ expected: String, timeout: Double = 8, _ what: String) {
        XCTAssertTrue(waitUntil(timeout: timeout) { entry(n, key) == expected },
                      "\(what): \(String(describing: entry(n, key))) on \(n.name)")
    }

    /// Each distinct line of a `show peers` dump as its field names (the
    /// values are pointers, times and counters); the connection's own
    /// lines, which only the side that connected prints, left out.
    func shape(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").filter { !$0.contains("xprt=") && !$0.contains("appctx:") }.map { line in
            line.split(separator: " ").compactMap { w -> Substring? in
                guard let eq = w.firstIndex(of: "=") else { return w.hasSuffix(":") && !w.hasPrefix("0x") ? w : nil }
                return w[..<eq]
            }.joined(separator: " ")
        })
    }

    func testFulcrumAndHAProxyKeepOneTableBothWaysAndARestartedHAProxyLearnsItBack() throws {
        let dir = try TemporaryDirectory(prefix: "peers")
        addTeardownBlock { dir.remove() }
        let f = try node("fulcrum", dir), h = try node("haproxy", dir)
        let fulcrum = try startFulcrum(config: config(f, [f, h]))
        try fulcrum.waitUntilListening(port: f.frontPort)
        var haproxy: HAProxyReference? = try startHAProxyReference(config: config(h, [f, h]), port: h.frontPort)
        _ = haproxy

        // Fulcrum → haproxy.
        try touch(f, from: "127.0.8.1")
        waitForEntry(f, "127.0.8.1", "key=127.0.8.1 use=0 gpc0=1 gpc0_rate(10000)=1 conn_cnt=1 http_req_rate(10000)=0", "counted here")
        waitForEntry(h, "127.0.8.1", "key=127.0.8.1 use=0 gpc0=1 gpc0_rate(10000)=1 conn_cnt=1 http_req_rate(10000)=0", timeout: 1, "pushed to haproxy within a second (issue 16)")
        // haproxy → Fulcrum, then the same key counted on both.
        try touch(h, from: "127.0.9.1")
        waitForEntry(f, "127.0.9.1", "key=127.0.9.1 use=0 gpc0=1 gpc0_rate(10000)=1 conn_cnt=1 http_req_rate(10000)=0", timeout: 1, "learned from haproxy within a second")
        try touch(f, from: "127.0.9.1")
        waitForEntry(h, "127.0.9.1", "key=127.0.9.1 use=0 gpc0=2 gpc0_rate(10000)=2 conn_cnt=2 http_req_rate(10000)=0", "the sum went back")

        let peers = try MasterCLI.send("show peers", socketPath: f.socket)
        XCTAssertTrue(peers.contains("id=mesh disabled=0"), peers)
        XCTAssertTrue(peers.contains("id=haproxy(remote,active) addr=127.0.0.1:\(h.peerPort) last_status=ESTA"), peers)
        XCTAssertTrue(peers.contains("id=fulcrum(local,inactive) addr=127.0.0.1:\(f.peerPort) last_status=NONE"), peers)
        XCTAssertTrue(peers.contains("remote_data=0x41c"), "haproxy's table stores gpc0, gpc0_rate, conn_cnt, http_req_rate: \(peers)")
        // The same lines as haproxy's own `show peers`, field for field.
        let theirs = try MasterCLI.send("show peers", socketPath: h.socket)
        XCTAssertEqual(shape(peers), shape(theirs), "fulcrum:\n\(peers)\nhaproxy:\n\(theirs)")

        // A new haproxy starts empty and asks its peer for the tables.
        haproxy?.stop()
        haproxy = nil
        let again = try startHAProxyReference(config: config(h, [f, h]), port: h.frontPort)
        _ = again
        waitForEntry(h, "127.0.8.1", "key=127.0.8.1 use=0 gpc0=1 gpc0_rate(10000)=1 conn_cnt=1 http_req_rate(10000)=0", "taught to the new haproxy")
        waitForEntry(h, "127.0.9.1", "key=127.0.9.1 use=0 gpc0=2 gpc0_rate(10000)=2 conn_cnt=2 http_req_rate(10000)=0", "taught to the new haproxy")
    }

    func testTwoFulcrumNodesSyncAndARestartedNodeLearnsTheTablesBack() throws {
        let dir = try TemporaryDirectory(prefix: "peers2")
        addTeardownBlock { dir.remove() }
        let a = try node("a", dir), b = try node("b", dir)
        // Node a is named by -L, node b by `localpeer`.
        let pa = try startFulcrum(config: config(a, [a, b], localpeer: false), arguments: ["-d", "-L", "a", "-f", "{config}"])
        try pa.waitUntilListening(port: a.frontPort)
        var pb: FulcrumProcess? = try startFulcrum(config: config(b, [a, b]))
        try pb!.waitUntilListening(port: b.frontPort)

        try touch(a, from: "127.0.8.2")
        waitForEntry(b, "127.0.8.2", "key=127.0.8.2 use=0 gpc0=1 gpc0_rate(10000)=1 conn_cnt=1 http_req_rate(10000)=0", "a → b")
        try touch(b, from: "127.0.9.2")
        waitForEntry(a, "127.0.9.2", "key=127.0.9.2 use=0 gpc0=1 gpc0_rate(10000)=1 conn_cnt=1 http_req_rate(10000)=0", "b → a")

        // b goes away and comes back empty: it asks a for everything.
        _ = pb!.stop()
        pb = nil
        let again = try startFulcrum(config: config(b, [a, b]))
        try again.waitUntilListening(port: b.frontPort)
        waitForEntry(b, "127.0.8.2", "key=127.0.8.2 use=0 gpc0=1 gpc0_rate(10000)=1 conn_cnt=1 http_req_rate(10000)=0", "resynced from a")
        waitForEntry(b, "127.0.9.2", "key=127.0.9.2 use=0 gpc0=1 gpc0_rate(10000)=1 conn_cnt=1 http_req_rate(10000)=0", "its own entry, kept by a")
        let peers = try MasterCLI.send("show peers", socketPath: b.socket)
        XCTAssertTrue(peers.contains("id=a(remote,active)"), peers)
    }

    /// A reload starts a new peers process beside the old one (which goes
    /// with its generation); a reload that changes the table's shape keeps
    /// its entries (copied into the new region) and syncing goes on.
    func testSyncGoesOnAcrossReloadsAndAReshapedTableKeepsItsEntries() throws {
        let dir = try TemporaryDirectory(prefix: "peers3")
        addTeardownBlock { dir.remove() }
        let a = try node("a", dir), b = try node("b", dir)
        let pa = try startFulcrum(config: config(a, [a, b], global: "workers 1", store: "conn_cnt,gpc0,http_req_rate(10s)"), arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try pa.waitUntilListening(port: a.frontPort)
        let pb = try startFulcrum(config: config(b, [a, b], store: "conn_cnt,gpc0,http_req_rate(10s)"))
        try pb.waitUntilListening(port: b.frontPort)
        XCTAssertTrue(waitUntil(timeout: 5) { pa.childPids(role: "peers").count == 1 }, "one peers process")

        try touch(a, from: "127.0.8.3")
        waitForEntry(b, "127.0.8.3", "key=127.0.8.3 use=0 gpc0=1 conn_cnt=1 http_req_rate(10000)=0", "before the reload")
        XCTAssertEqual(try pa.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertTrue(pa.waitUntilSettled(workers: 1), "the old generation left")
        XCTAssertTrue(waitUntil(timeout: 5) { pa.childPids(role: "peers").count == 1 }, "the old peers process left")
        try touch(a, from: "127.0.8.3")
        waitForEntry(b, "127.0.8.3", "key=127.0.8.3 use=0 gpc0=2 conn_cnt=2 http_req_rate(10000)=0", "the new peers process pushes")
        try touch(b, from: "127.0.9.3")
        waitForEntry(a, "127.0.9.3", "key=127.0.9.3 use=0 gpc0=1 conn_cnt=1 http_req_rate(10000)=0", "and learns")
        let viaMaster = try pa.masterCommand("@1 show peers")
        XCTAssertTrue(viaMaster.contains("id=b(remote,active) addr=127.0.0.1:\(b.peerPort) last_status=ESTA"), viaMaster)

        // A new size: a new region, the entries copied into it.
        try pa.writeConfig(config(a, [a, b], size: "2k", global: "workers 1", store: "conn_cnt,gpc0,http_req_rate(10s)"))
        XCTAssertEqual(try pa.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertTrue(pa.waitUntilSettled(workers: 1), "the old generation left")
        let table = try MasterCLI.send("show table fe", socketPath: a.socket)
        XCTAssertTrue(table.hasPrefix("# table: fe, type: ip, size:2048, used:2"), table)
        waitForEntry(a, "127.0.8.3", "key=127.0.8.3 use=0 gpc0=2 conn_cnt=2 http_req_rate(10000)=0", "carried into the new region")
        try touch(a, from: "127.0.8.3")
        waitForEntry(b, "127.0.8.3", "key=127.0.8.3 use=0 gpc0=3 conn_cnt=3 http_req_rate(10000)=0", "pushed from the new region")
    }

    /// `stick on src` across the pair: a client sent to a server by one
    /// node is sent to the same one by the other (server_id and
    /// server_key learned), whatever its own round robin would pick.
    func testStickOnSourceFollowsAClientToTheOtherNode() throws {
        let dir = try TemporaryDirectory(prefix: "peers4")
        addTeardownBlock { dir.remove() }
        let web = try (1...2).map { n in try startRecordingBackend("web\(n)") { ScriptedResponse.identify($0) } }
        let f = try node("fulcrum", dir), h = try node("haproxy", dir)
        func config(_ me: Node) -> String {
            """
            global
                nbthread 1
                localpeer \(me.name)
                stats socket \(me.socket) level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            peers mesh
                peer fulcrum 127.0.0.1:\(f.peerPort)
                peer haproxy 127.0.0.1:\(h.peerPort)
            frontend fe
                bind 127.0.0.1:\(me.frontPort)
                default_backend be
            backend be
                balance roundrobin
                stick-table type ip size 1k expire 30m peers mesh
                stick on src
                server web1 127.0.0.1:\(web[0].port)
                server web2 127.0.0.1:\(web[1].port)

            """
        }
        let fulcrum = try startFulcrum(config: config(f))
        try fulcrum.waitUntilListening(port: f.frontPort)
        _ = try startHAProxyReference(config: config(h), port: h.frontPort)
        func served(_ n: Node, from source: String) throws -> String? {
            let client = TCPClient(descriptor: try SourceBoundClient.connect(from: source, port: n.frontPort, timeout: 5))
            defer { client.close() }
            try client.send(httpGet("/", ["Connection: close"]))
            return try client.readHTTPResponse()?.value("X-Served-By")
        }
        func line(_ n: Node, _ key: String) -> String? {
            guard let text = try? MasterCLI.send("show table be", socketPath: n.socket) else { return nil }
            return text.split(separator: "\n").first { $0.contains("key=\(key) ") }
                .map { $0.split(separator: " ").filter { !$0.hasPrefix("0x") && !$0.hasPrefix("exp=") }.joined(separator: " ") }
        }
        // Fulcrum: web1 for the first client, web2 for the second.
        XCTAssertEqual(try served(f, from: "127.0.8.7"), "web1")
        XCTAssertEqual(try served(f, from: "127.0.8.6"), "web2")
        XCTAssertTrue(waitUntil(timeout: 8) { line(h, "127.0.8.6") == "key=127.0.8.6 use=0 server_id=2 server_key=web2" },
                      "learned by haproxy: \(String(describing: line(h, "127.0.8.6")))")
        XCTAssertEqual(try served(h, from: "127.0.8.6"), "web2", "haproxy's own round robin would say web1")
        // haproxy: web1, then web2; Fulcrum follows for the second client.
        XCTAssertEqual(try served(h, from: "127.0.9.5"), "web1")
        XCTAssertEqual(try served(h, from: "127.0.9.6"), "web2")
        XCTAssertTrue(waitUntil(timeout: 8) { line(f, "127.0.9.6") == "key=127.0.9.6 use=0 server_id=2 server_key=web2" },
                      "learned by fulcrum: \(String(describing: line(f, "127.0.9.6")))")
        XCTAssertEqual(try served(f, from: "127.0.9.6"), "web2", "Fulcrum's own round robin would say web1")
        XCTAssertEqual(line(f, "127.0.9.6"), line(h, "127.0.9.6"))
    }

    /// As haproxy, a local peer address already taken (by a socket without
    /// SO_REUSEPORT) fails the start, with the reason.
    func testAPeerPortInUseFailsTheStart() throws {
        let dir = try TemporaryDirectory(prefix: "peers5")
        addTeardownBlock { dir.remove() }
        let a = try node("a", dir), b = try node("b", dir)
        let taken = try LoopbackSocket.listen(port: a.peerPort)
        defer { close(taken) }
        let p = try startFulcrum(config: config(a, [a, b]))
        XCTAssertEqual(p.waitForExit(timeout: 10), .exited(1))
        XCTAssertTrue(p.stderrTail().contains("peers mesh: cannot listen on 127.0.0.1:\(a.peerPort)"), p.stderrTail())
    }

    /// A `table` line of the `peers` section: `mesh/t2` locally, `/t2` on
    /// the wire, as haproxy 2.6 names it.
    func testASectionsOwnTableSyncsUnderItsShortName() throws {
        let dir = try TemporaryDirectory(prefix: "peers6")
        addTeardownBlock { dir.remove() }
        let f = try node("fulcrum", dir), h = try node("haproxy", dir)
        func config(_ me: Node) -> String {
            """
            global
                localpeer \(me.name)
                stats socket \(me.socket) level admin
            defaults
                mode tcp
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            peers mesh
                peer fulcrum 127.0.0.1:\(f.peerPort)
                peer haproxy 127.0.0.1:\(h.peerPort)
                table t2 type ip size 1k expire 1m store gpc0
            frontend fe
                bind 127.0.0.1:\(me.frontPort)
                tcp-request connection track-sc1 src table mesh/t2
                tcp-request connection sc-inc-gpc0(1)
                tcp-request connection reject

            """
        }
        let fulcrum = try startFulcrum(config: config(f))
        try fulcrum.waitUntilListening(port: f.frontPort)
        _ = try startHAProxyReference(config: config(h), port: h.frontPort)
        func line(_ n: Node, _ key: String) -> String? {
            guard let text = try? MasterCLI.send("show table mesh/t2", socketPath: n.socket) else { return nil }
            return text.split(separator: "\n").first { $0.contains("key=\(key) ") }
                .map { $0.split(separator: " ").filter { !$0.hasPrefix("0x") && !$0.hasPrefix("exp=") }.joined(separator: " ") }
        }
        try touch(f, from: "127.0.8.8")
        try touch(f, from: "127.0.8.8")
        XCTAssertTrue(waitUntil(timeout: 8) { line(h, "127.0.8.8") == "key=127.0.8.8 use=0 gpc0=2" }, String(describing: line(h, "127.0.8.8")))
        try touch(h, from: "127.0.9.8")
        XCTAssertTrue(waitUntil(timeout: 8) { line(f, "127.0.9.8") == "key=127.0.9.8 use=0 gpc0=1" }, String(describing: line(f, "127.0.9.8")))
        let fh = try MasterCLI.send("show table mesh/t2", socketPath: f.socket).split(separator: "\n").first
        XCTAssertEqual(fh, "# table: mesh/t2, type: ip, size:1024, used:2")
    }
}
