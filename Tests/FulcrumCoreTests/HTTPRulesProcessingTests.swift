import XCTest
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

final class HTTPRulesProcessingTests: XCTestCase {
    func compiled(_ s: HTTPProxySettings, name: String = "f", userlists: [Userlist] = [],
                  errorPages: [Int: [UInt8]] = [:], loadFile: ((String) throws -> [UInt8])? = nil) throws -> HTTPCompiledRules {
        try HTTPCompiledRules(proxyName: name, settings: s, acls: ACLSet(s.acls, userlists: userlists, crypt: noCrypt),
                              errorPages: errorPages, loadFile: loadFile)
    }
    func rule(_ a: HTTPRequestAction, _ c: RuleCondition? = nil) -> HTTPRequestRule { HTTPRequestRule(location: ruleLoc, action: a, condition: c) }
    func pathBeg(_ p: String) -> RuleCondition { cond([[anon(aclDef("", "path_beg", .beg, [p]))]]) }
    func text(_ o: HTTPRequestProcessing.Outcome) -> String? {
        if case .respond(let b, _) = o { return String(decoding: b, as: UTF8.self) }
        return nil
    }

    // Captured from HAProxy 2.6.12.
    let page403 = "HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n"
    let page429 = "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 117\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a given amount of time.\n</body></html>\n"
    let page502 = "HTTP/1.1 502 Bad Gateway\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n"
    func page401(_ realm: String) -> String {
        "HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"\(realm)\"\r\n\r\n<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"
    }

    func testDenyAuthAndReturnBytes() throws {
        var s = HTTPProxySettings()
        s.requestRules = [
            rule(.deny(status: 403), pathBeg("/deny")),
            rule(.deny(status: 429), pathBeg("/d429")),
            rule(.auth(realm: "Priv"), pathBeg("/auth")),
            rule(.auth(realm: nil), pathBeg("/anoauth")),
            rule(.returnResponse(status: 200, contentType: "text/plain", body: .string(lf("hello")), headers: [(name: "X-A", value: lf("%[path]"))]), pathBeg("/ret/")),
            rule(.returnResponse(status: 204, contentType: nil, body: .none, headers: []), pathBeg("/r204")),
            rule(.returnResponse(status: 200, contentType: nil, body: .none, headers: []), pathBeg("/retdef")),
            rule(.returnResponse(status: 503, contentType: "text/plain", body: .string(lf("p=%[path]")), headers: []), pathBeg("/r503")),
            rule(.returnResponse(status: 200, contentType: "text/html", body: .file(path: "/x.html"), headers: []), pathBeg("/file")),
        ]
        let rules = try compiled(s, loadFile: { path in Array("<\(path)>".utf8) })
        func run(_ req: String) -> String? {
            var c = ruleContext(req)
            return text(HTTPRequestProcessing.frontend(rules, defaultBackend: "b", context: &c))
        }
        XCTAssertEqual(run("GET /deny HTTP/1.1\r\nHost: a\r\n\r\n"), page403)
        XCTAssertEqual(run("GET /d429 HTTP/1.1\r\nHost: a\r\n\r\n"), page429)
        XCTAssertEqual(run("GET /auth HTTP/1.1\r\nHost: a\r\n\r\n"), page401("Priv"))
        XCTAssertEqual(run("GET /anoauth HTTP/1.1\r\nHost: a\r\n\r\n"), page401("f"))
        XCTAssertEqual(run("GET /ret/x HTTP/1.1\r\nHost: a\r\n\r\n"), "HTTP/1.1 200 OK\r\nx-a: /ret/x\r\ncontent-length: 5\r\ncontent-type: text/plain\r\n\r\nhello")
        XCTAssertEqual(run("GET /r204 HTTP/1.1\r\n\r\n"), "HTTP/1.1 204 No Content\r\n\r\n")
        XCTAssertEqual(run("GET /retdef HTTP/1.1\r\n\r\n"), "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        XCTAssertEqual(run("GET /r503x HTTP/1.1\r\n\r\n"), "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 8\r\ncontent-type: text/plain\r\n\r\np=/r503x")
        XCTAssertEqual(run("GET /file HTTP/1.1\r\n\r\n"), "HTTP/1.1 200 OK\r\ncontent-length: 9\r\ncontent-type: text/html\r\n\r\n</x.html>")
        // HTTP/1.0 without keep-alive: HAProxy's mux adds connection: close.
        var c10 = ruleContext("GET /deny HTTP/1.0\r\n\r\n")
        guard case .respond(let b, let close) = HTTPRequestProcessing.frontend(rules, defaultBackend: nil, context: &c10) else { return XCTFail() }
        XCTAssertTrue(close)
        XCTAssertTrue(String(decoding: b, as: UTF8.self).contains("content-type: text/html\r\nconnection: close\r\n\r\n"))
        XCTAssertEqual(run("GET /other HTTP/1.1\r\n\r\n"), nil)
    }

    func testErrorPagesOverrideAndStatusChecks() throws {
        var s = HTTPProxySettings()
        s.requestRules = [rule(.deny(status: 403))]
        let rules = try compiled(s, errorPages: [403: Array("HTTP/1.1 403 Custom\r\n\r\n".utf8)])
        var c = ruleContext("GET / HTTP/1.1\r\n\r\n")
        XCTAssertEqual(text(HTTPRequestProcessing.frontend(rules, defaultBackend: nil, context: &c)), "HTTP/1.1 403 Custom\r\n\r\n")
        s.requestRules = [rule(.deny(status: 418))]
        XCTAssertThrowsError(try compiled(s))
        s.requestRules = [rule(.returnResponse(status: 103, contentType: nil, body: .none, headers: []))]
        XCTAssertThrowsError(try compiled(s))
        s.requestRules = [rule(.returnResponse(status: 200, contentType: nil, body: .file(path: "/f"), headers: []))]
        XCTAssertThrowsError(try compiled(s))
        s.requestRules = [rule(.replaceHeader(name: "x", regex: "(", replacement: lf("y")))]
        XCTAssertThrowsError(try compiled(s))
        s.requestRules = [rule(.setHeader(name: "x", value: lf("%[nosuchfetch]")))]
        XCTAssertThrowsError(try compiled(s))
    }

    func testHeaderActions() throws {
        var s = HTTPProxySettings()
        s.requestRules = [
            rule(.replaceHeader(name: "X-A", regex: "^(.*)-(.*)$", replacement: lf("\\2-\\1"))),
            rule(.replaceValue(name: "X-B", regex: "^a(.*)$", replacement: lf("b\\1"))),
            rule(.delHeader(name: "X-C")),
            rule(.addHeader(name: "X-D", value: lf("d1"))),
            rule(.addHeader(name: "X-D", value: lf("d2"))),
            rule(.setHeader(name: "X-Host", value: lf("[%[req.hdr(x-host)]]"))),
        ]
        let rules = try compiled(s)
        var c = ruleContext("GET /rh HTTP/1.1\r\nHost: h\r\nX-A: one-two\r\nX-B: a1, c2, a3\r\nX-C: 1\r\nX-Host: old\r\nX-C: 2\r\n\r\n")
        XCTAssertEqual(HTTPRequestProcessing.frontend(rules, defaultBackend: "b", context: &c), .forward(backendName: "b"))
        // Values as HAProxy wrote them (x-a: two-one, x-b: b1, c2,b3); edited fields move after the others.
        XCTAssertEqual(serialized(c.request),
                       "GET /rh HTTP/1.1\r\nHost: h\r\nX-A: two-one\r\nX-B: b1, c2,b3\r\nX-D: d1\r\nX-D: d2\r\nX-Host: [old]\r\n\r\n")
        var untouched = ruleContext("GET / HTTP/1.1\r\nX-A: nodash\r\n\r\n")
        _ = HTTPRequestProcessing.frontend(rules, defaultBackend: nil, context: &untouched)
        XCTAssertEqual(untouched.request.value(of: "x-a"), "nodash")
    }

    func testRequestLineActions() throws {
        var s = HTTPProxySettings()
        s.requestRules = [
            rule(.setPath(lf("/new%[path]")), pathBeg("/sp")),
            rule(.setQuery(lf("a=%[query]")), pathBeg("/sq")),
            rule(.setURI(lf("/u?%[method]")), pathBeg("/su")),
            rule(.setMethod(lf("PUT")), pathBeg("/sm")),
            rule(.setPath(lf("/abs")), pathBeg("/abs")),
        ]
        let rules = try compiled(s)
        func line(_ req: String) -> String {
            var c = ruleContext(req)
            _ = HTTPRequestProcessing.frontend(rules, defaultBackend: nil, context: &c)
            return String(serialized(c.request).split(separator: "\r\n").first!)
        }
        // The request lines HAProxy forwarded.
        XCTAssertEqual(line("GET /sp/a?q=1 HTTP/1.1\r\n\r\n"), "GET /new/sp/a?q=1 HTTP/1.1")
        XCTAssertEqual(line("GET /sq/a?q=1 HTTP/1.1\r\n\r\n"), "GET /sq/a?a=q=1 HTTP/1.1")
        XCTAssertEqual(line("GET /sq/b HTTP/1.1\r\n\r\n"), "GET /sq/b?a= HTTP/1.1")
        XCTAssertEqual(line("GET /su/x?y HTTP/1.1\r\n\r\n"), "GET /u?GET HTTP/1.1")
        XCTAssertEqual(line("GET /sm HTTP/1.1\r\n\r\n"), "PUT /sm HTTP/1.1")
        XCTAssertEqual(line("GET http://h.example/abs/x?q=1 HTTP/1.1\r\n\r\n"), "GET http://h.example/abs?q=1 HTTP/1.1")
    }

    func testOrderAllowRedirectAndUseBackend() throws {
        var s = HTTPProxySettings()
        s.acls = [aclDef("is_api", "path_beg", .beg, ["/api"])]
        s.requestRules = [
            rule(.allow, pathBeg("/open")),
            rule(.deny(status: 403), pathBeg("/open/secret")),   // not reached after allow
            rule(.setHeader(name: "X-Seen", value: lf("1"))),
            rule(.redirect(RedirectRule(kind: .location, value: lf("/from-rule"))), pathBeg("/both")),
        ]
        var red = RedirectRule(kind: .location, value: lf("/from-redirect"))
        red.condition = pathBeg("/both")
        var red2 = RedirectRule(kind: .location, value: lf("/r2"))
        red2.condition = pathBeg("/open")
        s.redirects = [red, red2]
        s.useBackends = [
            UseBackendRule(location: ruleLoc, backend: lf("be_api"), condition: cond([[named("is_api")]])),
            UseBackendRule(location: ruleLoc, backend: lf("be_%[req.hdr(x-be)]"), condition: cond([[anon(aclDef("", "req.hdr(x-be)", .found))]])),
            UseBackendRule(location: ruleLoc, backend: lf("be_second"), condition: cond([[anon(aclDef("", "path_beg", .beg, ["/ap"]))]])),
        ]
        let rules = try compiled(s)
        func run(_ req: String) -> HTTPRequestProcessing.Outcome {
            var c = ruleContext(req)
            return HTTPRequestProcessing.frontend(rules, defaultBackend: "dflt", context: &c,
                                                  backendExists: { ["be_api", "be_x", "be_second", "dflt"].contains($0) })
        }
        // http-request rules run before redirect rules.
        XCTAssertTrue(text(run("GET /both HTTP/1.1\r\n\r\n"))!.contains("location: /from-rule\r\n"))
        // allow stops http-request rules; redirect rules still run.
        XCTAssertTrue(text(run("GET /open/secret HTTP/1.1\r\n\r\n"))!.contains("location: /r2\r\n"))
        XCTAssertEqual(run("GET /api/x HTTP/1.1\r\nX-Be: x\r\n\r\n"), .forward(backendName: "be_api"))   // first match wins
        XCTAssertEqual(run("GET /x HTTP/1.1\r\nX-Be: x\r\n\r\n"), .forward(backendName: "be_x"))           // dynamic name
        XCTAssertEqual(run("GET /ap HTTP/1.1\r\nX-Be: nope\r\n\r\n"), .forward(backendName: "dflt"))      // unknown dynamic → default
        XCTAssertEqual(run("GET /ap HTTP/1.1\r\n\r\n"), .forward(backendName: "be_second"))
        XCTAssertEqual(run("GET /zz HTTP/1.1\r\n\r\n"), .forward(backendName: "dflt"))
        var c = ruleContext("GET /zz HTTP/1.1\r\n\r\n")
        _ = HTTPRequestProcessing.frontend(rules, defaultBackend: nil, context: &c)
        XCTAssertEqual(c.request.value(of: "x-seen"), "1")
        // Backend side: its own rules and redirects.
        XCTAssertEqual(HTTPRequestProcessing.backend(rules, context: &c), .forward(backendName: nil))
        var b = ruleContext("GET /both HTTP/1.1\r\n\r\n")
        XCTAssertNotNil(text(HTTPRequestProcessing.backend(rules, context: &b)))
    }

    func testResponseRules() throws {
        var s = HTTPProxySettings()
        s.responseRules = [
            HTTPResponseRule(location: ruleLoc, action: .deny(status: 502),
                             condition: cond([[anon(aclDef("", "res.hdr(x-rd)", .found))]])),
            HTTPResponseRule(location: ruleLoc, action: .setHeader(name: "X-Set", value: lf("%[res.hdr(x-srv)]-%[status]")), condition: nil),
            // Response-side fetches only: HAProxy refuses `%[path]` here.
            HTTPResponseRule(location: ruleLoc, action: .addHeader(name: "X-Add", value: lf("%[status]")), condition: nil),
            HTTPResponseRule(location: ruleLoc, action: .delHeader(name: "X-Del"), condition: nil),
            HTTPResponseRule(location: ruleLoc, action: .replaceHeader(name: "X-R", regex: "a", replacement: lf("Z")), condition: nil),
            HTTPResponseRule(location: ruleLoc, action: .replaceValue(name: "X-V", regex: "^x$", replacement: lf("y")), condition: nil),
            HTTPResponseRule(location: ruleLoc, action: .allow, condition: cond([[anon(aclDef("", "status", .int, ["404"]))]])),
            HTTPResponseRule(location: ruleLoc, action: .addHeader(name: "X-After", value: lf("1")), condition: nil),
        ]
        let rules = try compiled(s)
        var denied = ruleContext("GET /x HTTP/1.1\r\n\r\n", response: "HTTP/1.1 200 OK\r\nX-Srv: one\r\nX-Rd: 1\r\n\r\n")
        XCTAssertEqual(text(HTTPRequestProcessing.response(rules, context: &denied)), page502)
        var c = ruleContext("GET /x HTTP/1.1\r\n\r\n", response: "HTTP/1.1 200 OK\r\nX-Srv: one\r\nX-Del: 1\r\nX-R: bab\r\nX-V: x, w\r\n\r\n")
        XCTAssertEqual(HTTPRequestProcessing.response(rules, context: &c), .forward(backendName: nil))
        XCTAssertEqual(serialized(c.response!),
                       "HTTP/1.1 200 OK\r\nX-Srv: one\r\nX-Set: one-200\r\nX-Add: 200\r\nX-R: Z\r\nX-V: y, w\r\nX-After: 1\r\n\r\n")
        var allowed = ruleContext("GET /x HTTP/1.1\r\n\r\n", response: "HTTP/1.1 404 Not Found\r\n\r\n")
        _ = HTTPRequestProcessing.response(rules, context: &allowed)
        XCTAssertNil(allowed.response!.value(of: "x-after"))
        XCTAssertEqual(allowed.response!.value(of: "x-set"), "-404")
    }
}
