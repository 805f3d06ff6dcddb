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
        // expose-fd listeners serves `_getsocks` (fulcrum -x / haproxy -x).
        XCTAssertEqual(r.diagnostics, [])
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
        XCTAssertEqual(alert("stats socket /s uid abc")?.message, "'stats socket' : 'uid' expects a number (got 'abc')")
        XCTAssertEqual(alert("stats socket /s uid abc")?.location?.column, 25)
        XCTAssertEqual(alert("stats socket /s severity-output number")?.message, "bind option 'severity-output' is not supported yet on 'stats socket' (in section 'global')")
        XCTAssertEqual(alert("stats socket /s levle admin")?.message, "unknown keyword 'levle' on 'stats socket'; did you mean 'level'?")
        XCTAssertEqual(alert("stats socket")?.message, "'stats socket' expects the path of a UNIX socket")
        XCTAssertEqual(alert("stats socket")?.location?.column, 11)
        XCTAssertEqual(alert("stats socket relative.sock")?.message, "'stats socket' expects an absolute path to a UNIX socket or HOST:PORT (got 'relative.sock')")
        XCTAssertEqual(alert("stats socket unix@")?.message, "'stats socket' expects the path of a UNIX socket")
    }

    /// TCP and inherited sockets and the socket file's owner, as HAProxy's bind lines write them.
    func testStatsSocketAddressFormsAndOwner() {
        let r = global("""
            stats socket 127.0.0.1:9999 level admin
            stats socket ipv4@127.0.0.1:9998
            stats socket ipv6@[::1]:9997
            stats socket fd@7 level user
            stats socket /run/f.sock user haproxy group adm mode 660
            stats socket /run/g.sock uid 100 gid 101
        """)
        XCTAssertEqual(r.diagnostics, [])
        let s = r.configuration.global.statsSockets
        XCTAssertEqual(s.map(\.address), [.inet(host: "127.0.0.1", port: 9999), .inet(host: "127.0.0.1", port: 9998),
                                           .inet(host: "::1", port: 9997), .inheritedFD(7), .unix("/run/f.sock"), .unix("/run/g.sock")])
        XCTAssertEqual(s.map(\.path), ["ipv4@127.0.0.1:9999", "ipv4@127.0.0.1:9998", "ipv6@[::1]:9997", "fd@7", "/run/f.sock", "/run/g.sock"])
        XCTAssertEqual(s[4].user, "haproxy")
        XCTAssertEqual(s[4].group, "adm")
        XCTAssertEqual(s[5].user, "100")
        XCTAssertEqual(s[5].group, "101")
    }

    func testOtherSocketFamiliesAreNotSupportedYet() {
        let line = "    stats socket abns@haproxy"
        XCTAssertEqual(onlyAlert(global(line), line)?.message,
                       "'stats socket' on 'abns@' addresses is not supported yet: use a UNIX socket path, ipv4@, ipv6@ or fd@ (in section 'global')")
        let port = "    stats socket ipv4@127.0.0.1:99999"
        XCTAssertEqual(onlyAlert(global(port), port)?.message, "'stats socket' : invalid port in 'ipv4@127.0.0.1:99999'")
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
