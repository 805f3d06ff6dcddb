import XCTest
import FulcrumConfig
import FulcrumCore
@testable import FulcrumDaemon

/// The map/acl journal a starting worker replays: a rule's changes to one
/// key keep only the last since the last runtime command, and the replay
/// gives a fresh store the master's entries.
final class GenerationPatternsJournalTests: XCTestCase {
    private func store() -> PatternStore {
        let d = PatternReferenceDeclaration(id: 0, file: "/m", isMap: true, display: "d", location: SourceLocation(file: "t.cfg", line: 1))
        let s = PatternStore([d])
        XCTAssertEqual(s.load { $0 == "/m" ? "a 1\n" : nil }, [])
        return s
    }
    private func change(_ key: String, _ value: String?) -> String {
        PatternFileChange(kind: value == nil ? .delMap : .setMap, file: "/m", key: key, value: value).encoded
    }

    func testRuleChangesToOneKeyKeepTheLastSinceTheLastCommand() {
        let g = GenerationPatterns(store())
        for v in ["1", "2", "3"] { XCTAssertTrue(g.ruleChange(change("k", v))) }
        XCTAssertTrue(g.ruleChange(change("other", "x")))
        XCTAssertEqual(g.journal, [change("k", "3"), change("other", "x")])
        _ = g.run("add map /m k dup", payload: nil)
        XCTAssertTrue(g.ruleChange(change("k", nil)))
        XCTAssertEqual(g.journal, [change("k", "3"), change("other", "x"), "add map /m k dup", change("k", nil)],
                       "a command in between keeps what came before it")
        for i in 0..<5000 { _ = g.ruleChange(change("n", String(i))) }
        XCTAssertEqual(g.journal.count, 5, "thousands of changes to one key leave one")

        let fresh = store()
        for text in g.journal { XCTAssertNotNil(GenerationPatterns.apply(text, to: fresh)) }
        XCTAssertEqual(fresh.reference("/m")!.entries().map { "\($0.key)=\($0.value ?? "")" },
                       g.store.reference("/m")!.entries().map { "\($0.key)=\($0.value ?? "")" })
    }

    func testSetMapToTheValueAKeyHasChangesNothing() {
        let s = store()
        XCTAssertFalse(s.apply(PatternFileChange(kind: .setMap, file: "/m", key: "a", value: "1")))
        XCTAssertTrue(s.apply(PatternFileChange(kind: .setMap, file: "/m", key: "a", value: "2")))
    }
}
