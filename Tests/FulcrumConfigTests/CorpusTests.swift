import Foundation
import XCTest
import FulcrumBytes
import FulcrumConfig
import FulcrumLog

/// Parses every file of Corpus/: those README.md lists as valid must have no
/// alert; every other file must produce alerts, all of them "not supported yet".
final class CorpusTests: XCTestCase {
    private var corpus: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")
    }

    /// File names listed under "## Expected valid" in Corpus/README.md.
    private func expectedValid() throws -> Set<String> {
        let readme = try String(contentsOf: corpus.appendingPathComponent("README.md"), encoding: .utf8)
        var names: Set<String> = []
        var inValid = false
        for line in readme.split(separator: "\n") {
            if line.hasPrefix("## ") { inValid = line.hasPrefix("## Expected valid") }
            if inValid, line.hasPrefix("- `"), let end = line.dropFirst(3).firstIndex(of: "`") {
                names.insert(String(line[line.index(line.startIndex, offsetBy: 3)..<end]))
            }
        }
        return names
    }

    func testCorpus() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".cfg") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 10)
        let valid = try expectedValid()
        XCTAssertGreaterThanOrEqual(valid.count, 5)
        XCTAssertTrue(valid.isSubset(of: Set(files)), "README lists missing files: \(valid.subtracting(files))")
        for file in files {
            let text = try String(contentsOf: corpus.appendingPathComponent(file), encoding: .utf8)
            let result = ConfigParser.parse([ConfigSource(name: file, text: text)], environment: [:])
            let alerts = result.diagnostics.filter { $0.severity == .alert }
            if valid.contains(file) {
                XCTAssertEqual(alerts.map(\.description), [], file)
                XCTAssertFalse(result.configuration.frontends.isEmpty, file)
                for frontend in result.configuration.frontends {
                    XCTAssertNotNil(frontend.defaultBackend.flatMap(result.configuration.backend(named:)), "\(file): \(frontend.name)")
                }
            } else {
                XCTAssertFalse(alerts.isEmpty, "\(file) is not listed as valid but has no alert")
                for alert in alerts {
                    XCTAssertTrue(alert.message.contains("not supported yet"), "\(file): \(alert)")
                }
            }
        }
    }

    func testDebianDefaultReportsEachUnsupportedLine() throws {
        let text = try String(contentsOf: corpus.appendingPathComponent("debian-default.cfg"), encoding: .utf8)
        let result = ConfigParser.parse([ConfigSource(name: "haproxy.cfg", text: text)], environment: [:])
        let alerts = result.diagnostics.filter { $0.severity == .alert }
        // Logging is parsed (issue 11): what is left is TLS.
        XCTAssertFalse(alerts.contains { $0.message.contains("log") }, "\(alerts)")
        XCTAssertEqual(result.configuration.global.logTargets.map(\.address), [.unixDatagram(path: "/dev/log"), .unixDatagram(path: "/dev/log")])
        XCTAssertEqual(result.configuration.global.logTargets.map(\.facility), [.local0, .local1])
        XCTAssertEqual(result.configuration.global.logTargets.map(\.level), [.debug, .notice])
        let logging = try XCTUnwrap(result.configuration.frontends.first?.logging)
        XCTAssertEqual(logging.targets.map(\.viaLogGlobal), [true, true])
        XCTAssertEqual(logging.format, .httplog)
        XCTAssertTrue(logging.dontLogNull)
        XCTAssertFalse(alerts.contains { $0.message.contains("mode") }, "\(alerts)")
        XCTAssertEqual(result.configuration.frontends.first?.mode, .http)
        XCTAssertEqual(alerts.filter { $0.message.contains("errorfile") }.count, 0)
        XCTAssertEqual(result.configuration.frontends.first?.http.errorFiles[503], "/etc/haproxy/errors/503.http")
        XCTAssertEqual(result.configuration.backend(named: "web")?.http.errorFiles.count, 7)
        // What is served is still parsed.
        XCTAssertEqual(result.configuration.global.user, "haproxy")
        XCTAssertEqual(result.configuration.global.chroot, "/var/lib/haproxy")
        XCTAssertTrue(result.configuration.global.daemon)
        let socket = result.configuration.global.statsSockets.first
        XCTAssertEqual(socket?.path, "/run/haproxy/admin.sock")
        XCTAssertEqual(socket?.mode, 0o660)
        XCTAssertEqual(socket?.level, .admin)
        XCTAssertEqual(result.configuration.global.statsTimeout, 30_000)
        let check = result.configuration.backend(named: "web")?.healthCheck
        XCTAssertEqual(check?.kind, .http)
        XCTAssertEqual(check?.method, "GET")
        XCTAssertEqual(check?.uri, "/health")
        XCTAssertFalse(alerts.contains { $0.location?.line == 5 || $0.location?.line == 6 || $0.location?.line == 42 }, "\(alerts)")
    }
    func testHealthChecksCorpusResolves() throws {
        let text = try String(contentsOf: corpus.appendingPathComponent("tcp-health-checks.cfg"), encoding: .utf8)
        let result = ConfigParser.parse([ConfigSource(name: "hc.cfg", text: text)], environment: [:])
        XCTAssertEqual(result.diagnostics, [])
        let c = result.configuration
        XCTAssertEqual(c.global.statsSockets.map(\.level), [.admin])
        XCTAssertEqual(c.global.spreadChecks, 5)
        let redis = c.backend(named: "redis")!.healthCheck
        XCTAssertEqual(redis.kind, .tcpCheck)
        XCTAssertEqual(redis.tcpRules.count, 7)
        XCTAssertEqual(redis.tcpRules.last, .expect(negated: true, matcher: .rstring("^-ERR")))
        XCTAssertEqual(c.backend(named: "redis")!.servers.map(\.params.onError), [.markDown, .suddenDeath])
        let app = c.backend(named: "app")!
        XCTAssertEqual(app.healthCheck.kind, .http)
        XCTAssertEqual(app.healthCheck.headers, [HTTPHeaderField(name: "Host", value: "app.internal")])
        XCTAssertEqual(app.healthCheck.expect, HTTPCheckExpect(negated: false, matcher: .status([200...299])))
        XCTAssertEqual(app.timeouts.check, 2000)
        XCTAssertEqual(app.servers.map(\.params.slowstart), [20_000, nil])
        XCTAssertEqual(app.servers.map(\.params.observe), [.layer4, nil])
        let api = c.backend(named: "api")!.healthCheck
        XCTAssertEqual([api.method, api.uri, api.version], ["HEAD", "/ready", "HTTP/1.1"])
        XCTAssertEqual(api.headers, [HTTPHeaderField(name: "Host", value: "api.internal")])
        XCTAssertEqual(api.expect, HTTPCheckExpect(negated: true, matcher: .rstatus("^5")))
    }

    func testHTTPRoutingCorpusResolves() throws {
        let text = try String(contentsOf: corpus.appendingPathComponent("http-routing.cfg"), encoding: .utf8)
        let result = ConfigParser.parse([ConfigSource(name: "r.cfg", text: text)], environment: [:])
        XCTAssertEqual(result.diagnostics, [])
        let c = result.configuration
        let www = c.frontends[0].http
        XCTAssertEqual(www.acls.filter { $0.name == "is_api" }.count, 2)
        XCTAssertEqual(www.requestRules.count, 5)
        XCTAssertEqual(www.responseRules.count, 2)
        XCTAssertEqual(www.useBackends.map(\.backend.isConstant), [true, false])
        XCTAssertEqual(www.useBackends[0].condition?.groups.count, 2)
        XCTAssertEqual(www.redirects.first?.code, 301)
        XCTAssertEqual(www.connectionMode, .serverClose)
        XCTAssertEqual(www.forwardFor?.except, IPNetwork("127.0.0.0/8"))
        XCTAssertEqual(c.userlists.first?.groups["admins"], ["alice"])
        XCTAssertEqual(c.global.bufferSize, 32768)
        let staticBackend = c.backend(named: "static")!
        XCTAssertEqual(staticBackend.balance, .uri(whole: true, length: 0, depth: 0))
        XCTAssertEqual(staticBackend.http.cookie?.name, "SRV")
        XCTAssertEqual(staticBackend.http.retryOn, ["connect-failure", "empty-response", "503"])
        XCTAssertEqual(staticBackend.http.compression.algorithms, [.gzip])
        XCTAssertEqual(staticBackend.servers.map(\.params.cookie), ["s1", "s2"])
        XCTAssertEqual(c.backend(named: "api")?.balance, .header("x-tenant"))
        XCTAssertEqual(c.backend(named: "api")?.http.errorResponses[502]?.contentType, "application/json")
    }
}
