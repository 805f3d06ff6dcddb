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

/// A reload's carry of the runtime changes: a file still as the previous
/// generation read it keeps its runtime entries, a file changed on disk is
/// taken as written, and the new journal gives a fresh worker the same.
final class GenerationPatternsCarryTests: XCTestCase {
    private func store(_ files: [String: String]) -> PatternStore {
        let ds = [PatternReferenceDeclaration(id: 0, file: "/m", isMap: true, display: "d", location: SourceLocation(file: "t.cfg", line: 1)),
                  PatternReferenceDeclaration(id: 1, file: "/a", isMap: false, display: "d", location: SourceLocation(file: "t.cfg", line: 2))]
        let s = PatternStore(ds)
        XCTAssertEqual(s.load { files[$0] }, [])
        return s
    }
    private func entries(_ s: PatternStore, _ file: String) -> [String] {
        s.reference(file)!.entries().map { e in e.value.map { "\(e.key)=\($0)" } ?? e.key }
    }

    func testUnchangedFilesKeepTheirRuntimeEntriesChangedFilesAreTakenAsWritten() {
        let then = ["/m": "a 1\nb 2\n", "/a": "x\n"]
        let old = GenerationPatterns(store(then))
        for command in ["set map /m a 9", "add map /m key\\ with\\ blank v", "del map /m b", "add acl /a y"] {
            XCTAssertEqual(old.run(command, payload: nil)?.text, "\n", command)
        }
        // The ACL file was rewritten on disk: it is taken as written.
        var now = then
        now["/a"] = "z\n"
        let new = GenerationPatterns(store(now))
        new.carry(from: old, readThen: then, readNow: now)
        XCTAssertEqual(entries(new.store, "/m"), ["a=9", "key with blank=v"])
        XCTAssertEqual(entries(new.store, "/a"), ["z"])
        XCTAssertEqual(new.carriedFiles, ["/m"])

        let worker = store(now)
        for text in new.journal { XCTAssertNotNil(GenerationPatterns.apply(text, to: worker), text) }
        XCTAssertEqual(entries(worker, "/m"), entries(new.store, "/m"), "a worker replaying the journal")

        // Later changes in the previous generation follow to carried files only, never by id.
        let rule = PatternFileChange(kind: .setMap, file: "/m", key: "c", value: "3").encoded
        XCTAssertEqual(new.follow(["add map /m d 4", "add acl /a w", "del map /m #0x1", rule]), ["add map /m d 4", rule])
        XCTAssertEqual(entries(new.store, "/m"), ["a=9", "key with blank=v", "d=4", "c=3"])
    }

    func testAFileWithoutRuntimeChangesIsNotRewritten() {
        let files = ["/m": "a 1\n", "/a": "x\n"]
        let old = GenerationPatterns(store(files))
        let new = GenerationPatterns(store(files))
        new.carry(from: old, readThen: files, readNow: files)
        XCTAssertEqual(new.journal, [])
        XCTAssertEqual(new.carriedFiles, ["/m", "/a"])
    }
}

extension GenerationPatternsCarryTests {
    func testAChangeAfterACarryIsCarriedByTheNextReload() {
        let files = ["/m": "a 1\n", "/a": "x\n"]
        func store() -> PatternStore {
            let ds = [PatternReferenceDeclaration(id: 0, file: "/m", isMap: true, display: "d", location: SourceLocation(file: "t.cfg", line: 1)),
                      PatternReferenceDeclaration(id: 1, file: "/a", isMap: false, display: "d", location: SourceLocation(file: "t.cfg", line: 2))]
            let s = PatternStore(ds)
            _ = s.load { files[$0] }
            return s
        }
        let first = GenerationPatterns(store())
        XCTAssertEqual(first.run("add acl /a y", payload: nil)?.text, "\n")
        let second = GenerationPatterns(store())
        second.carry(from: first, readThen: files, readNow: files)
        XCTAssertEqual(second.run("add acl /a z", payload: nil)?.text, "\n")
        let third = GenerationPatterns(store())
        third.carry(from: second, readThen: files, readNow: files)
        XCTAssertEqual(third.store.reference("/a")!.entries().map(\.key), ["x", "y", "z"])
        XCTAssertEqual(third.journal, ["clear acl /a", "add acl /a\nx \ny \nz "], "one payload")
        let worker = store()
        for text in third.journal { XCTAssertNotNil(GenerationPatterns.apply(text, to: worker), text) }
        XCTAssertEqual(worker.reference("/a")!.entries().map(\.key), ["x", "y", "z"], "a worker replaying the journal")
    }
}
