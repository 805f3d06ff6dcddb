import XCTest

/// `option smtpchk` against aiosmtpd and `option mysql-check` against
/// MariaDB, side by side with haproxy 2.6: each proxy checks the same real
/// servers, and both must judge every server alike (state, check status,
/// code, description, last_chk), also once a server is stopped.
final class SideBySideMailAndDatabaseCheckTests: XCTestCase {
    private func states(_ sockets: SideBySideStatsSockets, _ proxy: ProxyUnderTest, rows: [String]) -> [String]? {
        guard let csv = try? MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!),
              let table = try? StatsTable(csv: csv) else { return nil }
        // "* " marks a check in flight (haproxy blanks last_chk then): such a
        // sample says when it was taken, not what was judged.
        if rows.contains(where: { table.rows[$0]?["check_status"]?.hasPrefix("* ") ?? true }) { return nil }
        return rows.map { key in
            key + ": " + ["status", "check_status", "check_code", "check_desc", "last_chk"]
                .map { "\($0)=\(table.rows[key]?[$0] ?? "?")" }.joined(separator: ",")
        }
    }

    /// Waits until both proxies report the same states, each server judged
    /// (no INI) and `until` holds, then returns them.
    private func sameStates(_ sockets: SideBySideStatsSockets, rows: [String], what: String,
                            until: ([String]) -> Bool = { _ in true },
                            file: StaticString = #filePath, line: UInt = #line) -> [String] {
        var last: [ProxyUnderTest: [String]] = [:]
        let same = waitUntil(timeout: 15, interval: 0.1) {
            for proxy in ProxyUnderTest.allCases { if let s = states(sockets, proxy, rows: rows) { last[proxy] = s } }
            guard let f = last[.fulcrum], let h = last[.haproxy], f == h else { return false }
            return !h.joined().contains("=?") && !h.joined().contains("=INI") && until(h)
        }
        XCTAssertTrue(same, "\(what): fulcrum \(last[.fulcrum] ?? []) haproxy \(last[.haproxy] ?? [])", file: file, line: line)
        return last[.haproxy] ?? []
    }

    private func start(_ sockets: SideBySideStatsSockets, backends: String, ports: [String: UInt16]) throws -> SideBySide {
        var substitutions = sockets.substitutions
        for proxy in ProxyUnderTest.allCases {
            for (name, port) in ports { substitutions[proxy]!["{\(name)}"] = "\(port)" }
        }
        let config = SideBySide.tcpDefaults + """
                timeout check 1s
            frontend fe
                bind 127.0.0.1:{port}
                default_backend b

            """ + backends
        return try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global, substitutions: substitutions)
    }

    /// A 220 greeting, a 250 HELO reply and QUIT's 221 are UP (L7OK 221); a
    /// 554 greeting is DOWN (L7STS 554); a 550 reply to HELO is awaited as
    /// a 2xx until `timeout check` (DOWN, L7TOUT), as haproxy 2.6 does.
    /// `EHLO domain` sends EHLO, which the HELO-refusing server accepts.
    func testSMTPCheck() throws {
        let ok = try PrivateSMTPServer(self), greeting = try PrivateSMTPServer(self, refusing: .greeting)
        let helo = try PrivateSMTPServer(self, refusing: .helo)
        let servers = """
                server ok 127.0.0.1:{ok} check inter 200 rise 1 fall 1
                server greeting 127.0.0.1:{greeting} check inter 200 rise 1 fall 1
                server helo 127.0.0.1:{helo} check inter 200 rise 1 fall 1
            """
        let backends = """
            backend b
                option smtpchk
            \(servers)
            backend e
                option smtpchk EHLO example.com
            \(servers)

            """
        let sockets = try SideBySideStatsSockets(self)
        _ = try start(sockets, backends: backends, ports: ["ok": ok.port, "greeting": greeting.port, "helo": helo.port])
        let rows = ["b/ok", "b/greeting", "b/helo", "e/ok", "e/greeting", "e/helo"]
        let seen = sameStates(sockets, rows: rows, what: "smtpchk") { $0[2].contains("DOWN") }
        XCTAssertEqual(seen.map { $0.components(separatedBy: ",check_desc").first ?? "" }, [
            "b/ok: status=UP,check_status=L7OK,check_code=221",
            "b/greeting: status=DOWN,check_status=L7STS,check_code=554",
            "b/helo: status=DOWN,check_status=L7TOUT,check_code=",
            "e/ok: status=UP,check_status=L7OK,check_code=221",
            "e/greeting: status=DOWN,check_status=L7STS,check_code=554",
            "e/helo: status=UP,check_status=L7OK,check_code=221",
        ])
    }

    /// MariaDB's handshake alone is UP; with `user` an existing user is UP
    /// (4.1 and pre-4.1 packets) and an unknown one DOWN with L7STS 1045
    /// (access denied). Once the server stops, every check is DOWN (L4CON),
    /// in `show stat` and `show servers state` alike.
    func testMySQLCheck() throws {
        let db = try PrivateMariaDB(self, users: ["haproxy"])
        var backends = ""
        let options = ["", "user haproxy", "user haproxy post-41", "user haproxy pre-41", "user nobody", "user nobody pre-41"]
        for (i, option) in options.enumerated() {
            backends += """
                backend b\(i)
                    option mysql-check \(option)
                    server db 127.0.0.1:{db} check inter 200 rise 1 fall 1

                """
        }
        let sockets = try SideBySideStatsSockets(self)
        _ = try start(sockets, backends: backends.replacingOccurrences(of: "backend b0\n", with: "backend b\n"),
                      ports: ["db": db.port])
        let rows = ["b/db"] + (1..<options.count).map { "b\($0)/db" }
        let seen = sameStates(sockets, rows: rows, what: "mysql-check")
        XCTAssertEqual(seen.map { $0.components(separatedBy: ",check_code").first ?? "" }, [
            "b/db: status=UP,check_status=L7OK", "b1/db: status=UP,check_status=L7OK", "b2/db: status=UP,check_status=L7OK",
            "b3/db: status=UP,check_status=L7OK", "b4/db: status=DOWN,check_status=L7STS", "b5/db: status=DOWN,check_status=L7STS",
        ])
        XCTAssertTrue(seen[4].contains("check_code=1045"), seen[4])
        db.stop()
        let stopped = sameStates(sockets, rows: rows, what: "mysql-check, server stopped") { $0.allSatisfy { $0.contains("L4CON") } }
        XCTAssertTrue(stopped.allSatisfy { $0.contains("status=DOWN,check_status=L4CON") }, "\(stopped)")
        var serversState: [ProxyUnderTest: [String]] = [:]
        // Sampled once both show every check DOWN, at a moment when no check
        // is in flight at either: one under way (srv_check_state's
        // CHK_ST_INPROGRESS bit, 1) shows result 0 and state 7 in haproxy.
        let sampled = waitUntil(timeout: 10, interval: 0.02) {
            for proxy in ProxyUnderTest.allCases {
                guard let text = try? MasterCLI.send("show servers state", socketPath: sockets.paths[proxy]!) else { return false }
                // be_name srv_name srv_op_state srv_admin_state srv_uweight, then srv_check_status,
                // srv_check_result, srv_check_health and srv_check_state.
                serversState[proxy] = text.split(separator: "\n").filter { !$0.hasPrefix("#") && $0.split(separator: " ").count > 13 }
                    .map { let f = $0.split(separator: " "); return [1, 3, 5, 6, 7, 10, 11, 12, 13].map { String(f[$0]) }.joined(separator: " ") }
            }
            return serversState.values.allSatisfy { rows in
                rows.allSatisfy { row in (Int(row.split(separator: " ").last ?? "") ?? 1) & 1 == 0 }
            }
        }
        XCTAssertTrue(sampled, "a check was in flight in every sample: \(serversState)")
        XCTAssertEqual(serversState[.fulcrum]?.count, options.count)
        XCTAssertEqual(serversState[.fulcrum], serversState[.haproxy])
    }
}
