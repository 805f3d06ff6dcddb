import XCTest
import FulcrumLog
@testable import FulcrumConfig

/// Log formats and options, the global logging keywords and proxy
/// `log-tag`/`description`/`unique-id-*`: values, inheritance and HAProxy
/// 2.6's warnings and errors (each message checked against haproxy 2.6.12 `-c`).
final class LogOptionsTests: XCTestCase {
    private let timeouts = "  timeout connect 1s\n  timeout client 1s\n  timeout server 1s\n"

    private func config(defaults: String = "", _ rest: String) -> ParseResult {
        parse("global\n  log 127.0.0.1 local0\ndefaults\n" + timeouts + defaults + rest)
    }

    // MARK: formats

    func testPredefinedFormatsAndLogFormat() {
        let cases: [(String, ProxyLogFormat)] = [
            ("", .legacy),
            ("  option tcplog\n", .tcplog),
            ("  option httplog\n", .httplog),
            ("  option httplog clf\n", .httplogCLF),
            ("  option httpslog\n", .httpslog),
            ("  log-format \"%[src] hello\"\n", .custom(LogLineFormatString(text: "%[src] hello", elements: try! LogFormatParsing.logLine("%[src] hello", options: .logLine).get()))),
        ]
        for (line, expected) in cases {
            let r = config("frontend f\n  mode http\n  bind :80\n  log global\n" + line)
            XCTAssertEqual(r.relevant, [], line)
            XCTAssertEqual(r.configuration.frontends.first?.logging.format, expected, line)
        }
    }

    func testTheLastFormatWinsWithoutWarningOutsideDefaults() {
        let r = config("frontend f\n  mode http\n  bind :80\n  log global\n  option httplog\n  log-format \"x\"\n  option tcplog\n")
        XCTAssertEqual(r.relevant, [])
        XCTAssertEqual(r.configuration.frontends[0].logging.format, .tcplog)
    }

    /// haproxy 2.6 warns when a defaults section replaces its own format; its
    /// text names `option httplog` for `option httpslog` too.
    func testDefaultsOverrideWarnings() {
        let r = config(defaults: """
          mode http
          log global
          option httplog
          log-format "x"
          option tcplog
          option httplog clf
          option httpslog
          option httplog

        """, "frontend f\n  bind :80\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.relevant.map(\.message), [
            "'log-format' overrides previous 'option httplog' in 'defaults' section.",
            "'option tcplog' overrides previous 'log-format' in 'defaults' section.",
            "'option httplog clf' overrides previous 'option tcplog' in 'defaults' section.",
            "'option httplog' overrides previous 'option httplog clf' in 'defaults' section.",
            "'option httplog' overrides previous 'option httpslog' in 'defaults' section.",
        ])
        XCTAssertEqual(r.relevant.map { $0.location?.line ?? 0 }, [10, 11, 12, 13, 14])
        XCTAssertEqual(r.configuration.frontends[0].logging.format, .httplog)
    }

    /// haproxy 2.6: "'option httplog' not usable with frontend 'f' (needs
    /// 'mode http'). Falling back to 'option tcplog'.", at the option's line.
    func testHTTPLogInATCPProxyFallsBackToTCPLog() {
        let r = config(defaults: "  log global\n  option httplog\n", """
        frontend f
          bind :80
          default_backend b
        backend b
          server s 127.0.0.1:80
        listen l
          bind :81
          server s 127.0.0.1:80
        frontend g
          bind :82
          option httpslog
          default_backend b

        """)
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.description), [
            "[WARNING] t.cfg:8:3: 'option httplog' not usable with frontend 'f' (needs 'mode http'). Falling back to 'option tcplog'.",
            "[WARNING] t.cfg:8:3: 'option httplog' not usable with proxy 'l' (needs 'mode http'). Falling back to 'option tcplog'.",
            "[WARNING] t.cfg:19:3: 'option httpslog' not usable with frontend 'g' (needs 'mode http'). Falling back to 'option tcplog'.",
        ])
        XCTAssertEqual(r.configuration.frontends.map(\.logging.format), [.tcplog, .tcplog, .tcplog])
    }

    func testFormatsInABackendAreIgnoredWithHAProxysWarning() {
        let r = config("backend b\n  option httplog\n  option tcplog\n  log-format x\n  log-format-sd x\n  error-log-format x\n  unique-id-format x\n  server s 127.0.0.1:80\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message), [
            "backend 'b' : 'option httplog' directive is ignored in backends.",
            "backend 'b' : 'option tcplog' directive is ignored in backends.",
            "backend 'b' : 'log-format' directive is ignored in backends.",
            "backend 'b' : 'log-format-sd' directive is ignored in backends.",
            "backend 'b' : 'error-log-format' directive is ignored in backends.",
        ])
        // unique-id-format: HAProxy takes it in a backend without a word.
        XCTAssertEqual(r.configuration.backends[0].logging.uniqueIDFormat?.text, "x")
    }

    func testAFormatWithoutTargetIsWarnedAbout() {
        let r = parse("defaults\n" + timeouts + """
        frontend f
          bind :80
          log-format x
        frontend i
          bind :83
          log-format-sd x
        frontend h
          bind :82
          error-log-format x
        frontend plain
          bind :84

        """)
        XCTAssertEqual(r.warnings.filter { $0.message.hasPrefix("log format") }.map(\.description), [
            "[WARNING] t.cfg:5:1: log format ignored for frontend 'f' since it has no log address.",
            "[WARNING] t.cfg:8:1: log format ignored for frontend 'i' since it has no log address.",
        ])
    }

    func testFormatErrors() {
        let cases: [(String, String)] = [
            ("log-format", "log-format expects an argument."),
            ("log-format a b", "log-format expects only one argument, don't forget to escape spaces!"),
            ("log-format-sd", "log-format-sd expects an argument."),
            ("error-log-format", "error-log-format expects an argument."),
            ("unique-id-format", "unique-id-format expects an argument."),
            ("unique-id-header", "unique-id-header expects an argument."),
            ("log-tag", "'log-tag' expects a tag for use in syslog."),
            ("option httplog foo", "keyword 'httplog' only supports option 'clf'."),
            ("option httplog clf x", "'option httplog' cannot handle unexpected argument 'x'."),
            ("option tcplog x", "'option tcplog' cannot handle unexpected argument 'x'."),
            ("no option httplog", "negation/default is not supported for option 'httplog'."),
            ("default option httplog", "negation/default is not supported for option 'httplog'."),
            ("no option tcplog", "negation/default is not supported for option 'tcplog'."),
            ("no option httpslog", "negation/default is not supported for option 'httpslog'."),
            ("option dontlognull x", "'option dontlognull' cannot handle unexpected argument 'x'."),
            ("no option dontlognull x", "'option dontlognull' cannot handle unexpected argument 'x'."),
            // haproxy 2.6 refuses `default option` for these options (it counts the name as an argument).
            ("default option dontlognull", "'option dontlognull' cannot handle unexpected argument 'dontlognull'."),
            ("log-format %[nosuchfetch]", "'log-format' : unknown sample fetch 'nosuchfetch'"),
            ("default log", "'default log' is not allowed: negation/default apply to options and 'no log' only"),
            ("no log-format", "'no log-format' is not allowed: negation/default apply to options and 'no log' only"),
            ("no capture", "'no capture' is not allowed: negation/default apply to options and 'no log' only"),
        ]
        for (line, message) in cases {
            let r = config("frontend f\n  mode http\n  bind :80\n  log global\n  \(line)\n")
            guard let a = onlyAlert(r, line) else { continue }
            XCTAssertTrue(a.message.hasPrefix(message), "\(line): \(a.message)")
            XCTAssertEqual(a.location?.line, 11, line)
        }
    }

    func testProxyStringsAndInheritance() throws {
        let r = config(defaults: "  log-tag dflt\n  unique-id-format %[src]\n  unique-id-header X-Req-ID\n  log-format-sd \"[x]\"\n  error-log-format \"err %[src]\"\n", """
        frontend f
          bind :80
          log global
          description Main   entry point
        frontend g
          bind :81
          log global
          log-tag own
          unique-id-header X-ID

        """)
        XCTAssertEqual(r.alerts, [])
        let f = r.configuration.frontends[0], g = r.configuration.frontends[1]
        XCTAssertEqual(f.description, "Main entry point")
        XCTAssertEqual(f.logging.tag, "dflt")
        XCTAssertEqual(g.logging.tag, "own")
        XCTAssertEqual(f.logging.uniqueIDFormat?.text, "%[src]")
        XCTAssertEqual(f.logging.uniqueIDHeader, "X-Req-ID")
        XCTAssertEqual(g.logging.uniqueIDHeader, "X-ID")
        XCTAssertEqual(f.logging.structuredData?.text, "[x]")
        XCTAssertEqual(f.logging.errorFormat?.text, "err %[src]")
        let desc = config(defaults: "  description d\n", "frontend f\n  bind :80\n")
        XCTAssertEqual(desc.alerts.map(\.message), ["'description' not allowed in 'defaults' section."])
        let backend = config("backend b\n  description a b\n  log-tag z\n  server s 127.0.0.1:80\n")
        XCTAssertEqual(backend.alerts, [])
        XCTAssertEqual(backend.configuration.backends[0].description, "a b")
        XCTAssertEqual(backend.configuration.backends[0].logging.tag, "z")
    }

    // MARK: options

    func testLoggingOptionsAndTheirNegations() throws {
        let r = config(defaults: "  option dontlognull\n  option log-health-checks\n", """
        frontend f
          bind :80
          log global
          option dontlog-normal
          option log-separate-errors
        frontend g
          bind :81
          no option dontlognull
        frontend h
          bind :82
          option log-separate-errors
          no option log-separate-errors
          no option dontlognull
        backend b
          no option log-health-checks
          server s 127.0.0.1:80
        backend c
          server s 127.0.0.1:80

        """)
        XCTAssertEqual(r.relevant, [])
        let f = r.configuration.frontends[0].logging, g = r.configuration.frontends[1].logging, h = r.configuration.frontends[2].logging
        XCTAssertEqual([f.dontLogNull, f.dontLogNormal, f.separateErrors], [true, true, true])
        XCTAssertEqual([g.dontLogNull, g.dontLogNormal, g.separateErrors], [false, false, false])
        XCTAssertEqual([h.dontLogNull, h.separateErrors], [false, false])
        XCTAssertEqual(r.configuration.backend(named: "b")?.logging.healthChecks, false)
        XCTAssertEqual(r.configuration.backend(named: "c")?.logging.healthChecks, true)
    }

    func testOptionsWithoutTheirCapabilityAreWarnedAbout() {
        let r = config("frontend f\n  bind :80\n  option log-health-checks\nbackend b\n  option dontlognull\n  option log-separate-errors\n  option dontlog-normal\n  server s 127.0.0.1:80\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.filter { $0.message.contains("capability") }.map(\.message), [
            "'log-health-checks' ignored because frontend 'f' has no backend capability.",
            "'dontlognull' ignored because backend 'b' has no frontend capability.",
            "'log-separate-errors' ignored because backend 'b' has no frontend capability.",
            "'dontlog-normal' ignored because backend 'b' has no frontend capability.",
        ])
        XCTAssertFalse(r.configuration.backends[0].logging.dontLogNull)
    }

    // MARK: global

    func testGlobalLoggingKeywords() {
        let r = parse("global\n  log-tag fulcrum-lb\n  log-send-hostname edge-1\n  node lb-1.dc_2\n  description The   edge  balancer\n")
        XCTAssertEqual(r.diagnostics, [])
        let g = r.configuration.global
        XCTAssertEqual(g.logTag, "fulcrum-lb")
        XCTAssertEqual(g.logHostname, .name("edge-1"))
        XCTAssertEqual(g.node, "lb-1.dc_2")
        XCTAssertEqual(g.description, "The edge balancer")
        XCTAssertEqual(parse("global\n  log-send-hostname\n").configuration.global.logHostname, .system)
        XCTAssertNil(parse("global\n").configuration.global.logHostname)
    }

    func testGlobalLoggingKeywordErrors() {
        let cases: [(String, String)] = [
            ("log-tag", "'log-tag' expects a tag for use in syslog."),
            ("log-tag a b", "'log-tag' cannot handle unexpected argument 'b'."),
            ("node", "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_)."),
            ("node a/b", "'node' requires valid node name - non-empty string with digits(0-9), letters(A-Z, a-z), dot(.), hyphen(-) or underscode(_)."),
            ("node a b", "'node' cannot handle unexpected argument 'b'."),
            ("description", "'description' expects a string argument."),
        ]
        for (line, message) in cases {
            let r = parse("global\n  \(line)\n")
            XCTAssertEqual(onlyAlert(r, line)?.message, message, line)
        }
        // HAProxy reports a second log-send-hostname and keeps the first; the configuration stays valid.
        let twice = parse("global\n  log-send-hostname x\n  log-send-hostname y\n")
        XCTAssertEqual(twice.alerts, [])
        XCTAssertEqual(twice.warnings.map(\.message), ["'log-send-hostname' already specified. Continuing."])
        XCTAssertEqual(twice.configuration.global.logHostname, .name("x"))
        // Not a proxy keyword in HAProxy 2.6.
        let inProxy = parse(tcpDefaults + "frontend f\n  bind :80\n  log-send-hostname\n")
        XCTAssertTrue(inProxy.alerts.first?.message.hasPrefix("unknown keyword 'log-send-hostname' in 'frontend' section") ?? false,
                      "\(inProxy.alerts)")
    }

    // MARK: log-format strings with HAProxy's variables

    /// Log lines' formats read HAProxy's variables and flags (the log-line
    /// grammar, not the one of header values).
    func testVariablesInFormats() throws {
        let r = config("frontend f\n  mode http\n  bind :80\n  log global\n  log-format \"%ci:%cp [%tr] %ft %b/%s %ST %B %{+Q}r\"\n  unique-id-format %{+X}o%ci:%cp_%fi:%fp_%Ts_%rt:%pid\n  error-log-format \"%ci:%cp [%tr] %ft %ac/%fc\"\n")
        XCTAssertEqual(r.alerts, [])
        guard case .custom(let format) = r.configuration.frontends[0].logging.format else { return XCTFail("not custom") }
        XCTAssertEqual(format.text, "%ci:%cp [%tr] %ft %b/%s %ST %B %{+Q}r")
        XCTAssertNotNil(r.configuration.frontends[0].logging.uniqueIDFormat)
        XCTAssertNotNil(r.configuration.frontends[0].logging.errorFormat)
    }
}

private extension ParseResult {
    /// The diagnostics but the "no default_backend" warning of frontends these tests leave without one.
    var relevant: [Diagnostic] { diagnostics.filter { !$0.message.contains("no default_backend") } }
}
