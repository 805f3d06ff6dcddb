import Glibc
import XCTest

/// prometheus-haproxy-exporter (Debian's package) reading a stats socket:
/// pointed at Fulcrum it exports the same metric families and series as
/// pointed at haproxy 2.6 with the same configuration and traffic, and the
/// same counts.
final class PrometheusHAProxyExporterTests: XCTestCase {
    /// Series: "name{labels}" → value, and the families' "# TYPE" lines.
    struct Scrape {
        var types: Set<String> = []
        var series: [String: String] = [:]

        init(_ text: String) {
            for line in text.split(separator: "\n") {
                if line.hasPrefix("# TYPE haproxy_") { types.insert(String(line)); continue }
                guard line.hasPrefix("haproxy_"), let space = line.lastIndex(of: " ") else { continue }
                series[String(line[..<space])] = String(line[line.index(after: space)...])
            }
        }
    }

    /// `socket`: a unix socket path, or an http URL (the stats page's `;csv`).
    private func scrape(_ exporter: String, socket: String) throws -> Scrape {
        let port = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "exporter")
        defer { dir.remove() }
        let child = try ChildProcess(executable: exporter,
                                     arguments: ["--haproxy.scrape-uri=" + (socket.hasPrefix("http") ? socket : "unix:\(socket)"),
                                                 "--web.listen-address=127.0.0.1:\(port)"],
                                     environment: [:], stdoutPath: dir.file("out"), stderrPath: dir.file("err"))
        defer { _ = child.terminateTree(grace: 2) }
        XCTAssertTrue(waitUntil(timeout: 10) { !ListeningSockets.inodes(port: port).isEmpty }, "exporter listening")
        let client = try TCPClient.connect(port: port)
        defer { client.close() }
        try client.send(httpGet("/metrics", host: "127.0.0.1", ["Connection: close"]))
        let response = try XCTUnwrap(try client.readHTTPResponse(requestMethod: "GET"))
        XCTAssertEqual(response.status, 200)
        return Scrape(response.bodyText)
    }

    func testSameFamiliesSeriesAndCountsAsFromHAProxy() throws {
        let exporter = try requireTool("prometheus-haproxy-exporter")
        let lab = try CounterLab(self)
        for proxy in ProxyUnderTest.allCases { try lab.drive(proxy) }
        for proxy in ProxyUnderTest.allCases {
            XCTAssertTrue(waitUntil(timeout: 10, interval: 0.1) {
                guard let t = try? StatsTable(csv: lab.command("show stat", proxy)) else { return false }
                return t.order.allSatisfy { t.int($0, "scur") ?? 0 == 0 }
            }, "\(proxy): streams still open")
        }
        let h = try scrape(exporter, socket: lab.socketPaths[.haproxy]!)
        let f = try scrape(exporter, socket: lab.socketPaths[.fulcrum]!)
        XCTAssertEqual(f.series["haproxy_up"], "1")
        XCTAssertGreaterThan(h.types.count, 70, "haproxy's families")
        XCTAssertEqual(f.types.subtracting(h.types).sorted(), [], "families only from Fulcrum")
        XCTAssertEqual(h.types.subtracting(f.types).sorted(), [], "families missing from Fulcrum")
        // The version series names each product's own version.
        let version = "haproxy_version_info{"
        XCTAssertEqual(f.series.keys.filter { $0.hasPrefix(version) }.count, 1)
        let hs = Set(h.series.keys.filter { !$0.hasPrefix(version) }), fs = Set(f.series.keys.filter { !$0.hasPrefix(version) })
        XCTAssertEqual(fs.subtracting(hs).sorted(), [], "series only from Fulcrum")
        XCTAssertEqual(hs.subtracting(fs).sorted(), [], "series missing from Fulcrum")
        // Counts are the same traffic counted the same way (the exporter's
        // own and the time-based series aside).
        for (name, value) in h.series where name.contains("_total{") && !name.contains("downtime") {
            XCTAssertEqual(f.series[name], value, name)
        }
        XCTAssertEqual(f.series["haproxy_frontend_http_requests_total{frontend=\"fe\"}"], "12")

        // The same through each proxy's stats page (`;csv`), which the
        // exporter reads over HTTP: the same families and series, the same
        // counts outside the stats proxy that answers the scrapes.
        let hp = try scrape(exporter, socket: "http://127.0.0.1:\(lab.sideBySide.ports[.haproxy]![4])/stats;csv")
        let fp = try scrape(exporter, socket: "http://127.0.0.1:\(lab.sideBySide.ports[.fulcrum]![4])/stats;csv")
        XCTAssertEqual(fp.series["haproxy_up"], "1")
        XCTAssertEqual(fp.types, hp.types, "families through ;csv")
        let hps = Set(hp.series.keys.filter { !$0.hasPrefix(version) }), fps = Set(fp.series.keys.filter { !$0.hasPrefix(version) })
        XCTAssertEqual(fps.subtracting(hps).sorted(), [], "series only from Fulcrum through ;csv")
        XCTAssertEqual(hps.subtracting(fps).sorted(), [], "series missing from Fulcrum through ;csv")
        for (name, value) in hp.series where name.contains("_total{") && !name.contains("\"stats\"") && !name.contains("downtime") {
            XCTAssertEqual(fp.series[name], value, "through ;csv: \(name)")
        }
    }
}
