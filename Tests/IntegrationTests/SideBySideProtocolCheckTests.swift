import XCTest

/// `option redis-check`, `ssl-hello-chk`, `pgsql-check user U` and
/// `ldap-check` side by side with haproxy 2.6: each proxy checks its own two
/// recording servers (one answering as the real server does, one not); the
/// bytes each proxy sent must be the same (the ClientHello's time aside) and
/// both must judge the servers alike (status, check status, code and
/// last_chk's description).
final class SideBySideProtocolCheckTests: XCTestCase {
    private func compare(option: String, good: String, bad: String, timeBytes: Range<Int>? = nil,
                         file: StaticString = #filePath, line: UInt = #line) throws {
        let sockets = try SideBySideStatsSockets(self)
        var substitutions = sockets.substitutions
        var goods: [ProxyUnderTest: CheckAgent] = [:], bads: [ProxyUnderTest: CheckAgent] = [:]
        for proxy in ProxyUnderTest.allCases {
            goods[proxy] = try startCheckAgent(reply: good)
            bads[proxy] = try startCheckAgent(reply: bad)
            substitutions[proxy]!["{good}"] = "\(goods[proxy]!.port)"
            substitutions[proxy]!["{bad}"] = "\(bads[proxy]!.port)"
        }
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend b
            backend b
                option \(option)
                server good 127.0.0.1:{good} check inter 100 rise 1 fall 1
                server bad 127.0.0.1:{bad} check inter 100 rise 1 fall 1

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global, substitutions: substitutions)
        for proxy in ProxyUnderTest.allCases {
            XCTAssertTrue(goods[proxy]!.waitForConnections(after: 0, more: 3), "\(proxy) checks", file: file, line: line)
            XCTAssertTrue(bads[proxy]!.waitForConnections(after: 0, more: 3), "\(proxy) checks", file: file, line: line)
        }
        func firstRequest(_ agent: CheckAgent) -> [UInt8] {
            var bytes = agent.bytes
            if let r = timeBytes, bytes.count >= r.upperBound { bytes.replaceSubrange(r, with: [UInt8](repeating: 0, count: r.count)) }
            let one = bytes.count / max(1, agent.connections)
            return Array(bytes.prefix(one))
        }
        XCTAssertEqual(firstRequest(goods[.fulcrum]!), firstRequest(goods[.haproxy]!), "\(option): the request bytes", file: file, line: line)
        XCTAssertFalse(firstRequest(goods[.haproxy]!).isEmpty, "haproxy sent a request", file: file, line: line)
        func state(_ proxy: ProxyUnderTest) -> [String]? {
            guard let csv = try? MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!),
                  let table = try? StatsTable(csv: csv) else { return nil }
            // "* " marks a check in flight (haproxy blanks last_chk then): such a
            // sample says when it was taken, not what was judged.
            let keys = ["b/good", "b/bad"]
            if keys.contains(where: { table.rows[$0]?["check_status"]?.hasPrefix("* ") ?? true }) { return nil }
            return keys.map { key in
                key + ": " + ["status", "check_status", "check_code", "check_desc", "last_chk"]
                    .map { "\($0)=\(table.rows[key]?[$0] ?? "?")" }.joined(separator: ",")
            }
        }
        var last: [ProxyUnderTest: [String]] = [:]
        let same = waitUntil(timeout: 5, interval: 0.05) {
            for proxy in ProxyUnderTest.allCases { if let s = state(proxy) { last[proxy] = s } }
            return last[.fulcrum] != nil && last[.fulcrum] == last[.haproxy]
        }
        XCTAssertTrue(same, "\(option): fulcrum \(last[.fulcrum] ?? []) haproxy \(last[.haproxy] ?? [])", file: file, line: line)
    }

    func testRedisCheck() throws {
        try compare(option: "redis-check", good: "+PONG\r\n", bad: "-ERR unknown command\r\n")
    }

    func testSSLHelloCheck() throws {
        try compare(option: "ssl-hello-chk", good: "\u{16}\u{03}\u{00}\u{00}\u{02}\u{0e}\u{00}",
                    bad: "HTTP/1.0 400 Bad request\r\n\r\n", timeBytes: 11..<15)
    }

    func testPgsqlCheck() throws {
        try compare(option: "pgsql-check user bob", good: "R\u{0}\u{0}\u{0}\u{8}\u{0}\u{0}\u{0}\u{0}",
                    bad: "E\u{0}\u{0}\u{0}\u{20}SFATAL\u{0}Mno such user\u{0}\u{0}")
    }

    func testLDAPCheck() throws {
        try compare(option: "ldap-check", good: "\u{30}\u{0c}\u{02}\u{01}\u{01}\u{61}\u{07}\u{0a}\u{01}\u{00}\u{04}\u{00}\u{04}\u{00}",
                    bad: "\u{30}\u{0c}\u{02}\u{01}\u{01}\u{61}\u{07}\u{0a}\u{01}\u{31}\u{04}\u{00}\u{04}\u{00}")
    }
}
