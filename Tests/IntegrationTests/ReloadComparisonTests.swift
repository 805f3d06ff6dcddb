import XCTest
import Foundation

/// The reload-under-load scenario run against fulcrum, HAProxy 2.6
/// (master-worker, SIGUSR2) and nginx (`nginx -s reload`) in one run, with
/// their error counts printed side by side for the record. Only fulcrum's
/// counts are asserted; the others are reference figures.
final class ReloadComparisonTests: XCTestCase {
    func testSameReloadScenarioAgainstHAProxyAndNginxPrintedSideBySide() throws {
        try requireTool("haproxy")
        let nginx = try NginxServer.files(["index.html": ReloadLoadScenario.page])
        addTeardownBlock { nginx.stop() }
        var table: [String] = []
        for (label, connections, close) in [("keep-alive, 100 connections", 100, false),
                                            ("Connection: close, 50 connections", 50, true)] {
            let f = try ReloadLoadScenario.fulcrum(self, mode: "http", backend: nginx.port, connections: connections, close: close)
            let h = try ReloadLoadScenario.haproxy(self, mode: "http", backend: nginx.port, connections: connections, close: close)
            let n = try ReloadLoadScenario.nginx(backend: nginx.port, connections: connections, close: close)
            for (name, run) in [("fulcrum", f), ("haproxy 2.6", h), ("nginx 1.22", n)] {
                table.append("  \(label.padding(toLength: 34, withPad: " ", startingAt: 0)) "
                             + "\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(run.wrk)"
                             + (run.reloadsUnderLoad ? "" : " (wrk ended before the last reload)"))
                XCTAssertGreaterThan(run.wrk.requests, 0, "\(name) \(label): \(run.wrk.output)")
            }
            XCTAssertEqual(f.wrk.socketErrors + f.wrk.badStatuses, 0, "fulcrum \(label): \(f.wrk)")
        }
        print("reload comparison, \(ReloadLoadScenario.reloads) reloads every \(ReloadLoadScenario.reloadPeriod) s, "
              + "mode http, nginx backend:\n" + table.joined(separator: "\n"))
    }
}
