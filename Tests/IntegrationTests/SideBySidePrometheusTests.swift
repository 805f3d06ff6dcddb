import XCTest

/// `http-request use-service prometheus-exporter` scraped from Fulcrum and
/// from haproxy 2.6 with the same configuration after the same traffic: the
/// same metric families (HELP and TYPE lines), the same series (names and
/// labels) and the same counts.
final class SideBySidePrometheusTests: XCTestCase {
    struct Scrape {
        var comments: [String] = []
        var series: [String: String] = [:]
        var order: [String] = []

        init(_ text: String) {
            for line in text.split(separator: "\n") {
                if line.hasPrefix("#") { comments.append(String(line)); continue }
                guard let space = line.lastIndex(of: " ") else { continue }
                let name = String(line[..<space])
                series[name] = String(line[line.index(after: space)...])
                order.append(name)
            }
        }
    }

    /// Fails with what differs: lines only on one side, else the first line out of order.
    private func assertSameLines(_ ours: [String], _ theirs: [String], _ what: String,
                                 file: StaticString = #filePath, line: UInt = #line) {
        let extra = Set(ours).subtracting(theirs).sorted(), missing = Set(theirs).subtracting(ours).sorted()
        XCTAssertEqual(extra, [], "\(what): only from Fulcrum", file: file, line: line)
        XCTAssertEqual(missing, [], "\(what): missing from Fulcrum", file: file, line: line)
        if extra.isEmpty && missing.isEmpty, let i = zip(ours, theirs).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            XCTFail("\(what): order differs at \(i): fulcrum \(ours[i]) haproxy \(theirs[i])", file: file, line: line)
        }
        XCTAssertEqual(ours.count, theirs.count, "\(what): count", file: file, line: line)
    }

    private func scrape(_ lab: CounterLab, _ proxy: ProxyUnderTest, _ target: String) throws -> (Int, Scrape) {
        let client = try TCPClient.connect(port: lab.sideBySide.ports[proxy]![3])
        defer { client.close() }
        try client.send(httpGet(target))
        let response = try XCTUnwrap(try client.readHTTPResponse(requestMethod: "GET"), "\(proxy) \(target)")
        return (response.status, Scrape(response.bodyText))
    }

    func testSameFamiliesSeriesAndCounts() throws {
        let lab = try CounterLab(self)
        for proxy in ProxyUnderTest.allCases {
            try lab.drive(proxy)
            XCTAssertTrue(waitUntil(timeout: 10, interval: 0.1) {
                guard let t = try? StatsTable(csv: lab.command("show stat", proxy)) else { return false }
                return t.order.allSatisfy { t.int($0, "scur") ?? 0 == 0 }
            }, "\(proxy): streams still open")
        }
        let (hs, h) = try scrape(lab, .haproxy, "/metrics")
        let (fs, f) = try scrape(lab, .fulcrum, "/metrics")
        XCTAssertEqual(fs, hs)
        XCTAssertGreaterThan(h.comments.count, 200, "haproxy's HELP and TYPE lines")
        assertSameLines(f.comments, h.comments, "HELP and TYPE lines")
        // Series whose value is the product's own (version, build, process).
        let own = ["haproxy_process_build_info", "haproxy_process_"]
        func comparable(_ s: Scrape) -> [String] { s.order.filter { name in !own.contains { name.hasPrefix($0) } } }
        assertSameLines(comparable(f), comparable(h), "series names and labels")
        // Counts of the same traffic, outside the exporter's own frontend.
        for name in comparable(h) where name.contains("_total{") && !name.contains("\"prom\"") && !name.contains("downtime") {
            XCTAssertEqual(f.series[name], h.series[name], name)
        }
        XCTAssertEqual(f.series["haproxy_frontend_http_requests_total{proxy=\"fe\"}"], "12")
        // scope and no-maint narrow the scrape as in haproxy; a bad scope is a 400.
        for target in ["/metrics?scope=backend", "/metrics?scope=server&no-maint", "/metrics?scope=global&scope=frontend"] {
            let (hs2, h2) = try scrape(lab, .haproxy, target)
            let (fs2, f2) = try scrape(lab, .fulcrum, target)
            XCTAssertEqual(fs2, hs2, target)
            assertSameLines(f2.comments, h2.comments, target)
            assertSameLines(comparable(f2), comparable(h2), target)
        }
        XCTAssertEqual(try scrape(lab, .fulcrum, "/metrics?scope=nothing").0, try scrape(lab, .haproxy, "/metrics?scope=nothing").0)
    }
}
