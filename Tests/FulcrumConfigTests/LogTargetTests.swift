import XCTest
import FulcrumLog
@testable import FulcrumConfig

/// The `log` line: targets, options, errors (messages checked against
/// haproxy 2.6.12 `-c` on the same lines), `log global`, `no log` and
/// inheritance from defaults (checked against haproxy 2.6 running, with a UDP
/// receiver per target).
final class LogTargetTests: XCTestCase {
    private func globalTargets(_ lines: String, file: StaticString = #filePath, line: UInt = #line) -> [LogTarget] {
        let r = parse("global\n\(lines)\n")
        XCTAssertEqual(r.alerts, [], file: file, line: line)
        return r.configuration.global.logTargets
    }

    func testAddressForms() {
        let cases: [(String, LogTargetAddress)] = [
            ("/dev/log", .unixDatagram(path: "/dev/log")),
            ("unix@/run/syslog.sock", .unixDatagram(path: "/run/syslog.sock")),
            ("uxdg@/tmp/s", .unixDatagram(path: "/tmp/s")),
            ("127.0.0.1", .udp(host: "127.0.0.1", port: 514, family: .any)),
            ("127.0.0.1:0", .udp(host: "127.0.0.1", port: 514, family: .any)),
            ("127.0.0.1:515", .udp(host: "127.0.0.1", port: 515, family: .any)),
            ("syslog.example.com:5140", .udp(host: "syslog.example.com", port: 5140, family: .any)),
            ("udp@10.0.0.1:1514", .udp(host: "10.0.0.1", port: 1514, family: .any)),
            ("udp4@10.0.0.1", .udp(host: "10.0.0.1", port: 514, family: .ipv4)),
            ("ipv4@logs", .udp(host: "logs", port: 514, family: .ipv4)),
            ("udp6@[::1]", .udp(host: "::1", port: 514, family: .ipv6)),
            ("ipv6@[::1]:515", .udp(host: "::1", port: 515, family: .ipv6)),
            ("[2001:db8::1]:514", .udp(host: "2001:db8::1", port: 514, family: .any)),
            (":514", .udp(host: "0.0.0.0", port: 514, family: .any)),
            ("tcp@127.0.0.1:601", .tcp(host: "127.0.0.1", port: 601, family: .any)),
            ("tcp@127.0.0.1", .tcp(host: "127.0.0.1", port: 514, family: .any)),
            ("tcp4@1.2.3.4", .tcp(host: "1.2.3.4", port: 514, family: .ipv4)),
            ("tcp6@[::1]:515", .tcp(host: "::1", port: 515, family: .ipv6)),
            ("stdout", .fd(1)),
            ("stderr", .fd(2)),
            ("fd@1", .fd(1)),
            ("fd@3", .fd(3)),
            ("ring@buf", .ring("buf")),
        ]
        for (text, expected) in cases {
            var config = "global\n  log \(text) local0\n"
            if text.hasPrefix("ring@") { config += "ring buf\n" }
            let r = parse(config)
            XCTAssertEqual(r.alerts, [], text)
            XCTAssertEqual(r.configuration.global.logTargets.first?.address, expected, text)
        }
    }

    func testDefaultsOfALogLine() throws {
        let t = try XCTUnwrap(globalTargets("  log /dev/log local0").first)
        XCTAssertEqual(t.maxLength, 1024)
        XCTAssertEqual(t.format, .unspecified, "no format keyword: rfc3164 without the hostname field unless log-send-hostname")
        XCTAssertNil(t.sampling)
        XCTAssertEqual(t.facility, .local0)
        XCTAssertEqual(t.level, .debug)
        XCTAssertEqual(t.minLevel, .emerg)
        XCTAssertFalse(t.viaLogGlobal)
        XCTAssertEqual(t.location, SourceLocation(file: "t.cfg", line: 2, column: 3))
    }

    func testEveryOptionInHAProxysOrder() throws {
        let t = try XCTUnwrap(globalTargets("  log 127.0.0.1:5140 len 2048 format rfc5424 sample 2-3,1:4 daemon notice err").first)
        XCTAssertEqual(t.maxLength, 2048)
        XCTAssertEqual(t.format, .rfc5424)
        XCTAssertEqual(t.sampling, LogSampling(ranges: [1...1, 2...3], size: 4))
        XCTAssertEqual(t.facility, .daemon)
        XCTAssertEqual(t.level, .notice)
        XCTAssertEqual(t.minLevel, .err)
        for format in ["rfc3164", "rfc5424", "short", "raw", "iso", "timed", "priority", "local"] {
            XCTAssertEqual(globalTargets("  log stdout format \(format) local0").first?.format.name, format)
        }
        XCTAssertEqual(globalTargets("  log stdout len 80 local0").first?.maxLength, 80)
        XCTAssertEqual(globalTargets("  log stdout len 65535 local0").first?.maxLength, 65535)
        // HAProxy reads the length with atoi().
        XCTAssertEqual(globalTargets("  log stdout len +100 local0").first?.maxLength, 100)
        XCTAssertEqual(globalTargets("  log stdout len 100x local0").first?.maxLength, 100)
    }

    func testLogLineErrorsAsHAProxy() {
        let cases: [(String, String, Int)] = [
            ("log", "'log' expects <address> and <facility> as arguments", 3),
            ("log 127.0.0.1", "'log' expects <address> and <facility> as arguments", 3),
            ("log 127.0.0.1 foo", "'log' : unknown log facility 'foo'", 17),
            ("log 127.0.0.1 local0 foo", "'log' : unknown optional log level 'foo'", 24),
            ("log 127.0.0.1 local0 info bar", "'log' : unknown optional minimum log level 'bar'", 29),
            ("log 127.0.0.1 local0 info err extra", "'log' : cannot handle unexpected argument 'extra'", 33),
            ("log 127.0.0.1 len 79 local0", "'log' : invalid log length '79', must be between 80 and 65535", 21),
            ("log 127.0.0.1 len 65536 local0", "'log' : invalid log length '65536', must be between 80 and 65535", 21),
            ("log 127.0.0.1 len abc local0", "'log' : invalid log length 'abc', must be between 80 and 65535", 21),
            ("log 127.0.0.1 format foo local0", "'log' : unknown log format 'foo'", 24),
            // The order is fixed: len, format, sample.
            ("log 127.0.0.1 format raw len 100 local0", "'log' : unknown log facility 'len'", 28),
            ("log 127.0.0.1 sample 1:1 format raw local0", "'log' : unknown log facility 'format'", 28),
            ("log 127.0.0.1 sample 1-3 local0", "'log' : Missing sample size", 24),
            ("log 127.0.0.1 sample 0:2 local0", "'log' : wrong sample range '0'", 24),
            ("log 127.0.0.1 sample 3-1:5 local0", "'log' : wrong sample range '3-1'", 24),
            ("log 127.0.0.1 sample 1-1:1 local0", "'log' : wrong sample range '1-1'", 24),
            ("log 127.0.0.1 sample :5 local0", "'log' : no sampling ranges given", 24),
            ("log 127.0.0.1 sample 2-5,1:3 local0", "'log' : sample size 3 should be greater or equal to 5 the maximum of the high ranges limits", 24),
            ("log 127.0.0.1 sample 1-2,2-3:5 local0", "'log' : ranges are overlapping", 24),
            ("log 127.0.0.1 sample 1,3:x local0", "'log' : wrong sample size 'x' for sample range '1,3'", 24),
            ("log 127.0.0.1 sample 1:0 local0", "'log' : wrong sample size '0' for sample range '1'", 24),
            ("log global", "'log' : 'global' is not supported for a global syslog server", 7),
            ("log global local0", "'log' : invalid address: 'global' in 'global'", 7),
            ("no log foo", "'no log' does not expect arguments", 10),
            ("log 127.0.0.1:70000 local0", "'log' : invalid port '70000'", 7),
            ("log 127.0.0.1:x local0", "'log' : invalid character 'x' in port number 'x' in '127.0.0.1:x'", 7),
            ("log 1.2.3.4:514-520 local0", "'log' : port range not permitted here in '1.2.3.4:514-520'", 7),
            ("log tcp@1.2.3.4:+1 local0", "'log' : port offset not permitted here in 'tcp@1.2.3.4:+1'", 7),
            ("log ipv6@::1 local0", "'log' : invalid address: ':' in 'ipv6@::1'", 7),
            ("log ipv4@[::1]:5 local0", "'log' : invalid address: '[::1]' in 'ipv4@[::1]:5'", 7),
            ("log 1.2.3.4.5 local0", "'log' : invalid address: '1.2.3.4.5' in '1.2.3.4.5'", 7),
            ("log my_host local0", "'log' : invalid address: 'my_host' in 'my_host'", 7),
            ("log relative/path local0", "'log' : invalid address: 'relative/path' in 'relative/path'", 7),
            ("log sctp@1.2.3.4 local0", "'log' : invalid address: 'sctp@1.2.3.4' in 'sctp@1.2.3.4'", 7),
            ("log fd@x local0", "'log' : file descriptor 'x' is not a valid integer in 'fd@x'", 7),
            ("log fd@-1 local0", "'log' : file descriptor '-1' is not a valid integer in 'fd@-1'", 7),
            // Accepted by HAProxy, not served by Fulcrum yet: an error, never ignored.
            ("log uxst@/tmp/s local0", "'log' : log target 'uxst@' is not supported yet", 7),
            ("log abns@foo local0", "'log' : log target 'abns@' is not supported yet", 7),
        ]
        for (line, message, column) in cases {
            let r = parse("global\n  \(line)\n")
            guard let a = onlyAlert(r, line) else { continue }
            XCTAssertTrue(a.message.hasPrefix(message), "\(line): \(a.message)")
            XCTAssertEqual(a.location, SourceLocation(file: "t.cfg", line: 2, column: column), line)
            XCTAssertEqual(r.configuration.global.logTargets, [], line)
        }
        // The facility error names HAProxy's message, as the brief of issue 11 quotes it.
        XCTAssertTrue(parse("global\n  log /dev/log x\n").alerts.first?.message.contains("unknown log facility 'x'") ?? false)
    }

    func testFacilitiesAndLevelsUseHAProxysNames() {
        for facility in LogFacility.allCases {
            XCTAssertEqual(globalTargets("  log stdout \(facility.name)").first?.facility, facility)
        }
        for level in LogLevel.allCases {
            XCTAssertEqual(globalTargets("  log stdout local7 \(level.name) \(level.name)").first?.minLevel, level)
        }
        let misspelt = parse("global\n  log stdout locla0\n").alerts.first?.message ?? ""
        XCTAssertTrue(misspelt.hasSuffix("did you mean 'local0'?"), misspelt)
    }

    func testManyTargetsHaveNoLimit() {
        let lines = (1...20).map { "  log 127.0.0.1:\(5000 + $0) local0" }.joined(separator: "\n")
        XCTAssertEqual(globalTargets(lines).count, 20)
    }

    func testNoLogInGlobalClearsEarlierLines() {
        XCTAssertEqual(globalTargets("  log /dev/log local0\n  no log\n  log stdout local1").map(\.address), [.fd(1)])
    }

    // MARK: inheritance

    /// haproxy 2.6 sent frontend a's line to 5141 (global, once), 5142 (its
    /// defaults) and 5143 (its own); frontend c's only to 5144.
    static let inheritance = """
    global
      log 127.0.0.1:5141 local0
    defaults
      mode tcp
      log global
      log 127.0.0.1:5142 local1
      timeout connect 1s
      timeout client 1s
      timeout server 1s
    frontend a
      bind 127.0.0.1:18081
      log global
      log 127.0.0.1:5143 local2
      default_backend b
    frontend c
      bind 127.0.0.1:18082
      no log
      log 127.0.0.1:5144 local3
      default_backend b
    backend b
      server s 127.0.0.1:9

    """

    func testDefaultsInheritanceLogGlobalOnceAndNoLog() throws {
        let r = parse(Self.inheritance)
        XCTAssertEqual(r.alerts, [])
        let c = r.configuration
        let a = try XCTUnwrap(c.frontends.first { $0.name == "a" }).logging.targets
        XCTAssertEqual(a.map(\.address), [5141, 5142, 5143].map { .udp(host: "127.0.0.1", port: $0, family: .any) })
        XCTAssertEqual(a.map(\.facility), [.local0, .local1, .local2])
        XCTAssertEqual(a.map(\.viaLogGlobal), [true, false, false])
        // A target from `log global` keeps the global line's location.
        XCTAssertEqual(a[0].location.line, 2)
        XCTAssertEqual(a[1].location.line, 6)
        let cTargets = try XCTUnwrap(c.frontends.first { $0.name == "c" }).logging.targets
        XCTAssertEqual(cTargets.map(\.address), [.udp(host: "127.0.0.1", port: 5144, family: .any)])
        // The backend inherits the defaults' targets too.
        XCTAssertEqual(c.backend(named: "b")?.logging.targets.map(\.facility), [.local0, .local1])
    }

    func testLogGlobalAfterNoLogInGlobal() {
        let r = parse("""
        global
          log 127.0.0.1:1 local0
        frontend f
          bind :80
          log global
        global
          no log
          log 127.0.0.1:2 local0
        frontend g
          bind :81
          log global
          log global
        frontend h
          bind :82
          log global
          no log
        """)
        XCTAssertEqual(r.alerts, [])
        let ports = r.configuration.frontends.map { $0.logging.targets.map { t -> Int in
            if case .udp(_, let port, _) = t.address { return port } else { return 0 }
        } }
        XCTAssertEqual(ports, [[1], [2], []])
    }

    func testLogGlobalCopiesTheGlobalLinesReadSoFar() {
        let r = parse("""
        global
          log 127.0.0.1:1 local0
        frontend f
          bind :80
          log global
        global
          log 127.0.0.1:2 local0
        backend b
          log global
        """)
        XCTAssertEqual(r.configuration.frontends[0].logging.targets.count, 1)
        XCTAssertEqual(r.configuration.backend(named: "b")?.logging.targets.count, 2)
        XCTAssertEqual(r.configuration.global.logTargets.count, 2)
    }

    func testNamedDefaultsAndANewDefaultsSection() {
        let r = parse("""
        global
          log stdout local0
        defaults base
          log global
          log stderr local1
        defaults
          timeout connect 1s
        frontend plain
          bind :80
        frontend derived from base
          bind :81
        """)
        XCTAssertEqual(r.configuration.frontends[0].logging.targets, [])
        XCTAssertEqual(r.configuration.frontends[1].logging.targets.map(\.address), [.fd(1), .fd(2)])
    }

    func testProxyLogLineErrors() {
        let r = parse(tcpDefaults + "frontend f\n  bind :80\n  log\n  log global foo\n  log 127.0.0.1 len 10 local0\n")
        XCTAssertEqual(r.alerts.map(\.message), [
            "'log' expects <address> and <facility> or global as arguments",
            "'log' : unknown log facility 'foo'",
            "'log' : invalid log length '10', must be between 80 and 65535",
        ])
        XCTAssertEqual(r.alerts.map { $0.location?.line ?? 0 }, [9, 10, 11])
    }

    func testNoLogCancelsInheritedTargets() {
        let r = parse("global\n  log stdout local0\n" + tcpDefaults.replacingOccurrences(of: "mode tcp", with: "mode tcp\n    log global")
                      + "backend b\n  no log\n  server s 127.0.0.1:80\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.configuration.backend(named: "b")?.logging.targets, [])
    }
}
