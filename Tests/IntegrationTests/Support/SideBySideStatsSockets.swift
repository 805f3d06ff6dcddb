import XCTest

/// A stats socket for each proxy of a side-by-side run: `{statsock}` in the
/// configuration becomes each one's own path (pass `substitutions` and
/// `global` to `SideBySide`); `paths` says where to send commands.
struct SideBySideStatsSockets {
    let paths: [ProxyUnderTest: String]
    let substitutions: [ProxyUnderTest: [String: String]]
    /// The global line that opens it, at admin level.
    static let global = "    stats socket {statsock} level admin\n"

    init(_ test: XCTestCase) throws {
        let files = try TemporaryDirectory(prefix: "stsock")
        test.addTeardownBlock { files.remove() }
        var paths: [ProxyUnderTest: String] = [:]
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            paths[proxy] = files.file("\(proxy).sock")
            substitutions[proxy] = ["{statsock}": paths[proxy]!]
        }
        self.paths = paths
        self.substitutions = substitutions
    }

    /// `show servers state BACKEND` on `proxy`'s socket, each server as
    /// "address op admin uweight fqdn port srvrecord" (what DNS resolution
    /// moves), sorted; empty when the socket does not answer.
    func resolvedServers(_ proxy: ProxyUnderTest, backend: String = "be") -> [String] {
        let text = (try? MasterCLI.send("show servers state \(backend)", socketPath: paths[proxy]!)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line -> String? in
            let f = line.split(separator: " ").map(String.init)
            return f.count > 19 ? [4, 5, 6, 7, 17, 18, 19].map { f[$0] }.joined(separator: " ") : nil
        }.sorted()
    }
}
