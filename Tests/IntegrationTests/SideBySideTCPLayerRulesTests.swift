import XCTest

/// `tcp-request connection` and `tcp-request session` rules served by
/// fulcrum and by haproxy 2.6 with the same configuration: accept, reject
/// and silent-drop end the evaluation; set-var (sess scope kept, txn lost:
/// no stream yet), set-src / set-dst (and ports) change what later rules,
/// headers and the log line see; session rules run after the PROXY header,
/// on the carried addresses. Refused connections are counted as HAProxy
/// counts them (conn_tot, dcon, dses, dreq; not stot) and logged nowhere.
final class SideBySideTCPLayerRulesTests: XCTestCase {
    private static let config = SideBySide.httpDefaults + """
        frontend fe
            bind 127.0.0.1:{port}
            bind 127.0.0.1:{port2}
            bind 127.0.0.1:{port3}
            bind 127.0.0.1:{port4}
            log {log} local0
            log-format "%ci:%cp %fi:%fp %f %b/%s %ST"
            tcp-request connection reject if { dst_port {port2} }
            tcp-request connection silent-drop if { dst_port {port3} }
            tcp-request connection set-var(sess.tag) str(conn)
            tcp-request connection set-var(txn.lost) str(txn)
            tcp-request connection accept if { dst_port {port4} }
            tcp-request connection set-src src,ipmask(8)
            tcp-request connection set-src-port int(4242)
            tcp-request connection set-dst str(192.0.2.1)
            tcp-request connection set-dst-port int(8080)
            tcp-request connection reject if { src 127.0.0.1 }
            http-request set-header X-Tag %[var(sess.tag)]
            http-request set-header X-Lost %[var(txn.lost)]
            http-request set-header X-Src %[src]
            http-request set-header X-Src-Port %[src_port]
            http-request set-header X-Dst %[dst]:%[dst_port]
            default_backend web
        frontend fe_sess
            bind 127.0.0.1:{port5} accept-proxy
            log {log} local0
            log-format "%ci:%cp %fi:%fp %f %b/%s %ST"
            tcp-request connection set-var(sess.peer) src
            tcp-request session reject if { src 192.0.2.66 }
            tcp-request session silent-drop if { src 192.0.2.67 }
            tcp-request session set-var(sess.carried) src
            tcp-request session set-dst str(198.51.100.9)
            tcp-request session accept
            tcp-request session reject
            http-request set-header X-Peer %[var(sess.peer)]
            http-request set-header X-Carried %[var(sess.carried)]
            http-request set-header X-Dst %[dst]:%[dst_port]
            default_backend web
        backend web
            server web 127.0.0.1:{web}

        """

    private static func proxyLine(_ source: String) -> String { "PROXY TCP4 \(source) 198.51.100.7 40000 80\r\n" }

    func testConnectionAndSessionRulesAsHAProxy() throws {
        let web = try startRecordingBackend("web")
        let sockets = try SideBySideStatsSockets(self)
        let logs = try SideBySideLogging(self, config: Self.config.replacingOccurrences(of: "{web}", with: "\(web.port)"),
                                         backends: [web], global: SideBySideStatsSockets.global,
                                         substitutions: sockets.substitutions)
        let aspects = SideBySideAspects(requestHeaders: ["X-Tag", "X-Lost", "X-Src", "X-Src-Port", "X-Dst", "X-Peer", "X-Carried"])
        var served: [ProxyUnderTest: [[String: String]]] = [:]
        var ends: [ProxyUnderTest: [TCPClient.End]] = [:]
        for proxy in ProxyUnderTest.allCases {
            func request(_ frontend: Int, prefix: String = "") throws -> [String: String] {
                _ = web.takeRequests()
                let client = try TCPClient.connect(port: logs.port(proxy, frontend: frontend))
                defer { client.close() }
                try client.send(prefix + httpGet("/", ["Connection: close"]))
                let response = try client.readHTTPResponse()
                return try aspects.of(SideBySideObservation(proxy: proxy, response: response, closed: nil,
                                                            forwarded: web.takeRequests()))
            }
            /// How a refused connection ends: a reset, a FIN, or nothing at all (silent-drop).
            func refused(_ frontend: Int, prefix: String = "") throws -> TCPClient.End {
                let client: TCPClient
                do {
                    client = try TCPClient.connect(port: logs.port(proxy, frontend: frontend))
                } catch {
                    // The reset may come before the connect call has returned.
                    if "\(error)".contains("errno \(ECONNRESET)") { return .reset }
                    throw error
                }
                defer { client.close() }
                if !prefix.isEmpty { try client.send(prefix) }
                return try client.waitForClose(timeout: 1)
            }
            served[proxy] = [try request(1), try request(4), try request(5, prefix: Self.proxyLine("192.0.2.9"))]
            ends[proxy] = [try refused(2), try refused(3), try refused(5, prefix: Self.proxyLine("192.0.2.66")),
                           try refused(5, prefix: Self.proxyLine("192.0.2.67"))]
        }
        let f = try XCTUnwrap(served[.fulcrum]), h = try XCTUnwrap(served[.haproxy])
        for (index, pair) in zip(f, h).enumerated() {
            let tolerated: Set<String> = index == 1 ? ["request.1.x-dst", "request.1.x-src-port"] : []
            let differences = SideBySideAspects.differences(fulcrum: pair.0, haproxy: pair.1)
                .filter { d in !tolerated.contains { d.hasPrefix($0 + ":") } }
            XCTAssertEqual(differences, [], "request \(index + 1)")
        }
        // Rules after the addresses changed see them: the last reject did not hold.
        XCTAssertEqual(f[0]["status"], "200")
        XCTAssertEqual(f[0]["request.1.x-src"], "127.0.0.0")
        XCTAssertEqual(f[0]["request.1.x-src-port"], "4242")
        XCTAssertEqual(f[0]["request.1.x-dst"], "192.0.2.1:8080")
        XCTAssertEqual(f[0]["request.1.x-tag"], "conn")
        XCTAssertEqual(f[0]["request.1.x-lost"], "", "a txn variable set before the stream exists is lost")
        // `accept` ended the evaluation: no address was changed.
        XCTAssertEqual(f[1]["request.1.x-src"], "127.0.0.1")
        XCTAssertEqual(f[1]["request.1.x-dst"], "127.0.0.1:\(logs.port(.fulcrum, frontend: 4))")
        XCTAssertEqual(f[1]["request.1.x-tag"], "conn")
        // Session rules see the carried addresses; connection rules the peer's.
        XCTAssertEqual(f[2]["request.1.x-peer"], "127.0.0.1")
        XCTAssertEqual(f[2]["request.1.x-carried"], "192.0.2.9")
        XCTAssertEqual(f[2]["request.1.x-dst"], "198.51.100.9:80")
        XCTAssertEqual(ends[.haproxy], [.reset, .timeout, .eof, .timeout], "the reference")
        XCTAssertEqual(ends[.fulcrum], ends[.haproxy], "reject resets, session reject closes, silent-drop says nothing")

        // The served streams are logged with the changed addresses; refused
        // connections not at all; sessions refused after a PROXY header get
        // HAProxy's embryonic-session line, saying "Success".
        let shape = LogLineShape(fields: [0: .endpoint, 1: .endpoint], rewrites: [(#"\[[0-9]{2}/[A-Za-z]{3}/[0-9:.]+\]"#, "[date]")])
        let lines = try logs.assertSameLines(count: 5, LogLineComparison(shape), "tcp-request connection/session")
        let fulcrumLines = lines[.fulcrum]!.map(\.message)
        XCTAssertEqual(fulcrumLines.first, "127.0.0.0:4242 192.0.2.1:8080 fe web/web 200")
        XCTAssertEqual(fulcrumLines[2], "192.0.2.9:40000 198.51.100.9:80 fe_sess web/web 200")
        XCTAssertTrue(fulcrumLines[3].hasPrefix("192.0.2.66:40000 ["), fulcrumLines[3])
        XCTAssertTrue(fulcrumLines[4].hasSuffix("] fe_sess/1: Success"), fulcrumLines[4])

        // The counters, once every connection is over on both.
        var tables: [ProxyUnderTest: StatsTable] = [:]
        let columns = ["conn_tot", "stot", "dcon", "dses", "dreq", "req_tot"]
        for proxy in ProxyUnderTest.allCases {
            var table: StatsTable?
            let settled = waitUntil(timeout: 10, interval: 0.1) {
                table = try? StatsTable(csv: MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!))
                return table.map { t in ["fe/FRONTEND", "fe_sess/FRONTEND"].allSatisfy { t.int($0, "scur") == 0 } } ?? false
            }
            XCTAssertTrue(settled, "\(proxy): connections still open")
            tables[proxy] = table
        }
        let ft = try XCTUnwrap(tables[.fulcrum]), ht = try XCTUnwrap(tables[.haproxy])
        for row in ["fe/FRONTEND", "fe_sess/FRONTEND", "web/BACKEND"] {
            for column in columns {
                XCTAssertEqual(ft.rows[row]?[column], ht.rows[row]?[column], "\(row) \(column)")
            }
        }
        XCTAssertEqual(columns.map { ft.int("fe/FRONTEND", $0) }, [4, 2, 1, 0, 1, 2])
        XCTAssertEqual(columns.map { ft.int("fe_sess/FRONTEND", $0) }, [3, 1, 0, 1, 1, 1])
    }
}
