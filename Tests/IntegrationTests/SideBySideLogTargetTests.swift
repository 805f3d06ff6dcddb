import XCTest

/// The kinds of `log` target, side by side with haproxy 2.6: a unix
/// datagram socket, `tcp@` (haproxy 2.6 ends each line with a line feed;
/// fulcrum counts octets, a documented difference the collector reads
/// either way) and `stdout` of a proxy run in the foreground.
final class SideBySideLogTargetTests: XCTestCase {
    private func start(_ lines: [String], sections: String = "") throws -> SideBySideLogging {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + sections + """
            frontend fe
                bind 127.0.0.1:{port}
                option httplog
                default_backend be
            \(lines.map { "    " + $0 }.joined(separator: "\n"))
            backend be
                server web 127.0.0.1:\(web.port)

            """
        return try SideBySideLogging(self, config: config, backends: [web])
    }

    private func get(_ logs: SideBySideLogging, _ targets: [String]) throws {
        let runs = try logs.sbs.conversation(targets.map { httpGet($0) })
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(runs[proxy]?.map { $0.response?.status ?? 0 }, targets.map { _ in 200 }, "\(proxy)")
        }
    }

    func testUnixDatagramTarget() throws {
        let logs = try start(["log {logunix} local0"])
        try get(logs, ["/unix1", "/unix2"])
        let lines = try logs.assertSameLines(count: 2, LogLineComparison(.httplog), from: .unixDatagram, "unix datagram")
        XCTAssertEqual(lines[.haproxy]!.map(\.priority), [134, 134], "haproxy")
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(logs.collectors[proxy]!.messages(from: .udp).count, 0, "\(proxy): nothing over UDP")
        }
    }

    func testTCPTarget() throws {
        let logs = try start(["log {logtcp} local0"])
        try get(logs, ["/tcp1", "/tcp2", "/tcp3"])
        let lines = try logs.assertSameLines(count: 3, LogLineComparison(.httplog), from: .tcp, "tcp@")
        XCTAssertEqual(lines[.haproxy]!.map { LogLineComparison.fields(of: $0.message).last ?? "" },
                       ["/tcp1", "/tcp2", "/tcp3"].map { "\"GET \($0) HTTP/1.1\"" }, "haproxy")
        XCTAssertEqual(logs.collectors[.haproxy]!.messages(from: .tcp).map(\.framing), ["newline", "newline", "newline"],
                       "haproxy 2.6.12 ends tcp@ lines with a line feed")
    }

    /// `log stdout format raw`: the line on the foreground process's
    /// standard output, one per line.
    func testStdoutTarget() throws {
        let logs = try start(["log stdout format raw local0"])
        try get(logs, ["/stdout1", "/stdout2"])
        var lines: [ProxyUnderTest: [SyslogLine]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let process = logs.sbs.processes[proxy]!
            var found: [String] = []
            waitUntil(timeout: 5) {
                found = process.stdoutText.split(separator: "\n").map(String.init).filter { $0.contains("GET /stdout") }
                return found.count >= 2
            }
            XCTAssertEqual(found.count, 2, "\(proxy) stdout:\n\(process.stdoutText)")
            lines[proxy] = try SyslogLine.parseAll(found, format: .raw)
        }
        logs.assertSame(lines, LogLineComparison(.httplog), expectedCount: 2, "stdout")
    }

    /// `log ring@NAME` with a `ring` section forwarding to a TCP syslog
    /// server: the ring's format (rfc3164 here) and its server's
    /// `log-proto octet-count` on both sides.
    func testRingForwardedToItsServer() throws {
        let ring = """
            ring logbuf
                description "to syslog"
                format rfc3164
                maxlen 1200
                size 32764
                timeout connect 5s
                timeout server 10s
                server sys1 {logtcpaddr} log-proto octet-count

            """
        let logs = try start(["log ring@logbuf local0"], sections: ring)
        try get(logs, ["/ring1", "/ring2"])
        try logs.assertSameLines(count: 2, LogLineComparison(.httplog), from: .tcp, "ring@")
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(logs.collectors[proxy]!.messages(from: .tcp).map(\.framing), ["octet-counted", "octet-counted"],
                           "\(proxy): log-proto octet-count")
        }
    }
}
