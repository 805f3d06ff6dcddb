import XCTest
import FulcrumBytes

final class ByteTextTests: XCTestCase {
    func text<C: Collection>(_ c: C) -> String where C.Element == UInt8 { String(decoding: c, as: UTF8.self) }

    func testClassesAndCaseFolding() {
        XCTAssertTrue("!#$%&'*+-.^_`|~09azAZ".utf8.allSatisfy(ASCII.isToken))
        XCTAssertFalse("(),/:;<=>?@[\\]{}\" \t".utf8.contains(where: ASCII.isToken))
        XCTAssertEqual(ASCII.hexValue(UInt8(ascii: "F")), 15)
        XCTAssertEqual(ASCII.hexValue(UInt8(ascii: "a")), 10)
        XCTAssertNil(ASCII.hexValue(UInt8(ascii: "g")))
        XCTAssertEqual(ASCII.lower(UInt8(ascii: "Q")), UInt8(ascii: "q"))
        XCTAssertEqual(ASCII.upper(UInt8(ascii: "q")), UInt8(ascii: "Q"))
        XCTAssertEqual(ASCII.lower(UInt8(ascii: "[")), UInt8(ascii: "["))
        XCTAssertTrue(ASCII.equalsIgnoringCase("Content-Length".utf8, "content-length".utf8))
        XCTAssertFalse(ASCII.equalsIgnoringCase("Content-Lengt".utf8, "content-length".utf8))
        XCTAssertTrue(ASCII.hasPrefixIgnoringCase("Multipart/form".utf8, "multipart".utf8))
        let raw = Array("X: KEEP-Alive".utf8)
        XCTAssertTrue(ASCII.equalsLowercase(raw, 3..<13, "keep-alive"))
        XCTAssertFalse(ASCII.equalsLowercase(raw, 3..<12, "keep-alive"))
    }

    func testTrimming() {
        let raw = Array(" \t a b \t".utf8)
        let t = raw[...].trimmingBlanks()
        XCTAssertEqual(text(t), "a b")
        XCTAssertEqual(t.startIndex, 3, "a slice of the input: it locates the value")
        XCTAssertEqual(text(Array(" \t ".utf8)[...].trimmingBlanks()), "")
        XCTAssertEqual(" x y\t".trimmingBlanks(), "x y")
    }

    func testFields() {
        let cookie = Array("a=1; b=2;;c".utf8)[...]
        XCTAssertEqual(cookie.fields(separatedBy: UInt8(ascii: ";")).map(text), ["a=1", " b=2", "", "c"])
        XCTAssertEqual(Array("".utf8)[...].fields(separatedBy: 59).map(text), [""])
        let list = Array(Array(#"a, "b,c" , d\,e,"x\"y,z",,"#.utf8)[...].listElements().map(text))
        XCTAssertEqual(list, ["a", #""b,c""#, #"d\"#, "e", #""x\"y,z""#, "", ""])
        let hay = Array("abcabd".utf8)[...]
        XCTAssertEqual(hay.firstRange(of: "abd".utf8), 3..<6)
        XCTAssertNil(hay.firstRange(of: "abe".utf8))
        XCTAssertEqual(hay.firstRange(of: "ab".utf8, from: 1), 3..<5)
    }

    func testDecimal() {
        for v: Int64 in [0, 7, -7, 9, 10, 99, 100, 999, 1000, 9999, 10_000, -10_000, 1234567890, Int64.max, Int64.min] {
            var out: [UInt8] = []
            DecimalText.append(v, to: &out)
            XCTAssertEqual(text(out), String(v))
        }
    }
}
