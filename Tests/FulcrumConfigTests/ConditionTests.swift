import XCTest
@testable import FulcrumConfig

final class ConditionTests: XCTestCase {
    private func condition(_ cond: String) -> (RuleCondition?, ParseResult) {
        let r = parseFrontend("    acl a path /a\n    acl b src 10.0.0.0/8\n    acl c method POST\n    use_backend api \(cond)\n")
        return (r.frontend?.http.useBackends.first?.condition, r)
    }

    func testImplicitAndOrAndNegation() {
        let (c, r) = condition("if a !b || c or !METH_GET { path_beg /x }")
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(c?.unless, false)
        XCTAssertEqual(c?.groups.count, 3)
        XCTAssertEqual(c?.groups[0], [ConditionTerm(negated: false, reference: .named("a")), ConditionTerm(negated: true, reference: .named("b"))])
        XCTAssertEqual(c?.groups[1], [ConditionTerm(negated: false, reference: .named("c"))])
        XCTAssertEqual(c?.groups[2].first, ConditionTerm(negated: true, reference: .named("METH_GET")))
        guard case .anonymous(let acl)? = c?.groups[2].last?.reference else { return XCTFail("anonymous ACL expected") }
        XCTAssertEqual(acl.fetch.name, "path")
        XCTAssertEqual(acl.method, .beg)
        XCTAssertEqual(acl.patterns, ["/x"])
        XCTAssertEqual(acl.location, SourceLocation(file: "t.cfg", line: 12, column: 49))
    }

    func testUnlessAndSeparateBang() {
        let (c, r) = condition("unless ! a")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(c, RuleCondition(unless: true, groups: [[ConditionTerm(negated: true, reference: .named("a"))]]))
    }

    func testConditionErrors() {
        func alert(_ cond: String) -> Diagnostic? { onlyAlert(condition(cond).1, cond) }
        XCTAssertEqual(alert("if nosuch")?.message, "error in the condition of 'use_backend' : no such ACL : 'nosuch'")
        XCTAssertEqual(alert("if nosuch")?.location, SourceLocation(file: "t.cfg", line: 12, column: 24))
        XCTAssertEqual(alert("if aa")?.message, "error in the condition of 'use_backend' : no such ACL : 'aa'; did you mean 'a'?")
        XCTAssertEqual(alert("if")?.message, "error in the condition of 'use_backend' : missing condition after 'if'")
        XCTAssertEqual(alert("if { path /x")?.message, "error in the condition of 'use_backend' : missing closing '}' in condition")
        XCTAssertEqual(alert("if a ||")?.message, "error in the condition of 'use_backend' : the condition ends without an ACL")
        XCTAssertEqual(alert("if || a")?.message, "error in the condition of 'use_backend' : missing ACL before '||'")
        XCTAssertEqual(alert("if a }")?.message, "error in the condition of 'use_backend' : unexpected '}' without a matching '{'")
        XCTAssertEqual(alert("if ! ! a")?.message, "error in the condition of 'use_backend' : '!' used twice")
        XCTAssertEqual(alert("if WAIT_END")?.message, "predefined ACL 'WAIT_END' is not supported yet (in section 'frontend')")
        XCTAssertEqual(alert("if { req.rdp_cookie }")?.message, "ACL criterion 'req.rdp_cookie' is not supported yet (in section 'frontend')")
        XCTAssertEqual(alert("if { pth /x }")?.location?.column, 26)
    }

    func testACLMustBeDeclaredBeforeUse() {
        let r = parseFrontend("    use_backend api if late\n    acl late path /late\n")
        assertSingleAlert(r, "error in the condition of 'use_backend' : no such ACL : 'late'", line: 9, column: 24)
    }
}
