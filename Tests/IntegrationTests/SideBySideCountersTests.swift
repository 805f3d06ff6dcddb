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
                               "eint", "cache_lookups", "cache_hits", "chkfail", "chkdown",
                               "ssl_sess", "ssl_reused_sess", "ssl_failed_handshake", "h2_headers_rcvd", "h2_data_rcvd",
                               "h2_settings_rcvd", "h2_rst_stream_rcvd", "h2_goaway_rcvd", "h2_detected_conn_protocol_errors",
                               "h2_detected_strm_protocol_errors", "h2_rst_stream_resp", "h2_goaway_resp", "h2_open_connections",
                               "h2_backend_open_streams", "h2_total_connections", "h2_backend_total_streams",
                               "h1_open_streams", "h1_total_connections", "h1_total_streams",
                               "h1_bytes_in", "h1_bytes_out", "h1_spliced_bytes_in", "h1_spliced_bytes_out"]
    static let timerColumns = ["qtime", "ctime", "rtime", "ttime", "qtime_max", "ctime_max", "rtime_max", "ttime_max"]

    func testShowStatCountsLikeHAProxy() throws {
        let lab = try CounterLab(self)
        func command(_ text: String, _ proxy: ProxyUnderTest) throws -> String { try lab.command(text, proxy) }
        var tables: [ProxyUnderTest: StatsTable] = [:]
        var infos: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            try lab.drive(proxy)
            // Every stream has ended on both sides before the counts are read.
            var table: StatsTable?
            let settled = waitUntil(timeout: 10, interval: 0.1) {
                table = try? StatsTable(csv: command("show stat", proxy))
                return table.map { t in t.order.allSatisfy { t.int($0, "scur") ?? 0 == 0 } } ?? false
            }
            XCTAssertTrue(settled, "\(proxy): streams still open")
            tables[proxy] = table
            infos[proxy] = parseShowInfo(try command("show info", proxy))
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
        XCTAssertEqual(f.int("fe/FRONTEND", "req_tot"), 12)
        XCTAssertEqual(f.int("fe/second", "stot"), 1, "option socket-stats: a row per listener")
        // The servers' open connections are the pools' business (Fulcrum may
        // keep another idle one): the backend's h1 count is its servers' idle ones.
        for backend in ["be", "be_retry", "be_slow"] {
            let idle = f.order.filter { $0.hasPrefix(backend + "/") && !$0.hasSuffix("/BACKEND") }
                .reduce(0) { $0 + (f.int($1, "idle_conn_cur") ?? 0) }
            XCTAssertEqual(f.int(backend + "/BACKEND", "h1_open_connections"), idle, backend)
        }
        XCTAssertEqual(f.int("fe/sock-1", "stot"), 8)
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
        let hcli = lab.cliConnections[.haproxy] ?? 0
        XCTAssertEqual(Int(fi["CumConns"] ?? ""), (Int(hi["CumConns"] ?? "") ?? 0) - hcli, "CumConns")
        XCTAssertEqual(Int(fi["CumReq"] ?? ""), (Int(hi["CumReq"] ?? "") ?? 0) - hcli, "CumReq")
        XCTAssertEqual(fi["CurrConns"], "0")
        XCTAssertGreaterThan(Int(fi["TotalBytesOut"] ?? "") ?? 0, 0)
        XCTAssertGreaterThanOrEqual(Int(fi["MaxConnRate"] ?? "") ?? 0, 1)
        XCTAssertEqual(fi["Maxsock"], fi["Ulimit-n"])
        XCTAssertGreaterThan(Int(fi["Maxpipes"] ?? "") ?? 0, 0)
        XCTAssertEqual(fi["Nbthread"], "1", "one worker")
        let idle = try XCTUnwrap(Int(fi["Idle_pct"] ?? ""))
        XCTAssertTrue((1...100).contains(idle), "Idle_pct \(idle)")

        // clear counters: the maxima start again; clear counters all: everything.
        for (clear, columns) in [("clear counters", ["smax", "rate_max", "qmax", "conn_rate_max", "req_rate_max"]),
                                 ("clear counters all", SideBySideCountersTests.countColumns)] {
            var cleared: [ProxyUnderTest: StatsTable] = [:]
            for proxy in ProxyUnderTest.allCases {
                _ = try command(clear, proxy)
                // Fulcrum's workers clear their own counters when asked: wait for it.
                let done = waitUntil(timeout: 5, interval: 0.05) {
                    cleared[proxy] = try? StatsTable(csv: command("show stat", proxy))
                    return cleared[proxy].map { t in t.order.allSatisfy { key in columns.allSatisfy { t.int(key, $0) ?? 0 == 0 } } } ?? false
                }
                XCTAssertTrue(done, "\(proxy): \(clear)")
            }
            let hc = try XCTUnwrap(cleared[.haproxy]), fc = try XCTUnwrap(cleared[.fulcrum])
            if clear == "clear counters" {
                // The totals stay.
                XCTAssertEqual(fc.int("fe/FRONTEND", "stot"), f.int("fe/FRONTEND", "stot"))
                XCTAssertEqual(fc.int("fe/FRONTEND", "req_tot"), 12)
            }
            for key in hc.order {
                for column in columns where hc.rows[key]?[column] != nil {
                    XCTAssertEqual(fc.rows[key]?[column], hc.rows[key]?[column], "\(clear): \(key) \(column)")
                }
            }
        }
    }
}
