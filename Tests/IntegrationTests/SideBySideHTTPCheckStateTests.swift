import Foundation
import XCTest

/// `http-check send-state` and `http-check disable-on-404` side by side with
/// haproxy 2.6: both proxies check the same recording server (each on its
/// own URI); the X-Haproxy-Server-State header each sends must be the same,
/// and a 404 must take the servers to NOLB and a 200 back UP in both, with
/// the same stats columns.
final class SideBySideHTTPCheckStateTests: XCTestCase {
    func testSendStateAndDisableOn404AsHAProxy() throws {
        let status = NSLock()
        var code = 200
        let server = try RecordingHTTPBackend(name: "app") { _ in
            status.lock(); defer { status.unlock() }
            return ScriptedResponse(status: code, reason: code == 200 ? "OK" : "Not Found", body: "x")
        }
        addTeardownBlock { server.stop() }
        let sockets = try SideBySideStatsSockets(self)
        var substitutions = sockets.substitutions
        for proxy in ProxyUnderTest.allCases { substitutions[proxy]!["{who}"] = proxy.rawValue }
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend b
            backend b
                option httpchk GET /{who}
                http-check send-state
                http-check disable-on-404
                server s1 127.0.0.1:\(server.port) check inter 100 rise 2 fall 2 weight 5
                server s2 127.0.0.1:\(server.port) check inter 100 weight 3

            """
        _ = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global + "    node lb1\n",
                           substitutions: substitutions)

        /// The last state header each proxy sent for each server, and its stats columns.
        func state(_ proxy: ProxyUnderTest) -> [String]? {
            var headers: [String: String] = [:]
            for r in server.requests where r.target == "/\(proxy.rawValue)" {
                guard let v = r.values("X-Haproxy-Server-State").first, let name = v.split(separator: ";").dropFirst(3).first else { continue }
                headers[String(name)] = v
            }
            guard let csv = try? MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!),
                  let table = try? StatsTable(csv: csv) else { return nil }
            var out = headers.keys.sorted().map { headers[$0]! }
            for key in ["b/s1", "b/s2", "b/BACKEND"] {
                out.append(key + ": " + ["status", "weight", "check_status", "check_code", "check_desc"]
                    .map { "\($0)=\(table.rows[key]?[$0] ?? "?")" }.joined(separator: ","))
            }
            return out
        }
        func assertSame(_ what: String, expecting word: String, file: StaticString = #filePath, line: UInt = #line) {
            var last: [ProxyUnderTest: [String]] = [:]
            let same = waitUntil(timeout: 5, interval: 0.05) {
                for proxy in ProxyUnderTest.allCases { if let s = state(proxy) { last[proxy] = s } }
                return last[.fulcrum]?.count == 5 && last[.fulcrum] == last[.haproxy]
                    && last[.fulcrum]!.prefix(2).allSatisfy { $0.hasPrefix(word) }
            }
            XCTAssertTrue(same, "\(what): fulcrum\n" + (last[.fulcrum] ?? []).joined(separator: "\n")
                          + "\nhaproxy\n" + (last[.haproxy] ?? []).joined(separator: "\n"), file: file, line: line)
        }
        assertSame("serving", expecting: "UP;")
        status.lock(); code = 404; status.unlock()
        assertSame("answering 404", expecting: "NOLB;")
        status.lock(); code = 200; status.unlock()
        assertSame("answering 200 again", expecting: "UP;")
    }
}
