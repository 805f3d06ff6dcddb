import XCTest
@testable import FulcrumConfig

final class ACLTests: XCTestCase {
    private func acls(_ lines: String) -> ([ACLDefinition], ParseResult) {
        let r = parseFrontend(lines)
        return (r.frontend?.http.acls ?? [], r)
    }

    func testDefaultMatchMethodPerCriterion() {
        let (a, r) = acls("""
            acl p path /x
            acl pb path_beg /api
            acl pe path_end .jpg
            acl ps path_sub admin
            acl pd path_dir img
            acl pr path_reg ^/v[0-9]+/
            acl pl path_len gt 10
            acl u url_beg /
            acl q query a=1
            acl up url_param(id) 42
            acl h hdr(host) example.com
            acl hb hdr_beg(host) www.
            acl hc hdr_cnt(host) eq 1
            acl hd hdr_dom(host) example
            acl rh req.hdr(x-a) b
            acl rc req.hdr_cnt(x-a) ge 2
            acl m method GET POST
            acl s src 10.0.0.0/8 192.168.1.1 ::1 2001:db8::/32 172.16.0.0/255.240.0.0
            acl sp src_port 1024:65535
            acl d dst 127.0.0.1
            acl dp dst_port 80 443
            acl c req.cook(SID) abc
            acl c2 cook(SID) -m found
            acl b base example.com/x
            acl bb base_beg example.com/
        """)
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(a.map(\.method), [.str, .beg, .end, .sub, .dir, .reg, .len, .beg, .str, .str, .str, .beg, .int, .dom,
                                         .str, .int, .str, .ip, .int, .ip, .int, .str, .found, .str, .beg])
        XCTAssertEqual(a[0].fetch, SampleFetch(name: "path"))
        XCTAssertEqual(a[9].fetch, SampleFetch(name: "url_param", arguments: ["id"]))
        XCTAssertEqual(a[10].fetch, SampleFetch(name: "hdr", arguments: ["host"]))
        XCTAssertEqual(a[12].fetch, SampleFetch(name: "hdr_cnt", arguments: ["host"]))
        XCTAssertEqual(a[12].patterns, ["eq 1"])
        XCTAssertEqual(a[6].patterns, ["gt 10"])
        XCTAssertEqual(a[16].patterns, ["GET", "POST"])
        XCTAssertEqual(a[17].patterns.count, 5)
        XCTAssertEqual(a[21].fetch, SampleFetch(name: "req.cook", arguments: ["SID"]))
        XCTAssertEqual(a[0].location, SourceLocation(file: "t.cfg", line: 9, column: 5))
    }

    func testFlags() {
        let (a, r) = acls("""
            acl h hdr(host) -i Example.COM
            acl m path -m beg /a
            acl n path -i -m sub x
            acl e path -- -dash
            acl k src -n 10.0.0.1
        """)
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertTrue(a[0].ignoreCase)
        XCTAssertFalse(a[1].ignoreCase)
        XCTAssertEqual(a[1].method, .beg)
        XCTAssertEqual([a[2].method, a[2].ignoreCase ? .bool : .str], [.sub, .bool])
        XCTAssertEqual(a[3].patterns, ["-dash"])
        XCTAssertEqual(a[4].patterns, ["10.0.0.1"])
    }

    func testSameNameLinesAreAllKept() {
        let (a, r) = acls("    acl api path_beg /api\n    acl api hdr(host) api.example.com\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(a.map(\.name), ["api", "api"])
        XCTAssertEqual(a.map(\.fetch.name), ["path", "hdr"])
    }

    func testInvalidACLs() {
        func alert(_ line: String) -> Diagnostic? { onlyAlert(parseFrontend("    " + line), line) }
        XCTAssertEqual(alert("acl x pth /a")?.message, "unknown ACL criterion 'pth'; did you mean 'path'?")
        XCTAssertEqual(alert("acl x pth /a")?.location, SourceLocation(file: "t.cfg", line: 9, column: 11))
        XCTAssertEqual(alert("acl x req.rdp_cookie")?.message, "ACL criterion 'req.rdp_cookie' is not supported yet (in section 'frontend')")
        XCTAssertEqual(alert("acl x path -u 7 /a")?.message, "ACL flag '-u' is not supported yet (in section 'frontend')")
        XCTAssertEqual(alert("acl x path -u 7 /a")?.location?.column, 16)
        XCTAssertEqual(alert("acl x path -m foo /a")?.message, "unknown match method 'foo' for '-m'")
        XCTAssertEqual(alert("acl x path -m bin 00")?.message, "match method 'bin' is not supported yet (in section 'frontend')")
        XCTAssertEqual(alert("acl x path -z /a")?.message, "unknown ACL flag '-z'; expected '-i', '-n', '-m', '-f' or '--'")
        XCTAssertEqual(alert("acl x path_reg ^(/a")?.message.hasPrefix("regex '^(/a' is invalid"), true)
        XCTAssertEqual(alert("acl x path_reg ^(/a")?.location?.column, 20)
        XCTAssertEqual(alert("acl x src 10.0.0.300")?.message, "'10.0.0.300' is not an IP address or network (host names in ACL patterns are not supported yet)")
        XCTAssertEqual(alert("acl x src 10.0.0.0/33")?.message, "'10.0.0.0/33' is not an IP address or network (host names in ACL patterns are not supported yet)")
        XCTAssertEqual(alert("acl x hdr_cnt lt")?.message, "operator 'lt' expects an integer after it")
        XCTAssertEqual(alert("acl x dst_port http")?.message, "'http' is not an integer pattern (expected N, N:M, or an operator eq, ge, gt, le, lt and N)")
        XCTAssertEqual(alert("acl x url_param /a")?.message, "ACL criterion 'url_param' expects a name as its argument, as in 'url_param(<name>)'")
        XCTAssertEqual(alert("acl x src(a) 1.2.3.4")?.message, "ACL criterion 'src' takes no argument")
        XCTAssertEqual(alert("acl x/y path /")?.message, "ACL name 'x/y' contains an invalid character (letters, digits, '-', '_', '.' and ':' are allowed)")
        XCTAssertEqual(alert("acl METH_GET method GET")?.message, "ACL name 'METH_GET' is the name of a predefined ACL")
        XCTAssertEqual(alert("acl x")?.message, "'acl' expects <name> and a criterion, then patterns, as arguments")
    }

    func testNoPatternWarnsLikeHAProxy() {
        let r = parseFrontend("    acl e path\n    acl ok path --\n    acl f hdr(x) -m found\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message), ["no pattern to match against was provided for 'path', so this ACL will never match. Add '--' if this is intended, or use '-m found' to match on existence."])
        XCTAssertEqual(r.warnings.first?.location?.line, 9)
    }

    func testACLNotAllowedInAnonymousDefaultsAndNamedDefaultsNotServed() {
        assertSingleAlert(parse("defaults\n    acl x path /\n"), "'acl' is not allowed in 'defaults' section", line: 2, column: 5)
        assertSingleAlert(parse("defaults d\n    acl x path /\n"), "keyword 'acl' in a named defaults section is not supported yet (in section 'defaults')", line: 2, column: 5)
    }

    func testPredefinedACLDefinitions() {
        XCTAssertEqual(ACLDefinition.predefined["METH_GET"]?.patterns, ["GET", "HEAD"])
        XCTAssertEqual(ACLDefinition.predefined["LOCALHOST"]?.method, .ip)
        XCTAssertNil(ACLDefinition.predefined["WAIT_END"])
        XCTAssertTrue(SampleFetch.parsedNames.isSuperset(of: ["path", "hdr", "req.cook", "url_param", "src", "http_auth"]))
    }
}
