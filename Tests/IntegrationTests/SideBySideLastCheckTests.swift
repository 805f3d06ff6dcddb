import XCTest

/// `show stat`'s last_chk (the last health check's description) side by
/// side with haproxy 2.6, for each kind of check Fulcrum runs against the
/// same servers: a plain connect (passing, refused), `option httpchk`
/// (200, 503, refused, a body expectation that fails, a server that never
/// answers), a `tcp-check` script (matching, not matching, refused) and
/// `external-check` programs (exiting 0 and 1). SideBySideProtocolCheckTests
/// compare it for redis, ssl-hello, pgsql and ldap checks.
final class SideBySideLastCheckTests: XCTestCase {
    private static let columns = ["status", "check_status", "check_code", "last_chk"]

    func testLastCheckDescribesEachKindOfCheckAsHAProxy() throws {
        let ok = try startBackend(.http(status: 200, body: "ok"))
        let unavailable = try startBackend(.http(status: 503, body: "down"))
        let silent = try startBackend(.hold)
        let closed = try FreePort.next()
        let sockets = try SideBySideStatsSockets(self)
        var substitutions = sockets.substitutions
        for proxy in ProxyUnderTest.allCases {
            substitutions[proxy]!["{pong}"] = "\(try startCheckAgent(reply: "+PONG\r\n").port)"
            substitutions[proxy]!["{err}"] = "\(try startCheckAgent(reply: "-ERR unknown\r\n").port)"
        }
        let check = "check inter 100 rise 1 fall 1"
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend l4
            backend l4
                server up 127.0.0.1:\(ok.port) \(check)
                server refused 127.0.0.1:\(closed) \(check)
            backend web
                option httpchk GET /
                server ok 127.0.0.1:\(ok.port) \(check)
                server unavailable 127.0.0.1:\(unavailable.port) \(check)
                server refused 127.0.0.1:\(closed) \(check)
            backend body
                option httpchk GET /
                http-check expect string hello
                server ok 127.0.0.1:\(ok.port) \(check)
            backend silent
                timeout check 300ms
                option httpchk GET /
                server silent 127.0.0.1:\(silent.port) \(check)
            backend script
                option tcp-check
                tcp-check send PING\\r\\n
                tcp-check expect string +PONG
                server good 127.0.0.1:{pong} \(check)
                server bad 127.0.0.1:{err} \(check)
                server refused 127.0.0.1:\(closed) \(check)
            backend program
                option external-check
                external-check command /bin/true
                server ok 127.0.0.1:\(ok.port) \(check)
            backend failing_program
                option external-check
                external-check command /bin/false
                server failing 127.0.0.1:\(ok.port) \(check)

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global + "    external-check\n    insecure-fork-wanted\n",
                           substitutions: substitutions)
        let rows = ["l4/up", "l4/refused", "web/ok", "web/unavailable", "web/refused", "body/ok", "silent/silent",
                    "script/good", "script/bad", "script/refused", "program/ok", "failing_program/failing"]
        func state(_ proxy: ProxyUnderTest) -> [String]? {
            guard let csv = try? MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!),
                  let table = try? StatsTable(csv: csv) else { return nil }
            // HAProxy blanks last_chk while a check is in flight ("* " before
            // check_status): such a sample says when it was taken, not what was judged.
            if rows.contains(where: { table.rows[$0]?["check_status"]?.hasPrefix("* ") ?? true }) { return nil }
            return rows.map { key in
                key + ": " + Self.columns.map { "\($0)=\(table.rows[key]?[$0] ?? "?")" }.joined(separator: ",")
            }
        }
        var last: [ProxyUnderTest: [String]] = [:]
        let same = waitUntil(timeout: 15, interval: 0.05) {
            for proxy in ProxyUnderTest.allCases { if let s = state(proxy) { last[proxy] = s } }
            guard let f = last[.fulcrum], let h = last[.haproxy], f == h else { return false }
            return !h.joined().contains("=INI")
        }
        XCTAssertTrue(same, "fulcrum\n" + (last[.fulcrum] ?? []).joined(separator: "\n")
                      + "\nhaproxy\n" + (last[.haproxy] ?? []).joined(separator: "\n"))
        // The descriptions are the checks' own: a refused connection says so.
        XCTAssertTrue(last[.haproxy]?.contains { $0.hasPrefix("l4/refused:") && $0.contains("last_chk=Connection refused") } ?? false,
                      "\(last[.haproxy] ?? [])")
    }

    /// `observe layer4 ... on-error mark-down`: traffic to a server whose
    /// checks (on another port) pass fails to connect; both proxies mark it
    /// down (a HANA verdict, "Detected 1 consecutive errors...") and check it
    /// again at once, so the stats settle on that check's result: DOWN 1/2,
    /// its status, duration and (empty) description, alike in both.
    func testObserveMarkDownAndTheCheckAfterItAsHAProxy() throws {
        let live = try startBackend(.http(status: 200, body: "ok"))
        let closed = try FreePort.next()
        let sockets = try SideBySideStatsSockets(self)
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend b
            backend b
                retries 0
                server s 127.0.0.1:\(closed) check port \(live.port) inter 4s observe layer4 error-limit 1 on-error mark-down

            """
        let sbs = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                                 substitutions: sockets.substitutions)
        let columns = ["status", "check_status", "check_code", "check_duration", "last_chk"]
        func row(_ proxy: ProxyUnderTest) -> String? {
            guard let csv = try? MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!),
                  let table = try? StatsTable(csv: csv), let r = table.rows["b/s"] else { return nil }
            return columns.map { "\($0)=\(r[$0] ?? "?")" }.joined(separator: ",")
        }
        for proxy in ProxyUnderTest.allCases {
            XCTAssertTrue(waitUntil(timeout: 10) { row(proxy)?.hasPrefix("status=UP,check_status=L4OK") ?? false },
                          "\(proxy): the check passes first: \(row(proxy) ?? "")")
            // A connection the server refuses: the observed error (the
            // proxy may reset the client before its connect returns).
            if let client = try? TCPClient.connect(port: sbs.ports[proxy]![0]) {
                _ = try? client.waitForClose(timeout: 5)
                client.close()
            }
        }
        var last: [ProxyUnderTest: String] = [:]
        let same = waitUntil(timeout: 10, interval: 0.05) {
            for proxy in ProxyUnderTest.allCases { last[proxy] = row(proxy) }
            return last[.fulcrum] != nil && last[.fulcrum] == last[.haproxy]
        }
        XCTAssertTrue(same, "fulcrum \(last[.fulcrum] ?? "") haproxy \(last[.haproxy] ?? "")")
        XCTAssertTrue(last[.haproxy]?.hasPrefix("status=DOWN 1/2,") ?? false, last[.haproxy] ?? "")
    }
}
