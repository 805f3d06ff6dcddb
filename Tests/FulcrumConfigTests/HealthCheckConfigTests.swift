import XCTest
@testable import FulcrumConfig

/// option httpchk / option tcp-check, http-check and tcp-check rules, and the
/// server parameters that tune checks and traffic observation.
final class HealthCheckConfigTests: XCTestCase {
    /// Backend body lines start at line 8 (after `tcpDefaults` and `backend b`).
    private func backend(_ body: String, defaults: String = "") -> (Backend?, ParseResult) {
        // `defaults` lines go at the end of tcpDefaults' section (without them, the same text).
        let r = parse(String(tcpDefaults.dropLast()) + defaults + "\n" + "backend b\n" + body)
        return (r.configuration.backend(named: "b"), r)
    }

    private func check(_ body: String) -> HealthCheckConfig? { backend(body).0?.healthCheck }

    // MARK: option httpchk

    func testDefaultIsTCPConnect() {
        let (b, r) = backend("  server s 10.0.0.1:80 check\n")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(b?.healthCheck, HealthCheckConfig())
        XCTAssertEqual(b?.healthCheck.kind, .tcpConnect)
    }

    func testOptionHttpchkForms() {
        let bare = check("  option httpchk\n")
        XCTAssertEqual(bare?.kind, .http)
        XCTAssertEqual(bare.map { [$0.method, $0.uri, $0.version] }, ["OPTIONS", "/", "HTTP/1.0"])
        XCTAssertNil(bare?.expect)

        let uriOnly = check("  option httpchk /health\n")
        XCTAssertEqual(uriOnly.map { [$0.method, $0.uri, $0.version] }, ["OPTIONS", "/health", "HTTP/1.0"])

        let methodURI = check("  option httpchk GET /ready?full=1\n")
        XCTAssertEqual(methodURI.map { [$0.method, $0.uri, $0.version] }, ["GET", "/ready?full=1", "HTTP/1.0"])

        let all = check("  option httpchk HEAD / HTTP/1.1\n")
        XCTAssertEqual(all.map { [$0.method, $0.uri, $0.version] }, ["HEAD", "/", "HTTP/1.1"])
        XCTAssertEqual(all?.headers, [])
    }

    func testOptionHttpchkLegacyHeadersInVersion() {
        let (b, r) = backend("  option httpchk GET /h HTTP/1.1\\r\\nHost:\\ www.example.com\\r\\nX-A:b\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message), ["'option httpchk' : hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead."])
        XCTAssertEqual(r.warnings.first?.location, SourceLocation(file: "t.cfg", line: 8, column: 25))
        let c = b?.healthCheck
        XCTAssertEqual(c?.version, "HTTP/1.1")
        XCTAssertEqual(c?.headers, [HTTPHeaderField(name: "Host", value: "www.example.com"),
                                    HTTPHeaderField(name: "X-A", value: "b")])
        XCTAssertNil(c?.body)
    }

    func testOptionHttpchkLegacyBody() {
        let c = check("  option httpchk POST /q HTTP/1.0\\r\\nContent-Type:\\ text/plain\\r\\n\\r\\nping\n")
        XCTAssertEqual(c?.headers, [HTTPHeaderField(name: "Content-Type", value: "text/plain")])
        XCTAssertEqual(c?.body, "ping")
        // A body right after the version, without headers.
        let bodyOnly = check("  option httpchk POST /q HTTP/1.0\\r\\n\\r\\nping\n")
        XCTAssertEqual(bodyOnly?.headers, [])
        XCTAssertEqual(bodyOnly?.body, "ping")
    }

    func testOptionHttpchkErrors() {
        assertSingleAlert(backend("  option httpchk GET / HTTP/1.1 extra\n").1,
                          "unexpected argument 'extra' for 'option httpchk'", line: 8, column: 33)
        assertSingleAlert(backend("  option httpchk GET / HTTP/1.1\\r\\nbroken\n").1,
                          "'option httpchk' : unable to parse the header line 'broken' hidden in the version string (expected 'Name: value')",
                          line: 8, column: 24)
        assertSingleAlert(backend("  no option httpchk\n").1, "negation/default is not supported for option 'httpchk'", line: 8, column: 13)
        assertSingleAlert(backend("  default option tcp-check\n").1, "negation/default is not supported for option 'tcp-check'", line: 8, column: 18)
        assertSingleAlert(backend("  option tcp-check now\n").1, "unexpected argument 'now' for 'option tcp-check'", line: 8, column: 20)
    }

    func testOptionHttpchkInFrontendIsIgnoredWithWarning() {
        let r = parse(tcpDefaults + "frontend f\n  bind :80\n  option httpchk\n  http-check expect status 200\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message), [
            "'option httpchk' ignored because frontend 'f' has no backend capability",
            "'http-check' ignored because frontend 'f' has no backend capability",
        ])
        XCTAssertEqual(r.warnings.map { $0.location!.line }, [9, 10])
    }

    // MARK: http-check send

    func testHTTPCheckSendOverridesOption() {
        let (b, r) = backend("""
          option httpchk GET /old
          http-check send meth HEAD uri /new ver HTTP/1.1 hdr Host www.example.com hdr "User-Agent" "fulcrum check" body "{}"
        """)
        XCTAssertEqual(r.diagnostics, [])
        let c = b!.healthCheck
        XCTAssertEqual(c.kind, .http)
        XCTAssertEqual([c.method, c.uri, c.version], ["HEAD", "/new", "HTTP/1.1"])
        XCTAssertEqual(c.headers, [HTTPHeaderField(name: "Host", value: "www.example.com"),
                                   HTTPHeaderField(name: "User-Agent", value: "fulcrum check")])
        XCTAssertEqual(c.body, "{}")
    }

    func testHTTPCheckSendKeepsWhatItDoesNotName() {
        // The order of the option and the send rule does not matter (HAProxy merges them).
        let c = check("  http-check send hdr Host a\n  option httpchk GET /x HTTP/1.1\n")
        XCTAssertEqual(c.map { [$0.method, $0.uri, $0.version] }, ["GET", "/x", "HTTP/1.1"])
        XCTAssertEqual(c?.headers, [HTTPHeaderField(name: "Host", value: "a")])
        // Headers of a send rule replace the legacy ones of the option.
        let replaced = check("  option httpchk GET / HTTP/1.1\\r\\nHost:\\ old\n  http-check send hdr Host new\n")
        XCTAssertEqual(replaced?.headers, [HTTPHeaderField(name: "Host", value: "new")])
        // A send rule without arguments keeps everything.
        XCTAssertEqual(check("  option httpchk GET /x\n  http-check send\n")?.uri, "/x")
    }

    func testHTTPCheckSendErrors() {
        func alert(_ line: String) -> Diagnostic? { onlyAlert(backend("  option httpchk\n" + line + "\n").1, line) }
        XCTAssertEqual(alert("  http-check send meth")?.message, "'http-check send' : 'meth' expects a string as argument")
        XCTAssertEqual(alert("  http-check send meth")?.location?.column, 19)
        XCTAssertEqual(alert("  http-check send hdr Host")?.message, "'http-check send' : 'hdr' expects <name> and <value> as arguments")
        XCTAssertEqual(alert("  http-check send hdr Host: a")?.message, "'http-check send' : invalid character ':' in header name 'Host:'")
        XCTAssertEqual(alert("  http-check send foo")?.message, "'http-check send' expects 'meth', 'uri', 'ver', 'hdr' or 'body' but got 'foo' as argument")
        XCTAssertEqual(alert("  http-check send bdy x")?.message, "'http-check send' expects 'meth', 'uri', 'ver', 'hdr' or 'body' but got 'bdy' as argument; did you mean 'body'?")
        XCTAssertEqual(alert("  http-check send hdr X-Date %[date]")?.message, "log-format expressions ('%') in 'http-check send' header values are not supported yet")
        XCTAssertEqual(alert("  http-check send hdr X-Date %[date]")?.location?.column, 30)
        XCTAssertEqual(alert("  http-check send uri-lf /%[date]")?.message, "'uri-lf' of 'http-check send' is not supported yet (in section 'backend')")
    }

    func testSecondRequestNeedsConnect() {
        let r = backend("  option httpchk\n  http-check send meth GET\n  http-check send meth HEAD\n").1
        assertSingleAlert(r, "'http-check send' cannot follow the 'http-check' rule at t.cfg:9:3: a second request needs an 'http-check connect' rule before it",
                          line: 10, column: 3)
        let afterExpect = backend("  option httpchk\n  http-check expect status 200\n  http-check send meth GET\n").1
        assertSingleAlert(afterExpect, "'http-check send' cannot follow the 'http-check' rule at t.cfg:9:3: a second request needs an 'http-check connect' rule before it",
                          line: 10, column: 3)
    }

    // MARK: http-check expect

    func testHTTPCheckExpectForms() {
        func expect(_ rule: String) -> HTTPCheckExpect? {
            let (b, r) = backend("  option httpchk\n  http-check expect \(rule)\n")
            XCTAssertEqual(r.diagnostics, [], rule)
            return b?.healthCheck.expect
        }
        XCTAssertEqual(expect("status 200"), HTTPCheckExpect(negated: false, matcher: .status([200...200])))
        XCTAssertEqual(expect("status 200,301"), HTTPCheckExpect(negated: false, matcher: .status([200...200, 301...301])))
        XCTAssertEqual(expect("status 200-399"), HTTPCheckExpect(negated: false, matcher: .status([200...399])))
        XCTAssertEqual(expect("status 200,300-310"), HTTPCheckExpect(negated: false, matcher: .status([200...200, 300...310])))
        XCTAssertEqual(expect("! status 500"), HTTPCheckExpect(negated: true, matcher: .status([500...500])))
        XCTAssertEqual(expect("!status 500"), HTTPCheckExpect(negated: true, matcher: .status([500...500])))
        XCTAssertEqual(expect("rstatus ^2"), HTTPCheckExpect(negated: false, matcher: .rstatus("^2")))
        XCTAssertEqual(expect("! rstatus ^5"), HTTPCheckExpect(negated: true, matcher: .rstatus("^5")))
        XCTAssertEqual(expect("string OK"), HTTPCheckExpect(negated: false, matcher: .string("OK")))
        XCTAssertEqual(expect("! string SQL\\ Error"), HTTPCheckExpect(negated: true, matcher: .string("SQL Error")))
        XCTAssertEqual(expect("rstring <!--tag:[0-9a-f]*--></html>"),
                       HTTPCheckExpect(negated: false, matcher: .rstring("<!--tag:[0-9a-f]*--></html>")))
    }

    func testHTTPCheckExpectErrors() {
        func alert(_ rule: String) -> Diagnostic? { onlyAlert(backend("  option httpchk\n  http-check expect \(rule)\n").1, rule) }
        XCTAssertEqual(alert("status 302-301")?.message, "'http-check expect' : invalid status codes '302-301': expected codes or ranges such as 200,301-302")
        XCTAssertEqual(alert("status 302-301")?.location?.column, 28)
        XCTAssertEqual(alert("status 200-abc")?.message, "'http-check expect' : invalid status codes '200-abc': expected codes or ranges such as 200,301-302")
        XCTAssertEqual(alert("status 200,")?.message, "'http-check expect' : invalid status codes '200,': expected codes or ranges such as 200,301-302")
        XCTAssertEqual(alert("status")?.message, "'http-check expect' : 'status' expects a <pattern> as argument")
        XCTAssertEqual(alert("status")?.location?.column, 21)
        XCTAssertEqual(alert("status 200 extra")?.message, "unexpected argument 'extra' for 'http-check expect'")
        XCTAssertEqual(alert("foo bar")?.message, "'http-check expect' expects [!] followed by 'status', 'rstatus', 'string', 'rstring', 'hdr', 'fhdr', 'string-lf' but got 'foo'")
        XCTAssertEqual(alert("stauts 200")?.message, "'http-check expect' expects [!] followed by 'status', 'rstatus', 'string', 'rstring', 'hdr', 'fhdr', 'string-lf' but got 'stauts'; did you mean 'status'?")
        XCTAssertEqual(alert("")?.message, "'http-check expect' expects [!] <match> <pattern>")
        XCTAssertEqual(alert("hdr name Host")?.message, "'http-check expect hdr' is not supported yet (in section 'backend')")
        XCTAssertEqual(alert("min-recv 10 status 200")?.message, "'min-recv' of 'http-check expect' is not supported yet (in section 'backend')")
    }

    func testRegexValidation() {
        let r = backend("  option httpchk\n  http-check expect rstatus ^(2\n").1
        XCTAssertEqual(r.alerts.count, 1)
        XCTAssertTrue(r.alerts.first?.message.hasPrefix("'http-check expect' : regex '^(2' is invalid (") == true, "\(r.alerts)")
        XCTAssertEqual(r.alerts.first?.location, SourceLocation(file: "t.cfg", line: 9, column: 29))

        let body = backend("  option httpchk\n  http-check expect ! rstring [a-\n").1
        XCTAssertTrue(body.alerts.first?.message.hasPrefix("'http-check expect' : regex '[a-' is invalid (") == true, "\(body.alerts)")
        XCTAssertEqual(body.alerts.first?.location?.column, 31)

        let tcp = backend("  option tcp-check\n  tcp-check expect rstring a)\n").1
        XCTAssertEqual(tcp.alerts.count, 1, "\(tcp.alerts)")
        XCTAssertTrue(tcp.alerts.first?.message.hasPrefix("'tcp-check expect' : regex 'a)' is invalid (") == true, "\(tcp.alerts)")
        XCTAssertEqual(tcp.configuration.backends.first?.healthCheck.tcpRules, [])
    }

    func testOneExpectRulePerSection() {
        let r = backend("  option httpchk\n  http-check expect status 200\n  http-check expect string ok\n").1
        assertSingleAlert(r, "several 'http-check expect' rules in one section are not supported yet (in section 'backend')", line: 10, column: 3)
    }

    func testOtherHTTPCheckActions() {
        assertSingleAlert(backend("  option httpchk\n  http-check comment hello\n").1,
                          "keyword 'http-check comment' is not supported yet (in section 'backend')", line: 9, column: 3)
        assertSingleAlert(backend("  option httpchk\n  http-check connect port 80 linger\n").1,
                          "'linger' of 'http-check connect' is not supported yet (in section 'backend')", line: 9, column: 30)
        assertSingleAlert(backend("  option httpchk\n  http-check send uri /\n  http-check connect\n").1,
                          "'http-check connect' after the 'http-check' rule at t.cfg:9:3: several connections in one check are not supported yet (in section 'backend')",
                          line: 10, column: 3)
        let connect = backend("  option httpchk\n  http-check connect default port 8443 addr 10.0.0.1 ssl sni api.test alpn h2,http/1.1\n").0
        var expected = CheckConnect()
        expected.useServerSettings = true
        expected.port = 8443
        expected.address = "10.0.0.1"
        expected.ssl = true
        expected.sni = "api.test"
        expected.alpn = ["h2", "http/1.1"]
        XCTAssertEqual(connect?.healthCheck.connect, expected)
        let unknown = backend("  http-check sned\n").1
        XCTAssertEqual(unknown.alerts.count, 1)
        XCTAssertTrue(unknown.alerts.first!.message.hasPrefix("unknown 'http-check' action 'sned'; expected one of 'send', 'expect', "), unknown.alerts.first!.message)
        XCTAssertTrue(unknown.alerts.first!.message.hasSuffix("; did you mean 'send'?"), unknown.alerts.first!.message)
        XCTAssertEqual(unknown.alerts.first?.location?.column, 14)
        assertSingleAlert(backend("  http-check\n").1, "'http-check' expects 'send' or 'expect'", line: 8, column: 3)
    }

    func testHTTPCheckRulesWithoutOptionWarn() {
        let (b, r) = backend("  http-check expect status 200\n  server s 10.0.0.1:80 check\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.description), ["[WARNING] t.cfg:8:3: backend 'b' uses http-check rules without 'option httpchk', so the rules are ignored."])
        XCTAssertEqual(b?.healthCheck.kind, .tcpConnect)
        let listen = parse(tcpDefaults + "listen l\n  tcp-check send PING\n  server s 10.0.0.1:80\n")
        XCTAssertEqual(listen.warnings.map(\.description), ["[WARNING] t.cfg:8:3: proxy 'l' uses tcp-check rules without 'option tcp-check', so the rules are ignored."])
        // Rules used by the kind give no warning.
        XCTAssertEqual(backend("  option tcp-check\n  tcp-check send PING\n").1.diagnostics, [])
    }

    // MARK: tcp-check

    func testTCPCheckRulesKeepTheirOrder() {
        let (b, r) = backend("""
          option tcp-check
          tcp-check connect
          tcp-check send PING\\r\\n
          tcp-check expect string +PONG
          tcp-check send-binary 50494e470d0a
          tcp-check expect binary 2b504F4e47
          tcp-check connect port 6380 addr 10.0.0.9
          tcp-check send "info replication\\r\\n"
          tcp-check expect ! rstring ^-ERR
          tcp-check expect !string role:slave
          tcp-check connect addr [::1]
        """)
        XCTAssertEqual(r.diagnostics, [])
        let c = b!.healthCheck
        XCTAssertEqual(c.kind, .tcpCheck)
        XCTAssertEqual(c.tcpRules, [
            .connect(port: nil, address: nil),
            .send("PING\r\n"),
            .expect(negated: false, matcher: .string("+PONG")),
            .sendBinary([0x50, 0x49, 0x4e, 0x47, 0x0d, 0x0a]),
            .expect(negated: false, matcher: .binary([0x2b, 0x50, 0x4f, 0x4e, 0x47])),
            .connect(port: 6380, address: "10.0.0.9"),
            .send("info replication\r\n"),
            .expect(negated: true, matcher: .rstring("^-ERR")),
            .expect(negated: true, matcher: .string("role:slave")),
            .connect(port: nil, address: "::1"),
        ])
    }

    func testTCPCheckWithoutConnectStartsWithSend() {
        let c = check("  option tcp-check\n  tcp-check send QUIT\\r\\n\n")
        XCTAssertEqual(c?.tcpRules, [.send("QUIT\r\n")])
        XCTAssertEqual(check("  option tcp-check\n")?.tcpRules, [])
        XCTAssertEqual(check("  option tcp-check\n")?.kind, .tcpCheck)
    }

    func testTCPCheckErrors() {
        func alert(_ rule: String) -> Diagnostic? { onlyAlert(backend("  option tcp-check\n  tcp-check \(rule)\n").1, rule) }
        XCTAssertEqual(alert("connect port 0")?.message, "'tcp-check connect' expects a valid TCP port (from range 1 to 65535), got '0'")
        XCTAssertEqual(alert("connect port 0")?.location?.column, 26)
        XCTAssertEqual(alert("connect port 70000")?.message, "'tcp-check connect' expects a valid TCP port (from range 1 to 65535), got '70000'")
        XCTAssertEqual(alert("connect port")?.message, "'tcp-check connect' : 'port' expects an argument")
        XCTAssertEqual(alert("connect addr db.example")?.message, "'tcp-check connect' : 'addr' expects an IPv4 or IPv6 address (got 'db.example')")
        XCTAssertEqual(alert("connect addr 10.0.0.256")?.message, "'tcp-check connect' : 'addr' expects an IPv4 or IPv6 address (got '10.0.0.256')")
        XCTAssertEqual(alert("connect bogus")?.message, "'tcp-check connect' expects 'port' or 'addr' but got 'bogus' as argument")
        XCTAssertEqual(alert("connect ssl")?.message, "'ssl' of 'tcp-check connect' is not supported yet (in section 'backend')")
        XCTAssertEqual(alert("connect default")?.message, "'default' of 'tcp-check connect' is not supported yet (in section 'backend')")
        XCTAssertEqual(alert("send")?.message, "'tcp-check send' expects a string as argument")
        XCTAssertEqual(alert("send a b")?.message, "unexpected argument 'b' for 'tcp-check send'. Use quotes or backslashes if the data contains spaces.")
        XCTAssertEqual(alert("send a b")?.location?.column, 20)
        XCTAssertEqual(alert("send PING comment ping")?.message, "'comment' of 'tcp-check send' is not supported yet (in section 'backend')")
        XCTAssertEqual(alert("send-binary 50494e4")?.message, "'tcp-check send-binary' : '50494e4' is not a valid binary string: an even number of hexadecimal digits is expected")
        XCTAssertEqual(alert("send-binary 5049zz")?.message, "'tcp-check send-binary' : '5049zz' is not a valid binary string: a hexadecimal digit is expected (found 'z')")
        XCTAssertEqual(alert("send-binary 5049zz")?.location?.column, 25)
        XCTAssertEqual(alert("expect binary 0g")?.message, "'tcp-check expect' : '0g' is not a valid binary string: a hexadecimal digit is expected (found 'g')")
        XCTAssertEqual(alert("expect string")?.message, "'tcp-check expect' : 'string' expects a <pattern> as argument")
        XCTAssertEqual(alert("expect status 200")?.message, "'tcp-check expect' expects [!] followed by 'string', 'rstring', 'binary', 'rbinary', 'string-lf', 'binary-lf' but got 'status'")
        XCTAssertEqual(alert("expect rbinary ^30")?.message, "'tcp-check expect rbinary' is not supported yet (in section 'backend')")
        XCTAssertEqual(alert("send-lf %[date]")?.message, "keyword 'tcp-check send-lf' is not supported yet (in section 'backend')")
        XCTAssertEqual(alert("comment hello")?.message, "keyword 'tcp-check comment' is not supported yet (in section 'backend')")
        XCTAssertTrue(alert("foo")?.message.hasPrefix("unknown 'tcp-check' action 'foo'; expected one of 'connect', 'send', 'send-binary', 'expect'") == true)
    }

    func testConnectMustComeFirstOnceThereIsOne() {
        let r = backend("  option tcp-check\n  tcp-check send PING\n  tcp-check connect port 81\n").1
        assertSingleAlert(r, "'tcp-check connect' : the first 'tcp-check' rule (at t.cfg:9:3) must also be a 'connect' when the ruleset has a 'connect' rule",
                          line: 10, column: 3)
    }

    // MARK: defaults inheritance

    func testCheckSettingsInheritFromDefaults() {
        let (b, r) = backend("  server s 10.0.0.1:80 check\n", defaults: """
            option httpchk GET /health HTTP/1.1
            http-check send hdr Host example.com
            http-check expect status 200-299
            default-server inter 3s fastinter 1s rise 4 fall 2 slowstart 20s observe layer4 error-limit 5 on-error mark-down
        """)
        XCTAssertEqual(r.diagnostics, [])
        let c = b!.healthCheck
        XCTAssertEqual(c.kind, .http)
        XCTAssertEqual([c.method, c.uri, c.version], ["GET", "/health", "HTTP/1.1"])
        XCTAssertEqual(c.headers, [HTTPHeaderField(name: "Host", value: "example.com")])
        XCTAssertEqual(c.expect, HTTPCheckExpect(negated: false, matcher: .status([200...299])))
        let p = b!.servers[0].params
        XCTAssertEqual(p.inter, 3000)
        XCTAssertEqual(p.fastinter, 1000)
        XCTAssertEqual([p.rise, p.fall], [4, 2])
        XCTAssertEqual(p.slowstart, 20_000)
        XCTAssertEqual(p.observe, .layer4)
        XCTAssertEqual(p.errorLimit, 5)
        XCTAssertEqual(p.onError, .markDown)
    }

    func testOwnHTTPRulesReplaceInheritedRules() {
        let defaults = """
            option httpchk GET /health
            http-check send hdr Host example.com
            http-check expect status 200
        """
        // Its own expect rule drops the inherited send and expect rules; the
        // option's request line stays.
        let own = backend("  http-check expect string ready\n", defaults: defaults).0!.healthCheck
        XCTAssertEqual(own.expect, HTTPCheckExpect(negated: false, matcher: .string("ready")))
        XCTAssertEqual(own.headers, [])
        XCTAssertEqual([own.method, own.uri], ["GET", "/health"])
        XCTAssertEqual(own.kind, .http)
        // Its own option httpchk starts a fresh HTTP check too.
        let option = backend("  option httpchk HEAD /own\n", defaults: defaults).0!.healthCheck
        XCTAssertEqual([option.method, option.uri], ["HEAD", "/own"])
        XCTAssertEqual(option.headers, [])
        XCTAssertNil(option.expect)
        // No warning: the rules are used by the inherited option.
        XCTAssertEqual(backend("  http-check expect string ready\n", defaults: defaults).1.diagnostics, [])
    }

    func testOwnTCPRulesReplaceInheritedRules() {
        let defaults = """
            option tcp-check
            tcp-check send PING\\r\\n
            tcp-check expect string +PONG
        """
        XCTAssertEqual(backend("", defaults: defaults).0?.healthCheck.tcpRules,
                       [.send("PING\r\n"), .expect(negated: false, matcher: .string("+PONG"))])
        let own = backend("  tcp-check expect string +OK\n", defaults: defaults).0!.healthCheck
        XCTAssertEqual(own.kind, .tcpCheck)
        XCTAssertEqual(own.tcpRules, [.expect(negated: false, matcher: .string("+OK"))])
        // A later defaults section starts over.
        let r = parse(tcpDefaults + "defaults\n  option tcp-check\n  tcp-check send x\ndefaults\n  mode tcp\nbackend b\n")
        XCTAssertEqual(r.configuration.backends.first?.healthCheck, HealthCheckConfig())
    }

    func testDefaultsRulesUnusedByAProxyDoNotWarn() {
        let (b, r) = backend("  server s 10.0.0.1:80 check\n", defaults: "    http-check expect status 200\n    tcp-check send PING")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(b?.healthCheck.kind, .tcpConnect)
    }

    func testKindFollowsTheLastOption() {
        let c = check("  option httpchk GET /\n  option tcp-check\n")
        XCTAssertEqual(c?.kind, .tcpCheck)
        XCTAssertEqual(backend("  option tcp-check\n", defaults: "    option httpchk").0?.healthCheck.kind, .tcpCheck)
    }

    func testTimeoutCheckIsServed() {
        let (b, r) = backend("  timeout check 1500ms\n")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(b?.timeouts.check, 1500)
        XCTAssertEqual(backend("", defaults: "    timeout check 4s").0?.timeouts.check, 4000)
    }

    // MARK: server parameters

    func testServerCheckTuning() {
        let r = parse(tcpDefaults + "backend b\n  mode tcp\n  server a 10.0.0.1:80 check slowstart 30s init-state fully-down observe layer4 error-limit 3 on-error sudden-death\n  server z 10.0.0.2:80\n")
        let b = r.configuration.backends.first
        XCTAssertEqual(r.diagnostics, [])
        let p = b!.servers[0].params
        XCTAssertEqual(p.slowstart, 30_000)
        XCTAssertEqual(p.initState, .fullyDown)
        XCTAssertEqual(p.observe, .layer4)
        XCTAssertEqual(p.errorLimit, 3)
        XCTAssertEqual(p.onError, .suddenDeath)
        // HAProxy's defaults.
        let d = b!.servers[1].params
        XCTAssertNil(d.slowstart)
        XCTAssertNil(d.initState)
        XCTAssertNil(d.observe)
        XCTAssertEqual(d.errorLimit, 10)
        XCTAssertEqual(d.onError, .failCheck)
    }

    func testServerCheckTuningValues() {
        func params(_ options: String) -> ServerParams? { backend("  server s 10.0.0.1:80 \(options)\n").0?.servers.first?.params }
        XCTAssertEqual(params("init-state up")?.initState, .up)
        XCTAssertEqual(params("init-state down")?.initState, .down)
        XCTAssertEqual(params("init-state fully-up")?.initState, .fullyUp)
        XCTAssertEqual(params("on-error fastinter")?.onError, .fastinter)
        XCTAssertEqual(params("on-error fail-check")?.onError, .failCheck)
        XCTAssertNil(params("slowstart 0")?.slowstart, "slowstart 0 disables slow start")
        XCTAssertEqual(params("slowstart 500")?.slowstart, 500)
        // default-server values are overridden per server, `observe none` resets.
        let (b, _) = backend("  default-server observe layer4 slowstart 10s\n  server s 10.0.0.1:80 observe none slowstart 0\n")
        XCTAssertNil(b?.servers.first?.params.observe)
        XCTAssertNil(b?.servers.first?.params.slowstart)
    }

    func testServerCheckTuningErrors() {
        func alert(_ options: String) -> Diagnostic? { onlyAlert(backend("  server s 10.0.0.1:80 \(options)\n").1, options) }
        XCTAssertEqual(alert("check observe layer7")?.message, "'observe layer7' can only be used in http proxies")
        XCTAssertEqual(alert("check observe layer7")?.location?.column, 38)
        XCTAssertEqual(alert("observe layer5")?.message, "'observe' expects one of 'none', 'layer4', 'layer7' but got 'layer5'; did you mean 'layer4'?")
        XCTAssertEqual(alert("observe")?.message, "'observe' expects an argument")
        XCTAssertEqual(alert("error-limit 0")?.message, "'error-limit' has to be > 0 (got '0')")
        XCTAssertEqual(alert("error-limit -1")?.message, "'error-limit' has to be > 0 (got '-1')")
        XCTAssertEqual(alert("on-error foo")?.message, "'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got 'foo'")
        XCTAssertEqual(alert("on-error markdown")?.message, "'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got 'markdown'; did you mean 'mark-down'?")
        XCTAssertEqual(alert("init-state maybe")?.message, "'init-state' expects one of 'fully-up', 'up', 'down' or 'fully-down' but got 'maybe'")
        XCTAssertEqual(alert("slowstart abc")?.message, "'slowstart' expects a time value such as 5s or 500ms (got 'abc')")
        XCTAssertEqual(alert("slowstart 10x")?.message, "unexpected character 'x' in 'slowstart': valid time units are us, ms, s, m, h, d")
        XCTAssertEqual(alert("slowstart 10x")?.location?.column, 34)
    }

    func testObserveLayer7InHTTPMode() {
        let r = parse(tcpDefaults + "backend b\n  mode http\n  default-server observe layer7\n  server s 10.0.0.1:80 check\n")
        XCTAssertEqual(r.alerts.map(\.message), [])
        XCTAssertEqual(r.configuration.backends.first?.servers.first?.params.observe, .layer7)
        // default-server in a tcp section is checked too.
        assertSingleAlert(backend("  default-server observe layer7\n").1, "'observe layer7' can only be used in http proxies", line: 8, column: 26)
    }
}
