import XCTest

/// `server-state-file` side by side with haproxy 2.6: the state saved with
/// `show servers state` (maintenance, drain, a run-time weight, a server
/// configured `disabled` and enabled at run time, a changed port) comes back
/// after a restart as haproxy brings it back, traffic avoids the servers it
/// says are out, and a missing file is the same warning.
final class SideBySideServerStateFileTests: XCTestCase {
    /// Every column but srv_time_since_last_change, which moves with the
    /// clock (and `except` others).
    static func withoutTime(_ state: String, except: Set<Int> = []) -> [String] {
        state.split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            guard fields.count > 12, !line.hasPrefix("#") else { return String(line) }
            return fields.enumerated().filter { $0.offset != 9 && !except.contains($0.offset) }.map(\.element).joined(separator: " ")
        }
    }

    func testSavedStateComesBackAfterARestartAsInHAProxy() throws {
        let haproxy = try requireTool("haproxy")
        let backends = try (1...5).map { try startRecordingBackend("s\($0)") }
        var states: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let dir = try TemporaryDirectory(prefix: "sstate")
            addTeardownBlock { dir.remove() }
            let port = try FreePort.next()
            let config = """
                global
                    \(proxy == .fulcrum ? "workers 2" : "nbthread 2")
                    stats socket \(dir.file("admin.sock")) level admin
                    server-state-base \(dir.path)
                    server-state-file saved.state
                defaults
                    mode http
                    timeout connect 2s
                    timeout client 5s
                    timeout server 5s
                    load-server-state-from-file global
                frontend fe
                    bind 127.0.0.1:\(port)
                    default_backend be
                backend be
                    server s1 127.0.0.1:\(backends[0].port)
                    server s2 127.0.0.1:\(backends[1].port)
                    server s3 127.0.0.1:\(backends[2].port) weight 10
                    server s4 127.0.0.1:\(backends[3].port) disabled
                    server s5 127.0.0.1:\(backends[4].port) disabled
                backend local
                    load-server-state-from-file local
                    server-state-file-name local.state
                    server l1 127.0.0.1:\(backends[0].port)

                """
            let arguments = proxy == .fulcrum ? FulcrumProcess.defaultArguments : ["-db", "-f", FulcrumProcess.configPlaceholder]
            let executable = proxy == .fulcrum ? nil : haproxy
            let admin = dir.file("admin.sock")
            let first = try startFulcrum(config: config, arguments: arguments, executable: executable)
            try first.waitUntilListening(port: port)
            XCTAssertTrue(first.waitForStderr(containing: "config: Can't open global server state file '\(dir.file("saved.state"))': No such file or directory"),
                          "\(proxy): \(first.stderrTail())")
            for command in ["set server be/s2 state maint", "set server be/s3 weight 3", "set server be/s1 state drain",
                            "enable server be/s5", "set server local/l1 state maint"] {
                XCTAssertEqual(try MasterCLI.send(command, socketPath: admin), "\n", "\(proxy): \(command)")
            }
            let saved = try MasterCLI.send("show servers state", socketPath: admin)
            try FileBytes.write(Array(saved.utf8), to: dir.file("saved.state"))
            try FileBytes.write(Array(try MasterCLI.send("show servers state local", socketPath: admin).utf8),
                                to: dir.file("local.state"))
            _ = first.stop()

            let second = try startFulcrum(config: config, arguments: arguments, executable: executable)
            try second.waitUntilListening(port: port)
            XCTAssertTrue(waitUntil(timeout: 5) { FileManager.default.fileExists(atPath: admin) })
            // What applying the file logs, in haproxy 2.6's words.
            for line in ["Server be/s1 remains in forced drain mode.",
                         "Server be/s2 is DOWN, changed from server-state after a reload. 1 active and 0 backup servers left. "
                            + "0 sessions active, 0 requeued, 0 remaining in queue.",
                         "Server be/s5 is UP/READY (leaving forced maintenance)."] {
                XCTAssertTrue(second.waitForStderr(containing: line), "\(proxy): \(line)\n\(second.stderrTail())")
            }
            let restored = try MasterCLI.send("show servers state", socketPath: admin)
            // srv_check_health: a state file's RUNNING sets it to rise + fall - 1, in both.
            XCTAssertEqual(Self.withoutTime(restored, except: [12]), Self.withoutTime(saved, except: [12]),
                           "\(proxy): the saved state came back")
            states[proxy] = Self.withoutTime(restored)
            // Traffic: s1 drains, s2 and s4 are in maintenance; s3 (weight 3) and s5 (enabled) serve.
            for b in backends { _ = b.takeRequests() }
            for i in 0..<16 {
                let client = try TCPClient.connect(port: port)
                try client.send("GET /\(i) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                XCTAssertEqual(try client.readHTTPResponse(requestMethod: "GET")?.status, 200, "\(proxy)")
                client.close()
            }
            let counts = backends.map { $0.takeRequests().count }
            XCTAssertEqual(counts[0] + counts[1] + counts[3], 0, "\(proxy): out-of-service servers got requests: \(counts)")
            XCTAssertEqual(counts[2] + counts[4], 16, "\(proxy): \(counts)")
            XCTAssertGreaterThan(counts[2], counts[4], "\(proxy): weight 3 against 1: \(counts)")
            XCTAssertGreaterThan(counts[4], 0, "\(proxy): the server enabled at run time serves: \(counts)")
            _ = second.stop()
        }
        XCTAssertEqual(states[.fulcrum], states[.haproxy])
    }

    /// A reload reads the file again: a state written after the start (here
    /// by hand: s2 in maintenance, s1 at weight 7) applies over what the
    /// running generation had.
    func testReloadAppliesTheFile() throws {
        let dir = try TemporaryDirectory(prefix: "sstr")
        addTeardownBlock { dir.remove() }
        let port = try FreePort.next()
        let config = """
            global
                workers 2
                stats socket \(dir.file("admin.sock")) level admin
                server-state-file \(dir.file("state"))
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
                load-server-state-from-file global
                server s1 127.0.0.1:1
                server s2 127.0.0.1:2

            """
        let p = try startFulcrum(config: config, arguments: ["-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        let admin = dir.file("admin.sock")
        let state = try MasterCLI.send("show servers state", socketPath: admin)
        let edited = state.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var f = line.split(separator: " ").map(String.init)
            guard f.count > 12, !line.hasPrefix("#") else { return String(line) }
            if f[3] == "s1" { f[7] = "7" }
            if f[3] == "s2" { f[5] = "0"; f[6] = "1" }
            return f.joined(separator: " ")
        }.joined(separator: "\n")
        try FileBytes.write(Array(edited.utf8), to: dir.file("state"))
        XCTAssertTrue(p.waitUntilSettled(workers: 2), "workers: \(p.childPids())")
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n", p.stderrTail())
        XCTAssertTrue(p.waitUntilSettled(workers: 2))
        XCTAssertEqual(ServersStateColumn.admin.value(socket: admin, backend: "be", server: "s2"), "1")
        XCTAssertEqual(try MasterCLI.send("get weight be/s1", socketPath: admin), "7 (initial 1)\n\n")
    }
}
