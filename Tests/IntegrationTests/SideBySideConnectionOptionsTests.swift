import XCTest

/// Which server a request goes to and what a probe leaves behind, side by
/// side with haproxy 2.6: `option prefer-last-server`, `option persist`
/// and `option http-ignore-probes`.
final class SideBySideConnectionOptionsTests: XCTestCase {
    func testPreferLastServerKeepsAPrivateConnectionsServer() throws {
        let s1 = try startRecordingBackend("s1"), s2 = try startRecordingBackend("s2")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend prefer
            frontend fe2
                bind 127.0.0.1:{port2}
                default_backend plain
            backend prefer
                option prefer-last-server
                http-reuse never
                server s1 127.0.0.1:\(s1.port)
                server s2 127.0.0.1:\(s2.port)
            backend plain
                http-reuse never
                server s1 127.0.0.1:\(s1.port)
                server s2 127.0.0.1:\(s2.port)
            frontend fe3
                bind 127.0.0.1:{port3}
                default_backend shared
            backend shared
                option prefer-last-server
                server s1 127.0.0.1:\(s1.port)
                server s2 127.0.0.1:\(s2.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [s1, s2])
        let requests = (1...4).map { httpGet("/r\($0)") }
        // The option keeps a private connection's server; HAProxy 2.6 keeps
        // no other kind with the client (`shared`: http-reuse safe).
        for (frontend, distinct) in [(1, 1), (2, 2), (3, 2)] {
            let runs = try sbs.conversation(requests, frontend: frontend)
            var servers: [ProxyUnderTest: [String]] = [:]
            for proxy in ProxyUnderTest.allCases {
                servers[proxy] = runs[proxy]?.map { $0.forwarded.map(\.backend).joined() } ?? []
                XCTAssertEqual(servers[proxy]?.count, 4, "\(proxy)")
                XCTAssertEqual(Set(servers[proxy] ?? []).count, distinct, "\(proxy) frontend \(frontend): \(servers[proxy] ?? [])")
            }
            XCTAssertEqual(servers[.fulcrum], servers[.haproxy], "frontend \(frontend)")
        }
    }

    func testPersistSendsACookieToADisabledServer() throws {
        let s1 = try startRecordingBackend("s1"), s2 = try startRecordingBackend("s2")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend persist
            frontend fe2
                bind 127.0.0.1:{port2}
                default_backend plain
            backend persist
                option persist
                cookie SRV insert indirect nocache
                server s1 127.0.0.1:\(s1.port) cookie c1 disabled
                server s2 127.0.0.1:\(s2.port) cookie c2
            backend plain
                cookie SRV insert indirect nocache
                server s1 127.0.0.1:\(s1.port) cookie c1 disabled
                server s2 127.0.0.1:\(s2.port) cookie c2

            """
        let sbs = try SideBySide(self, config: config, backends: [s1, s2])
        for (frontend, expected) in [(1, "s1"), (2, "s2")] {
            let seen = try sbs.exchange(httpGet("/", ["Cookie: SRV=c1"]), frontend: frontend)
            for proxy in ProxyUnderTest.allCases {
                XCTAssertEqual(seen[proxy]?.response?.status, 200, "\(proxy) frontend \(frontend)")
                XCTAssertEqual(seen[proxy]?.forwarded.map(\.backend), [expected], "\(proxy) frontend \(frontend)")
            }
        }
    }

    /// A browser's pre-connect: a connection closed, or left to time out,
    /// without a byte. With the option nothing is answered, logged or
    /// counted; only the real request after them is logged.
    func testIgnoreProbesAnswersLogsAndCountsNothing() throws {
        let web = try startRecordingBackend("web")
        let sockets = try SideBySideStatsSockets(self)
        let config = """
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s
                timeout http-request 300ms
            frontend fe
                bind 127.0.0.1:{port}
                log {log} local0
                option httplog
                option http-ignore-probes
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)

            """
        let logs = try SideBySideLogging(self, config: config, backends: [web], global: SideBySideStatsSockets.global,
                                         substitutions: sockets.substitutions)
        for proxy in ProxyUnderTest.allCases {
            let port = logs.port(proxy)
            try TCPClient.connect(port: port).close()
            let idle = try TCPClient.connect(port: port)
            let received = try idle.receiveUntilEOF(timeout: 5)
            XCTAssertEqual(received.bytes, [], "\(proxy): no 408 to a probe")
            XCTAssertNotEqual(received.end, .timeout, "\(proxy): the probe is closed at timeout http-request")
            idle.close()
            let real = try TCPClient.connect(port: port)
            try real.send(httpGet("/real"))
            XCTAssertEqual(try real.readHTTPResponse()?.status, 200, "\(proxy)")
            real.close()
        }
        let lines = try logs.lines(count: 1)
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(lines[proxy]?.count, 1, "\(proxy): \(lines[proxy]?.map(\.message) ?? [])")
            XCTAssertEqual(lines[proxy]?.first?.message.contains("GET /real"), true, "\(proxy)")
            let stat = try StatsTable(csv: MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!))
            XCTAssertEqual(stat.int("fe/FRONTEND", "ereq"), 0, "\(proxy): no request error counted")
            XCTAssertEqual(stat.int("fe/FRONTEND", "req_tot"), 1, "\(proxy): one request")
            XCTAssertEqual(stat.int("fe/FRONTEND", "stot"), 3, "\(proxy): three sessions")
        }
    }
}
