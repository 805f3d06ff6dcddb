import XCTest
@testable import FulcrumConfig

/// `tcp-request inspect-delay`, `tcp-request content accept|reject`, the
/// TCP content fetches and REQ_CONTENT: what loads, and what is refused at
/// its file:line:column naming the keyword.
final class TCPRequestConfigTests: XCTestCase {
    /// A mode tcp frontend (its first line, `lines`, is line 9) and backends a, b.
    private func parseTCP(_ lines: String, backend: String = "") -> ParseResult {
        parse(tcpDefaults + "frontend f\n    bind :443\n" + lines + "\n    default_backend a\nbackend a\n    server s 10.0.0.1:443\n"
              + backend + "backend b\n    server s 10.0.0.2:443\n")
    }

    func testSNIRoutingLoads() throws {
        let r = parseTCP("""
                tcp-request inspect-delay 5s
                tcp-request content accept if { req_ssl_hello_type 1 }
                tcp-request content reject if !{ req.ssl_ver ge 3.1 } || REQ_CONTENT !{ req.len gt 0 }
                tcp-request content reject
                use_backend b if { req.ssl_sni -i B.example } || { req_ssl_sni -m end .b.example }
                use_backend b if { req.ssl_alpn h2 } { req.payload(0,1) -m sub x } { req.payload_lv(43,1) -m found }
            """)
        XCTAssertEqual(r.alerts.map(\.message), [])
        let f = try XCTUnwrap(r.configuration.frontends.first)
        XCTAssertEqual(f.tcpContent.inspectDelay, 5000)
        XCTAssertEqual(f.tcpContent.rules.map(\.action), [TCPContentRules.Action.accept, .reject, .reject])
        XCTAssertNil(f.tcpContent.rules[2].condition)
        XCTAssertEqual(f.tcpContent.rules[0].location, SourceLocation(file: "t.cfg", line: 9 + 1, column: 5))
        guard case .anonymous(let hello)? = f.tcpContent.rules[0].condition?.groups.first?.first?.reference else {
            return XCTFail("anonymous ACL expected")
        }
        XCTAssertEqual(hello.fetch.name, "req.ssl_hello_type", "the alias names the fetch")
        XCTAssertEqual(hello.method, MatchMethod.int)
        XCTAssertEqual(f.http.useBackends.count, 2)
        guard case .anonymous(let sni)? = f.http.useBackends[0].condition?.groups[1].first?.reference else {
            return XCTFail("anonymous ACL expected")
        }
        XCTAssertEqual(sni.fetch.name, "req.ssl_sni")
        XCTAssertEqual(sni.method, MatchMethod.end)
        XCTAssertEqual(sni.patterns, [".b.example"])
    }

    func testBackendRulesAndListen() throws {
        let r = parse(tcpDefaults + """
            listen l
                bind :443
                tcp-request inspect-delay 100ms
                tcp-request content accept unless { req.len lt 5 }
                server s 10.0.0.1:443
            backend b
                tcp-request inspect-delay 2s
                tcp-request content reject if { req.payload(0,3) -m str GET }
                server s 10.0.0.2:443

            """)
        XCTAssertEqual(r.alerts.map(\.message), [])
        XCTAssertEqual(r.configuration.frontends.first?.tcpContent.inspectDelay, 100)
        XCTAssertEqual(r.configuration.backends.map(\.tcpContent.inspectDelay), [100, 2000])
        XCTAssertEqual(r.configuration.backends.last?.tcpContent.rules.first?.action, TCPContentRules.Action.reject)
    }

    /// `tcp-request connection expect-proxy layer4 [if|unless COND]`.
    func testConnectionExpectProxy() {
        let r = parseTCP("    tcp-request connection expect-proxy layer4 if { src 10.0.0.0/8 }\n    tcp-request connection expect-proxy layer4")
        XCTAssertEqual(r.diagnostics, [])
        let rules = r.configuration.frontends[0].tcpConnection.rules
        XCTAssertEqual(rules.map(\.action), [.expectProxy, .expectProxy])
        XCTAssertNotNil(rules[0].condition)
        XCTAssertNil(rules[1].condition)
        assertSingleAlert(parseTCP("    tcp-request connection set-mark 1"), "'tcp-request connection set-mark' is not supported yet (in section 'frontend')", line: 9, column: 28)
        assertSingleAlert(parseTCP("    tcp-request connection reject foo"), "'tcp-request connection reject' only accepts 'if' or 'unless', in frontend 'f' (got 'foo')", line: 9, column: 35)
        assertSingleAlert(parseTCP("    tcp-request connection track-sc0 src"), "'tcp-request connection track-sc*' : proxy 'f' has no stick-table; add one or name another proxy's with 'table'", line: 9, column: 5)
        XCTAssertEqual(parseTCP("    tcp-request connection accept if { src 10.0.0.1 }\n    tcp-request connection reject").configuration.frontends[0]
                        .tcpConnection.rules.map(\.action), [.accept, .reject])
        assertSingleAlert(parseTCP("    tcp-request connection expect-proxy"), "'tcp-request connection expect-proxy' only supports 'layer4'", line: 9, column: 28)
        assertSingleAlert(parseTCP("    tcp-request connection expect-proxy layer4 foo"),
                          "'tcp-request connection expect-proxy' only accepts 'if' or 'unless', in frontend 'f' (got 'foo')", line: 9, column: 48)
        assertSingleAlert(parseTCP("", backend: "backend c\n    tcp-request connection expect-proxy layer4\n"),
                          "tcp-request connection is not allowed because backend c is not a frontend", line: 14, column: 5)
    }

    /// The actions of `tcp-request connection` and `tcp-request session`,
    /// and HAProxy's messages for what they refuse (haproxy 2.6 -c).
    func testConnectionAndSessionActions() {
        let r = parseTCP("""
                tcp-request connection accept if { src 10.0.0.0/8 }
                tcp-request connection reject unless { dst_port 443 }
                tcp-request connection silent-drop if { src 192.0.2.1 }
                tcp-request connection set-var(sess.a) src,ipmask(24)
                tcp-request connection set-var-fmt(sess.b) "%[src]:%[src_port]"
                tcp-request connection unset-var(sess.a) if { src 10.0.0.1 }
                tcp-request connection set-src src,ipmask(8)
                tcp-request connection set-src-port int(1)
                tcp-request connection set-dst str(192.0.2.9)
                tcp-request connection set-dst-port int(2) if { src 10.0.0.0/8 }
                tcp-request session accept if { src 10.0.0.0/8 }
                tcp-request session reject
                tcp-request session silent-drop
                tcp-request session set-var(sess.c) src
                tcp-request session set-src str(192.0.2.7)
            """)
        XCTAssertEqual(r.diagnostics, [])
        let f = r.configuration.frontends[0]
        XCTAssertEqual(f.tcpConnection.rules.map(\.action.name), ["accept", "reject", "silent-drop", "set-var(sess.a)",
                                                                   "set-var-fmt(sess.b)", "unset-var(sess.a)", "set-src",
                                                                   "set-src-port", "set-dst", "set-dst-port"])
        XCTAssertEqual(f.tcpSession.rules.map(\.action.name), ["accept", "reject", "silent-drop", "set-var(sess.c)", "set-src"])
        XCTAssertEqual(f.tcpConnection.rules[1].condition?.unless, true)
        XCTAssertEqual(f.tcpSession.rules[4].location, SourceLocation(file: "t.cfg", line: 9 + 14, column: 5))

        assertSingleAlert(parseTCP("    tcp-request session expect-proxy layer4"),
                          "'expect-proxy layer4' is not allowed in 'tcp-request session' rules in frontend 'f'", line: 9, column: 25)
        assertSingleAlert(parseTCP("    tcp-request connection reject foo"),
                          "'tcp-request connection reject' only accepts 'if' or 'unless', in frontend 'f' (got 'foo')", line: 9, column: 35)
        assertSingleAlert(parseTCP("    tcp-request connection set-dst-port int(3) foo"),
                          "'tcp-request connection set-dst-port' only accepts 'if' or 'unless', in frontend 'f' (got 'foo')", line: 9, column: 48)
        assertSingleAlert(parseTCP("    tcp-request connection set-src"),
                          "'tcp-request connection set-src' expects a sample expression as an argument", line: 9, column: 28)
        assertSingleAlert(parseTCP("    tcp-request session capture src len 4"),
                          "'tcp-request session capture' is not supported yet (in section 'frontend')", line: 9, column: 25)
        assertSingleAlert(parseTCP("    tcp-request session rejct"),
                          "unknown action 'rejct' for 'tcp-request session'; did you mean 'reject'?", line: 9, column: 25)
        assertSingleAlert(parseTCP("", backend: "backend c\n    tcp-request session reject\n"),
                          "tcp-request session is not allowed because backend c is not a frontend", line: 14, column: 5)
        // HAProxy runs connection rules first whatever their place, and warns.
        let late = parseTCP("    tcp-request session accept\n    tcp-request connection reject")
        XCTAssertEqual(late.alerts.map(\.message), [])
        XCTAssertEqual(late.diagnostics.map(\.message),
                       ["a 'tcp-request' rule placed after a 'tcp-request session' rule will still be processed before."])
    }

    /// `tcp-request content switch-mode http [proto h1]`, HAProxy's
    /// messages for what it refuses; a switching frontend's HTTP rules load
    /// without the "require HTTP mode" warning.
    func testSwitchMode() {
        let r = parseTCP("    tcp-request content switch-mode http proto h1 if { req.len gt 0 }\n    http-request set-header X-A b")
        XCTAssertEqual(r.diagnostics.map(\.message), [])
        XCTAssertEqual(r.configuration.frontends[0].tcpContent.rules.map(\.action), [.switchModeHTTP])
        XCTAssertTrue(r.configuration.frontends[0].tcpContent.switchesToHTTP)
        assertSingleAlert(parseTCP("    tcp-request content switch-mode tcp"),
                          "'tcp-request switch-mode' expects a valid mode (got 'tcp').", line: 9, column: 37)
        assertSingleAlert(parseTCP("    tcp-request content switch-mode http proto foo"),
                          "'tcp-request switch-mode': 'proto' expects a valid MUX protocol, if specified (got 'foo')", line: 9, column: 42)
        assertSingleAlert(parseTCP("    tcp-request content switch-mode http foo"),
                          "'tcp-request content switch-mode' only accepts 'if' or 'unless', in frontend 'f' (got 'foo')", line: 9, column: 42)
        assertSingleAlert(parseTCP("", backend: "backend c\n    tcp-request content switch-mode http\n"),
                          "'tcp-request switch-mode' not allowed because backend 'c' has no frontend capability", line: 14, column: 25)
    }

    /// `use-server`, `force-persist`, `ignore-persist` and HAProxy's messages.
    func testServerRules() {
        let ok = parseTCP("", backend: """
            backend c
                use-server s if { src 10.0.0.0/8 }
                force-persist if { src 10.0.0.1 }
                ignore-persist unless { src 10.0.0.0/8 }
                server s 10.0.0.3:443

            """)
        XCTAssertEqual(ok.alerts.map(\.message), [])
        let c = ok.configuration.backends.first { $0.name == "c" }
        XCTAssertEqual(c?.serverRules.useServer.map(\.server), ["s"])
        XCTAssertEqual(c?.serverRules.persist.map(\.kind), [.force, .ignore])
        assertSingleAlert(parseTCP("", backend: "backend c\n    use-server s\n    server s 10.0.0.3:443\n"),
                          "'use-server' requires either 'if' or 'unless' followed by a condition.", line: 14, column: 5)
        assertSingleAlert(parseTCP("", backend: "backend c\n    force-persist foo\n    server s 10.0.0.3:443\n"),
                          "'force-persist' requires either 'if' or 'unless' followed by a condition.", line: 14, column: 5)
        assertSingleAlert(parseTCP("", backend: "backend c\n    use-server nosuch if TRUE\n    server s 10.0.0.3:443\n"),
                          "backend 'c' : unable to find server 'nosuch' referenced in a 'use-server' rule.", line: 14, column: 5)
    }

    func testErrorsNameTheirLineAndColumn() {
        assertSingleAlert(parseTCP("    tcp-request inspect-delay"), "'tcp-request inspect-delay' expects a timeout such as 5s or 500ms", line: 9, column: 17)
        assertSingleAlert(parseTCP("    tcp-request inspect-delay 5x"), "unexpected character 'x' in 'tcp-request inspect-delay': valid time units are us, ms, s, m, h, d", line: 9, column: 31)
        assertSingleAlert(parseTCP("    tcp-request inspect-delay 5s 6s"), "unexpected argument '6s' for 'tcp-request inspect-delay'", line: 9, column: 34)
        assertSingleAlert(parseTCP("    tcp-request content"), "'tcp-request content' expects an action such as 'accept' or 'reject'", line: 9, column: 17)
        assertSingleAlert(parseTCP("    tcp-request content capture src len 4"), "'tcp-request content capture' is not supported yet (in section 'frontend')", line: 9, column: 25)
        assertSingleAlert(parseTCP("    tcp-request content track-sc0 src"), "'tcp-request content track-sc*' : unable to find table 'f'", line: 9, column: 5)
        assertSingleAlert(parseTCP("    tcp-request content acept"), "unknown action 'acept' for 'tcp-request content'; did you mean 'accept'?", line: 9, column: 25)
        assertSingleAlert(parseTCP("    tcp-request content accept foo"), "unexpected argument 'foo' for 'tcp-request content accept' (expected 'if' or 'unless')", line: 9, column: 32)
        assertSingleAlert(parseTCP("    tcp-request session set-mark 1"), "'tcp-request session set-mark' is not supported yet (in section 'frontend')", line: 9, column: 25)
        assertSingleAlert(parseTCP("    tcp-request session track-sc0 src"), "'tcp-request session track-sc*' : proxy 'f' has no stick-table; add one or name another proxy's with 'table'", line: 9, column: 5)
        XCTAssertEqual(parseTCP("    tcp-request session reject if { src 10.0.0.0/8 }").configuration.frontends[0].tcpSession.rules.map(\.action), [.reject])
        assertSingleAlert(parseTCP("    tcp-request contnt accept"), "unknown 'tcp-request' rule set 'contnt'; expected 'inspect-delay', 'content', 'connection' or 'session'; did you mean 'content'?", line: 9, column: 17)
        assertSingleAlert(parseTCP("    tcp-request content accept if { req.ssl_snii -i a }"), "unknown ACL criterion 'req.ssl_snii'; did you mean 'req.ssl_sni'?", line: 9, column: 37)
    }

    /// req.ssl_ver's patterns are versions (HAProxy's dotted-version parser).
    func testSSLVersionPatterns() throws {
        func patterns(_ condition: String) throws -> [String] {
            let r = parseTCP("    tcp-request content reject if { \(condition) }")
            XCTAssertEqual(r.alerts.map(\.message), [], condition)
            let rule = try XCTUnwrap(r.configuration.frontends.first?.tcpContent.rules.first)
            guard case .anonymous(let acl)? = rule.condition?.groups.first?.first?.reference else { throw XCTSkip("no ACL") }
            return acl.patterns
        }
        XCTAssertEqual(try patterns("req_ssl_ver 3.1"), ["196609"])
        XCTAssertEqual(try patterns("req.ssl_ver 3"), ["196608"], "a major alone")
        XCTAssertEqual(try patterns("req.ssl_ver 3.0:3.3"), ["196608:196611"])
        XCTAssertEqual(try patterns("req.ssl_ver lt 3.1"), ["lt 196609"])
        XCTAssertEqual(try patterns("req.ssl_ver -m int 769"), ["769"], "-m int reads integers")
        assertSingleAlert(parseTCP("    tcp-request content reject if { req.ssl_ver 3.x }"),
                          "'3.x' is not a version such as 3.1 (in 'req.ssl_ver')", line: 9, column: 49)
    }

    func testPayloadArguments() {
        assertSingleAlert(parseTCP("    tcp-request content reject if { req.payload(0,1) 41 }"),
                          "ACL criterion 'req.payload' matches with 'bin' by default, which is not supported yet: give a method with '-m' (in section 'frontend')", line: 9, column: 37)
        assertSingleAlert(parseTCP("    tcp-request content reject if { req.payload(0) -m sub a }"),
                          "ACL criterion 'req.payload' expects (<offset>,<length>) as its arguments", line: 9, column: 37)
        assertSingleAlert(parseTCP("    tcp-request content reject if { req.payload(-1,2) -m sub a }"),
                          "ACL criterion 'req.payload': '-1' is not a valid offset or length", line: 9, column: 37)
        assertSingleAlert(parseTCP("    tcp-request content reject if { req.payload_lv(0,5) -m sub a }"),
                          "ACL criterion 'req.payload_lv': the length field is 1 to 4 bytes (got 5)", line: 9, column: 37)
        XCTAssertEqual(parseTCP("    tcp-request content reject if { req.payload_lv(0,2,-2) -m found }").alerts.map(\.message), [])
        assertSingleAlert(parseTCP("    tcp-request content reject if { req.len(3) 1 }"),
                          "ACL criterion 'req.len' takes no argument", line: 9, column: 37)
    }

    func testWhereTheRulesMayStand() {
        let defaults = parse("defaults\n    mode tcp\n    tcp-request inspect-delay 5s\n")
        assertSingleAlert(defaults, "'tcp-request' is not allowed in 'defaults' section", line: 3, column: 5)
        let named = parse("defaults d\n    mode tcp\n    tcp-request content reject\n")
        assertSingleAlert(named, "keyword 'tcp-request' in a named defaults section is not supported yet (in section 'defaults')", line: 3, column: 5)
        let http = parse(tcpDefaults + "frontend f\n    mode http\n    bind :80\n    tcp-request content reject\n    default_backend a\nbackend a\n    mode http\n    server s 10.0.0.1:80\n")
        assertSingleAlert(http, "'tcp-request content' rules in a mode http frontend 'f' are not supported yet", line: 10, column: 5)
    }
}
