import XCTest

/// hatop (Debian's package) under tmux, against Fulcrum's stats socket and
/// haproxy 2.6's with the same configuration: the same proxy table on the
/// screen, and its maintenance keys (F10, F9) taking a server out and back.
final class HatopTests: XCTestCase {
    private struct Screen {
        let session: String
        func capture(escapes: Bool = false) throws -> String {
            try CommandRunner.run("tmux", ["capture-pane", "-t", session, "-p"] + (escapes ? ["-e"] : []), timeout: 5).stdout
        }
        func keys(_ key: String) throws { _ = try CommandRunner.run("tmux", ["send-keys", "-t", session, key], timeout: 5) }
        /// The proxy table: from the NAME header to the line before the footer, trailing blanks trimmed.
        func table() throws -> [String] {
            let lines = try capture().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let start = lines.firstIndex(where: { $0.hasPrefix("NAME ") }) else { return [] }
            return lines[start...].prefix { !$0.contains("1-STATUS") }
                .map { String($0.reversed().drop { $0 == " " }.reversed()) }.filter { !$0.isEmpty }
        }
    }

    func testSameTableAndMaintenanceKeysAsWithHAProxy() throws {
        _ = try requireTool("hatop")
        _ = try requireTool("tmux")
        let web = try startRecordingBackend("web")
        let statsSockets = try SideBySideStatsSockets(self)
        let sockets = statsSockets.paths, substitutions = statsSockets.substitutions
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server s1 127.0.0.1:\(web.port)
                server s2 127.0.0.1:\(web.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web],
                                 global: "    maxconn 1000\n" + SideBySideStatsSockets.global, substitutions: substitutions)
        _ = sbs
        var tables: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let screen = Screen(session: "fulcrum-hatop-\(getpid())-\(proxy)")
            _ = try CommandRunner.run("tmux", ["new-session", "-d", "-s", screen.session, "-x", "160", "-y", "40",
                                               "hatop -s \(sockets[proxy]!)"], timeout: 10)
            addTeardownBlock { _ = try? CommandRunner.run("tmux", ["kill-session", "-t", screen.session], timeout: 5) }
            XCTAssertTrue(waitUntil(timeout: 10, interval: 0.1) { ((try? screen.table()) ?? []).contains { $0.hasPrefix("BACKEND") } },
                          "\(proxy): hatop shows no table: \((try? screen.capture()) ?? "")")
            tables[proxy] = try screen.table()

            // Move the highlighted row (reverse video) down to s1, then F10: maintenance.
            let onS1 = waitUntil(timeout: 5, interval: 0.2) {
                let rows = ((try? screen.capture(escapes: true)) ?? "").split(separator: "\n")
                if rows.contains(where: { $0.contains("\u{1B}[7ms1 ") || $0.contains("\u{1B}[1;7ms1 ") }) { return true }
                try? screen.keys("Down")
                return false
            }
            XCTAssertTrue(onS1, "\(proxy): cannot select s1")
            try screen.keys("F10")
            let state = { ServersStateColumn.admin.value(socket: sockets[proxy]!, backend: "be", server: "s1") }
            XCTAssertTrue(waitUntil(timeout: 5, interval: 0.1) { state() == "1" }, "\(proxy): F10 did not put s1 in maintenance")
            XCTAssertTrue(waitUntil(timeout: 5, interval: 0.2) { ((try? screen.table()) ?? []).contains { $0.hasPrefix("s1") && $0.contains("MAINT") } },
                          "\(proxy): hatop does not show s1 in MAINT")
            try screen.keys("F9")
            XCTAssertTrue(waitUntil(timeout: 5, interval: 0.1) { state() == "0" }, "\(proxy): F9 did not bring s1 back")
        }
        XCTAssertEqual(tables[.fulcrum], tables[.haproxy], "hatop's proxy table")
        XCTAssertGreaterThan(tables[.fulcrum]?.count ?? 0, 4)
    }
}
