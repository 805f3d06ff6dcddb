import XCTest
import Glibc
import FulcrumConfig
@testable import FulcrumCore

/// Server-state files read and applied as HAProxy 2.6's apply_server_state():
/// the version line, cut and short lines, and per server the rules that set
/// operational and admin state, weight and port against the configuration.
final class ServerStateFileTests: XCTestCase {
    static let header = "1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight "
        + "srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state "
        + "bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr "
        + "srv_agent_addr srv_agent_port\n"

    func testParsing() {
        XCTAssertEqual(ServerStateFile.parse(""), .empty)
        XCTAssertEqual(ServerStateFile.parse("2\n"), .noVersion)
        XCTAssertEqual(ServerStateFile.parse("1"), .noVersion)
        XCTAssertEqual(ServerStateFile.parse("1\n"), .entries([]))
        let line = "2 be 1 s1 127.0.0.1 2 0 1 1 5 1 0 2 0 0 0 0 - 80 - 0 0 - - 0"
        guard case .entries(let e) = ServerStateFile.parse(Self.header + line + "\n\n   # comment\n") else { return XCTFail() }
        XCTAssertEqual(e.count, 1)
        XCTAssertEqual(e[0].backendName, "be"); XCTAssertEqual(e[0].serverName, "s1")
        XCTAssertEqual(ServerStateFile.parse(Self.header + "2 be 1 s1 127.0.0.1\n"), .corrupted(line: 2))
        XCTAssertEqual(ServerStateFile.parse(Self.header + line), .corrupted(line: 2), "a last line without newline is cut")
        XCTAssertEqual(ServerStateFile.path("f", base: "/var/lib/haproxy"), "/var/lib/haproxy/f")
        XCTAssertEqual(ServerStateFile.path("f", base: "/b/"), "/b/f")
        XCTAssertEqual(ServerStateFile.path("/abs", base: "/b"), "/abs")
        XCTAssertEqual(ServerStateFile.path("f", base: nil), "f")
    }

    private func withTable(_ config: String, _ body: (Configuration, SharedTable, TableIndex) throws -> Void) throws {
        let parsed = ConfigParser.parse([ConfigSource(name: "t.cfg", text: config)], environment: [:])
        XCTAssertFalse(parsed.hasErrors, "\(parsed.diagnostics)")
        let c = parsed.configuration, index = TableIndex(c)
        let size = index.tableSize(workers: 1)
        let raw = try XCTUnwrap(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0))
        defer { munmap(raw, size) }
        let t = SharedTable(base: raw, servers: index.serverCount, frontends: index.frontendCount, binds: index.bindCount,
                            backends: index.backendCount, workers: 1, initialize: true)
        for (bi, b) in c.backends.enumerated() {
            for (si, s) in b.servers.enumerated() {
                t.server(index.serverLine(backend: bi, server: si), .weight).store(UInt64(s.params.weight))
                if s.params.disabled { t.server(index.serverLine(backend: bi, server: si), .admin).store(1) }
            }
        }
        try body(c, t, index)
    }

    func testApplyingAsHAProxy() throws {
        let config = """
            global
                server-state-file /state/global
            defaults
                load-server-state-from-file global
            backend be
                server s1 127.0.0.1:81
                server s2 127.0.0.1:82
                server s3 127.0.0.1:83 weight 10
                server s4 127.0.0.1:84 disabled
                server s5 127.0.0.1:85 disabled
                server s6 127.0.0.1:86 weight 20
                server s7 127.0.0.1:87
            backend loc
                load-server-state-from-file local
                server l1 127.0.0.1:81

            """
        let file = Self.header + """
            2 be 1 s1 127.0.0.1 2 8 1 1 30 1 0 2 0 0 0 0 - 81 - 0 0 - - 0
            2 be 2 s2 127.0.0.1 0 1 1 1 30 1 0 0 0 0 0 0 - 82 - 0 0 - - 0
            2 be 3 s3 127.0.0.1 2 0 3 10 30 1 0 2 0 0 0 0 - 9083 - 0 0 - - 0
            2 be 4 s4 127.0.0.1 0 5 1 1 30 1 0 0 8 0 0 0 - 84 - 0 0 - - 0
            2 be 5 s5 127.0.0.1 2 4 1 1 30 1 0 2 8 0 0 0 - 85 - 0 0 - - 0
            2 be 6 s6 127.0.0.1 2 0 3 10 30 1 0 2 0 0 0 0 - 86 - 0 0 - - 0
            2 be 7 s7 127.0.0.1 9 0 1 1 30 1 0 2 0 0 0 0 - 87 - 0 0 - - 0

            """
        try withTable(config) { c, t, index in
            var apply = ServerStateApply(configuration: c, table: t, index: index, now: 1000)
            apply.run { path in
                path == "/state/global" ? .text(file) : .failed(missing: true, reason: "No such file or directory")
            }
            func line(_ s: Int) -> Int { index.serverLine(backend: 0, server: s) }
            func admin(_ s: Int) -> SharedTable.Admin { SharedTable.Admin(rawValue: t.server(line(s), .admin).load()) }
            XCTAssertEqual(admin(0), .drain)
            XCTAssertEqual(t.server(line(0), .lastChange).load(), 970)
            XCTAssertEqual(t.server(line(0), .checkHealth).load(), 4, "RUNNING: rise + fall - 1")
            XCTAssertEqual(admin(1), .forcedMaintenance)
            XCTAssertEqual(t.server(line(1), .operational).load(), SharedTable.Operational.down.rawValue)
            XCTAssertEqual(t.server(line(2), .weight).load(), 3, "same configured weight: the run-time one comes back")
            XCTAssertEqual(t.serverAddress(line(2))?.port, 9083, "the port comes back")
            XCTAssertEqual(t.serverAddress(line(2))?.ip.description, "127.0.0.1")
            XCTAssertEqual(admin(3), .configMaintenance)
            XCTAssertEqual(admin(4), [], "disabled in the configuration, enabled at run time: stays enabled")
            XCTAssertEqual(t.server(line(5), .weight).load(), 20, "the configured weight changed: it wins")
            XCTAssertEqual(t.server(line(6), .weight).load(), 1)
            XCTAssertEqual(apply.messages.map(\.text), [
                "Server be/s1 remains in forced drain mode.",
                "Server be/s2 is DOWN, changed from server-state after a reload. 3 active and 0 backup servers left. "
                    + "0 sessions active, 0 requeued, 0 remaining in queue.",
                "Server be/s5 is UP/READY (leaving forced maintenance).",
                "server-state application failed for server 'be/s7', invalid srv_op_state value '9'",
                "Proxy 'loc': Can't open server state file 'loc': No such file or directory.",
            ])
        }
    }

    func testGlobalFileProblems() throws {
        let config = "global\n    server-state-file st\n    server-state-base /b\ndefaults\n    load-server-state-from-file global\nbackend be\n    server s1 127.0.0.1:81\n"
        for (text, message) in [("", "config: Empty global server state file '/b/st'."),
                                ("x\n", "config: Can't get version of the global server state file '/b/st'."),
                                (Self.header + "2 be 1\n", "config: corrupted global server state file '/b/st' at line 2.")] {
            try withTable(config) { c, t, index in
                var apply = ServerStateApply(configuration: c, table: t, index: index, now: 1000)
                apply.run { _ in .text(text) }
                XCTAssertEqual(apply.messages.map(\.text), [message])
            }
        }
    }

    func testKeywords() {
        let bad = ConfigParser.parse([ConfigSource(name: "t.cfg", text: "backend be\n    load-server-state-from-file maybe\n")],
                                     environment: [:])
        XCTAssertEqual(bad.diagnostics.first?.description,
                       "[ALERT] t.cfg:2:33: 'load-server-state-from-file' expects 'global', 'local' or 'none'. Got 'maybe'")
        let frontend = ConfigParser.parse([ConfigSource(name: "t.cfg", text: "frontend fe\n    server-state-file-name x\n")],
                                          environment: [:])
        XCTAssertTrue(frontend.hasErrors || !frontend.diagnostics.isEmpty, "a frontend has no servers")
        let named = ConfigParser.parse([ConfigSource(name: "t.cfg", text: """
            defaults
                server-state-file-name use-backend-name
            backend be
                server s 127.0.0.1:1
            backend other
                server-state-file-name other.state
                server s 127.0.0.1:1

            """)], environment: [:]).configuration
        XCTAssertEqual(named.backends.map(\.serverStateFileName), ["be", "other.state"])
    }
}
