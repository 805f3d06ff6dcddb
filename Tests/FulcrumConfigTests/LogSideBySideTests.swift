import Foundation
import XCTest
@testable import FulcrumConfig

/// Each logging line below goes through haproxy 2.6's `-c` (when
/// /usr/sbin/haproxy is installed) and through Fulcrum's parser: both must
/// accept it or both refuse it, except where `deviations` says why Fulcrum
/// differs on purpose.
final class LogSideBySideTests: XCTestCase {
    private static let haproxy = "/usr/sbin/haproxy"
    private static let timeouts = "defaults\n  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n"

    /// Lines of the global section, with a frontend after them.
    static let globalLines = [
        "log /dev/log local0", "log 127.0.0.1 local0", "log 127.0.0.1:0 local0", "log :514 local0",
        "log ipv6@::1 local0", "log udp6@[::1] local0", "log tcp@1.2.3.4 local0", "log fd@3 local0",
        "log stdout format raw daemon", "log stderr format short local0 info",
        "log 127.0.0.1 len 100 format rfc5424 sample 1:1 local0 info err", "log 127.0.0.1 format local local0",
        "log 127.0.0.1 format iso local0", "log 127.0.0.1 format foo local0", "log 127.0.0.1 sample 5,1-2:5 local0",
        "log 127.0.0.1 sample 1-1:1 local0", "log 127.0.0.1 sample 1,,2:3 local0", "log 127.0.0.1 sample 1:0 local0",
        "log 127.0.0.1 local0 err info", "log 127.0.0.1 local0 info err x",
        "log 127.0.0.1 len +100 local0", "log 127.0.0.1 len 100x local0", "log 10.0.0.1:00514 local0",
        "log [::1] local0", "log ::1 local0", "log 1.2.3.4:514-520 local0", "log 127.0.0.1:70000 local0",
        "log fd@x local0", "log global", "no log", "no log foo", "log ring@r local0",
        "log-send-hostname a b", "log-tag x", "log-tag a b", "node ok", "node a/b", "description a b",
        "description", "log 127.0.0.1 foo", "log 127.0.0.1", "log unix@ local0",
    ]

    /// Lines of an http frontend that logs to the global target.
    static let frontendLines = [
        "log global", "no log", "log", "log-tag a b", "unique-id-header a b", "option httpslog x",
        "option log-health-checks", "option log-separate-errors", "no option log-separate-errors",
        "option dontlog-normal", "default option dontlognull", "no option httplog", "option httplog foo",
        "option httplog clf", "option tcplog x", "description a b c", "capture request header Host len x",
        "capture request header Host len 0", "capture request header Host", "capture cookie SID foo 10",
        "capture cookie SID len 10 x", "capture cookie SID len", "capture foo", "declare capture request len 5 x",
        "declare capture request len 5x", "declare capture request len -1", "declare capture foo len 1",
        "http-request capture req.hdr(host) len 10", "http-request capture req.hdr(host) len 10x",
        "http-request capture req.hdr(host) len 0", "http-request capture req.hdr(host) id 0",
        "http-request capture req.hdr(host) foo 1", "http-request set-log-level silent",
        "http-request set-log-level foo", "http-request set-log-level err x",
        "http-response set-log-level debug if TRUE", "log-format %[src]", "log-format a b",
        "log-format-sd x", "error-log-format x", "unique-id-format x", "log-send-hostname", "node x",
        "http-request capture req.hdr(host) id -1",
    ]

    /// Where Fulcrum refuses on purpose what haproxy accepts: a unix socket
    /// with no path; a capture id that names no slot (haproxy indexes before
    /// its slots at run time); a ring server without a port (port 0) or with
    /// server options that do nothing for a ring in Fulcrum yet.
    static let deviations: Set<String> = [
        "log unix@ local0", "http-request capture req.hdr(host) id -1",
        "server s1 127.0.0.1", "server s1 /tmp/x", "server s1 127.0.0.1:514 check",
    ]

    /// Lines of a `ring r` section.
    static let ringLines = [
        "format rfc5424", "format x", "format", "maxlen 100000", "maxlen 0", "maxlen 10x", "size 100", "size 100000",
        "size 0", "timeout", "timeout client 1s", "timeout connect", "timeout connect 1s x", "timeout server 1x",
        "description a b", "description", "foo", "server s1 127.0.0.1:514", "server s1 udp@127.0.0.1:514",
        "server s1 tcp@127.0.0.1:514 log-proto octet-count", "server s1 127.0.0.1:514 log-proto foo",
        "server s1 127.0.0.1", "server s1 /tmp/x", "server s1 127.0.0.1:514 check",
    ]

    /// Runs haproxy -c on every text at once; true where it accepts.
    private func haproxyAccepts(_ texts: [String]) throws -> [Bool] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fulcrum-log-sbs-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var processes: [Process] = []
        for (i, text) in texts.enumerated() {
            let file = dir.appendingPathComponent("\(i).cfg")
            try text.write(to: file, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.haproxy)
            process.arguments = ["-c", "-q", "-f", file.path]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            processes.append(process)
        }
        // 2: valid, but no listener to start.
        return processes.map { $0.waitUntilExit(); return $0.terminationStatus == 0 || $0.terminationStatus == 2 }
    }

    private func compare(_ cases: [(line: String, text: String)]) throws {
        let expected = try haproxyAccepts(cases.map(\.text))
        for (c, accepts) in zip(cases, expected) {
            let fulcrum = parse(c.text).alerts
            if Self.deviations.contains(c.line) {
                XCTAssertTrue(accepts && !fulcrum.isEmpty, "'\(c.line)' is listed as a deviation but is not one")
                continue
            }
            XCTAssertEqual(fulcrum.isEmpty, accepts, "'\(c.line)': haproxy \(accepts ? "accepts" : "refuses"), Fulcrum says \(fulcrum)")
        }
    }

    func testGlobalLinesAsHAProxy() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Self.haproxy), "haproxy 2.6 is not installed")
        try compare(Self.globalLines.map { line in
            (line, "global\n  \(line)\n" + Self.timeouts + "frontend f\n  bind :8080\n" + (line.contains("ring@r") ? "ring r\n" : ""))
        })
    }

    func testRingLinesAsHAProxy() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Self.haproxy), "haproxy 2.6 is not installed")
        try compare(Self.ringLines.map { line in
            (line, "ring r\n  \(line)\n" + Self.timeouts + "frontend f\n  bind :8080\n")
        })
    }

    func testFrontendLinesAsHAProxy() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: Self.haproxy), "haproxy 2.6 is not installed")
        try compare(Self.frontendLines.map { line in
            (line, "global\n  log 127.0.0.1 local0\n" + Self.timeouts + "  mode http\nfrontend f\n  bind :8080\n  \(line)\n")
        })
    }
}
