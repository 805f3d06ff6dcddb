import XCTest
import FulcrumBytes
import FulcrumConfig
@testable import FulcrumCore

/// Pattern files read as HAProxy 2.6 reads them, the matchers' choice of
/// entry (exact, longest prefix, longest network, first in order), and the
/// runtime commands' answers and versions.
final class PatternStoreTests: XCTestCase {
    private let here = SourceLocation(file: "t.cfg", line: 3)

    private func store(map: Bool, _ text: String) -> (PatternStore, PatternReference) {
        let d = PatternReferenceDeclaration(id: 0, file: "/f", isMap: map, display: "d", location: here)
        let s = PatternStore([d])
        XCTAssertEqual(s.load { $0 == "/f" ? text : nil }, [])
        return (s, s.reference("/f")!)
    }

    private func bytes(_ t: String) -> Sample { .bytes(Array(t.utf8)[...]) }

    func testFileLinesAsHAProxyReadsThem() {
        XCTAssertEqual(PatternFileText.parse("# c\n  a b \r\n\n #not a comment\n\tx\n", map: false).map(\.key),
                       ["a b ", "#not a comment", "x"])
        let m = PatternFileText.parse("#c\nk1 v1\n  k2 \t v2 with  words \t\nk3\n\n", map: true)
        XCTAssertEqual(m.map(\.key), ["k1", "k2", "k3"])
        XCTAssertEqual(m.map(\.value), ["v1", "v2 with  words", ""])
        XCTAssertEqual(m.map(\.line), [2, 3, 4])
    }

    func testMissingFileIsAnErrorAtTheUse() {
        let s = PatternStore([PatternReferenceDeclaration(id: 0, file: "/nope", isMap: false, display: "d", location: here, user: "ACL 'a'"),
                              PatternReferenceDeclaration(id: 1, file: "/none", isMap: true, display: "d", location: here, user: "converter 'map'")])
        XCTAssertEqual(s.load { _ in nil }.map(\.message), ["error detected while parsing ACL 'a' : failed to open pattern file </nope>.",
                                                           "invalid args in converter 'map' : failed to open pattern file </none>."])
        XCTAssertEqual(s.load { _ in nil }.map(\.location), [here, here])
    }

    func testExactPrefixAndNetworkLookups() {
        let (_, r) = store(map: true, "example.com a\nwww. b\nwww.ex c\nexample.com dup\n")
        let str = r.expression(method: .str, ignoreCase: false, output: .str)
        XCTAssertEqual(str.match(bytes("example.com")).map { str.value(at: $0).text }, "a", "the first of equal keys")
        XCTAssertNil(str.match(bytes("EXAMPLE.com")))
        let folded = r.expression(method: .str, ignoreCase: true, output: .str)
        XCTAssertEqual(folded.match(bytes("EXAMPLE.com")).map { folded.value(at: $0).text }, "a")
        let beg = r.expression(method: .beg, ignoreCase: false, output: .str)
        XCTAssertEqual(beg.match(bytes("www.example.org")).map { beg.value(at: $0).text }, "c", "the longest prefix")
        XCTAssertEqual(beg.match(bytes("www.x")).map { beg.value(at: $0).text }, "b")
        XCTAssertNil(beg.match(bytes("ww")))
        let sub = r.expression(method: .sub, ignoreCase: false, output: .str)
        XCTAssertEqual(sub.match(bytes("a.www.example.com")).map { sub.value(at: $0).text }, "a", "the first in order")

        let (_, n) = store(map: true, "10.0.0.0/8 wide\n10.1.0.0/16 narrow\n::1 six\n")
        let ip = n.expression(method: .ip, ignoreCase: false, output: .str)
        XCTAssertEqual(ip.match(.address(IPAddress("10.1.2.3")!)).map { ip.value(at: $0).text }, "narrow")
        XCTAssertEqual(ip.match(bytes("10.2.0.1")).map { ip.value(at: $0).text }, "wide", "text cast to an address")
        XCTAssertEqual(ip.match(.address(IPAddress("::1")!)).map { ip.value(at: $0).text }, "six")
        XCTAssertNil(ip.match(.address(IPAddress("11.0.0.1")!)))
    }

    func testTypedOutputsAndIntegerKeys() {
        let (_, r) = store(map: true, "10 7\n20:30 -2\n")
        let x = r.expression(method: .int, ignoreCase: false, output: .int)
        XCTAssertEqual(x.match(.integer(25)).map { x.value(at: $0) }, .integer(-2))
        XCTAssertEqual(x.match(bytes("10")).map { x.value(at: $0) }, .integer(7))
        XCTAssertNil(x.match(.integer(11)))
        XCTAssertEqual(r.problem(key: "x", value: "1"), "'x' is not a number")
        XCTAssertEqual(r.problem(key: "5", value: "one"), "unable to parse 'one'")
    }

    func testCommandsAnswerAsHAProxy() {
        let (s, r) = store(map: true, "a 1\nb 2\n")
        _ = r.expression(method: .str, ignoreCase: false, output: .str)
        func run(_ line: String, _ payload: String? = nil) -> String { s.run(RuntimeCommandLine.words(line), payload: payload)?.text ?? "nil" }
        XCTAssertEqual(run("show map"), "# id (file) description\n0 (/f) d. curr_ver=0 next_ver=0 entry_cnt=2\n")
        XCTAssertEqual(run("show acl /f"), "Unknown ACL identifier. Please use #<id> or <file>.\n")
        XCTAssertEqual(run("get map /f a"), "type=str, case=sensitive, found=yes, idx=tree, key=\"a\", value=\"1\", type=\"str\"\n")
        XCTAssertEqual(run("get map #0 z"), "type=str, case=sensitive, found=no\n")
        XCTAssertEqual(run("add map /f c"), "'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n")
        XCTAssertEqual(run("add map /f c 3"), "")
        XCTAssertEqual(run("add map /f", "d 4\ne   5 \nf\n"), "Missing value for key 'f\n'.\n")
        XCTAssertEqual(r.entries().map(\.key), ["a", "b", "c", "d", "e"])
        XCTAssertEqual(r.entries().last?.value, "5 ")
        XCTAssertEqual(run("set map /f zz 1"), "entry not found.\n")
        XCTAssertEqual(run("set map /f a 9"), "")
        let id = "#0x" + String(r.entries()[1].id, radix: 16)
        XCTAssertEqual(run("set map /f \(id) 8"), "")
        XCTAssertEqual(run("set map /f #0x1 8"), "key or pattern not found.\n")
        XCTAssertEqual(run("del map /f \(id)"), "")
        XCTAssertEqual(run("del map /f b"), "Key not found.\n")
        XCTAssertEqual(run("show map /f").split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1)[1] },
                       ["a 9", "c 3", "d 4", "e 5 "])
        // Versions: a prepared version is invisible until committed, which drops the older ones.
        XCTAssertEqual(run("add map @1 /f x 1"), "Version number in the future, please use 'prepare map' before.\n")
        XCTAssertEqual(run("prepare map /f"), "New version created: 1\n")
        XCTAssertEqual(run("add map @1 /f x 1"), "")
        XCTAssertEqual(run("show map @1 /f").split(separator: " ").dropFirst().joined(separator: " "), "x 1\n")
        let x = r.expressions[0]
        XCTAssertNil(x.match(bytes("x")))
        XCTAssertEqual(run("commit map /f"), "Missing version number.\n")
        XCTAssertEqual(run("commit map @2 /f"), "Version number out of range.\n")
        XCTAssertEqual(run("commit map @1 /f"), "")
        XCTAssertNotNil(x.match(bytes("x")))
        XCTAssertNil(x.match(bytes("a")))
        XCTAssertEqual(run("show map"), "# id (file) description\n0 (/f) d. curr_ver=1 next_ver=1 entry_cnt=1\n")
        XCTAssertEqual(run("clear map /f"), "")
        XCTAssertNil(x.match(bytes("x")))
        XCTAssertEqual(run("clear map"), "Missing map identifier.\n")
        XCTAssertNil(s.run(["show", "stat"]))
    }

    func testACLFilesAndSharedMaps() {
        let (s, r) = store(map: false, "10.0.0.0/8\n")
        _ = r.expression(method: .ip, ignoreCase: false, output: nil)
        func run(_ line: String) -> String { s.run(RuntimeCommandLine.words(line))?.text ?? "nil" }
        XCTAssertEqual(run("add acl /f notip"), "'notip' is not a valid IPv4 or IPv6 address.\n")
        XCTAssertEqual(run("add acl /f 192.168.0.0/16"), "")
        XCTAssertEqual(run("get acl /f 192.168.1.1"), "type=ip, case=sensitive, match=yes, idx=tree, pattern=\"192.168.0.0/16\"\n")
        XCTAssertEqual(run("del acl /f 10.0.0.0/8"), "")
        XCTAssertEqual(run("get acl /f 10.1.1.1"), "type=ip, case=sensitive, match=no\n")
        let (m, _) = store(map: true, "k v\n")
        XCTAssertEqual(m.run(["add", "acl", "/f", "x"])?.text,
                       "This ACL is shared with a map containing samples. You must use the command 'add map' to add values.\n")
    }
}
