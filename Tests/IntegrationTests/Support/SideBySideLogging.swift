import XCTest

/// A `SideBySide` run where each proxy logs to a `LogCollector` of its own,
/// so the lines of fulcrum and of haproxy for the same traffic can be held
/// against each other. In `config` and `global`, `{log}` stands for the
/// proxy's collector's UDP address, `{logunix}` for its unix datagram path
/// and `{logtcp}` for its `tcp@` address (`{logtcpaddr}`: the same without
/// `tcp@`, for a `ring` section's `server` line).
final class SideBySideLogging {
    static let udpPlaceholder = "{log}"
    static let unixPlaceholder = "{logunix}"
    static let tcpPlaceholder = "{logtcp}"
    static let tcpAddressPlaceholder = "{logtcpaddr}"

    let sbs: SideBySide
    let collectors: [ProxyUnderTest: LogCollector]

    /// `substitutions`: more placeholders of each proxy's own (a stats socket...).
    init(_ test: XCTestCase, config: String, backends: [RecordingHTTPBackend], global: String = "",
         substitutions more: [ProxyUnderTest: [String: String]] = [:]) throws {
        var collectors: [ProxyUnderTest: LogCollector] = [:]
        var substitutions = more
        for proxy in ProxyUnderTest.allCases {
            let collector = try test.startLogCollector()
            collectors[proxy] = collector
            // "{log}" is inside neither of the others: any order of replacement works.
            substitutions[proxy, default: [:]].merge([Self.tcpAddressPlaceholder: "127.0.0.1:\(collector.tcpPort)",
                                                      Self.unixPlaceholder: collector.unixTarget,
                                                      Self.tcpPlaceholder: collector.tcpTarget,
                                                      Self.udpPlaceholder: collector.udpTarget]) { $1 }
        }
        self.collectors = collectors
        sbs = try SideBySide(test, config: config, backends: backends, global: global, substitutions: substitutions)
    }

    /// The port of frontend `frontend` (1 for `{port}`) of `proxy`.
    func port(_ proxy: ProxyUnderTest, frontend: Int = 1) -> UInt16 { sbs.ports[proxy]![frontend - 1] }

    /// Forgets every line collected so far, for both proxies.
    func clear() { for collector in collectors.values { collector.clear() } }

    /// Waits (up to `timeout`) until each proxy's collector holds at least
    /// `count` messages from `transport` and parses all it holds.
    func lines(count: Int, from transport: LogTransport = .udp, format: SyslogLineFormat = .rfc3164,
               timeout: Double = 5) throws -> [ProxyUnderTest: [SyslogLine]] {
        var result: [ProxyUnderTest: [SyslogLine]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let texts = collectors[proxy]!.waitForLines(count: count, timeout: timeout, from: transport)
            result[proxy] = try SyslogLine.parseAll(texts, format: format)
        }
        return result
    }

    /// Waits for `count` lines from each proxy, fails unless each wrote
    /// exactly `count`, and compares them pairwise with `comparison`.
    /// Returns the lines for further checks.
    @discardableResult
    func assertSameLines(count: Int, _ comparison: LogLineComparison, from transport: LogTransport = .udp,
                         format: SyslogLineFormat = .rfc3164, _ context: String = "", timeout: Double = 5,
                         file: StaticString = #filePath, line: UInt = #line) throws -> [ProxyUnderTest: [SyslogLine]] {
        let all = try lines(count: count, from: transport, format: format, timeout: timeout)
        assertSame(all, comparison, expectedCount: count, context, file: file, line: line)
        return all
    }

    /// Compares lines already collected: same count (`expectedCount` when
    /// given), then pairwise.
    func assertSame(_ all: [ProxyUnderTest: [SyslogLine]], _ comparison: LogLineComparison, expectedCount: Int? = nil,
                    _ context: String = "", file: StaticString = #filePath, line: UInt = #line) {
        let f = all[.fulcrum] ?? [], h = all[.haproxy] ?? []
        let listing = "\n fulcrum:\n" + f.map { "  \($0)" }.joined(separator: "\n")
            + "\n haproxy:\n" + h.map { "  \($0)" }.joined(separator: "\n")
        for (proxy, lines) in [(ProxyUnderTest.fulcrum, f), (.haproxy, h)] {
            if let expectedCount {
                XCTAssertEqual(lines.count, expectedCount, "\(context): \(proxy) log lines\(listing)", file: file, line: line)
            }
        }
        XCTAssertEqual(f.count, h.count, "\(context): line counts differ\(listing)", file: file, line: line)
        for (index, pair) in zip(f, h).enumerated() {
            let differences = comparison.differences(fulcrum: pair.0, haproxy: pair.1)
            XCTAssertEqual(differences, [], "\(context): line \(index + 1)", file: file, line: line)
        }
    }

    /// Checks haproxy's lines, normalised, against what the test expects of
    /// the reference (each expectation seen from haproxy 2.6.12): guards the
    /// test itself, so a comparison is only as good as its reference.
    func assertReference(_ lines: [SyslogLine], _ comparison: LogLineComparison, equal expected: [String],
                         _ context: String = "", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(lines.map { comparison.normalised($0, proxy: .haproxy).text }, expected,
                       "\(context): haproxy's own lines (the reference)", file: file, line: line)
    }

    // MARK: Raw connections

    /// Opens a connection to each proxy in turn and closes it without
    /// sending anything, waiting until the proxy closed its side too (so
    /// the proxy has finished with it, logged or not).
    func emptyConnection(frontend: Int = 1) throws {
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: port(proxy, frontend: frontend))
            defer { client.close() }
            try client.shutdownWrite()
            _ = try client.waitForClose(timeout: 5)
        }
    }

    /// Sends `bytes` to each proxy in turn on a fresh connection, half-closes
    /// (unless `halfClose` is false: a request the proxy must refuse on its
    /// own, where a FIN racing the parser would make haproxy log CR or PR at
    /// random) and waits for the proxy to close (reading whatever it answers).
    func sendAndClose(_ bytes: String, frontend: Int = 1, halfClose: Bool = true) throws {
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: port(proxy, frontend: frontend))
            defer { client.close() }
            try client.send(bytes)
            if halfClose { try client.shutdownWrite() }
            _ = try client.waitForClose(timeout: 5)
        }
    }
}
