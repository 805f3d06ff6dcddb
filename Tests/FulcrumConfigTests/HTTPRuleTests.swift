import XCTest
@testable import FulcrumConfig

final class HTTPRuleTests: XCTestCase {
    private func requestRules(_ lines: String) -> ([HTTPRequestRule], ParseResult) {
        let r = parseFrontend(lines)
        return (r.frontend?.http.requestRules ?? [], r)
    }

    func testServedRequestActions() {
        let (rules, r) = requestRules("""
            acl api path_beg /api
            http-request allow if api
            http-request deny deny_status 429 if { src 10.0.0.0/8 }
            http-request deny
            http-request return status 503 content-type text/plain string "down" hdr Retry-After 30
            http-request return status 204
            http-request redirect scheme https code 301 unless api
            http-request set-header X-Path %[path]
            http-request add-header X-Lit "a %% b"
            http-request del-header X-Secret
            http-request replace-header Host ^(.*)\\.local$ \\1.example
            http-request replace-value X-List ^a$ b
            http-request set-path /v2%[path]
            http-request set-query a=1
            http-request set-uri /x
            http-request set-method GET
            http-request auth realm "Admin area"
            http-request auth
        """)
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(rules.count, 17)
        XCTAssertEqual(rules[0].action, .allow)
        XCTAssertEqual(rules[0].condition, RuleCondition(unless: false, groups: [[ConditionTerm(negated: false, reference: .named("api"))]]))
        XCTAssertEqual(rules[1].action, .deny(status: 429))
        XCTAssertEqual(rules[2].action, .deny(status: 403))
        XCTAssertEqual(rules[3].action, .returnResponse(status: 503, contentType: "text/plain",
                                                         body: .string(LogFormat(text: "down", parts: [.literal("down")])),
                                                         headers: [("Retry-After", LogFormat(text: "30", parts: [.literal("30")]))]))
        XCTAssertEqual(rules[4].action, .returnResponse(status: 204, contentType: nil, body: .none, headers: []))
        guard case .redirect(let redirect) = rules[5].action else { return XCTFail("redirect expected") }
        XCTAssertEqual(redirect.kind, .scheme)
        XCTAssertEqual(redirect.code, 301)
        XCTAssertEqual(rules[5].condition?.unless, true)
        XCTAssertEqual(rules[6].action, .setHeader(name: "X-Path", value: LogFormat(text: "%[path]", parts: [.sample(SampleFetch(name: "path"))])))
        XCTAssertEqual(rules[7].action, .addHeader(name: "X-Lit", value: LogFormat(text: "a %% b", parts: [.literal("a % b")])))
        XCTAssertEqual(rules[8].action, .delHeader(name: "X-Secret"))
        XCTAssertEqual(rules[9].action, .replaceHeader(name: "Host", regex: "^(.*)\\.local$", replacement: LogFormat(text: "\\1.example", parts: [.literal("\\1.example")])))
        XCTAssertEqual(rules[11].action, .setPath(LogFormat(text: "/v2%[path]", parts: [.literal("/v2"), .sample(SampleFetch(name: "path"))])))
        XCTAssertEqual(rules[15].action, .auth(realm: "Admin area"))
        XCTAssertEqual(rules[16].action, .auth(realm: nil))
        XCTAssertEqual(rules[16].location, SourceLocation(file: "t.cfg", line: 26, column: 5))
    }

    func testResponseRules() {
        let r = parseFrontend("""
            http-response del-header Server
            http-response set-header X-Frame-Options DENY if { path_beg /admin }
            http-response deny
            http-response deny deny_status 500
            http-response replace-value Cache-Control ^public$ private
        """)
        XCTAssertEqual(r.diagnostics, [])
        let rules = r.frontend?.http.responseRules ?? []
        XCTAssertEqual(rules.map(\.action), [
            .delHeader(name: "Server"),
            .setHeader(name: "X-Frame-Options", value: LogFormat(text: "DENY", parts: [.literal("DENY")])),
            .deny(status: 502), .deny(status: 500),
            .replaceValue(name: "Cache-Control", regex: "^public$", replacement: LogFormat(text: "private", parts: [.literal("private")])),
        ])
        XCTAssertNotNil(rules[1].condition)
    }

    func testRedirectKeyword() {
        let r = parseFrontend("    redirect prefix https://example.com code 308 drop-query append-slash if { hdr(host) -i old.example.com }\n    redirect location /maintenance\n")
        XCTAssertEqual(r.diagnostics, [])
        let redirects = r.frontend?.http.redirects ?? []
        XCTAssertEqual(redirects.count, 2)
        XCTAssertEqual(redirects[0].kind, .prefix)
        XCTAssertEqual([redirects[0].code, redirects[1].code], [308, 302])
        XCTAssertTrue(redirects[0].dropQuery && redirects[0].appendSlash)
        XCTAssertNotNil(redirects[0].condition)
        XCTAssertEqual(redirects[1].value.text, "/maintenance")
    }

    func testRuleErrors() {
        func alert(_ line: String) -> Diagnostic? { onlyAlert(parseFrontend("    " + line), line) }
        XCTAssertEqual(alert("http-request set-mark 1")?.message, "'http-request set-mark' is not supported yet (in section 'frontend')")
        XCTAssertEqual(alert("http-request set-mark 1")?.location?.column, 18)
        XCTAssertEqual(alert("http-request set-var(foo.x) str(a)")?.message, "error detected while parsing 'http-request set-var(foo.x)' rule : invalid variable name 'foo.x'. A variable name must be start by its scope. The scope can be 'proc', 'sess', 'txn', 'req', 'res' or 'check'")
        XCTAssertEqual(alert("http-request set-heder X y")?.message, "unknown 'http-request' action 'set-heder'; did you mean 'set-header'?")
        XCTAssertEqual(alert("http-request deny deny_status 418")?.message, "'http-request deny' : status code '418' has no default error page; expected one of 200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504")
        XCTAssertEqual(alert("http-request return status 700")?.message, "'http-request return' : unexpected status code '700' (expected 200 to 599)")
        XCTAssertEqual(alert("http-request return string hi")?.message, "'http-request return' : a content type must be defined when a payload is configured")
        XCTAssertEqual(alert("http-request return errorfile /x")?.message, "'errorfile' of 'http-request return' is not supported yet (in section 'frontend')")
        XCTAssertEqual(alert("http-request redirect location /x code 304")?.message, "'http-request redirect' : 'code': unsupported HTTP code '304' (must be one of 301, 302, 303, 307 or 308)")
        XCTAssertEqual(alert("http-request redirect location /x set-cookie A=1")?.message, "'set-cookie' of 'http-request redirect' is not supported yet (in section 'frontend')")
        XCTAssertEqual(alert("http-request set-header X a b")?.message, "unexpected argument 'b' for 'http-request set-header'. Use quotes if the value contains spaces.")
        XCTAssertEqual(alert("http-request set-header \"X Y\" a")?.message, "'http-request set-header' : invalid header name 'X Y'")
        XCTAssertEqual(alert("http-request set-header X %[path,json(bad)]")?.message, "'http-request set-header' : failed to parse sample expression <path,json(bad)> : invalid args in converter 'json' : Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'")
        XCTAssertEqual(alert("http-request set-header X %Tt")?.message, "log-format variable '%Tt' is not available in 'http-request set-header' (available there: %ci %cp %fi %fp %r %HM %HU %HP %HPO %HQ %HV)")
        XCTAssertEqual(alert("http-request redirect location /%[path]?from=%b")?.message, "log-format variable '%b' is not available in 'http-request redirect' (available there: %ci %cp %fi %fp %r %HM %HU %HP %HPO %HQ %HV)")
        XCTAssertEqual(parseFrontend("    http-request set-header X %ci:%cp").alerts.map(\.message), [])
        XCTAssertEqual(alert("http-request set-header X %[path")?.message, "'http-request set-header' : missing ']' after 'path'")
        XCTAssertEqual(alert("http-request replace-header Host ^(a x")?.message.hasPrefix("'http-request replace-header' : regex '^(a' is invalid"), true)
        XCTAssertEqual(alert("http-request del-header X -m beg")?.message, "'-m' of 'http-request del-header' is not supported yet (in section 'frontend')")
        XCTAssertEqual(alert("http-request allow extra")?.message, "unexpected argument 'extra' for 'http-request allow' (expected 'if' or 'unless')")
        XCTAssertEqual(alert("http-request auth foo")?.message, "'http-request auth' expects 'realm <name>' or nothing but got 'foo'")
        XCTAssertEqual(alert("http-request deny if nosuch")?.message, "error in the condition of 'http-request deny' : no such ACL : 'nosuch'")
        XCTAssertEqual(alert("http-response set-status 1000")?.message, "error detected while parsing 'http-response set-status' rule : expects an integer status code between 100 and 999.")
        XCTAssertEqual(alert("redirect scheme")?.message, "'redirect' expects 'location', 'prefix' or 'scheme' followed by a value")
        XCTAssertEqual(alert("redirect locaton /x")?.message, "'redirect' expects 'location', 'prefix' or 'scheme' followed by a value; did you mean 'location'?")
    }

    func testWaitForBody() {
        let (rules, r) = requestRules("    http-request wait-for-body time 2s at-least 1k if { method POST }\n    http-request wait-for-body time 10")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(rules.map(\.action), [.waitForBody(WaitForBody(time: 2000, atLeast: 1024)), .waitForBody(WaitForBody(time: 10))])
        XCTAssertNotNil(rules.first?.condition)
        func alert(_ line: String) -> String? { onlyAlert(parseFrontend("    " + line), line)?.message }
        XCTAssertEqual(alert("http-request wait-for-body"), "'http-request wait-for-body' expects time <time> [ at-least <bytes> ]")
        XCTAssertEqual(alert("http-request wait-for-body at-least 5"), "'http-request wait-for-body' expects time <time> [ at-least <bytes> ]")
        XCTAssertEqual(alert("http-request wait-for-body time"), "'http-request wait-for-body' : missing argument for 'time'")
        XCTAssertEqual(alert("http-request wait-for-body time 1s at-least 5x"), "'http-request wait-for-body' : unexpected character 'x'")
        XCTAssertEqual(alert("http-request wait-for-body time 1s extra"), "unexpected argument 'extra' for 'http-request wait-for-body' (expected 'if' or 'unless')")
        let response = parseFrontend("    http-response wait-for-body time 1s at-least 10\n    http-response set-header X %[res.body_len]")
        XCTAssertEqual(response.alerts, [])
        XCTAssertEqual(response.frontend?.http.responseRules.first?.action, .waitForBody(WaitForBody(time: 1000, atLeast: 10)))
        XCTAssertEqual(alert("http-response wait-for-body at-least 1"), "'http-response wait-for-body' expects time <time> [ at-least <bytes> ]")
    }

    func testRuleOrderWarnings() {
        let r = parseFrontend("    use_backend api if { path_beg /api }\n    redirect location /x if { path /old }\n    http-request deny if { path /y }\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message), [
            "a 'redirect' rule placed after a 'use_backend' rule (at t.cfg:9:5) will still be processed before.",
            "a 'http-request' rule placed after a 'redirect' rule (at t.cfg:10:5) will still be processed before.",
        ])
    }

    func testRulesInTCPModeWarnLikeHAProxy() {
        let r = parse(tcpDefaults + "frontend f\n    bind :80\n    http-request deny\n    http-response del-header Server\n    default_backend b\nbackend b\n    server s 10.0.0.1:80\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message), [
            "'http-request' rules ignored for frontend 'f' as they require HTTP mode.",
            "'http-response' rules ignored for frontend 'f' as they require HTTP mode.",
        ])
        XCTAssertEqual(r.warnings.first?.location?.line, 9)
    }

    func testRulesNotInAnonymousDefaults() {
        assertSingleAlert(parse("defaults\n    http-request deny\n"), "'http-request' is not allowed in 'defaults' section", line: 2, column: 5)
        assertSingleAlert(parse("defaults\n    use_backend x\n"), "'use_backend' is not allowed in 'defaults' section", line: 2, column: 5)
        assertSingleAlert(parse("defaults d\n    http-response del-header Server\n"), "keyword 'http-response' in a named defaults section is not supported yet (in section 'defaults')", line: 2, column: 5)
    }

    func testListenGetsRulesOnBothSides() {
        let r = parse(httpDefaults + "listen web\n    bind :80\n    http-request set-header X-A b\n    server s 10.0.0.1:80\n")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.frontend?.http.requestRules.count, 1)
        XCTAssertEqual(r.configuration.backends.first?.http.requestRules.count, 1)
    }
}
