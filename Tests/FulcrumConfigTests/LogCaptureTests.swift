import XCTest
import FulcrumLog
@testable import FulcrumConfig

/// Captures, `set-log-level` and `ring` sections (messages checked against
/// haproxy 2.6.12 `-c`).
final class LogCaptureTests: XCTestCase {
    private func http(_ body: String) -> ParseResult {
        parse(tcpDefaults.replacingOccurrences(of: "mode tcp", with: "mode http") + body)
    }

    func testCaptureSlotsInDeclarationOrder() throws {
        let r = http("""
        frontend f
          bind :80
          capture request header Host len 20
          declare capture request len 32
          http-request capture req.hdr(user-agent) len 64
          http-request capture url id 1 if { path_beg /api }
          capture response header Server len 30
          declare capture response len 8
          capture cookie SESSION len 100

        """)
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message).filter { $0.contains("capture") }, ["truncating capture length to 63 bytes for frontend 'f'."])
        let captures = r.configuration.frontends[0].logging.captures
        XCTAssertEqual(captures.request.map(\.source), [.header("Host"), .declared, .rule])
        XCTAssertEqual(captures.request.map(\.length), [20, 32, 64])
        XCTAssertEqual(captures.response.map(\.source), [.header("Server"), .declared])
        XCTAssertEqual(captures.response.map(\.length), [30, 8])
        XCTAssertEqual(captures.cookie?.name, "SESSION")
        XCTAssertEqual(captures.cookie?.length, 63)
        let rules = r.configuration.frontends[0].http.requestRules
        guard case .capture(let sample, let slot) = rules[0].action else { return XCTFail("\(rules[0].action)") }
        XCTAssertEqual(sample.text, "%[req.hdr(user-agent)]")
        XCTAssertEqual(slot, 2)
        guard case .capture(_, let idSlot) = rules[1].action else { return XCTFail("\(rules[1].action)") }
        XCTAssertEqual(idSlot, 1)
        XCTAssertNotNil(rules[1].condition)
    }

    func testResponseCaptureAndSetLogLevel() throws {
        let r = http("""
        frontend f
          bind :80
          declare capture response len 10
          http-request set-log-level silent if { path /health }
          http-request set-log-level err
          http-response set-log-level debug
          default_backend b
        backend b
          http-response capture res.hdr(server) id 0
          server s 127.0.0.1:80

        """)
        XCTAssertEqual(r.alerts, [])
        guard case .capture(let captured, 0)? = r.configuration.backends[0].http.responseRules.first?.action else {
            return XCTFail("\(r.configuration.backends[0].http.responseRules)")
        }
        XCTAssertEqual(captured.text, "%[res.hdr(server)]")
        let f = r.configuration.frontends[0].http
        XCTAssertEqual(f.requestRules.map(\.action), [.setLogLevel(nil), .setLogLevel(.err)])
        XCTAssertNotNil(f.requestRules[0].condition)
        XCTAssertEqual(f.responseRules.map(\.action), [.setLogLevel(.debug)])
        let ok = http("frontend f\n  bind :80\n  declare capture response len 10\n  http-response capture hdr(server) id 0\n")
        XCTAssertEqual(ok.alerts, [])
        guard case .capture(let sample, 0)? = ok.configuration.frontends[0].http.responseRules.first?.action else {
            return XCTFail("\(ok.configuration.frontends[0].http.responseRules)")
        }
        XCTAssertEqual(sample.text, "%[hdr(server)]")
    }

    func testCaptureErrorsAsHAProxy() {
        let cases: [(String, String)] = [
            ("capture request header Host len", "'capture request' expects 'header' <header_name> 'len' <len>."),
            ("capture request header Host", "'capture request' expects 'header' <header_name> 'len' <len>."),
            ("capture request header Host size 20", "'capture request' expects 'header' <header_name> 'len' <len>."),
            ("capture response header Server len 20 x", "'capture response' cannot handle unexpected argument 'x'."),
            ("capture request foo Host len 20", "'capture' expects 'cookie' or 'request header' or 'response header'."),
            ("capture", "'capture' expects 'cookie' or 'request header' or 'response header'."),
            ("capture cookie SID len", "'capture' expects 'cookie' <cookie_name> 'len' <len>."),
            ("declare", "'declare' needs a second keyword that specify the type of declaration ('capture')"),
            ("declare foo", "unknown declaration type 'foo' (supports 'capture')"),
            ("declare capture foo len 1", "'declare capture' requires a direction ('request' or 'response')"),
            ("declare capture request", "'declare capture' requires a capture length ('len')"),
            ("declare capture request len 0", "length must be > 0"),
            ("declare capture request len x", "'declare capture': cannot parse the length 'len'."),
            ("http-request capture req.hdr(host) len 0", "error detected in frontend 'f' while parsing 'http-request capture' rule : length must be > 0."),
            ("http-request capture req.hdr(host)", "error detected in frontend 'f' while parsing 'http-request capture' rule : expects <expression> [ 'len' <length> | id <idx> ]."),
            ("http-request capture req.hdr(host) foo 1", "error detected in frontend 'f' while parsing 'http-request capture' rule : expects 'len' or 'id', found 'foo'."),
            ("http-request capture req.hdr(host) id x", "error detected in frontend 'f' while parsing 'http-request capture' rule : cannot parse id 'x'."),
            ("http-request capture req.hdr(host) id 0", "Proxy 'f': unable to find capture id '0' referenced by http-request capture rule."),
            // haproxy 2.6 lets this one through; Fulcrum refuses an id that can name no slot.
            ("http-request capture req.hdr(host) id -1", "Proxy 'f': capture id '-1' referenced by http-request capture rule is negative."),
            ("http-response capture hdr(server) len 10", "error detected in frontend 'f' while parsing 'http-response capture' rule : expects 'id', found 'len'."),
            ("http-response capture hdr(server) id 1", "Proxy 'f': unable to find capture id '1' referenced by http-response capture rule."),
            ("http-request set-log-level foo", "error detected in frontend 'f' while parsing 'http-request set-log-level' rule : expects exactly 1 argument (log level name or 'silent')."),
            ("http-request set-log-level", "error detected in frontend 'f' while parsing 'http-request set-log-level' rule : expects exactly 1 argument (log level name or 'silent')."),
            ("http-request set-log-level err x", "'http-request set-log-level' expects either 'if' or 'unless' followed by a condition but found 'x'."),
        ]
        for (line, message) in cases {
            let r = http("frontend f\n  bind :80\n  \(line)\n")
            guard let a = onlyAlert(r, line) else { continue }
            XCTAssertEqual(a.message, message, line)
            XCTAssertEqual(a.location?.line, 9, line)
        }
    }

    /// HAProxy accepts these (atol() lengths, words it does not read); Fulcrum
    /// takes them the same way and says what it read.
    func testLenientCapturesAsHAProxy() {
        let r = http("frontend f\n  bind :80\n  capture request header Host len x\n  capture cookie SID foo 10\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.configuration.frontends[0].logging.captures.request.first?.length, 0)
        XCTAssertEqual(r.configuration.frontends[0].logging.captures.cookie?.length, 10)
        XCTAssertEqual(r.warnings.filter { $0.message.contains("capture") }.count, 2)
    }

    func testCapturesOutsideAFrontend() {
        let backend = http("backend b\n  capture request header Host len 20\n  capture cookie SID len 20\n  declare capture request len 10\n  http-request capture req.hdr(host) len 10\n  http-request capture req.hdr(host) id 3\n  server s 127.0.0.1:80\n")
        XCTAssertEqual(backend.warnings.map(\.message), [
            "'capture' ignored because backend 'b' has no frontend capability.",
            "'capture' ignored because backend 'b' has no frontend capability.",
        ])
        XCTAssertEqual(backend.alerts.map(\.message), [
            "'declare' only available in frontend or listen section",
            "error detected in backend 'b' while parsing 'http-request capture' rule : proxy 'b' has no frontend capability.",
        ])
        // `id` in a backend is not checked by HAProxy: the frontend's slots apply at run time.
        XCTAssertEqual(backend.configuration.backends[0].http.requestRules.count, 1)
        let defaults = parse("defaults\n  capture request header Host len 20\n  capture cookie SID len 20\n  declare capture request len 10\n")
        XCTAssertEqual(defaults.alerts.map(\.message), [
            "'capture request' not allowed in 'defaults' section.",
            "'capture cookie' not allowed in 'defaults' section.",
            "'declare' not available in default section",
        ])
        // A listen section is a frontend: its slots count.
        let listen = http("listen l\n  bind :80\n  declare capture request len 10\n  http-request capture req.hdr(host) id 0\n  server s 127.0.0.1:80\n")
        XCTAssertEqual(listen.alerts, [])
        XCTAssertEqual(listen.configuration.frontends[0].logging.captures.request.count, 1)
        XCTAssertTrue(listen.configuration.backends[0].logging.captures.isEmpty)
    }

    // MARK: rings

    func testRingSection() throws {
        let r = parse("""
        ring buf
          description "my ring"
          format rfc5424
          maxlen 1200
          size 32768
          timeout connect 5s
          timeout server 10s
          server s1 127.0.0.1:6514
          server s2 logs.example.com:601 log-proto octet-count
        ring plain
        global
          log ring@buf local0
        """)
        XCTAssertEqual(r.diagnostics, [])
        let buf = try XCTUnwrap(r.configuration.rings.first)
        XCTAssertEqual(buf.name, "buf")
        XCTAssertEqual(buf.description, "my ring")
        XCTAssertEqual(buf.format, .rfc5424)
        XCTAssertEqual(buf.maxLength, 1200)
        XCTAssertEqual(buf.size, 32768)
        XCTAssertEqual(buf.connectTimeout, 5000)
        XCTAssertEqual(buf.serverTimeout, 10000)
        XCTAssertEqual(buf.servers.map(\.host), ["127.0.0.1", "logs.example.com"])
        XCTAssertEqual(buf.servers.map(\.port), [6514, 601])
        XCTAssertEqual(buf.servers.map(\.framing), [.legacy, .octetCount])
        let plain = r.configuration.rings[1]
        XCTAssertEqual([plain.size, plain.maxLength], [16384, 16384])
        XCTAssertEqual(plain.format, .raw)
        XCTAssertEqual(r.configuration.global.logTargets.first?.address, .ring("buf"))
    }

    func testRingErrorsAndWarnings() {
        let alerts: [(String, String)] = [
            ("ring", "missing ring name."),
            ("ring a/b", "invalid ring name 'a/b' (character '/' is not permitted)."),
            ("ring r\n  format x", "unknown format 'x'."),
            ("ring r\n  maxlen 0", "invalid size '0' for new sink buffer."),
            ("ring r\n  size x", "invalid size 'x' for new sink buffer."),
            ("ring r\n  timeout connect", "'timeout connect' expects <time> as argument."),
            ("ring r\n  description", "missing ring description text."),
            ("ring r\n  foo", "unknown statement 'foo'."),
            ("ring r\n  server s1 udp@127.0.0.1:514", "'server r/s1' : dgram-type address not acceptable in 'udp@127.0.0.1:514'"),
            ("ring r\n  server s1 127.0.0.1:514 log-proto foo", "'server r/s1' : 'log-proto' expects one of 'legacy' or 'octet-count' but got 'foo'."),
            ("ring r\n  server s1 127.0.0.1:514 ssl", "server option 'ssl' is not supported yet (in section 'ring')"),
            ("ring r\nring r", "sink named 'r' already exists."),
            ("global\n  log ring@nope local0", "global log server uses unknown ring named 'nope'."),
            ("frontend f\n  bind :80\n  log ring@nope local0", "log server declared in proxy section 'f' uses unknown ring named 'nope'."),
        ]
        for (text, message) in alerts {
            let r = parse(text + "\n")
            XCTAssertEqual(onlyAlert(r, text)?.message, message, text)
        }
        // Worded as a warning by haproxy 2.6, which fails the configuration on it.
        XCTAssertEqual(onlyAlert(parse("ring r\n  size 100\n"), "size 100")?.message,
                       "ignoring new size '100' that is smaller than current size '16384' for ring 'r'.")
        let warned = parse("ring r\n  maxlen 100000\n  server s 127.0.0.1:514\n")
        XCTAssertEqual(warned.alerts, [])
        XCTAssertEqual(warned.warnings.map(\.message), [
            "ring 'r' event max length '100000' exceeds size, forced to size '16384'.",
            "missing timeouts for ring 'r': please set 'timeout connect' and 'timeout server' to non-zero values.",
        ])
        XCTAssertEqual(warned.configuration.rings.first?.maxLength, 16384)
    }
}
