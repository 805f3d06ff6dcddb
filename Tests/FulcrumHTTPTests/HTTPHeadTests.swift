import XCTest
@testable import FulcrumHTTP

final class HTTPHeadTests: XCTestCase {
    /// A head built by hand (the parser's job) to exercise editing and writing.
    private func sample() -> HTTPHead {
        let text = "GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n\r\n"
        let raw = Array(text.utf8)
        func r(_ s: String, from: Int = 0) -> Range<Int> {
            let b = Array(s.utf8)
            for i in from...(raw.count - b.count) where Array(raw[i..<(i + b.count)]) == b { return i..<(i + b.count) }
            fatalError(s)
        }
        return HTTPHead(kind: .request, raw: raw, part1: r("GET"), part2: r("/a?b=1"), part3: r("HTTP/1.1"),
                        version: .http11, status: 0,
                        fields: [.init(name: r("Host"), value: r("x")), .init(name: r("X-A"), value: r("1", from: 30)),
                                 .init(name: r("x-a"), value: r("2", from: 35))])
    }

    func testReadEditAndSerialize() {
        var h = sample()
        XCTAssertEqual(h.methodString, "GET")
        XCTAssertEqual(h.value(of: "x-A"), "2")
        XCTAssertEqual(h.values(of: "X-a").count, 2)
        XCTAssertTrue(h.isUnmodified)
        var out: [UInt8] = []
        h.serialize(into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "GET /a?b=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\nx-a: 2\r\n\r\n")
        h.set("X-A", "3")
        h.add("X-Forwarded-For", "127.0.0.1")
        h.targetOverride = Array("/new".utf8)
        XCTAssertFalse(h.isUnmodified)
        XCTAssertEqual(h.value(of: "x-a"), "3")
        out.removeAll()
        h.serialize(into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self),
                       "GET /new HTTP/1.1\r\nHost: x\r\nX-A: 3\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n")
        h.remove("x-forwarded-for")
        XCTAssertNil(h.value(of: "X-Forwarded-For"))
    }
}
