import XCTest

/// `help` on both proxies' stats sockets (admin level): every line Fulcrum
/// prints for a command haproxy 2.6 also has is haproxy's line, byte for byte.
final class SideBySideHelpTests: XCTestCase {
    func testHelpLinesOfSharedCommandsAreHAProxys() throws {
        let sockets = try SideBySideStatsSockets(self)
        _ = try SideBySide(self, config: SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request return status 200

            """, backends: [], global: SideBySideStatsSockets.global, substitutions: sockets.substitutions)
        func lines(_ proxy: ProxyUnderTest) throws -> [String: String] {
            var out: [String: String] = [:]
            for line in try MasterCLI.send("help", socketPath: sockets.paths[proxy]!).split(separator: "\n") where line.hasPrefix("  ") {
                let syntax = line.split(separator: ":", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
                out[syntax] = String(line)
            }
            return out
        }
        let fulcrum = try lines(.fulcrum), haproxy = try lines(.haproxy)
        let shared = fulcrum.keys.filter { haproxy[$0] != nil }.sorted()
        XCTAssertGreaterThan(shared.count, 40)
        for syntax in shared { XCTAssertEqual(fulcrum[syntax], haproxy[syntax], syntax) }
        for added in ["set maxconn server <bk>/<srv>", "show errors [<px>] [request|response]", "show activity", "show pools"]
        where fulcrum[added] != nil {
            XCTAssertEqual(fulcrum[added], haproxy[added], added)
        }
    }
}
