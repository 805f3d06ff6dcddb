import XCTest
import Foundation

/// Issue 5, zero-downtime reload under load: wrk through fulcrum to nginx
/// while fulcrum is reloaded 20 times with a changing configuration. wrk
/// itself counts socket errors (connect, read, write, timeout) and non-2xx
/// answers: all must be zero.
final class ReloadUnderLoadTests: XCTestCase {
    private func backend() throws -> NginxServer {
        let nginx = try NginxServer.files(["index.html": ReloadLoadScenario.page])
        addTeardownBlock { nginx.stop() }
        return nginx
    }

    private func check(_ run: ReloadLoadScenario.Run, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        print("reload under load [\(label)]: \(run.wrk)")
        XCTAssertEqual(run.answers.count, ReloadLoadScenario.reloads, file: file, line: line)
        XCTAssertEqual(run.answers.filter { $0 != "Success=1\n" }, [], "every reload must succeed", file: file, line: line)
        XCTAssertTrue(run.reloadsUnderLoad, "wrk ended before the last reload: reloads too slow", file: file, line: line)
        XCTAssertGreaterThan(run.wrk.requests, 1000, "wrk barely ran: \(run.wrk.output)", file: file, line: line)
        XCTAssertEqual(run.wrk.socketErrors, 0, "\(label): \(run.wrk)\n\(run.wrk.output)", file: file, line: line)
        XCTAssertEqual(run.wrk.badStatuses, 0, "\(label): \(run.wrk)\n\(run.wrk.output)", file: file, line: line)
    }

    func testHTTPKeepAlive100ConnectionsSeeNoErrorAcross20Reloads() throws {
        let nginx = try backend()
        let run = try ReloadLoadScenario.fulcrum(self, mode: "http", backend: nginx.port, connections: 100, close: false)
        check(run, "mode http, 100 keep-alive connections")
    }

    func testHTTPConnectionPerRequest50ConnectionsSeeNoErrorAcross20Reloads() throws {
        let nginx = try backend()
        let run = try ReloadLoadScenario.fulcrum(self, mode: "http", backend: nginx.port, connections: 50, close: true)
        check(run, "mode http, 50 connections, Connection: close")
    }

    func testTCPKeepAlive100ConnectionsSeeNoErrorAcross20Reloads() throws {
        let nginx = try backend()
        let run = try ReloadLoadScenario.fulcrum(self, mode: "tcp", backend: nginx.port, connections: 100, close: false)
        check(run, "mode tcp, 100 keep-alive connections")
    }

    func testTCPConnectionPerRequest50ConnectionsSeeNoErrorAcross20Reloads() throws {
        let nginx = try backend()
        let run = try ReloadLoadScenario.fulcrum(self, mode: "tcp", backend: nginx.port, connections: 50, close: true)
        check(run, "mode tcp, 50 connections, Connection: close")
    }
}
