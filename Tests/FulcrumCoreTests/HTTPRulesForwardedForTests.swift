import XCTest
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

final class HTTPRulesForwardedForTests: XCTestCase {
    func testAddsTheClientAddress() {
        var h = parseHead("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n")
        ForwardedFor.apply(ForwardFor(), head: &h, source: [127, 0, 0, 1])
        XCTAssertEqual(h.values(of: "x-forwarded-for").map { String(decoding: $0, as: UTF8.self) }, ["1.2.3.4", "127.0.0.1"])
        var v6 = parseHead("GET / HTTP/1.1\r\n\r\n")
        var f = ForwardFor(); f.header = "X-Real"
        ForwardedFor.apply(f, head: &v6, source: addressBytes("::1"))
        XCTAssertEqual(serialized(v6), "GET / HTTP/1.1\r\nX-Real: ::1\r\n\r\n")
    }

    func testExceptAndIfNone() throws {
        var f = ForwardFor(); f.except = "10.0.0.0/8"
        let rule = try ForwardedFor.Compiled(f)
        var inside = parseHead("GET / HTTP/1.1\r\n\r\n")
        rule.apply(head: &inside, source: [10, 1, 2, 3])
        XCTAssertTrue(inside.isUnmodified)
        var outside = parseHead("GET / HTTP/1.1\r\n\r\n")
        rule.apply(head: &outside, source: [11, 1, 2, 3])
        XCTAssertEqual(outside.value(of: "x-forwarded-for"), "11.1.2.3")
        var g = ForwardFor(); g.ifNone = true; g.header = "X-Real"
        var present = parseHead("GET / HTTP/1.1\r\nx-real: z\r\n\r\n")
        ForwardedFor.apply(g, head: &present, source: [127, 0, 0, 1])
        XCTAssertEqual(present.values(of: "x-real").count, 1)
        var absent = parseHead("GET / HTTP/1.1\r\n\r\n")
        ForwardedFor.apply(g, head: &absent, source: [127, 0, 0, 1])
        XCTAssertEqual(absent.value(of: "x-real"), "127.0.0.1")
        var bad = ForwardFor(); bad.except = "nonsense"
        XCTAssertThrowsError(try ForwardedFor.Compiled(bad))
    }
}
