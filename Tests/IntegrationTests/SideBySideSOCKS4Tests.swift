import XCTest

/// `server ... socks4 ADDR:PORT` and `check-via-socks4` side by side with
/// haproxy 2.6, through a real SOCKS proxy (Dante, `PrivateSOCKSProxy`):
/// traffic and (when asked) checks reach the server through the proxy, a
/// CONNECT the proxy refuses fails the connection, and both proxies show the
/// same check statuses and messages.
final class SideBySideSOCKS4Tests: XCTestCase {
    private struct Lab {
        let proxies: SideBySide
        let sockets: SideBySideStatsSockets
        let socks: PrivateSOCKSProxy
        let echo: TestBackend
        let web: TestBackend
        let refused: UInt16
    }

    private func start() throws -> Lab {
        try requireRoot("danted switches to its unprivileged user")
        let echo = try startBackend(.echo)
        let web = try startBackend(.http(status: 200, body: "through socks"))
        // A port the proxy refuses CONNECTs to (nothing listens there either).
        let refused = try FreePort.next()
        let socks = try PrivateSOCKSProxy(self, allowed: [echo.port, web.port])
        let sockets = try SideBySideStatsSockets(self)
        let config = """
            defaults
                timeout connect 2s
                timeout client 5s
                timeout server 5s
                retries 1
            listen tcp
                mode tcp
                bind 127.0.0.1:{port}
                server s 127.0.0.1:\(echo.port) socks4 127.0.0.1:\(socks.port) check-via-socks4 check inter 300
            listen refused
                mode tcp
                bind 127.0.0.1:{port2}
                server r 127.0.0.1:\(refused) socks4 127.0.0.1:\(socks.port) check-via-socks4 check inter 300
            listen direct_checks
                mode tcp
                bind 127.0.0.1:{port3}
                server d 127.0.0.1:\(refused) socks4 127.0.0.1:\(socks.port) check inter 300
            listen web
                mode http
                bind 127.0.0.1:{port4}
                option httpchk GET /health
                server w 127.0.0.1:\(web.port) socks4 127.0.0.1:\(socks.port) check-via-socks4 check inter 300
            listen web_refused
                mode http
                bind 127.0.0.1:{port5}
                server x 127.0.0.1:\(refused) socks4 127.0.0.1:\(socks.port)
            listen tcp_refused
                mode tcp
                bind 127.0.0.1:{port6}
                server y 127.0.0.1:\(refused) socks4 127.0.0.1:\(socks.port)

            """
        let proxies = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                                     substitutions: sockets.substitutions)
        return Lab(proxies: proxies, sockets: sockets, socks: socks, echo: echo, web: web, refused: refused)
    }

    private static let columns = ["status", "check_status", "check_code"]

    private func checks(_ lab: Lab, _ proxy: ProxyUnderTest) -> [String]? {
        guard let csv = try? MasterCLI.send("show stat", socketPath: lab.sockets.paths[proxy]!),
              let table = try? StatsTable(csv: csv) else { return nil }
        return ["tcp/s", "refused/r", "direct_checks/d", "web/w"].map { key in
            key + " " + Self.columns.map { table.rows[key]?[$0] ?? "?" }.joined(separator: ",")
        }
    }

    func testChecksThroughTheProxyShowHAProxysStatuses() throws {
        let lab = try start()
        var last: [ProxyUnderTest: [String]] = [:]
        let expected = [
            "tcp/s UP,L4OK,",
            "refused/r DOWN,SOCKERR,",
            "direct_checks/d DOWN,L4CON,",
            "web/w UP,L7OK,200",
        ]
        let settled = waitUntil(timeout: 10, interval: 0.1) {
            for proxy in ProxyUnderTest.allCases { last[proxy] = checks(lab, proxy) }
            return last[.fulcrum] == expected && last[.haproxy] == expected
        }
        XCTAssertTrue(settled, "fulcrum: \(last[.fulcrum] ?? [])\nhaproxy: \(last[.haproxy] ?? [])")
        // Each check's description (last_chk) alike, sampled while no check is in flight.
        var descriptions: [ProxyUnderTest: [String]] = [:]
        let described = waitUntil(timeout: 10, interval: 0.05) {
            for proxy in ProxyUnderTest.allCases {
                guard let csv = try? MasterCLI.send("show stat", socketPath: lab.sockets.paths[proxy]!),
                      let table = try? StatsTable(csv: csv) else { continue }
                let keys = ["tcp/s", "refused/r", "direct_checks/d", "web/w"]
                if keys.contains(where: { table.rows[$0]?["check_status"]?.hasPrefix("* ") ?? true }) { continue }
                descriptions[proxy] = keys.map { "\($0) " + (table.rows[$0]?["last_chk"] ?? "?") }
            }
            return descriptions[.fulcrum] != nil && descriptions[.fulcrum] == descriptions[.haproxy]
        }
        XCTAssertTrue(described, "fulcrum: \(descriptions[.fulcrum] ?? [])\nhaproxy: \(descriptions[.haproxy] ?? [])")
        // The web server saw the checks of both, through the proxy.
        XCTAssertTrue(lab.web.requests.contains { $0.hasPrefix("GET /health ") }, "\(lab.web.requests)")
        XCTAssertGreaterThan(lab.socks.blockedConnects(to: lab.refused), 0, lab.socks.log)
        // The DOWN line says why in HAProxy's words (haproxy may append a
        // stale errno's text in parentheses: compare up to there).
        let down = "Server refused/r is DOWN, reason: Socket error, info: \"SOCKS4 Proxy deny the request"
        for proxy in ProxyUnderTest.allCases {
            XCTAssertTrue(lab.proxies.processes[proxy]!.stderrText.contains(down), "\(proxy): \(lab.proxies.processes[proxy]!.stderrTail())")
        }
    }

    func testTrafficGoesThroughTheProxyAndARefusalFailsTheConnection() throws {
        let lab = try start()
        for proxy in ProxyUnderTest.allCases {
            let ports = lab.proxies.ports[proxy]!
            // mode tcp: bytes echoed by the server behind the proxy.
            let before = lab.socks.passedConnects(to: lab.echo.port)
            let client = try TCPClient(port: ports[0])
            try client.send("hello through socks\n")
            XCTAssertEqual(try client.readLine(), "hello through socks", "\(proxy)")
            client.close()
            XCTAssertTrue(waitUntil(timeout: 5) { lab.socks.passedConnects(to: lab.echo.port) > before },
                          "\(proxy): the proxy passed the connection\n\(lab.socks.log)")
            // mode tcp, refused: the client's connection is closed, no byte comes.
            let refusedClient = try TCPClient(port: ports[5])
            try refusedClient.send("x")
            let got = try refusedClient.receiveUntilEOF(timeout: 5)
            XCTAssertEqual(got.bytes, [], "\(proxy)")
            XCTAssertNotEqual(got.end, .timeout, "\(proxy) closes a connection the SOCKS proxy refused")
            // mode http: 200 from the server behind the proxy; 503 when refused.
            for (port, status) in [(ports[3], 200), (ports[4], 503)] {
                let http = try TCPClient(port: port)
                try http.send("GET /page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                XCTAssertEqual(try http.readHTTPResponse()?.status, status, "\(proxy) port \(port)")
            }
        }
        XCTAssertTrue(lab.web.requests.contains { $0.hasPrefix("GET /page ") }, "\(lab.web.requests)")
    }
}
