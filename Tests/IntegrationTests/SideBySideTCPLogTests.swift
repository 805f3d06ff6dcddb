import XCTest

/// mode tcp log lines from fulcrum and haproxy 2.6 on one config and the
/// same traffic: `option tcplog` (at the end of the session: bytes,
/// termination state, timers) and no format option at all (haproxy's legacy
/// "Connect from" line, sent at accept).
final class SideBySideTCPLogTests: XCTestCase {
    private static let info = "<134>{time} {program}[{pid}]: "

    private func start() throws -> SideBySideLogging {
        let echo = try startBackend(.echo)
        let config = SideBySide.tcpDefaults + """
            frontend tcplog
                bind 127.0.0.1:{port}
                log {log} local0
                option tcplog
                default_backend echo
            frontend legacy
                bind 127.0.0.1:{port2}
                log {log} local0
                default_backend echo
            frontend noserver
                bind 127.0.0.1:{port3}
                log {log} local0
                option tcplog
                default_backend none
            backend echo
                server s1 127.0.0.1:\(echo.port)
            backend none

            """
        return try SideBySideLogging(self, config: config, backends: [])
    }

    /// One echo round trip of `payload` through frontend `frontend` of each
    /// proxy, closed by the client once the echo is back.
    private func echo(_ logs: SideBySideLogging, frontend: Int, payload: String) throws {
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: logs.port(proxy, frontend: frontend))
            defer { client.close() }
            try client.send(payload)
            let back = try client.receive(count: payload.utf8.count)
            XCTAssertEqual(back.text, payload, "\(proxy): echo")
            try client.shutdownWrite()
            XCTAssertNotEqual(try client.waitForClose(), .timeout, "\(proxy): closes after the server's FIN")
        }
    }

    func testTCPLog() throws {
        let logs = try start()
        try echo(logs, frontend: 1, payload: "hello tcplog\n")
        // No server: the proxy closes at once (SC), before the client says anything.
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: logs.port(proxy, frontend: 3))
            defer { client.close() }
            XCTAssertNotEqual(try client.waitForClose(), .timeout, "\(proxy): closes without a server")
        }
        let comparison = LogLineComparison(.tcplog)
        let lines = try logs.assertSameLines(count: 2, comparison, "option tcplog")
        logs.assertReference(lines[.haproxy]!, comparison, equal: [
            "127.0.0.1:{port} [{date}] tcplog echo/s1 {t}/{t}/{t} 13 -- 1/1/0/0/0 0/0",
            "127.0.0.1:{port} [{date}] noserver none/<NOSRV> -1/-1/{t} 0 SC 1/1/0/0/0 0/0",
        ].map { Self.info + $0 }, "option tcplog")
    }

    /// Without a format option, haproxy logs "Connect from" at accept,
    /// before anything is forwarded, and nothing at the end.
    func testLegacyConnectLine() throws {
        let logs = try start()
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: logs.port(proxy, frontend: 2))
            defer { client.close() }
            // The line is there while the connection is still open.
            let line = logs.collectors[proxy]!.waitForLine(containing: "Connect from")
            XCTAssertNotNil(line, "\(proxy): the legacy line is sent at accept")
            try client.send("x\n")
            XCTAssertEqual(try client.receive(count: 2).text, "x\n")
        }
        try echo(logs, frontend: 2, payload: "second\n")
        let comparison = LogLineComparison(.legacyConnect)
        let lines = try logs.assertSameLines(count: 2, comparison, "legacy line")
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(lines[proxy]!.first?.message.hasSuffix(":\(logs.port(proxy, frontend: 2)) (legacy/TCP)"), true,
                           "\(proxy): the frontend's own address: \(lines[proxy]!)")
        }
        logs.assertReference(lines[.haproxy]!, comparison, equal: [
            "Connect from 127.0.0.1:{port} to 127.0.0.1:{port} (legacy/TCP)",
            "Connect from 127.0.0.1:{port} to 127.0.0.1:{port} (legacy/TCP)",
        ].map { Self.info + $0 }, "legacy line")
    }
}
