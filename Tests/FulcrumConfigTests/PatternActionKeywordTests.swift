import XCTest
@testable import FulcrumConfig

/// `set-map|del-map|add-acl|del-acl(FILE)` in http-request and
/// http-response: parsed into the rule, and HAProxy 2.6's messages for the
/// wrong argument counts.
final class PatternActionKeywordTests: XCTestCase {
    func testActionsAreParsedWithTheirFormats() {
        let r = parseFrontend("""
                http-request set-map(/m) %[req.hdr(host)] %[path] if { path_beg /a }
                http-request del-map(/m) %[req.hdr(host)]
                http-request add-acl(/a) %[src]
                http-response del-acl(/a) %[src]
            """)
        XCTAssertEqual(r.alerts.map(\.message), [])
        let requests = r.frontend?.http.requestRules ?? []
        XCTAssertEqual(requests.count, 3)
        guard requests.count == 3, case .patternFile(let set) = requests[0].action, case .patternFile(let add) = requests[2].action else {
            return XCTFail("not pattern actions: \(requests.map(\.action))")
        }
        XCTAssertEqual(set.kind, .setMap)
        XCTAssertEqual(set.file, "/m")
        XCTAssertEqual(set.key.text, "%[req.hdr(host)]")
        XCTAssertEqual(set.value?.text, "%[path]")
        XCTAssertNotNil(requests[0].condition)
        XCTAssertEqual(add.kind, .addACL)
        XCTAssertNil(add.value)
        guard case .patternFile(let del)? = r.frontend?.http.responseRules.first?.action else { return XCTFail("no response rule") }
        XCTAssertEqual(del.kind, .delACL)
    }

    func testHAProxysMessagesForWrongArguments() {
        func alert(_ line: String) -> String? { onlyAlert(parseFrontend("    " + line), line)?.message }
        XCTAssertEqual(alert("http-request set-map(/m) k"),
                       "error detected while parsing 'http-request set-map(/m)' rule : expects exactly 2 arguments.")
        XCTAssertEqual(alert("http-request del-map(/m)"),
                       "error detected while parsing 'http-request del-map(/m)' rule : expects exactly 1 arguments.")
        XCTAssertEqual(alert("http-response add-acl(/a) a b"),
                       "'http-response add-acl(/a)' expects either 'if' or 'unless' followed by a condition but found 'b'.")
        XCTAssertEqual(alert("http-request set-map() a b"),
                       "error detected while parsing 'http-request set-map()' rule : expects a file name between parentheses, as 'set-map(<file>)'")
    }
}
