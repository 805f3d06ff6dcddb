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

    func testUseBackendInTCPFrontendIsNotServed() {
        let r = parse(tcpDefaults + "frontend f\n    bind :80\n    use_backend b if { src 10.0.0.0/8 }\n    default_backend b\nbackend b\n    server s 10.0.0.1:80\n")
        assertSingleAlert(r, "'use_backend' rules in a mode tcp frontend 'f' are not supported yet (set 'mode http' to switch on HTTP requests)", line: 9, column: 5)
    }

    func testLogFormatParsing() {
        XCTAssertEqual(try LogFormatParsing.parse("a%%b").get(), LogFormat(text: "a%%b", parts: [.literal("a%b")]))
        XCTAssertEqual(try LogFormatParsing.parse("%[urlp(id)]").get().parts, [.sample(SampleFetch(name: "url_param", arguments: ["id"]))])
        XCTAssertEqual(try LogFormatParsing.parse("").get().parts, [])
        func failure(_ s: String) -> String? {
            if case .failure(let f) = LogFormatParsing.parse(s) { return f.message }
            return nil
        }
        XCTAssertEqual(failure("x%"), "log-format string 'x%' ends with a lone '%' (write '%%' for a literal '%')")
        XCTAssertEqual(failure("%[path"), "missing ']' after '%[' in log-format string '%[path'")
        XCTAssertEqual(failure("%[path,lower]"), "sample converters are not supported yet (in '%[path,lower]')")
        XCTAssertEqual(failure("%ci"), "log-format variable '%ci' is not supported yet (use a '%[sample]' expression; in '%ci')")
        XCTAssertEqual(failure("%{+Q}[path]"), "log-format flags ('%{...}') are not supported yet (in '%{+Q}[path]')")
        XCTAssertEqual(failure("%[ssl_fc_sni]"), "sample fetch 'ssl_fc_sni' is not supported yet in log-format strings")
        XCTAssertEqual(failure("%[path(1)]"), "sample fetch 'path' takes no argument (in '%[path(1)]')")
        XCTAssertEqual(failure("%[req.cook]"), "sample fetch 'req.cook' expects a name as its argument (in '%[req.cook]')")
    }
}
