import XCTest
@testable import FulcrumConfig

/// Global `stats socket`, `stats timeout` and `spread-checks`.
final class StatsSocketConfigTests: XCTestCase {
    private func global(_ lines: String) -> ParseResult { parse("global\n" + lines + "\n") }

    func testStatsSocketOptions() {
        let r = global("""
            stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners
            stats socket unix@/run/fulcrum/user.sock level user mode 0600
            stats socket /tmp/plain.sock
        """)
        // expose-fd is accepted (Debian's default config has it) with a notice
        // saying why it is not needed.
        XCTAssertEqual(r.diagnostics.map(\.severity), [.notice])
        XCTAssertTrue(r.diagnostics.first?.message.contains("expose-fd listeners") ?? false)
        let sockets = r.configuration.global.statsSockets
        XCTAssertEqual(sockets.map(\.path), ["/run/haproxy/admin.sock", "/run/fulcrum/user.sock", "/tmp/plain.sock"])
        XCTAssertEqual(sockets.map(\.mode), [0o660, 0o600, nil])
        XCTAssertEqual(sockets.map(\.level), [.admin, .user, .operator_])
        XCTAssertEqual(sockets.map(\.expose), [true, false, false])
        XCTAssertEqual(sockets.first?.location, SourceLocation(file: "t.cfg", line: 2, column: 5))
    }

    func testStatsSocketDefaultsMatchHAProxy() {
        let socket = StatsSocket(location: SourceLocation(file: "f", line: 1), path: "/s")
        XCTAssertEqual(socket.level, .operator_, "HAProxy's default level is operator")
        XCTAssertNil(socket.mode)
        XCTAssertFalse(socket.expose)
        XCTAssertEqual(GlobalSettings().statsSockets, [])
        XCTAssertNil(GlobalSettings().statsTimeout)
        XCTAssertEqual(GlobalSettings().spreadChecks, 0)
    }

    func testLevelsAreOrderedByPrivilege() {
        XCTAssertLessThan(StatsSocket.Level.user, .operator_)
        XCTAssertLessThan(StatsSocket.Level.operator_, .admin)
        XCTAssertFalse(StatsSocket.Level.admin < .user)
        XCTAssertEqual([StatsSocket.Level.admin, .user, .operator_].sorted(), [.user, .operator_, .admin])
        XCTAssertEqual(StatsSocket.Level(rawValue: "operator"), .operator_)
    }

    func testLastOptionWins() {
        let r = global("    stats socket /s mode 600 mode 640 level admin level user")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.configuration.global.statsSockets.first?.mode, 0o640)
        XCTAssertEqual(r.configuration.global.statsSockets.first?.level, .user)
    }

    func testStatsSocketErrors() {
        func alert(_ line: String) -> Diagnostic? {
            let r = global("    " + line)
            XCTAssertEqual(r.configuration.global.statsSockets, [], line)
            return onlyAlert(r, line)
        }
        XCTAssertEqual(alert("stats socket /s level root")?.message, "'stats socket' : 'level' only supports 'user', 'operator', and 'admin' (got 'root')")
        XCTAssertEqual(alert("stats socket /s level root")?.location?.column, 27)
        XCTAssertEqual(alert("stats socket /s level admn")?.message, "'stats socket' : 'level' only supports 'user', 'operator', and 'admin' (got 'admn'); did you mean 'admin'?")
        XCTAssertEqual(alert("stats socket /s level")?.message, "'stats socket' : 'level' only supports 'user', 'operator', and 'admin' (got '')")
        XCTAssertEqual(alert("stats socket /s level")?.location?.column, 21)
        XCTAssertEqual(alert("stats socket /s mode 999")?.message, "'stats socket' : 'mode' expects an octal mode such as 600 (got '999')")
        XCTAssertEqual(alert("stats socket /s mode abc")?.message, "'stats socket' : 'mode' expects an octal mode such as 600 (got 'abc')")
        XCTAssertEqual(alert("stats socket /s mode 17777")?.message, "'stats socket' : 'mode' expects an octal mode such as 600 (got '17777')")
        XCTAssertEqual(alert("stats socket /s expose-fd all")?.message, "'stats socket' : 'expose-fd' only supports 'listeners' (got 'all')")
        XCTAssertEqual(alert("stats socket /s user haproxy")?.message, "bind option 'user' is not supported yet on 'stats socket' (in section 'global')")
        XCTAssertEqual(alert("stats socket /s user haproxy")?.location?.column, 21)
        XCTAssertEqual(alert("stats socket /s severity-output number")?.message, "bind option 'severity-output' is not supported yet on 'stats socket' (in section 'global')")
        XCTAssertEqual(alert("stats socket /s levle admin")?.message, "unknown keyword 'levle' on 'stats socket'; did you mean 'level'?")
        XCTAssertEqual(alert("stats socket")?.message, "'stats socket' expects the path of a UNIX socket")
        XCTAssertEqual(alert("stats socket")?.location?.column, 11)
        XCTAssertEqual(alert("stats socket relative.sock")?.message, "'stats socket' expects an absolute path to a UNIX socket (got 'relative.sock')")
        XCTAssertEqual(alert("stats socket unix@")?.message, "'stats socket' expects the path of a UNIX socket")
    }

    func testNonUnixStatsSocketsAreNotSupportedYet() {
        func alert(_ line: String) -> Diagnostic? { onlyAlert(global("    " + line), line) }
        XCTAssertEqual(alert("stats socket 127.0.0.1:9999 level admin")?.message,
                       "'stats socket' on TCP addresses is not supported yet (in section 'global'): use a UNIX socket path")
        XCTAssertEqual(alert("stats socket 127.0.0.1:9999 level admin")?.location?.column, 18)
        XCTAssertEqual(alert("stats socket ipv4@127.0.0.1:9999")?.message,
                       "'stats socket' on 'ipv4@' addresses is not supported yet (in section 'global'): use a UNIX socket path")
        XCTAssertEqual(alert("stats socket abns@haproxy")?.message,
                       "'stats socket' on 'abns@' addresses is not supported yet (in section 'global'): use a UNIX socket path")
    }

    func testStatsTimeout() {
        let r = global("    stats timeout 30s")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.configuration.global.statsTimeout, 30_000)
        XCTAssertEqual(global("    stats timeout 2m").configuration.global.statsTimeout, 120_000)

        assertSingleAlert(global("    stats timeout 0"), "'stats timeout' expects a positive value", line: 2, column: 19)
        assertSingleAlert(global("    stats timeout abc"), "'stats timeout' expects a time value such as 5s or 500ms (got 'abc')", line: 2, column: 19)
        assertSingleAlert(global("    stats timeout"), "'stats timeout' expects a time value such as 30s", line: 2, column: 11)
        assertSingleAlert(global("    stats timeout 10s 5"), "unexpected argument '5' for 'stats timeout'", line: 2, column: 23)

        let twice = global("    stats timeout 10s\n    stats timeout 20s")
        XCTAssertEqual(twice.alerts, [])
        XCTAssertEqual(twice.warnings.map(\.description), ["[WARNING] t.cfg:3:5: 'stats timeout' already specified at t.cfg:2:5; the last value is used"])
        XCTAssertEqual(twice.configuration.global.statsTimeout, 20_000)
    }

    func testOtherStatsKeywords() {
        assertSingleAlert(global("    stats maxconn 10"), "keyword 'stats maxconn' is not supported yet (in section 'global')", line: 2, column: 5)
        assertSingleAlert(global("    stats sockte /s"), "unknown keyword 'stats sockte' in 'global' section; did you mean 'socket'?", line: 2, column: 11)
        assertSingleAlert(global("    stats"), "'stats' expects one of 'socket', 'timeout', 'bind-process', 'maxconn'", line: 2, column: 5)
        // Several sockets are not duplicates.
        XCTAssertEqual(global("    stats socket /a\n    stats socket /b").diagnostics, [])
    }

    func testSpreadChecks() {
        let r = global("    spread-checks 5")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.configuration.global.spreadChecks, 5)
        XCTAssertEqual(global("    spread-checks 0").configuration.global.spreadChecks, 0)
        XCTAssertEqual(global("    spread-checks 50").configuration.global.spreadChecks, 50)

        assertSingleAlert(global("    spread-checks 51"), "'spread-checks' must be between 0 and 50 (got 51)", line: 2, column: 19)
        assertSingleAlert(global("    spread-checks -1"), "'spread-checks' expects an integer argument (got '-1')", line: 2, column: 19)
        assertSingleAlert(global("    spread-checks"), "'spread-checks' expects an argument", line: 2, column: 5)
        assertSingleAlert(global("    spread-checks 5 6"), "unexpected argument '6' for 'spread-checks'", line: 2, column: 21)
    }
}
