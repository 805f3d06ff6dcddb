import XCTest
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

final class HTTPRulesBalanceKeyTests: XCTestCase {
    func bytes(_ a: BalanceProperties.RequestKey, _ target: String, _ fields: String = "") -> String? {
        HTTPBalanceKey.keyBytes(a, head: parseHead("GET \(target) HTTP/1.1\r\n\(fields)\r\n")).map { String(decoding: $0, as: UTF8.self) }
    }

    func testURIKeyBytes() {
        XCTAssertEqual(bytes(.uri(whole: false, length: 0, depth: 0), "/a/b/c?x=1"), "/a/b/c")
        XCTAssertEqual(bytes(.uri(whole: true, length: 0, depth: 0), "/a/b/c?x=1"), "/a/b/c?x=1")
        XCTAssertEqual(bytes(.uri(whole: false, length: 4, depth: 0), "/a/b/c?x=1"), "/a/b")
        XCTAssertEqual(bytes(.uri(whole: false, length: 0, depth: 2), "/a/b/c?x=1"), "/a/b")
        XCTAssertEqual(bytes(.uri(whole: false, length: 0, depth: 1), "/abc"), "/abc")
        XCTAssertEqual(bytes(.uri(whole: true, length: 0, depth: 3), "/a?b/c/d/e"), "/a?b/c/d")
    }

    func testURLParamAndHeaderKeyBytes() {
        XCTAssertEqual(bytes(.urlParam("id"), "/x?a=1&id=42&id=7"), "42")
        XCTAssertEqual(bytes(.urlParam("id"), "/x?idx=1&id="), "")
        XCTAssertNil(bytes(.urlParam("id"), "/x?a=1"))
        XCTAssertNil(bytes(.urlParam("id"), "/x"))
        XCTAssertEqual(bytes(.header("host"), "/", "Host: a.example, b\r\nHost: c\r\n"), "a.example")
        XCTAssertNil(bytes(.header("x-user"), "/"))
    }

    func testKeysUseTheBackendHashFunction() {
        let head = parseHead("GET /a/b?x HTTP/1.1\r\n\r\n")
        var sdbm: UInt32 = 0
        for c in "/a/b".utf8 { sdbm = UInt32(c) &+ (sdbm << 6) &+ (sdbm << 16) &- sdbm }
        XCTAssertEqual(HTTPBalanceKey.key(.uri(whole: false, length: 0, depth: 0), hashType: HashType(), head: head), sdbm)
        var t = HashType(); t.function = .djb2; t.avalanche = true
        let expected = Array("/a/b".utf8).withUnsafeBytes { LBHash.avalanche(LBHash.djb2($0)) }
        XCTAssertEqual(HTTPBalanceKey.key(.uri(whole: false, length: 0, depth: 0), hashType: t, head: head), expected)
        XCTAssertNil(HTTPBalanceKey.key(.urlParam("id"), hashType: t, head: head))
    }
}
