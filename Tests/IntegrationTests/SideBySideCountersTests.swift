import Glibc
import XCTest

/// Counters as HAProxy keeps them: one configuration under haproxy 2.6 and
/// Fulcrum, the same request mix (2xx, 404, 5xx from a server, a 503 with no
/// server, a server timeout, a retry with redispatch, a denied request, a bad
/// request, a client leaving mid-body, a tcp frontend), then every count
/// column of `show stat` compared, the timers within a bound, and the
/// counters of `show info`.
final class SideBySideCountersTests: XCTestCase {
    /// Columns that count events: equal on both sides after the same traffic.
    static let countColumns = ["qcur", "scur", "stot", "bin", "bout", "dreq", "dresp", "ereq", "econ", "eresp", "wretr",
                               "wredis", "lbtot", "hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx",
                               "hrsp_other", "req_tot", "cli_abrt", "srv_abrt", "comp_in", "comp_out", "comp_byp",
                               "comp_rsp", "conn_tot", "intercepted", "dcon", "dses", "wrew", "connect", "reuse",
                               "eint", "cache_lookups", "cache_hits", "chkfail", "chkdown"]
    static let timerColumns = ["qtime", "ctime", "rtime", "ttime", "qtime_max", "ctime_max", "rtime_max", "ttime_max"]

    private var cliConnections: [ProxyUnderTest: Int] = [:]

    private func start() throws -> (SideBySide, [ProxyUnderTest: String]) {
        let web = try startRecordingBackend("web") { request in
            switch request.path {
            case "/missing": return ScriptedResponse(status: 404, reason: "Not Found", body: "no")
            case "/fail": return ScriptedResponse(status: 500, reason: "Internal Server Error", body: "oops")
            case "/slow":
                sleepSeconds(0.3)
                return ScriptedResponse.identify(request)
            default: return ScriptedResponse.identify(request)
            }
        }
        // Accepts (the kernel completes the handshake) and never answers.
        let silentPort = try FreePort.next()
        let silent = try LoopbackSocket.listen(port: silentPort)
        addTeardownBlock { close(silent) }
        let deadPort = try FreePort.next()
        let files = try TemporaryDirectory(prefix: "counters")
        addTeardownBlock { files.remove() }
        var sockets: [ProxyUnderTest: String] = [:]
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            sockets[proxy] = files.file("\(proxy).sock")
            substitutions[proxy] = ["{statsock}": sockets[proxy]!]
        }
        let config = """
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 1s
            frontend fe
                bind 127.0.0.1:{port}
                http-request deny if { path /deny }
                use_backend be_none if { path /none }
                use_backend be_silent if { path /silent }
                use_backend be_retry if { path /retry }
                use_backend be_slow if { path /slow }
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)
            backend be_none
                server gone 127.0.0.1:\(web.port) disabled
            backend be_silent
                server silent 127.0.0.1:\(silentPort)
            backend be_retry
                balance first
                retries 1
                option redispatch
                server dead 127.0.0.1:\(deadPort)
                server live 127.0.0.1:\(web.port)
            backend be_slow
                server web 127.0.0.1:\(web.port)
            frontend ft
                mode tcp
                bind 127.0.0.1:{port2}
                default_backend bt
            backend bt
                mode tcp
                server web 127.0.0.1:\(web.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web], global: "    stats socket {statsock} level admin\n",
                                 substitutions: substitutions)
        return (sbs, sockets)
    }

    private func command(_ text: String, _ proxy: ProxyUnderTest, _ sockets: [ProxyUnderTest: String]) throws -> String {
        cliConnections[proxy, default: 0] += 1
        return try MasterCLI.send(text, socketPath: sockets[proxy]!)
    }

    /// The same traffic to one proxy, request after request.
    private func drive(_ ports: [UInt16]) throws {
        let keepAlive = try TCPClient.connect(port: ports[0])
        for path in ["/", "/a", "/missing", "/fail"] {
            try keepAlive.send(httpGet(path))
            XCTAssertNotNil(try keepAlive.readHTTPResponse(requestMethod: "GET"), path)
        }
        keepAlive.close()
        for path in ["/deny", "/none", "/silent", "/retry", "/slow"] {
            let client = try TCPClient.connect(port: ports[0])
            try client.send(httpGet(path))
            XCTAssertNotNil(try client.readHTTPResponse(requestMethod: "GET"), path)
            client.close()
        }
        // A request the parser refuses: 400, never forwarded.
        let bad = try TCPClient.connect(port: ports[0])
        try bad.send("GARBAGE\r\n\r\n")
        XCTAssertNotNil(try bad.readHTTPResponse(requestMethod: "GET"))
        bad.close()
        // A client that leaves in the middle of its request body.
        let leaving = try TCPClient.connect(port: ports[0])
        try leaving.send("POST /upload HTTP/1.1\r\nHost: site\r\nContent-Length: 100\r\n\r\n0123456789")
        sleepSeconds(0.2)
        leaving.close()
        // mode tcp: the request crosses as bytes.
        let tcp = try TCPClient.connect(port: ports[1])
        try tcp.send(httpGet("/tcp", ["Connection: close"]))
        _ = try tcp.receiveUntilEOF()
        tcp.close()
    }

    func testShowStatCountsLikeHAProxy() throws {
        let (sbs, sockets) = try start()
        var tables: [ProxyUnderTest: StatsTable] = [:]
        var infos: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            try drive(sbs.ports[proxy]!)
            // Every stream has ended on both sides before the counts are read.
            var table: StatsTable?
            let settled = waitUntil(timeout: 10, interval: 0.1) {
                table = try? StatsTable(csv: command("show stat", proxy, sockets))
                return table.map { t in t.order.allSatisfy { t.int($0, "scur") ?? 0 == 0 } } ?? false
            }
            XCTAssertTrue(settled, "\(proxy): streams still open")
            tables[proxy] = table
            infos[proxy] = parseShowInfo(try command("show info", proxy, sockets))
        }
        let h = try XCTUnwrap(tables[.haproxy]), f = try XCTUnwrap(tables[.fulcrum])
        XCTAssertEqual(f.order, h.order, "rows")
        for key in h.order {
            XCTAssertEqual(f.filled(key).sorted(), h.filled(key).sorted(), "\(key): filled columns")
            for column in SideBySideCountersTests.countColumns where h.rows[key]?[column] != nil {
                XCTAssertEqual(f.rows[key]?[column], h.rows[key]?[column], "\(key) \(column)")
            }
            for column in SideBySideCountersTests.timerColumns {
                guard let hv = h.int(key, column) else { continue }
                let fv = try XCTUnwrap(f.int(key, column), "\(key) \(column)")
                XCTAssertLessThanOrEqual(abs(fv - hv), 100, "\(key) \(column): fulcrum \(fv) haproxy \(hv)")
            }
        }
        // Something was counted at all (the comparison is not of zeros).
        XCTAssertEqual(f.int("fe/FRONTEND", "req_tot"), 11)
        XCTAssertEqual(f.int("fe/FRONTEND", "hrsp_5xx"), 3)      // 500 from the server, 503, 504
        XCTAssertEqual(f.int("be_retry/BACKEND", "wredis"), 1)
        XCTAssertGreaterThan(f.int("be_slow/BACKEND", "rtime") ?? 0, 250)
        XCTAssertGreaterThan(f.int("be_slow/web", "ttime_max") ?? 0, 250)
        XCTAssertGreaterThanOrEqual(f.int("fe/FRONTEND", "conn_rate_max") ?? 0, 1)
        XCTAssertGreaterThanOrEqual(f.int("fe/FRONTEND", "req_rate_max") ?? 0, 1)
        XCTAssertGreaterThanOrEqual(f.int("be/web", "rate_max") ?? 0, 1)

        // show info: HAProxy counts its stats socket connections as
        // connections and requests too; Fulcrum's CLI is not a proxy.
        let hi = try XCTUnwrap(infos[.haproxy]), fi = try XCTUnwrap(infos[.fulcrum])
        let hcli = cliConnections[.haproxy] ?? 0
        XCTAssertEqual(Int(fi["CumConns"] ?? ""), (Int(hi["CumConns"] ?? "") ?? 0) - hcli, "CumConns")
        XCTAssertEqual(Int(fi["CumReq"] ?? ""), (Int(hi["CumReq"] ?? "") ?? 0) - hcli, "CumReq")
        XCTAssertEqual(fi["CurrConns"], "0")
        XCTAssertGreaterThan(Int(fi["TotalBytesOut"] ?? "") ?? 0, 0)
        XCTAssertGreaterThanOrEqual(Int(fi["MaxConnRate"] ?? "") ?? 0, 1)
        let idle = try XCTUnwrap(Int(fi["Idle_pct"] ?? ""))
        XCTAssertTrue((1...100).contains(idle), "Idle_pct \(idle)")

        // clear counters: the maxima start again; clear counters all: everything.
        for (clear, columns) in [("clear counters", ["smax", "rate_max", "qmax", "conn_rate_max", "req_rate_max"]),
                                 ("clear counters all", SideBySideCountersTests.countColumns)] {
            var cleared: [ProxyUnderTest: StatsTable] = [:]
            for proxy in ProxyUnderTest.allCases {
                _ = try command(clear, proxy, sockets)
                // Fulcrum's workers clear their own counters when asked: wait for it.
                let done = waitUntil(timeout: 5, interval: 0.05) {
                    cleared[proxy] = try? StatsTable(csv: command("show stat", proxy, sockets))
                    return cleared[proxy].map { t in t.order.allSatisfy { key in columns.allSatisfy { t.int(key, $0) ?? 0 == 0 } } } ?? false
                }
                XCTAssertTrue(done, "\(proxy): \(clear)")
            }
            let hc = try XCTUnwrap(cleared[.haproxy]), fc = try XCTUnwrap(cleared[.fulcrum])
            if clear == "clear counters" {
                // The totals stay.
                XCTAssertEqual(fc.int("fe/FRONTEND", "stot"), f.int("fe/FRONTEND", "stot"))
                XCTAssertEqual(fc.int("fe/FRONTEND", "req_tot"), 11)
            }
            for key in hc.order {
                for column in columns where hc.rows[key]?[column] != nil {
                    XCTAssertEqual(fc.rows[key]?[column], hc.rows[key]?[column], "\(clear): \(key) \(column)")
                }
            }
        }
    }
}
