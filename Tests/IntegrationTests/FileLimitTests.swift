import Glibc
import XCTest

/// The file-descriptor limit as HAProxy 2.6 sets it: what `maxconn` needs or
/// `ulimit-n`, fatal under `strict-limits` (the default) when it cannot be
/// raised, a warning and HAProxy's alert without it; side by side with
/// haproxy on the same configurations.
final class FileLimitTests: XCTestCase {
    /// A maxconn whose descriptors exceed fs.nr_open, so even root cannot raise the limit that far.
    private static let hugeMaxconn = 1_000_000

    private func config(_ global: String, port: UInt16) -> String {
        "global\n\(global)\n" + SideBySide.httpDefaults + """
        frontend fe
            bind 127.0.0.1:\(port)
            http-request return status 200

        """
    }

    /// The message after "[ALERT]"/"[WARNING]" and the pid HAProxy prints, program name normalised.
    private func limitLines(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            guard let r = line.range(of: ".main()] ") else { return nil }
            let level = line.contains("[ALERT]") ? "ALERT" : "WARNING"
            return level + " " + line[r.upperBound...]
        }
    }

    func testAMaxconnTheLimitCannotReachStopsTheStartUnderStrictLimits() throws {
        let haproxy = try requireTool("haproxy")
        let nrOpen = Int((FileBytes.readText("/proc/sys/fs/nr_open") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        guard nrOpen > 0, nrOpen < Self.hugeMaxconn * 2 else { throw XCTSkip("fs.nr_open (\(nrOpen)) lets the limit reach \(Self.hugeMaxconn * 2)") }
        var lines: [ProxyUnderTest: [String]] = [:]
        for strict in ["    strict-limits", ""] {
            for proxy in ProxyUnderTest.allCases {
                let text = config("    maxconn \(Self.hugeMaxconn)\n\(strict)", port: try FreePort.next())
                let p = proxy == .fulcrum
                    ? try startFulcrum(config: text, arguments: ["-f", "{config}"])
                    : try startFulcrum(config: text, arguments: ["-db", "-f", "{config}"], executable: haproxy)
                XCTAssertEqual(p.waitForExit(timeout: 10), .exited(1), "\(proxy) with '\(strict)': exit status")
                lines[proxy] = limitLines(p.stderrText)
            }
            XCTAssertEqual(lines[.fulcrum], lines[.haproxy], "with '\(strict)'")
            XCTAssertEqual(lines[.fulcrum]?.first?.hasPrefix("ALERT Cannot raise FD limit to 2000017, limit is "), true,
                           "\(lines[.fulcrum] ?? [])")
        }
    }

    func testNoStrictLimitsWarnsAndServes() throws {
        let haproxy = try requireTool("haproxy")
        var lines: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let port = try FreePort.next()
            let text = config("    maxconn \(Self.hugeMaxconn)\n    no strict-limits", port: port)
            let p = proxy == .fulcrum
                ? try startFulcrum(config: text, arguments: ["-f", "{config}"])
                : try startFulcrum(config: text, arguments: ["-db", "-f", "{config}"], executable: haproxy)
            try p.waitUntilListening(port: port)
            XCTAssertTrue(p.waitForStderr(containing: "too low for maxconn="), "\(proxy): \(p.stderrText)")
            lines[proxy] = limitLines(p.stderrText)
            XCTAssertEqual(try CommandRunner.run("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/"]).stdout,
                           "200", "\(proxy) serves")
        }
        XCTAssertEqual(lines[.fulcrum], lines[.haproxy])
        XCTAssertEqual(lines[.fulcrum]?.count, 2, "\(lines[.fulcrum] ?? [])")
    }

    func testUlimitNIsTheWorkersLimit() throws {
        let port = try FreePort.next()
        let p = try startFulcrum(config: config("    ulimit-n 4321\n    workers 1", port: port), arguments: ["-f", "{config}"])
        try p.waitUntilListening(port: port)
        let worker = try p.waitForChildren(count: 1)[0]
        let limits = FileBytes.readText("/proc/\(worker)/limits") ?? ""
        let line = limits.split(separator: "\n").first { $0.hasPrefix("Max open files") }.map(String.init) ?? ""
        XCTAssertEqual(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst(3).first, "4321", limits)
    }
}
