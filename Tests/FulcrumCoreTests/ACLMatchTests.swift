import XCTest
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

final class ACLMatchTests: XCTestCase {
    func matches(_ d: ACLDefinition, _ c: HTTPRuleContext, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        do { return try CompiledACL(d).matches(c, acls: nil) } catch { XCTFail("\(error)", file: file, line: line); return false }
    }

    let get = ruleContext("GET /static/img/Logo.PNG?x=1 HTTP/1.1\r\nHost: www.Example.com:8080\r\nX-N: 1,2,3\r\nX-V: 7\r\nX-E:\r\n\r\n")

    func testStringMethods() {
        XCTAssertTrue(matches(aclDef("a", "path", .str, ["/nope", "/static/img/Logo.PNG"]), get))
        XCTAssertFalse(matches(aclDef("a", "path", .str, ["/static/img/logo.png"]), get))
        XCTAssertTrue(matches(aclDef("a", "path", .str, ["/static/img/logo.png"], i: true), get))
        XCTAssertTrue(matches(aclDef("a", "path_beg", .beg, ["/static/"]), get))
        XCTAssertFalse(matches(aclDef("a", "path_beg", .beg, ["/STATIC/"]), get))
        XCTAssertTrue(matches(aclDef("a", "path_beg", .beg, ["/STATIC/"], i: true), get))
        XCTAssertTrue(matches(aclDef("a", "path_end", .end, [".gif", ".PNG"]), get))
        XCTAssertFalse(matches(aclDef("a", "path_end", .end, [".png"]), get))
        XCTAssertTrue(matches(aclDef("a", "path_end", .end, [".png"], i: true), get))
        XCTAssertTrue(matches(aclDef("a", "path_sub", .sub, ["img/"]), get))
        XCTAssertFalse(matches(aclDef("a", "path_sub", .sub, ["IMG"]), get))
        XCTAssertTrue(matches(aclDef("a", "url_sub", .sub, ["x=1"]), get))
    }

    func testRegexDirDomLen() {
        XCTAssertTrue(matches(aclDef("a", "path_reg", .reg, ["^/static/.*\\.PNG$"]), get))
        XCTAssertFalse(matches(aclDef("a", "path_reg", .reg, ["\\.png$"]), get))
        XCTAssertTrue(matches(aclDef("a", "path_reg", .reg, ["\\.png$"], i: true), get))
        XCTAssertTrue(matches(aclDef("a", "path_dir", .dir, ["img"]), get))
        XCTAssertTrue(matches(aclDef("a", "path_dir", .dir, ["/static/img/"]), get))
        XCTAssertFalse(matches(aclDef("a", "path_dir", .dir, ["im"]), get))
        XCTAssertTrue(matches(aclDef("a", "hdr_dom(host)", .dom, ["example.com"], i: true), get))
        XCTAssertTrue(matches(aclDef("a", "hdr_dom(host)", .dom, ["www"]), get))
        XCTAssertFalse(matches(aclDef("a", "hdr_dom(host)", .dom, ["ample.com"], i: true), get))
        XCTAssertTrue(matches(aclDef("a", "path_len", .len, ["20"]), get))
        XCTAssertTrue(matches(aclDef("a", "path_len", .len, ["gt", "10"]), get))
        XCTAssertFalse(matches(aclDef("a", "path_len", .len, ["lt 10"]), get))
        XCTAssertThrowsError(try CompiledACL(aclDef("a", "path", .reg, ["(unclosed"])))
    }

    func testIntegerOperatorsAndRanges() {
        // Operators apply to every later pattern: HAProxy matched 7 against "lt 5 10".
        XCTAssertTrue(matches(aclDef("a", "hdr_val(x-v)", .int, ["lt", "5", "10"]), get))
        XCTAssertFalse(matches(aclDef("a", "hdr_val(x-v)", .int, ["lt", "5", "7"]), get))
        XCTAssertTrue(matches(aclDef("a", "hdr_val(x-v)", .int, ["le 7"]), get))
        XCTAssertTrue(matches(aclDef("a", "hdr_val(x-v)", .int, ["ge", "7"]), get))
        XCTAssertFalse(matches(aclDef("a", "hdr_val(x-v)", .int, ["gt", "7"]), get))
        XCTAssertTrue(matches(aclDef("a", "hdr_val(x-v)", .int, ["eq", "7"]), get))
        XCTAssertTrue(matches(aclDef("a", "hdr_val(x-v)", .int, ["5:8"]), get))
        XCTAssertTrue(matches(aclDef("a", "hdr_val(x-v)", .int, [":7"]), get))
        XCTAssertFalse(matches(aclDef("a", "hdr_val(x-v)", .int, ["8:"]), get))
        XCTAssertTrue(matches(aclDef("a", "hdr_cnt(x-n)", .int, ["3"]), get))
        XCTAssertTrue(matches(aclDef("a", "dst_port", .int, ["80"]), get))
        XCTAssertTrue(matches(aclDef("a", "src_port", .int, ["1024:65535"]), get))
        XCTAssertThrowsError(try CompiledACL(aclDef("a", "dst_port", .int, ["eighty"])))
        XCTAssertThrowsError(try CompiledACL(aclDef("a", "dst_port", .int, ["gt", "1:5"])))
    }

    func testIPMatching() {
        XCTAssertTrue(matches(aclDef("a", "src", .ip, ["192.168.0.0/16"]), get))
        XCTAssertTrue(matches(aclDef("a", "src", .ip, ["10.0.0.0/8", "192.168.1.10"]), get))
        XCTAssertTrue(matches(aclDef("a", "src", .ip, ["192.168.1.0/255.255.255.0"]), get))
        XCTAssertFalse(matches(aclDef("a", "src", .ip, ["192.168.2.0/24"]), get))
        XCTAssertTrue(matches(aclDef("a", "dst", .ip, ["10.0.0.1"]), get))
        let v6 = ruleContext("GET / HTTP/1.1\r\nX-Ip: 2001:db8::7\r\n\r\n", src: "2001:db8:0:1::5")
        XCTAssertTrue(matches(aclDef("a", "src", .ip, ["2001:db8::/32"]), v6))
        XCTAssertFalse(matches(aclDef("a", "src", .ip, ["2001:db9::/32"]), v6))
        XCTAssertFalse(matches(aclDef("a", "src", .ip, ["192.168.0.0/16"]), v6))
        XCTAssertTrue(matches(aclDef("a", "hdr_ip(x-ip)", .ip, ["2001:db8::/64"]), v6))
        // An IPv4-mapped client matches an IPv4 pattern.
        let mapped = ruleContext("GET / HTTP/1.1\r\n\r\n", src: "::ffff:192.168.1.10")
        XCTAssertTrue(matches(aclDef("a", "src", .ip, ["192.168.1.0/24"]), mapped))
        XCTAssertThrowsError(try CompiledACL(aclDef("a", "src", .ip, ["not-an-ip"])))
        XCTAssertThrowsError(try CompiledACL(aclDef("a", "src", .ip, ["10.0.0.0/33"])))
    }

    func testFoundAndBool() {
        XCTAssertTrue(matches(aclDef("a", "hdr(x-e)", .found), get))
        XCTAssertFalse(matches(aclDef("a", "hdr(x-none)", .found), get))
        XCTAssertTrue(matches(aclDef("a", "always_true", .bool), get))
        XCTAssertFalse(matches(aclDef("a", "always_false", .bool), get))
        XCTAssertTrue(matches(aclDef("a", "hdr_val(x-v)", .bool), get))
        XCTAssertThrowsError(try CompiledACL(aclDef("a", "hdr(x)", .found, ["x"])))
    }

    func testConditionsNegationOrAndAnonymous() throws {
        let acls = try ACLSet([aclDef("is_static", "path_beg", .beg, ["/static"]),
                               aclDef("is_png", "path_end", .end, [".png"], i: true),
                               aclDef("is_api", "path_beg", .beg, ["/api"]),
                               aclDef("is_api", "hdr(host)", .str, ["api.example.com"])],
                              userlists: [], crypt: noCrypt)
        func eval(_ c: RuleCondition?) -> Bool { HTTPConditions.evaluate(c, acls: acls, context: get) }
        XCTAssertTrue(eval(nil))
        XCTAssertTrue(eval(cond([[named("is_static"), named("is_png")]])))
        XCTAssertFalse(eval(cond([[named("is_static"), named("is_png", not: true)]])))
        XCTAssertTrue(eval(cond([[named("is_api")], [named("is_png")]])))
        XCTAssertFalse(eval(cond([[named("is_api")]])))
        XCTAssertTrue(eval(cond([[named("is_api")]], unless: true)))
        XCTAssertTrue(eval(cond([[anon(aclDef("", "hdr(x-v)", .str, ["7"]))]])))
        XCTAssertFalse(eval(cond([[anon(aclDef("", "hdr(x-v)", .str, ["7"]), not: true)]])))
        // Same name on several lines: OR-ed.
        let api = ruleContext("GET / HTTP/1.1\r\nHost: api.example.com\r\n\r\n")
        XCTAssertTrue(HTTPConditions.evaluate(cond([[named("is_api")]]), acls: acls, context: api))
        XCTAssertThrowsError(try acls.compile(cond([[named("nope")]])))
        XCTAssertThrowsError(try acls.compile(cond([[named("WAIT_END")]])))
        XCTAssertFalse(eval(cond([[named("nope")]])))
    }

    func testPredefinedACLs() throws {
        let acls = try ACLSet([], userlists: [], crypt: noCrypt)
        func eval(_ n: String, _ c: HTTPRuleContext) -> Bool { HTTPConditions.evaluate(cond([[named(n)]]), acls: acls, context: c) }
        let head = ruleContext("HEAD http://a/ HTTP/1.0\r\nContent-Length: 2\r\n\r\n", src: "127.0.0.5")
        XCTAssertTrue(eval("TRUE", head)); XCTAssertFalse(eval("FALSE", head)); XCTAssertTrue(eval("HTTP", head))
        XCTAssertTrue(eval("METH_GET", head)); XCTAssertTrue(eval("METH_HEAD", head)); XCTAssertFalse(eval("METH_POST", head))
        XCTAssertTrue(eval("HTTP_1.0", head)); XCTAssertFalse(eval("HTTP_1.1", head))
        XCTAssertTrue(eval("HTTP_CONTENT", head)); XCTAssertTrue(eval("HTTP_URL_ABS", head)); XCTAssertFalse(eval("HTTP_URL_SLASH", head))
        XCTAssertTrue(eval("LOCALHOST", head))
        let post = ruleContext("POST / HTTP/1.1\r\n\r\n", src: "::1")
        XCTAssertTrue(eval("METH_POST", post)); XCTAssertFalse(eval("METH_GET", post)); XCTAssertTrue(eval("LOCALHOST", post))
        XCTAssertFalse(eval("HTTP_CONTENT", post)); XCTAssertTrue(eval("HTTP_URL_SLASH", post)); XCTAssertTrue(eval("HTTP_1.1", post))
        XCTAssertFalse(eval("LOCALHOST", ruleContext("GET / HTTP/1.1\r\n\r\n", src: "10.1.1.1")))
        XCTAssertTrue(eval("HTTP_URL_STAR", ruleContext("OPTIONS * HTTP/1.1\r\n\r\n")))
        // A user ACL with a predefined name replaces it.
        let own = try ACLSet([aclDef("TRUE", "always_false", .bool)], userlists: [], crypt: noCrypt)
        XCTAssertFalse(HTTPConditions.evaluate(cond([[named("TRUE")]]), acls: own, context: post))
    }
}
