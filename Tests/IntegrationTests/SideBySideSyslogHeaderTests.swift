import XCTest

/// The syslog envelope around a line, side by side with haproxy 2.6: the
/// `format` of a `log` line (rfc3164, rfc5424, short, priority, timed, iso,
/// raw), `log-tag` (global and per proxy), `log-send-hostname` and `len`.
final class SideBySideSyslogHeaderTests: XCTestCase {
    private func start(_ lines: [String], global: String = "", moreFrontends: String = "") throws -> SideBySideLogging {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                option httplog
                default_backend be
            \(lines.map { "    " + $0 }.joined(separator: "\n"))
            \(moreFrontends)
            backend be
                server web 127.0.0.1:\(web.port)

            """
        return try SideBySideLogging(self, config: config, backends: [web], global: global)
    }

    private func get(_ logs: SideBySideLogging, _ target: String, frontend: Int = 1) throws {
        let runs = try logs.sbs.conversation([httpGet(target)], frontend: frontend)
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(runs[proxy]?.first?.response?.status, 200, "\(proxy)")
        }
    }

    /// One request, one datagram per target, in the order of the `log` lines.
    func testFormats() throws {
        let formats: [SyslogLineFormat] = [.rfc3164, .rfc5424, .short, .priority, .timed, .iso, .raw]
        let logs = try start(formats.map { "log {log} format \($0.rawValue) local0" })
        try get(logs, "/formats")
        let texts = ProxyUnderTest.allCases.map { proxy in
            (proxy, logs.collectors[proxy]!.waitForLines(count: formats.count))
        }
        var lines: [ProxyUnderTest: [SyslogLine]] = [:]
        for (proxy, received) in texts {
            XCTAssertEqual(received.count, formats.count, "\(proxy): \(received)")
            lines[proxy] = try zip(received, formats).map { try SyslogLine($0, format: $1) }
        }
        let comparison = LogLineComparison(.httplog)
        logs.assertSame(lines, comparison, expectedCount: formats.count, "formats")
        let message = "127.0.0.1:{port} [{date}] fe be/web {t}/{t}/{t}/{t}/{t} 200 103 - - ---- 1/1/0/0/0 0/0 "
            + "\"GET /formats HTTP/1.1\""
        logs.assertReference(lines[.haproxy]!, comparison, equal: [
            // With an rfc5424 target beside it, haproxy 2.6.12 writes
            // "localhost" as the rfc3164 line's hostname, and "-" in rfc5424.
            "<134>{time} localhost {program}[{pid}]: " + message,
            "<134>1 {time} - {program} {pid} - - " + message,
            "<6> " + message,
            "<134> " + message,
            "<6>{time} " + message,
            "{time} " + message,
            message,
        ], "formats")
        for (proxy, received) in texts {
            XCTAssertTrue(received.allSatisfy { $0.hasSuffix("\n") }, "\(proxy): every datagram ends with a line feed")
        }
    }

    /// `log-tag` in global replaces the program name; in a proxy it
    /// replaces the global one for that proxy's lines.
    func testLogTag() throws {
        let logs = try start(["log {log} local0"], global: "    log-tag globaltag", moreFrontends: """
            frontend tagged
                bind 127.0.0.1:{port2}
                log {log} local0
                log-tag proxytag
                option httplog
                default_backend be
            """)
        try get(logs, "/a", frontend: 1)
        try get(logs, "/b", frontend: 2)
        let lines = try logs.assertSameLines(count: 2, LogLineComparison(.httplog), "log-tag")
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(lines[proxy]!.map(\.tag), ["globaltag", "proxytag"], "\(proxy)")
        }
    }

    /// `log-send-hostname NAME` puts NAME between the timestamp and the tag.
    func testLogSendHostname() throws {
        let logs = try start(["log {log} local0", "log {log} format rfc5424 local1"],
                             global: "    log-send-hostname lb-test-1")
        try get(logs, "/h")
        var parsed: [ProxyUnderTest: [SyslogLine]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let texts = logs.collectors[proxy]!.waitForLines(count: 2)
            parsed[proxy] = try zip(texts, [SyslogLineFormat.rfc3164, .rfc5424]).map { try SyslogLine($0, format: $1) }
        }
        logs.assertSame(parsed, LogLineComparison(.httplog), expectedCount: 2, "log-send-hostname")
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(parsed[proxy]!.map(\.hostname), ["lb-test-1", "lb-test-1"], "\(proxy)")
            XCTAssertEqual(parsed[proxy]!.map(\.tag), [proxy.rawValue, proxy.rawValue], "\(proxy): default tag")
        }
    }

    /// `len 80`: the datagram is cut (haproxy 2.6.12 sends 80 bytes of the
    /// line and its line feed) and is the start of the whole line.
    func testLenTruncates() throws {
        let logs = try start(["log {log} len 80 local0", "log {log} local1"])
        try get(logs, "/a-path-long-enough-to-be-cut-off-by-len-80")
        var sizes: [ProxyUnderTest: Int] = [:]
        for proxy in ProxyUnderTest.allCases {
            logs.collectors[proxy]!.waitForLines(count: 2)
            let received = logs.collectors[proxy]!.messages()
            guard received.count == 2 else {
                XCTFail("\(proxy): expected a cut line and a whole one, got \(received.map(\.text))")
                continue
            }
            let cut = try SyslogLine(received[0].text), whole = try SyslogLine(received[1].text)
            XCTAssertEqual(cut.priority, 134, "\(proxy)")
            XCTAssertEqual(whole.priority, 142, "\(proxy)")
            XCTAssertTrue(received[0].text.hasSuffix("\n"), "\(proxy): a cut line still ends with a line feed")
            let cutText = String(cut.raw.dropFirst(5).dropLast()), wholeText = String(whole.raw.dropFirst(5))
            XCTAssertTrue(wholeText.hasPrefix(cutText), "\(proxy): \(cutText.debugDescription) starts \(wholeText.debugDescription)")
            sizes[proxy] = received[0].size
        }
        XCTAssertEqual(sizes[.haproxy], 81, "haproxy (the reference): 80 bytes and a line feed")
        XCTAssertEqual(sizes[.fulcrum], sizes[.haproxy], "datagram sizes")
    }
}
