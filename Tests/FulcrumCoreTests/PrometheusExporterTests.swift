import XCTest
@testable import FulcrumCore
import FulcrumConfig

/// The exporter against haproxy 2.6's promex: a snapshot shaped like the
/// configuration the reference scrape came from (two http frontends, an http
/// backend with a checked server that is down, one without check and one in
/// maintenance, an empty backend, a tcp listen with a checked server).
final class PrometheusExporterTests: XCTestCase {
    static func referenceSnapshot() -> RuntimeSnapshot {
        func http(_ p: RuntimeSnapshot.Proxy) -> RuntimeSnapshot.Proxy { var p = p; p.mode = "http"; return p }
        var prom = RuntimeSnapshot.Frontend(); prom.counters.sessionsTotal = 1; prom.maxconn = 9984
        let proxies = [
            http(.init(name: "prom", iid: 2, frontend: prom)),
            http(.init(name: "fe2", iid: 3, frontend: .init())),
            http(.init(name: "be1", iid: 4, backend: .init())),
            http(.init(name: "be2", iid: 5, backend: .init(algorithm: .source, hashType: HashType()))),
            .init(name: "li", iid: 6, frontend: .init(), backend: .init()),
        ]
        var failedCheck = RuntimeSnapshot.Check()
        failedCheck.status = .layer4Connection; failedCheck.duration = 1234; failedCheck.failures = 1
        var s1 = RuntimeSnapshot.Server(name: "s1", backendName: "be1", iid: 4, sid: 1, address: "127.0.0.1", port: 18500)
        s1.check = failedCheck; s1.operational = .down; s1.health = 0
        var s2 = RuntimeSnapshot.Server(name: "s2", backendName: "be1", iid: 4, sid: 2, address: "127.0.0.1", port: 18501)
        s2.counters.sessionsTotal = 7
        var s3 = RuntimeSnapshot.Server(name: "s3", backendName: "be1", iid: 4, sid: 3, address: "127.0.0.1", port: 18502)
        s3.admin = .configMaintenance
        var t1 = RuntimeSnapshot.Server(name: "t1", backendName: "li", iid: 6, sid: 1, address: "127.0.0.1", port: 18503)
        t1.check = failedCheck; t1.operational = .down; t1.health = 0
        var info = RuntimeSnapshot.Info()
        info.version = "1.2.3"; info.uptimeSeconds = 5
        return RuntimeSnapshot(proxies: proxies, servers: [s1, s2, s3, t1], info: info, processNumber: 1, pid: 1)
    }

    private func scrape(_ query: String = "") -> [String] {
        let q = PrometheusExporter.Query(query: Substring(query))!
        return PrometheusExporter.render(Self.referenceSnapshot(), query: q).split(separator: "\n").map(String.init)
    }

    private func series(_ lines: [String], _ name: String) -> [String] {
        lines.filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
    }

    func testMetricFamiliesTypesAndOrderAreHAProxys() {
        let types = scrape().filter { $0.hasPrefix("# TYPE ") }
        XCTAssertEqual(types, haproxyPrometheusTypeLines.split(separator: "\n").map(String.init))
    }

    func testHelpLinePrecedesTypeLineOnce() {
        let lines = scrape()
        XCTAssertEqual(lines.filter { $0.hasPrefix("# HELP haproxy_frontend_status ") },
                       ["# HELP haproxy_frontend_status Current status of the service, per state label value."])
        XCTAssertEqual(lines.filter { $0.hasPrefix("# HELP haproxy_server_check_duration_seconds ") },
                       ["# HELP haproxy_server_check_duration_seconds Total duration of the latest server health check, in seconds."])
        XCTAssertEqual(lines.filter { $0.hasPrefix("# HELP haproxy_process_max_fds ") },
                       ["# HELP haproxy_process_max_fds Hard limit on the number of per-process file descriptors"])
        for (i, line) in lines.enumerated() where line.hasPrefix("# HELP ") {
            let name = line.split(separator: " ")[2]
            XCTAssertTrue(lines[i + 1].hasPrefix("# TYPE \(name) "), line)
        }
    }

    func testStatesAreLabelledGauges() {
        let lines = scrape()
        XCTAssertEqual(series(lines, "haproxy_frontend_status").prefix(2),
                       ["haproxy_frontend_status{proxy=\"prom\",state=\"DOWN\"} 0", "haproxy_frontend_status{proxy=\"prom\",state=\"UP\"} 1"])
        XCTAssertEqual(series(lines, "haproxy_backend_status").suffix(2),
                       ["haproxy_backend_status{proxy=\"li\",state=\"DOWN\"} 1", "haproxy_backend_status{proxy=\"li\",state=\"UP\"} 0"])
        XCTAssertEqual(series(lines, "haproxy_server_status").filter { $0.hasSuffix(" 1") }, [
            "haproxy_server_status{proxy=\"be1\",server=\"s1\",state=\"DOWN\"} 1",
            "haproxy_server_status{proxy=\"be1\",server=\"s2\",state=\"UP\"} 1",
            "haproxy_server_status{proxy=\"be1\",server=\"s3\",state=\"MAINT\"} 1",
            "haproxy_server_status{proxy=\"li\",server=\"t1\",state=\"DOWN\"} 1",
        ])
        XCTAssertEqual(series(lines, "haproxy_backend_agg_server_status").filter { $0.contains("be1") }, [
            "haproxy_backend_agg_server_status{proxy=\"be1\",state=\"DOWN\"} 1",
            "haproxy_backend_agg_server_status{proxy=\"be1\",state=\"UP\"} 1",
            "haproxy_backend_agg_server_status{proxy=\"be1\",state=\"MAINT\"} 1",
            "haproxy_backend_agg_server_status{proxy=\"be1\",state=\"DRAIN\"} 0",
            "haproxy_backend_agg_server_status{proxy=\"be1\",state=\"NOLB\"} 0",
        ])
    }

    func testCheckMetricsOnlyForServersWithRunningChecks() {
        let lines = scrape()
        let status = series(lines, "haproxy_server_check_status")
        XCTAssertEqual(status.count, 2 * 16)
        XCTAssertFalse(status.contains { $0.contains("server=\"s2\"") || $0.contains("server=\"s3\"") })
        XCTAssertTrue(status.contains("haproxy_server_check_status{proxy=\"be1\",server=\"s1\",state=\"L4CON\"} 1"))
        XCTAssertEqual(series(lines, "haproxy_server_check_code"),
                       ["haproxy_server_check_code{proxy=\"be1\",server=\"s1\"} 0", "haproxy_server_check_code{proxy=\"li\",server=\"t1\"} 0"])
        XCTAssertEqual(series(lines, "haproxy_server_check_duration_seconds").first,
                       "haproxy_server_check_duration_seconds{proxy=\"be1\",server=\"s1\"} 1.234000")
        XCTAssertEqual(series(lines, "haproxy_backend_agg_check_status").filter { $0.hasSuffix(" 1") },
                       ["haproxy_backend_agg_check_status{proxy=\"be1\",state=\"L4CON\"} 1",
                        "haproxy_backend_agg_check_status{proxy=\"li\",state=\"L4CON\"} 1"])
    }

    func testHTTPOnlyMetricsLeaveTCPProxiesOut() {
        let lines = scrape()
        let responses = series(lines, "haproxy_frontend_http_responses_total")
        XCTAssertEqual(responses.count, 2 * 6)
        XCTAssertEqual(responses.first, "haproxy_frontend_http_responses_total{proxy=\"prom\",code=\"1xx\"} 0")
        XCTAssertFalse(series(lines, "haproxy_server_http_responses_total").contains { $0.contains("\"li\"") })
        XCTAssertTrue(series(lines, "haproxy_server_client_aborts_total").contains { $0.contains("\"li\"") })
        // One header for the six response classes.
        XCTAssertEqual(lines.filter { $0 == "# TYPE haproxy_backend_http_responses_total counter" }.count, 1)
    }

    func testValuesComeFromTheRowsByFieldName() {
        let lines = scrape()
        XCTAssertTrue(lines.contains("haproxy_frontend_sessions_total{proxy=\"prom\"} 1"))
        XCTAssertTrue(lines.contains("haproxy_frontend_limit_sessions{proxy=\"prom\"} 9984"))
        XCTAssertTrue(lines.contains("haproxy_server_sessions_total{proxy=\"be1\",server=\"s2\"} 7"))
        XCTAssertTrue(lines.contains("haproxy_server_check_failures_total{proxy=\"be1\",server=\"s1\"} 1"))
        XCTAssertTrue(lines.contains("haproxy_server_last_session_seconds{proxy=\"be1\",server=\"s1\"} -1"))
        // Empty in the row (no maxconn, no check): NaN, as promex prints an empty field.
        XCTAssertTrue(lines.contains("haproxy_server_limit_sessions{proxy=\"be1\",server=\"s1\"} NaN"))
        XCTAssertTrue(lines.contains("haproxy_server_check_failures_total{proxy=\"be1\",server=\"s2\"} NaN"))
        XCTAssertTrue(lines.contains("haproxy_process_uptime_seconds 5"))
        XCTAssertTrue(lines.contains("haproxy_process_current_zlib_memory NaN"))
        XCTAssertTrue(lines.contains("haproxy_process_build_info{version=\"1.2.3\"} 1"))
    }

    func testTimesPrintInSecondsLikePrintf() {
        XCTAssertEqual(PrometheusText.seconds(milliseconds: 0), "0.000000")
        XCTAssertEqual(PrometheusText.seconds(milliseconds: 7), "0.007000")
        XCTAssertEqual(PrometheusText.seconds(milliseconds: 61_250), "61.250000")
    }

    func testScopesSelectSections() {
        func prefixes(_ q: String) -> Set<String> {
            Set(scrape(q).filter { !$0.hasPrefix("#") }.map { String($0.split(separator: "_")[1]) })
        }
        XCTAssertEqual(prefixes(""), ["process", "frontend", "backend", "server"])
        XCTAssertEqual(prefixes("scope=global"), ["process"])
        XCTAssertEqual(prefixes("scope=global&scope=backend"), ["process", "backend"])
        XCTAssertEqual(prefixes("scope=server&scope="), [])
        XCTAssertEqual(prefixes("scope=*x"), ["process", "frontend", "backend", "server"])
        XCTAssertEqual(prefixes("scope=%67lobal"), ["process"])
        XCTAssertEqual(prefixes("x=1&scope=frontend&no-maint=0"), ["frontend"])
        XCTAssertEqual(prefixes("scope=listener"), [])
        XCTAssertEqual(prefixes("scope=sticktable"), [])
        XCTAssertEqual(prefixes("scope=global#x&scope=server"), ["process"])
    }

    func testQueriesHAProxyAnswersWith400() {
        for bad in ["scope", "scope=foo", "scope=a=b", "scope=glob%zz", "scope=%4"] {
            XCTAssertNil(PrometheusExporter.Query(query: Substring(bad)), bad)
        }
        XCTAssertEqual(PrometheusExporter.Query(query: "no-maint"), .init(scopes: .all, noMaintenance: true))
    }

    func testNoMaintLeavesMaintenanceServersOut() {
        let lines = scrape("no-maint")
        XCTAssertFalse(lines.contains { $0.hasPrefix("haproxy_server_") && $0.contains("server=\"s3\"") })
        XCTAssertTrue(lines.contains { $0.hasPrefix("haproxy_server_") && $0.contains("server=\"s2\"") })
        // Backends still count every server.
        XCTAssertTrue(lines.contains("haproxy_backend_agg_server_status{proxy=\"be1\",state=\"MAINT\"} 1"))
    }
}
