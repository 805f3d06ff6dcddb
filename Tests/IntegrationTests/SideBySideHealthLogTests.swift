import XCTest

/// Health-check events in the backend's `log` targets, side by side with
/// haproxy 2.6: a server whose checks start failing is logged DOWN at alert
/// and its backend "has no server available!" at emerg; when it answers
/// again it is UP at notice. The reason and the check duration are left out
/// of the comparison (`LogLineShape.serverEvent`); the rest of the wording
/// is compared byte for byte.
final class SideBySideHealthLogTests: XCTestCase {
    /// A checked HTTP server behind backend `be` (which logs to `{log}`)
    /// with `lines` (`{server}` is its port), both proxies started and seen
    /// checking it while it is up: no event before the test stops it.
    private func startChecked(_ lines: [String]) throws -> (TestBackend, SideBySideLogging) {
        let server = try startBackend(.http(status: 200, body: "ok"))
        let backendLines = (["log {log} local0", "option httpchk GET /health"] + lines)
            .map { "    " + $0.replacingOccurrences(of: "{server}", with: "\(server.port)") }.joined(separator: "\n")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
            \(backendLines)

            """
        let logs = try SideBySideLogging(self, config: config, backends: [])
        XCTAssertTrue(server.waitForAccepted(atLeast: 4, timeout: 5), "both proxies check the server")
        return (server, logs)
    }

    /// Waits (bounded) until both proxies logged a line containing `text`.
    private func waitOnBoth(_ logs: SideBySideLogging, for text: String, file: StaticString = #filePath, line: UInt = #line) {
        for proxy in ProxyUnderTest.allCases {
            XCTAssertNotNil(logs.collectors[proxy]!.waitForLine(containing: text, timeout: 10),
                            "\(proxy): \(logs.collectors[proxy]!.lines())", file: file, line: line)
        }
    }

    func testServerDownAndUpEvents() throws {
        let (server, logs) = try startChecked(["server s1 127.0.0.1:{server} check inter 200 fall 1 rise 1"])
        server.stopListening()
        let comparison = LogLineComparison(.serverEvent)
        waitOnBoth(logs, for: "has no server available!")
        let down = try logs.assertSameLines(count: 2, comparison, "server down")
        logs.assertReference(down[.haproxy]!, comparison, equal: [
            "<129>{time} {program}[{pid}]: Server be/s1 is DOWN, reason: {reason}, check duration: {n}ms. "
                + "0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
            "<128>{time} {program}[{pid}]: backend be has no server available!",
        ], "server down")
        XCTAssertTrue(down[.haproxy]!.first?.message.contains("reason: Layer4 connection problem, info: \"Connection refused\"")
                      ?? false, "haproxy's reason: \(down[.haproxy]!)")
        logs.clear()
        try server.startListening()
        waitOnBoth(logs, for: " is UP")
        let up = try logs.assertSameLines(count: 1, comparison, "server up")
        logs.assertReference(up[.haproxy]!, comparison, equal: [
            "<133>{time} {program}[{pid}]: Server be/s1 is UP, reason: {reason}, check duration: {n}ms. "
                + "1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
        ], "server up")
        XCTAssertTrue(up[.haproxy]!.first?.message.contains("reason: Layer7 check passed, code: 200") ?? false,
                      "haproxy's reason: \(up[.haproxy]!)")
    }

    /// `option log-health-checks`: every check that moves the health
    /// counter is logged, then the state change.
    func testLogHealthChecks() throws {
        let (server, logs) = try startChecked(["option log-health-checks",
                                               "server s1 127.0.0.1:{server} check inter 200 fall 2 rise 2"])
        server.stopListening()
        waitOnBoth(logs, for: "has no server available!")
        let comparison = LogLineComparison(.serverEvent)
        let down = try logs.assertSameLines(count: 5, comparison, "checks failing")
        let check = "Health check for server be/s1"
        logs.assertReference(down[.haproxy]!, comparison, equal: [
            // A server starts one check short of full health: the first
            // success moves the counter.
            "<133>{time} {program}[{pid}]: \(check) succeeded, reason: {reason}, check duration: {n}ms, status: 2/2 UP.",
            "<133>{time} {program}[{pid}]: \(check) failed, reason: {reason}, check duration: {n}ms, status: 1/2 UP.",
            "<133>{time} {program}[{pid}]: \(check) failed, reason: {reason}, check duration: {n}ms, status: 0/2 DOWN.",
            "<129>{time} {program}[{pid}]: Server be/s1 is DOWN. 0 active and 0 backup servers left. "
                + "0 sessions active, 0 requeued, 0 remaining in queue.",
            "<128>{time} {program}[{pid}]: backend be has no server available!",
        ], "checks failing")
    }
}
