import Glibc
import XCTest

/// Map and ACL changes made on the runtime API, then a reload, under
/// fulcrum and haproxy 2.6 (master-worker) with the same configuration and
/// the same files: before the reload both route by the changed entries. A
/// reload reads the files again: both take a file written back since, and
/// for a file left as it was, haproxy forgets the runtime changes where
/// Fulcrum keeps them (the runtime API issue; docs/differences.md).
final class SideBySideMapReloadTests: XCTestCase {
    private struct Proxy {
        let process: FulcrumProcess
        let port: UInt16
        let stats: String
    }

    private func start(_ which: ProxyUnderTest, files: TemporaryDirectory, a: UInt16, b: UInt16) throws -> Proxy {
        let port = try FreePort.next()
        let stats = files.file("\(which).sock")
        let config = """
            global
                \(which == .fulcrum ? "workers 2" : "nbthread 2")
                stats socket \(stats) level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend fe
                bind 127.0.0.1:\(port)
                http-request deny if { req.hdr(host),lower -f \(files.file("denied.acl")) }
                use_backend %[req.hdr(host),lower,map(\(files.file("hosts.map")),be_b)]
            backend be_a
                server a 127.0.0.1:\(a)
            backend be_b
                server b 127.0.0.1:\(b)

            """
        let p = which == .fulcrum
            ? try startFulcrum(config: config, arguments: ["-S", "{dir}/master.sock", "-f", "{config}"])
            : try startFulcrum(config: config, arguments: ["-W", "-S", "{dir}/master.sock", "-f", "{config}"],
                               executable: try requireTool("haproxy"))
        try p.waitUntilListening(port: port)
        try p.waitUntilMasterSocketListening(socketPath: stats)
        return Proxy(process: p, port: port, stats: stats)
    }

    /// Who answered `host` on a new connection: a backend's name, or the status.
    private func served(_ p: Proxy, _ host: String) throws -> String {
        let client = try TCPClient.connect(port: p.port)
        defer { client.close() }
        try client.send(httpGet("/", host: host, ["Connection: close"]))
        guard let r = try client.readHTTPResponse(requestMethod: "GET") else { return "no response" }
        return r.value("X-Served-By") ?? "\(r.status)"
    }

    /// `show map|acl FILE` without the entry ids (pointers in haproxy).
    private func entries(_ p: Proxy, _ kind: String, _ file: String) throws -> [String] {
        try MasterCLI.send("show \(kind) \(file)", socketPath: p.stats).split(separator: "\n")
            .map { $0.split(separator: " ").dropFirst().joined(separator: " ") }
    }

    /// The worker's pid as `show info` gives it (haproxy's changes on reload).
    private func infoPid(_ p: Proxy) -> String? {
        let info = (try? MasterCLI.send("show info", socketPath: p.stats)) ?? ""
        return info.split(separator: "\n").first { $0.hasPrefix("Pid:") }.map(String.init)
    }

    func testRuntimeChangesSurviveAReloadUnlessTheFileWasRewritten() throws {
        let a = try startRecordingBackend("a"), b = try startRecordingBackend("b")
        let files = try TemporaryDirectory(prefix: "mapreload")
        addTeardownBlock { files.remove() }
        let hosts = try files.write("hosts.map", "one.test be_a\n")
        let denied = try files.write("denied.acl", "evil.test\n")
        let proxies = try ProxyUnderTest.allCases.map { try start($0, files: files, a: a.port, b: b.port) }
        func same(_ what: String, _ body: (Proxy) throws -> [String]) throws -> [String] {
            let seen = try proxies.map(body)
            XCTAssertEqual(seen[0], seen[1], "\(what): fulcrum \(seen[0]), haproxy \(seen[1])")
            return seen[0]
        }
        let hostsNames = ["one.test", "two.test", "three.test", "evil.test", "bad.test"]
        XCTAssertEqual(try same("from the files") { p in try hostsNames.map { try served(p, $0) } },
                       ["a", "b", "b", "403", "b"])
        // Runtime changes on both: every worker routes by them.
        for p in proxies {
            for command in ["add map \(hosts) two.test be_a", "set map \(hosts) one.test be_b",
                            "add acl \(denied) bad.test", "del acl \(denied) evil.test"] {
                XCTAssertEqual(try MasterCLI.send(command, socketPath: p.stats), "\n", command)
            }
        }
        XCTAssertEqual(try same("after the runtime changes") { p in try hostsNames.map { try served(p, $0) } },
                       ["b", "a", "b", "b", "403"])
        XCTAssertEqual(try same("show map before the reload") { try entries($0, "map", hosts) },
                       ["one.test be_b", "two.test be_a"])
        // One change written back to its file (as an operator's tool would), then a reload of each.
        _ = try files.write("hosts.map", "one.test be_a\nthree.test be_a\n")
        for (which, p) in zip(ProxyUnderTest.allCases, proxies) {
            if which == .fulcrum {
                XCTAssertEqual(try p.process.reloadViaMasterCLI(), "Success=1\n")
            } else {
                let before = infoPid(p)
                try p.process.signal(SIGUSR2)
                XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { self.infoPid(p).map { $0 != before } ?? false },
                              "haproxy's new worker answers")
            }
        }
        // The rewritten map is in force in both; the ACL file, left as it
        // was, keeps its runtime changes in Fulcrum and loses them in haproxy.
        XCTAssertEqual(try same("show map after the reload") { try entries($0, "map", hosts) },
                       ["one.test be_a", "three.test be_a"])
        let (fulcrum, haproxy) = (proxies[0], proxies[1])
        XCTAssertEqual(try entries(haproxy, "acl", denied), ["evil.test"], "haproxy forgets")
        XCTAssertEqual(try entries(fulcrum, "acl", denied), ["bad.test"], "fulcrum keeps")
        XCTAssertEqual(try hostsNames.map { try served(haproxy, $0) }, ["a", "b", "a", "403", "b"])
        // Every new worker has the carried entries: one new connection each is
        // not enough to reach both, so each name is asked several times.
        for _ in 0..<4 {
            XCTAssertEqual(try hostsNames.map { try served(fulcrum, $0) }, ["a", "b", "a", "b", "403"])
        }
        // A change made after the reload, then a second reload: still kept.
        XCTAssertEqual(try MasterCLI.send("add acl \(denied) worse.test", socketPath: fulcrum.stats), "\n")
        XCTAssertEqual(try fulcrum.process.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertEqual(try entries(fulcrum, "acl", denied), ["bad.test", "worse.test"])
        for _ in 0..<4 { XCTAssertEqual(try served(fulcrum, "worse.test"), "403") }
    }
}
