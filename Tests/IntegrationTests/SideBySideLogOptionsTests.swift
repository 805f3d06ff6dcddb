import XCTest

/// What decides whether a line is sent and at which level, side by side
/// with haproxy 2.6: `option dontlognull`, `option dontlog-normal`,
/// `option log-separate-errors`, the level and minlevel of a `log` line,
/// `log global` and `no log`, `sample`. Where a line must not come, a later
/// line that must come marks the end of the traffic (lines from one process
/// arrive in order), so nothing waits on a bare delay.
final class SideBySideLogOptionsTests: XCTestCase {
    /// The frontend `fe` with `lines` (log and option lines) in front of one
    /// server, `/none...` routed to a backend without servers (503).
    private func start(_ lines: [String], global: String = "", defaults: [String] = [], moreFrontends: String = "")
        throws -> SideBySideLogging {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + defaults.map { "    \($0)\n" }.joined() + """
            frontend fe
                bind 127.0.0.1:{port}
                use_backend none if { path_beg /none }
                default_backend be
            \(lines.map { "    " + $0 }.joined(separator: "\n"))
            \(moreFrontends)
            backend be
                server web 127.0.0.1:\(web.port)
            backend none

            """
        return try SideBySideLogging(self, config: config, backends: [web], global: global)
    }

    /// Sends `targets` on one keep-alive connection to each proxy and checks the statuses.
    private func requests(_ logs: SideBySideLogging, _ targets: [String], statuses: [Int], frontend: Int = 1) throws {
        let runs = try logs.sbs.conversation(targets.map { httpGet($0) }, frontend: frontend)
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(runs[proxy]?.map { $0.response?.status ?? 0 }, statuses, "\(proxy) statuses")
        }
    }

    /// The last field of each line: the quoted request line of httplog.
    private func requestLines(_ lines: [SyslogLine]) -> [String] {
        lines.map { LogLineComparison.fields(of: $0.message).last ?? "" }
    }

    func testDontLogNull() throws {
        let logs = try start(["log {log} local0", "option httplog", "option dontlognull"], moreFrontends: """
            frontend logsnull
                bind 127.0.0.1:{port2}
                log {log} local0
                option httplog
                default_backend be
            """)
        try logs.emptyConnection(frontend: 1)
        try logs.emptyConnection(frontend: 2)
        try requests(logs, ["/marker"], statuses: [200])
        let lines = try logs.assertSameLines(count: 2, LogLineComparison(.httplog), "dontlognull")
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(requestLines(lines[proxy]!), ["\"<BADREQ>\"", "\"GET /marker HTTP/1.1\""],
                           "\(proxy): only the frontend without dontlognull logs the empty connection")
            XCTAssertTrue(lines[proxy]!.first?.message.contains(" logsnull logsnull/<NOSRV> ") ?? false, "\(proxy)")
        }
    }

    /// dontlog-normal: a 200 and a 404 from the server are normal; a 503
    /// without a server and a bad request are logged.
    func testDontLogNormal() throws {
        let logs = try start(["log {log} local0", "option httplog", "option dontlog-normal"])
        try requests(logs, ["/a", "/b", "/none"], statuses: [200, 200, 503])
        try logs.sendAndClose("GARBAGE\r\n\r\n", halfClose: false)
        try requests(logs, ["/none/marker"], statuses: [503])
        let lines = try logs.assertSameLines(count: 3, LogLineComparison(.httplog), "dontlog-normal")
        XCTAssertEqual(requestLines(lines[.haproxy]!), ["\"GET /none HTTP/1.1\"", "\"<BADREQ>\"",
                                                       "\"GET /none/marker HTTP/1.1\""], "haproxy (the reference)")
    }

    /// log-separate-errors: a 5xx or an aborted session is logged at err,
    /// the rest at info.
    func testLogSeparateErrors() throws {
        let logs = try start(["log {log} local0", "option httplog", "option log-separate-errors"])
        try requests(logs, ["/a", "/none"], statuses: [200, 503])
        try logs.sendAndClose("GET /cut HTTP/1.1\r\nHost: site\r\n")
        try requests(logs, ["/b"], statuses: [200])
        let lines = try logs.assertSameLines(count: 4, LogLineComparison(.httplog), "log-separate-errors")
        XCTAssertEqual(lines[.haproxy]!.map(\.severityName), ["info", "err", "err", "info"], "haproxy (the reference)")
        XCTAssertEqual(lines[.haproxy]!.map(\.priority), [134, 131, 131, 134], "haproxy (the reference)")
    }

    /// `log TARGET FACILITY [LEVEL [MINLEVEL]]`: LEVEL drops what is less
    /// severe, MINLEVEL lowers what is more severe to it.
    func testFacilityLevelAndMinlevel() throws {
        let logs = try start(["log {log} local0", "log {log} local1 notice", "log {log} local2 info notice",
                              "log {log} local3 emerg", "option httplog", "option log-separate-errors"])
        try requests(logs, ["/a", "/none"], statuses: [200, 503])
        let lines = try logs.assertSameLines(count: 5, LogLineComparison(.httplog), "levels")
        let expected = [SyslogLine.priority("local0", "info"), SyslogLine.priority("local2", "info"),
                        SyslogLine.priority("local0", "err"), SyslogLine.priority("local1", "err"),
                        SyslogLine.priority("local2", "notice")]
        XCTAssertEqual(lines[.haproxy]!.compactMap(\.priority), expected, "haproxy (the reference)")
    }

    /// `log global` in defaults takes the global section's targets; `no
    /// log` in a frontend drops what it inherited.
    func testLogGlobalAndNoLog() throws {
        let logs = try start(["option httplog"], global: "    log {log} local3", defaults: ["log global"],
                             moreFrontends: """
            frontend silent
                bind 127.0.0.1:{port2}
                no log
                option httplog
                default_backend be
            """)
        try requests(logs, ["/quiet"], statuses: [200], frontend: 2)
        try requests(logs, ["/loud"], statuses: [200], frontend: 1)
        let lines = try trafficLines(logs, count: 1)
        logs.assertSame(lines, LogLineComparison(.httplog), expectedCount: 1, "log global / no log")
        XCTAssertEqual(lines[.haproxy]!.map(\.priority), [SyslogLine.priority("local3", "info")], "haproxy")
        XCTAssertEqual(requestLines(lines[.haproxy]!), ["\"GET /loud HTTP/1.1\""], "haproxy")
    }

    /// `sample 1:2`: the first of every two lines.
    func testSample() throws {
        let logs = try start(["log {log} sample 1:2 local0", "option httplog"])
        try requests(logs, ["/1", "/2", "/3", "/4", "/5"], statuses: [200, 200, 200, 200, 200])
        let lines = try logs.assertSameLines(count: 3, LogLineComparison(.httplog), "sample 1:2")
        XCTAssertEqual(requestLines(lines[.haproxy]!), ["/1", "/3", "/5"].map { "\"GET \($0) HTTP/1.1\"" }, "haproxy")
    }

    /// The lines of each proxy's traffic, without fulcrum's master events
    /// (fulcrum also sends those to the global targets, a documented
    /// difference: docs/differences.md "master events"). Waits for `count`.
    private func trafficLines(_ logs: SideBySideLogging, count: Int) throws -> [ProxyUnderTest: [SyslogLine]] {
        let master = "\(logs.sbs.processes[.fulcrum]!.pid)"
        var result: [ProxyUnderTest: [SyslogLine]] = [:]
        for proxy in ProxyUnderTest.allCases {
            var lines: [SyslogLine] = []
            waitUntil(timeout: 5) {
                lines = (try? SyslogLine.parseAll(logs.collectors[proxy]!.lines()))?.filter {
                    proxy == .haproxy || $0.pid != master
                } ?? []
                return lines.count >= count
            }
            result[proxy] = lines
        }
        return result
    }
}
