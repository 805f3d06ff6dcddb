import XCTest
import FulcrumConfig
@testable import FulcrumCore

/// set-map / del-map / add-acl / del-acl as HAProxy 2.6's actions make
/// them, their text form, and the report a rule's change makes.
final class PatternFileChangeTests: XCTestCase {
    private func store(_ text: String) -> PatternStore {
        let d = PatternReferenceDeclaration(id: 0, file: "/f", isMap: true, display: "d", location: SourceLocation(file: "t.cfg", line: 1))
        let s = PatternStore([d])
        XCTAssertEqual(s.load { $0 == "/f" ? text : nil }, [])
        return s
    }
    private func keys(_ s: PatternStore) -> [String] { s.reference("/f")!.entries().map { "\($0.key)=\($0.value ?? "-")" } }

    func testEachActionAsHAProxyAndIdempotent() {
        let s = store("a 1\nb 2\na 3\n")
        let set = PatternFileChange(kind: .setMap, file: "/f", key: "a", value: "9")
        XCTAssertTrue(s.apply(set))
        XCTAssertEqual(keys(s), ["a=9", "b=2", "a=9"], "set-map sets every entry with the key")
        XCTAssertTrue(s.apply(PatternFileChange(kind: .setMap, file: "/f", key: "c", value: "4")))
        XCTAssertEqual(keys(s), ["a=9", "b=2", "a=9", "c=4"], "else adds one")
        XCTAssertTrue(s.apply(PatternFileChange(kind: .delMap, file: "/f", key: "a", value: nil)))
        XCTAssertFalse(s.apply(PatternFileChange(kind: .delMap, file: "/f", key: "a", value: nil)), "nothing left to delete")
        XCTAssertTrue(s.apply(PatternFileChange(kind: .addACL, file: "/f", key: "d", value: nil)))
        XCTAssertFalse(s.apply(PatternFileChange(kind: .addACL, file: "/f", key: "d", value: nil)), "add-acl adds a key once")
        XCTAssertFalse(s.apply(PatternFileChange(kind: .setMap, file: "/other", key: "x", value: "y")), "no such file: nothing")
        XCTAssertEqual(keys(s), ["b=2", "c=4", "d=-"])
    }

    func testTextFormRoundTripsAndRuleChangesAreReported() {
        let change = PatternFileChange(kind: .setMap, file: "/f", key: "k with space", value: "v\nline")
        XCTAssertEqual(PatternFileChange(encoded: change.encoded), change)
        XCTAssertNil(PatternFileChange(encoded: "add map /f k v"), "a CLI command is not a change")
        let s = store("")
        var reported: [String] = []
        s.onRuleChange = { reported.append($0) }
        s.ruleChange(change)
        s.ruleChange(PatternFileChange(kind: .delACL, file: "/f", key: "none", value: nil))
        XCTAssertEqual(reported, [change.encoded], "only what changed something goes to the others")
        let other = store("")
        XCTAssertEqual(other.apply(encoded: reported[0]), true)
        XCTAssertEqual(keys(other), ["k with space=v\nline"])
    }
}
