import XCTest

/// Fulcrum with `workers N` against haproxy with `nbthread N`, each with an
/// admin stats socket of its own: pass `global` and `substitutions` to
/// `SideBySide`; `paths` says where each proxy's socket is.
struct SideBySideWorkerSockets {
    let paths: [ProxyUnderTest: String]
    let substitutions: [ProxyUnderTest: [String: String]]
    static let global = "    {threads}\n    stats socket {admin} level admin\n"

    init(_ test: XCTestCase, workers: Int = 2) throws {
        let dir = try TemporaryDirectory(prefix: "sbsw")
        test.addTeardownBlock { dir.remove() }
        var paths: [ProxyUnderTest: String] = [:], substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            paths[proxy] = dir.file("\(proxy).sock")
            substitutions[proxy] = ["{admin}": paths[proxy]!,
                                    "{threads}": proxy == .fulcrum ? "workers \(workers)" : "nbthread \(workers)"]
        }
        self.paths = paths
        self.substitutions = substitutions
    }
}
