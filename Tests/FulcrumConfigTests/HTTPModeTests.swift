import XCTest
@testable import FulcrumConfig

final class HTTPModeTests: XCTestCase {
    func testModeHTTPInheritedFromDefaults() {
        let r = parseFrontend("")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.frontend?.mode, .http)
        XCTAssertEqual(r.configuration.backends.map(\.mode), [.http, .http])
    }

    func testUseBackendStaticAndDynamic() {
        let r = parseFrontend("    use_backend api if { path_beg /api }\n    use_backend %[req.hdr(x-backend)]\n    use_backend be_%[hdr(host)]_x\n")
        XCTAssertEqual(r.diagnostics, [])
        let rules = r.frontend?.http.useBackends ?? []
        XCTAssertEqual(rules.count, 3)
        XCTAssertEqual(rules[0].backend, LogFormat(text: "api", parts: [.literal("api")]))
        XCTAssertTrue(rules[0].backend.isConstant)
        XCTAssertEqual(rules[1].backend.parts, [.sample(SampleFetch(name: "req.hdr", arguments: ["x-backend"]))])
        XCTAssertEqual(rules[2].backend.parts, [.literal("be_"), .sample(SampleFetch(name: "hdr", arguments: ["host"])), .literal("_x")])
        XCTAssertNil(rules[1].condition)
        XCTAssertEqual(rules[0].location, SourceLocation(file: "t.cfg", line: 9, column: 5))
    }

    func testUseBackendErrors() {
        assertSingleAlert(parseFrontend("    use_backend apj"), "frontend 'f': unable to find required use_backend: 'apj'; did you mean 'api'?", line: 9, column: 5)
        assertSingleAlert(parseFrontend("    use_backend"), "'use_backend' expects a backend name as an argument", line: 9, column: 5)
        assertSingleAlert(parseFrontend("    use_backend api foo"), "unexpected argument 'foo' for 'use_backend' (expected 'if' or 'unless')", line: 9, column: 21)
        assertSingleAlert(parseFrontend("    use_backend %[nope]"), "'use_backend' : unknown sample fetch 'nope' in '%[nope]'", line: 9, column: 17)
        let tcp = parseFrontend("    use_backend t", extra: "backend t\n    mode tcp\n    server s 10.0.0.3:80\n")
        assertSingleAlert(tcp, "http frontend 'f' cannot use the tcp backend 't' (declared at t.cfg:15:1) in a 'use_backend' rule (see 'mode')", line: 9, column: 5)
    }

    /// mode tcp frontends switch too (SNI routing); a name built from samples is not served there.
    func testUseBackendInTCPFrontend() {
        let r = parse(tcpDefaults + "frontend f\n    bind :80\n    use_backend b if { src 10.0.0.0/8 }\nbackend b\n    server s 10.0.0.1:80\n")
        XCTAssertEqual(r.alerts.map(\.message), [])
        XCTAssertEqual(r.warnings.map(\.message), [], "use_backend alone routes: no 'every connection will be refused'")
        XCTAssertEqual(r.configuration.frontends.first?.http.useBackends.count, 1)
        let dynamic = parse(tcpDefaults + "frontend f\n    bind :80\n    use_backend %[src]\n    default_backend b\nbackend b\n    server s 10.0.0.1:80\n")
        assertSingleAlert(dynamic, "a 'use_backend' name built from samples ('%[src]') in a mode tcp frontend 'f' is not supported yet", line: 9, column: 5)
    }

    func testLogFormatParsing() {
        XCTAssertEqual(try LogFormatParsing.parse("a%%b").get(), LogFormat(text: "a%%b", parts: [.literal("a%b")]))
        XCTAssertEqual(try LogFormatParsing.parse("%[urlp(id)]").get().parts, [.sample(SampleFetch(name: "url_param", arguments: ["id"]))])
        XCTAssertEqual(try LogFormatParsing.parse("").get().parts, [])
        func failure(_ s: String) -> String? {
            if case .failure(let f) = LogFormatParsing.parse(s) { return f.message }
            return nil
        }
        // HAProxy's grammar and wording (FulcrumLog's parser).
        XCTAssertEqual(failure("x%"), "truncated line after '%'")
        XCTAssertEqual(failure("%[path"), "missing ']' after 'path'")
        XCTAssertEqual(failure("%nope"), "no such format variable 'nope'. If you wanted to emit the '%' character verbatim, you need to use '%%'")
        XCTAssertEqual(failure("%[path,jsn]"), "failed to parse sample expression <path,jsn> : unknown converter 'jsn'")
        XCTAssertEqual(failure("%[path,lower(1)]"), "failed to parse sample expression <path,lower(1)> : invalid arg 1 in converter 'lower' : expected ')' before '1'")
        // Converters, variables and flags parse.
        XCTAssertEqual(try LogFormatParsing.parse("%[path,lower,base64]").get().parts, [.sample(SampleFetch(name: "path", converters: [.lower, .base64]))])
        XCTAssertEqual(try LogFormatParsing.parse("ip=%ci:%{+X}cp %{+Q}[path]").get().parts,
                       [.literal("ip="), .variable(.clientIP, []), .literal(":"), .variable(.clientPort, .hexadecimal), .literal(" "), .sample(SampleFetch(name: "path"))])
        // Values keep every space (only log-format directives merge them).
        XCTAssertEqual(try LogFormatParsing.parse("  a  b ").get().parts, [.literal("  a  b ")])
        XCTAssertFalse(try LogFormatParsing.parse("%ci").get().isConstant)
        XCTAssertEqual(try LogFormatParsing.logLine("%ci  %b").get(), [.variable(.clientIP, .mandatory), .separator, .variable(.backendName, .mandatory)])
        XCTAssertEqual(failure("%[wait_end]"), "sample fetch 'wait_end' is not supported yet in log-format strings")
        XCTAssertEqual(failure("%[path(1)]"), "sample fetch 'path' takes no argument (in '%[path(1)]')")
        XCTAssertEqual(failure("%[req.cook]"), "sample fetch 'req.cook' expects a name as its argument (in '%[req.cook]')")
    }
}
