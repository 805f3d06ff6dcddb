import XCTest
import Foundation

/// systemd/fulcrum.service as systemd reads it: `systemd-analyze verify`
/// accepts it, it has the settings issue 5 asks for, and its ExecReload
/// commands — run in order as systemd runs them, stopping at the first that
/// fails — make `systemctl reload` fail on a bad configuration while the
/// running daemon keeps serving, and reload it on a good one.
final class SystemdUnitTests: XCTestCase {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private func unitText() throws -> String {
        try String(contentsOfFile: Self.root.appendingPathComponent("systemd/fulcrum.service").path, encoding: .utf8)
    }

    /// `Key=value` settings of the [Service] section, in order (repeated keys kept).
    private func serviceSettings(_ text: String) -> [(String, String)] {
        var inService = false
        var out: [(String, String)] = []
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { inService = line == "[Service]"; continue }
            guard inService, !line.hasPrefix("#"), let eq = line.firstIndex(of: "=") else { continue }
            out.append((String(line[..<eq]), String(line[line.index(after: eq)...])))
        }
        return out
    }

    func testUnitVerifiesWithSystemdAnalyze() throws {
        let analyze = try requireTool("systemd-analyze")
        let dir = try TemporaryDirectory(prefix: "fulcrum-unit")
        defer { dir.remove() }
        // The unit names the installed path; point it at the binary under test.
        let unit = try dir.write("fulcrum.service", try unitText().replacingOccurrences(of: "/usr/sbin/fulcrum",
                                                                                         with: try FulcrumBinary.path()))
        let result = try CommandRunner.run(analyze, ["verify", unit])
        XCTAssertTrue(result.succeeded, result.output)
        XCTAssertEqual(result.output.split(separator: "\n").filter { $0.contains("fulcrum.service") }, [],
                       "systemd complains about the unit")
    }

    func testUnitHasTheSettingsProductionNeeds() throws {
        let settings = serviceSettings(try unitText())
        func value(_ key: String) -> String? { settings.last { $0.0 == key }?.1 }
        XCTAssertEqual(value("Type"), "notify")
        XCTAssertEqual(value("KillMode"), "mixed")
        XCTAssertEqual(value("Restart"), "always")
        XCTAssertEqual(value("NoNewPrivileges"), "true")
        XCTAssertEqual(value("ProtectSystem"), "strict")
        XCTAssertNotNil(value("ReadWritePaths"))
        let caps = Set((value("CapabilityBoundingSet") ?? "").split(separator: " ").map(String.init))
        XCTAssertTrue(caps.isSuperset(of: ["CAP_NET_BIND_SERVICE", "CAP_NET_ADMIN", "CAP_NET_RAW"]), "\(caps)")
        XCTAssertTrue(value("ExecStart")?.contains("-Ws") == true, "the master speaks sd_notify only with -Ws")
        let reload = settings.filter { $0.0 == "ExecReload" }.map(\.1)
        XCTAssertEqual(reload.count, 2)
        XCTAssertTrue(reload.first?.contains(" -c ") == true, "the configuration is checked before the signal: \(reload)")
    }

    /// Runs the unit's ExecReload lines as systemd would for `systemctl
    /// reload`: $CONFIG and $MAINPID substituted, split into words (no shell),
    /// in order, stopping at the first failure. Returns the failing line's
    /// output, or nil when all succeeded.
    private func systemctlReload(config: String, mainPID: pid_t) throws -> String? {
        let binary = try FulcrumBinary.path()
        for (key, line) in serviceSettings(try unitText()) where key == "ExecReload" {
            let words = line.replacingOccurrences(of: "/usr/sbin/fulcrum", with: binary)
                .replacingOccurrences(of: "$CONFIG", with: config)
                .replacingOccurrences(of: "$MAINPID", with: String(mainPID))
                .split(separator: " ").map(String.init)
            let result = try CommandRunner.run(words[0], Array(words.dropFirst()))
            if !result.succeeded { return "\(line): \(result.exit)\n\(result.output)" }
        }
        return nil
    }

    func testExecReloadFailsVisiblyOnABadConfigAndReloadsAGoodOne() throws {
        let echo = try startBackend(.echo)
        let port = try FreePort.next()
        let good = ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", echo.port)], workers: 2)
        let p = try startFulcrum(config: good, arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        try p.waitForChildren(count: 2)
        let workers = Set(p.childPids(role: "worker"))

        try p.writeConfig(good + "backend broken\n    balance nosuchalgorithm\n")
        let failure = try systemctlReload(config: p.configPath, mainPID: p.pid)
        XCTAssertNotNil(failure, "systemctl reload must fail on a bad configuration")
        XCTAssertTrue(failure?.contains("nosuchalgorithm") == true, failure ?? "")
        sleepSeconds(0.5)
        XCTAssertEqual(Set(p.childPids(role: "worker")), workers, "nothing was signalled")
        XCTAssertNil(try ReloadTestHelpers.echoExchange(try TCPClient.connect(port: port)))

        try p.writeConfig(good)
        XCTAssertNil(try systemctlReload(config: p.configPath, mainPID: p.pid))
        XCTAssertTrue(waitUntil(timeout: 10) {
            let now = Set(p.childPids(role: "worker"))
            return now.count == 2 && now.isDisjoint(with: workers)
        }, "a new generation serves after the reload: \(p.childPids())")
        XCTAssertNil(try ReloadTestHelpers.echoExchange(try TCPClient.connect(port: port)))
    }
}
