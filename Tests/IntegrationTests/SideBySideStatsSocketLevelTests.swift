import Glibc
import XCTest

/// Issue 17: stats sockets enforce their level as HAProxy's do (the same
/// commands answered, or refused with the same words, at user, operator and
/// admin level, side by side), and a stats socket given no `mode` is 0600 on
/// Fulcrum whatever the umask (HAProxy leaves it to the umask:
/// docs/differences.md), while an explicit `mode` is kept.
final class SideBySideStatsSocketLevelTests: XCTestCase {
    static let levels = ["user", "operator", "admin"]
    /// Each command's answer is deterministic on both; the order matters
    /// (weights and states change as the admin goes).
    static let commands = ["clear counters", "clear counters all", "set weight be/s1 50", "get weight be/s1",
                           "disable server be/s1", "enable server be/s1", "set maxconn frontend fe 100",
                           "set rate-limit connections global 1000", "set server be/s1 state drain"]

    func testLevelsAnswerAsHAProxyAndSocketsDefaultToMode0600() throws {
        let files = try TemporaryDirectory(prefix: "scalelvl")
        addTeardownBlock { files.remove() }
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            var paths: [String: String] = [:]
            for level in Self.levels { paths["{\(level)}"] = files.file("\(proxy)-\(level).sock") }
            paths["{explicit}"] = files.file("\(proxy)-explicit.sock")
            substitutions[proxy] = paths
        }
        let global = Self.levels.map { "    stats socket {\($0)} level \($0)\n" }.joined()
            + "    stats socket {explicit} mode 640 level user\n"
        // A umask that would leave the sockets open to everyone.
        let previous = umask(0)
        defer { umask(previous) }
        _ = try SideBySide(self, config: SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server s1 127.0.0.1:9

            """, backends: [], global: global, substitutions: substitutions)

        for level in Self.levels {
            let path = substitutions[.fulcrum]!["{\(level)}"]!
            var st = stat()
            XCTAssertEqual(stat(path, &st), 0, path)
            XCTAssertEqual(st.st_mode & 0o777, 0o600, "fulcrum's level \(level) socket without mode")
        }
        var st = stat()
        XCTAssertEqual(stat(substitutions[.fulcrum]!["{explicit}"]!, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o640, "mode 640 as written")

        var answers: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            var out: [String] = []
            for level in Self.levels {
                let socket = substitutions[proxy]!["{\(level)}"]!
                for command in Self.commands {
                    out.append("\(level) \(command): " + (try MasterCLI.send(command, socketPath: socket)))
                }
            }
            answers[proxy] = out
        }
        XCTAssertEqual(answers[.fulcrum], answers[.haproxy])
        // Refusals did happen: the comparison is of levels, not of nothing.
        XCTAssertTrue(answers[.fulcrum]?.contains { $0.hasPrefix("user set weight") && $0.contains("Permission denied") } ?? false,
                      "\(answers[.fulcrum] ?? [])")
        XCTAssertTrue(answers[.fulcrum]?.contains { $0.hasPrefix("operator clear counters all") && $0.contains("Permission denied") } ?? false,
                      "\(answers[.fulcrum] ?? [])")
    }
}
