import XCTest

/// `track [BACKEND/]SERVER` side by side with haproxy 2.6: the load-time
/// refusals (same message, both exit 1), and at run time a chain of
/// trackers following a checked server down, up, into maintenance ("MAINT
/// (via b/s)") and back, with the same `show servers state` rows and stats
/// status/tracked columns in both proxies.
final class SideBySideTrackTests: XCTestCase {
    private static let defaults = """
        defaults
            mode tcp
            timeout connect 1s
            timeout client 5s
            timeout server 5s

        """

    func testRefusalsAsHAProxy() throws {
        let haproxy = try requireTool("haproxy")
        let cases: [(String, String)] = [
            ("server s2 127.0.0.1:9 track s4\n    server s4 127.0.0.1:9",
             "'server b/s2' : unable to use b/s4 for tracking as it does not have any check nor agent enabled."),
            ("server s2 127.0.0.1:9 track nope/s1", "'server b/s2' : unable to find required proxy 'nope' for tracking."),
            ("server s2 127.0.0.1:9 track b/nope", "'server b/s2' : unable to find required server 'nope' for tracking."),
            ("server s7 127.0.0.1:9 track s1 check", "'server b/s7' : unable to enable checks and tracking at the same time!"),
            ("server s8 127.0.0.1:9 track s9\n    server s9 127.0.0.1:9 track s8",
             "'server b/s9' : unable to track b/s8 as it belongs to a tracking chain looping back to b/s9."),
        ]
        for (lines, message) in cases {
            let config = Self.defaults + "backend b\n    server s1 127.0.0.1:9 check\n    \(lines)\n"
            let ours = try FulcrumProcess.checkConfig(config)
            let theirs = try FulcrumProcess.checkConfig(config, executable: haproxy)
            XCTAssertEqual(ours.status, theirs.status, lines)
            XCTAssertTrue((theirs.stdout + theirs.stderr).contains(message), "haproxy: \(theirs.stderr)")
            XCTAssertTrue((ours.stdout + ours.stderr).contains(message), "fulcrum: \(ours.stderr)")
        }
        // A chain across backends ending at a checked server is valid.
        let chain = Self.defaults + "backend b\n    server s1 127.0.0.1:9 check\n    server s2 127.0.0.1:9 track s1\n"
            + "backend c\n    server x 127.0.0.1:9 track b/s2\n"
        XCTAssertEqual(try FulcrumProcess.checkConfig(chain).status, try FulcrumProcess.checkConfig(chain, executable: haproxy).status)
    }

    func testChainFollowsCheckedServerAsHAProxy() throws {
        let server = try startBackend(.http(status: 200, body: "ok"))
        let sockets = try SideBySideStatsSockets(self)
        let config = Self.defaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend b
            backend b
                server s1 127.0.0.1:\(server.port) check inter 100 fall 2 rise 2
                server s2 127.0.0.1:\(server.port) track s1
            backend c
                server x 127.0.0.1:\(server.port) track b/s2

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                           substitutions: sockets.substitutions)
        func state(_ proxy: ProxyUnderTest) -> [String]? {
            let path = sockets.paths[proxy]!
            guard let servers = try? MasterCLI.send("show servers state", socketPath: path),
                  let csv = try? MasterCLI.send("show stat", socketPath: path),
                  let table = try? StatsTable(csv: csv) else { return nil }
            var out = servers.split(separator: "\n").dropFirst(2).map { row -> String in
                var f = row.split(separator: " ").map(String.init)
                if f.count > 9 { f[9] = "-" }
                return f.joined(separator: " ")
            }
            // A backend's chkdown is left out: Fulcrum does not count backend transitions yet.
            for key in ["b/s1", "b/s2", "c/x", "b/BACKEND", "c/BACKEND"] {
                let columns = key.hasSuffix("BACKEND") ? ["status"] : ["status", "tracked", "check_status", "chkdown"]
                out.append(key + ": " + columns.map { "\($0)=\(table.rows[key]?[$0] ?? "?")" }.joined(separator: ","))
            }
            return out
        }
        func assertSame(_ what: String, file: StaticString = #filePath, line: UInt = #line) {
            var last: [ProxyUnderTest: [String]] = [:]
            // A loaded machine (the whole suite) delays the checker's polls.
            let same = waitUntil(timeout: 12, interval: 0.05) {
                for proxy in ProxyUnderTest.allCases { if let s = state(proxy) { last[proxy] = s } }
                return last[.fulcrum] != nil && last[.fulcrum] == last[.haproxy]
            }
            let ours = last[.fulcrum] ?? [], theirs = last[.haproxy] ?? []
            var differing = zip(ours, theirs).filter { $0.0 != $0.1 }.map { "fulcrum: \($0.0)\nhaproxy: \($0.1)" }
            if ours.count != theirs.count { differing.append("fulcrum: \(ours)\nhaproxy: \(theirs)") }
            XCTAssertTrue(same, "\(what):\n" + differing.joined(separator: "\n"), file: file, line: line)
        }
        func both(_ command: String) throws {
            for proxy in ProxyUnderTest.allCases {
                XCTAssertEqual(try MasterCLI.send(command, socketPath: sockets.paths[proxy]!), "\n", "\(proxy): \(command)")
            }
        }
        /// Both proxies' checks saw the tracked server change: comparing
        /// before that could match on the old state and race the next step.
        func bothSee(_ status: String, file: StaticString = #filePath, line: UInt = #line) {
            let seen = waitUntil(timeout: 12, interval: 0.05) {
                ProxyUnderTest.allCases.allSatisfy { proxy in
                    guard let csv = try? MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!),
                          let table = try? StatsTable(csv: csv) else { return false }
                    return table.rows["b/s1"]?["status"] == status
                }
            }
            XCTAssertTrue(seen, "b/s1 \(status) in both", file: file, line: line)
        }
        assertSame("start")
        server.stopListening()
        bothSee("DOWN")
        assertSame("tracked server down")
        // Maintenance reaching servers already down leaves their health
        // counters (HAProxy drops them only for a server still running).
        try both("set server b/s1 state maint")
        assertSame("tracked server down, then in maintenance")
        try both("set server b/s1 state ready")
        try server.startListening()
        bothSee("UP")
        assertSame("tracked server up")
        try both("set server b/s1 state maint")
        assertSame("tracked server in maintenance")
        try both("set server b/s1 state ready")
        assertSame("tracked server ready")
        try both("set server b/s2 state maint")
        assertSame("middle of the chain in maintenance")
        try both("set server b/s2 state ready")
        assertSame("middle of the chain ready")
    }
}
