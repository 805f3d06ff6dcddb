import XCTest
@testable import FulcrumConfig

/// `monitor-uri`, `monitor fail`, `monitor-net` and `http-request use-service`
/// with haproxy 2.6's messages (checked against `haproxy -c`).
final class MonitorAndServiceTests: XCTestCase {
    // parseFrontend puts its lines at line 9 of the file.

    func testMonitorURIAndFailConditions() {
        let r = parseFrontend("""
            monitor-uri /health
            acl site_dead hdr(x-down) -m found
            monitor fail if site_dead
            monitor fail unless { src 10.0.0.0/8 }
        """)
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.frontend?.http.monitorURI, "/health")
        XCTAssertEqual(r.frontend?.http.monitorFail.count, 2)
        XCTAssertEqual(r.frontend?.http.monitorFail.first?.unless, false)
        XCTAssertEqual(r.frontend?.http.monitorFail.last?.unless, true)
    }

    func testMonitorURIInheritedFromDefaults() {
        let r = parse(httpDefaults.replacingOccurrences(of: "    mode http\n", with: "    mode http\n    monitor-uri /alive\n")
                      + "frontend f\n    bind :80\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.frontend?.http.monitorURI, "/alive")
    }

    func testMonitorURIArguments() {
        assertSingleAlert(parseFrontend("    monitor-uri"), "'monitor-uri' expects an URI.", line: 9, column: 5)
        assertSingleAlert(parseFrontend("    monitor-uri /a /b"), "'monitor-uri' cannot handle unexpected argument '/b'.", line: 9, column: 20)
    }

    func testMonitorFailForms() {
        assertSingleAlert(parseFrontend("    monitor fail"),
                          "'monitor fail' requires either 'if' or 'unless' followed by a condition.", line: 9, column: 13)
        assertSingleAlert(parseFrontend("    monitor fail TRUE"),
                          "'monitor fail' requires either 'if' or 'unless' followed by a condition.", line: 9, column: 18)
        assertSingleAlert(parseFrontend("    monitor foo if TRUE"), "'monitor' only supports 'fail'.", line: 9, column: 13)
        assertSingleAlert(parseFrontend("    monitor"), "'monitor' only supports 'fail'.", line: 9, column: 5)
    }

    func testMonitorNetIsGoneWithHAProxysHint() {
        assertSingleAlert(parseFrontend("    monitor-net 192.168.0.0/16"),
                          "'monitor-net' doesn't exist anymore. Please use 'http-request return status 200 if { src 192.168.0.0/16 }' instead.",
                          line: 9, column: 5)
    }

    func testMonitorWhereHAProxyRefusesOrIgnoresIt() {
        let inDefaults = parse(httpDefaults + "    monitor fail if TRUE\nfrontend f\n    bind :80\n")
        XCTAssertEqual(inDefaults.alerts.map(\.message), ["'monitor' not allowed in 'defaults' section."])
        let inBackend = parse(httpDefaults + "backend b\n    monitor-uri /x\n    monitor fail if TRUE\n    server s 10.0.0.1:80\n")
        XCTAssertEqual(inBackend.alerts, [])
        XCTAssertEqual(inBackend.warnings.map(\.message), [
            "'monitor-uri' ignored because backend 'b' has no frontend capability.",
            "'monitor' ignored because backend 'b' has no frontend capability.",
        ])
        let tcp = parse(tcpDefaults + "listen l\n    bind :80\n    monitor-uri /x\n    server s 10.0.0.1:80\n")
        XCTAssertEqual(tcp.alerts, [])
        XCTAssertEqual(tcp.warnings.map(\.message), ["monitor-uri will be ignored for proxy 'l' (needs 'mode http')."])
    }

    func testMonitorFailAfterOtherRulesWarns() {
        let r = parseFrontend("""
            http-request deny if FALSE
            monitor fail if TRUE
        """)
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message), ["a 'monitor fail' rule placed after an 'http-request' rule will still be processed before."])
        XCTAssertEqual(r.frontend?.http.monitorFail.count, 1)
    }

    func testUseServicePrometheusExporter() {
        let r = parseFrontend("    http-request use-service prometheus-exporter if { path /metrics }")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.frontend?.http.requestRules.first?.action, .useService(.prometheusExporter))
        XCTAssertNotNil(r.frontend?.http.requestRules.first?.condition)
    }

    func testUseServiceErrors() {
        assertSingleAlert(parseFrontend("    http-request use-service foo"),
                          "error detected in frontend 'f' while parsing 'http-request use-service' rule : 'foo' unknown service name..",
                          line: 9, column: 30)
        assertSingleAlert(parseFrontend("    http-request use-service"),
                          "error detected in frontend 'f' while parsing 'http-request use-service' rule : 'use-service' expects a service name..",
                          line: 9, column: 18)
        assertSingleAlert(parseFrontend("    http-request use-service prometheus-exporter extra"),
                          "'http-request use-service' expects either 'if' or 'unless' followed by a condition but found 'extra'.",
                          line: 9, column: 50)
    }
}
