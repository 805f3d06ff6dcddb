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
}
