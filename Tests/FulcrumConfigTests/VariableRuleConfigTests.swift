import XCTest
@testable import FulcrumConfig

/// The configuration side of variables, converters and the rules issue 15
/// adds: what each line becomes, and HAProxy 2.6's wording where it is
/// refused (checked against `haproxy -c`).
final class VariableRuleConfigTests: XCTestCase {
    func testVariableActionsParse() throws {
        let r = parseFrontend("""
                http-request set-var(txn.host,ifnotexists) req.hdr(host),lower
                http-request set-var-fmt(sess.who) "%[src]:%[src_port]"
                http-request unset-var(txn.host) if { path /x }
                http-response set-var(res.code) status
                http-after-response set-header X-Code %[var(res.code)]
                http-after-response set-status 200 reason Fine
                http-after-response allow
            """)
        XCTAssertEqual(r.alerts.map(\.message), [])
        let h = try XCTUnwrap(r.frontend?.http)
        guard case .setVar(let name, let fetch) = h.requestRules[0].action else { return XCTFail("\(h.requestRules[0])") }
        XCTAssertEqual(name.description, "txn.host")
        XCTAssertEqual(name.conditions, .ifNotExists)
        XCTAssertEqual(fetch, SampleFetch(name: "req.hdr", arguments: ["host"], converters: [.lower]))
        guard case .setVarFormat(let who, _) = h.requestRules[1].action else { return XCTFail("\(h.requestRules[1])") }
        XCTAssertEqual(who.scope, .sess)
        guard case .unsetVar = h.requestRules[2].action else { return XCTFail("\(h.requestRules[2])") }
        XCTAssertNotNil(h.requestRules[2].condition)
        XCTAssertEqual(h.responseRules.count, 1)
        XCTAssertEqual(h.afterResponseRules.count, 3)
        guard case .setStatus(200, "Fine") = h.afterResponseRules[1].action else { return XCTFail("\(h.afterResponseRules[1])") }
    }

    func testRequestActionsParse() throws {
        let r = parse(httpDefaults + """
            global
                expose-experimental-directives
            frontend f
                bind :80
                timeout tarpit 2s
                http-request set-dst str(10.0.0.9)
                http-request set-dst-port int(8080)
                http-request set-src req.hdr(x-real-ip)
                http-request set-src-port int(1)
                http-request silent-drop if { path /drop }
                http-request reject if { path /reject }
                http-request tarpit deny_status 429 if { path /slow }
                http-request normalize-uri path-strip-dotdot full
                default_backend app
            backend app
                server s 0.0.0.0

            """)
        XCTAssertEqual(r.alerts.map(\.message), [])
        let f = try XCTUnwrap(r.frontend)
        XCTAssertEqual(f.timeouts.tarpit, 2000)
        XCTAssertEqual(f.http.requestRules.map { "\($0.action)".prefix(12) }.count, 8)
        guard case .setAddress(.destinationPort, let port) = f.http.requestRules[1].action else { return XCTFail() }
        XCTAssertEqual(port, SampleFetch(name: "int", arguments: ["8080"]))
        guard case .tarpit(429) = f.http.requestRules[6].action else { return XCTFail("\(f.http.requestRules[6])") }
        guard case .normalizeURI(.pathStripDotDot(full: true)) = f.http.requestRules[7].action else { return XCTFail() }
    }

    func testRefusalsUseHAProxysWords() {
        func alert(_ line: String, extra: String = "") -> String? { onlyAlert(parseFrontend("    " + line, extra: extra), line)?.message }
        XCTAssertEqual(alert("http-request set-var(foo.bar) str(x)"),
                       "error detected while parsing 'http-request set-var(foo.bar)' rule : invalid variable name 'foo.bar'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'")
        XCTAssertEqual(alert("http-request set-var(txn.a)"), "error detected while parsing 'http-request set-var(txn.a)' rule : missing fetch method")
        XCTAssertEqual(alert("http-request set-var(txn.a) str(a) bogus"),
                       "'http-request set-var(txn.a)' expects either 'if' or 'unless' followed by a condition but found 'bogus'")
        XCTAssertEqual(alert("http-request set-var(txn.a,bogus) str(1)"),
                       "error detected while parsing 'http-request set-var(txn.a,bogus)' rule : unknown condition \"bogus\"")
        XCTAssertEqual(alert("acl a var(txn.x) foo"),
                       "matching method must be specified first (using '-m') when using a sample fetch of this type ('var')")
        XCTAssertEqual(alert("http-request normalize-uri path-merge-slashes"),
                       "'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'")
        XCTAssertEqual(alert("http-after-response deny"),
                       "'http-after-response' expects 'ot-group', 'add-header', 'allow', 'capture', 'del-header', 'replace-header', 'replace-value', 'set-header', 'set-status', 'strict-mode', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', but got 'deny'.")
        XCTAssertEqual(alert("http-after-response set-status 1000"),
                       "error detected while parsing 'http-after-response set-status' rule : expects an integer status code between 100 and 999.")
        XCTAssertEqual(alert("http-after-response set-log-level err"),
                       "'http-after-response set-log-level' is not supported yet (in section 'frontend')")
        XCTAssertEqual(alert("http-request set-header X %[str(a),set-var(txn.a,nope)]"),
                       "'http-request set-header' : failed to parse sample expression <str(a),set-var(txn.a,nope)> : invalid args in converter 'set-var' : unknown condition \"nope\"")
    }

    func testConvertersInACLsDecideTheDefaultMethod() throws {
        let r = parseFrontend("""
                acl short var(txn.path),length lt 5
                acl admin req.hdr(x-user),lower admin
                acl net src,ipmask(16) 10.1.0.0
            """)
        XCTAssertEqual(r.alerts.map(\.message), [])
        let acls = try XCTUnwrap(r.frontend?.http.acls)
        XCTAssertEqual(acls.map(\.method), [.int, .str, .ip])
        XCTAssertEqual(acls[0].fetch.converters, [.length])
    }
}
