import XCTest
import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

final class HTTPRulesForwardedForTests: XCTestCase {
    let loopback = IPAddress("127.0.0.1")!

    func testAddsTheClientAddress() {
        var h = parseHead("GET / HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n")
        ForwardedFor.apply(ForwardFor(), head: &h, source: loopback)
        XCTAssertEqual(h.values(of: "x-forwarded-for").map { String(decoding: $0, as: UTF8.self) }, ["1.2.3.4", "127.0.0.1"])
        var v6 = parseHead("GET / HTTP/1.1\r\n\r\n")
        var f = ForwardFor(); f.header = "X-Real"
        ForwardedFor.apply(f, head: &v6, source: IPAddress("::1")!)
        XCTAssertEqual(serialized(v6), "GET / HTTP/1.1\r\nX-Real: ::1\r\n\r\n")
    }

    func testExceptAndIfNone() throws {
        var f = ForwardFor(); f.except = IPNetwork("10.0.0.0/8")
        var inside = parseHead("GET / HTTP/1.1\r\n\r\n")
        ForwardedFor.apply(f, head: &inside, source: IPAddress("10.1.2.3")!)
        XCTAssertTrue(inside.isUnmodified)
        var outside = parseHead("GET / HTTP/1.1\r\n\r\n")
        ForwardedFor.apply(f, head: &outside, source: IPAddress("11.1.2.3")!)
        XCTAssertEqual(outside.value(of: "x-forwarded-for"), "11.1.2.3")
        var g = ForwardFor(); g.ifNone = true; g.header = "X-Real"
        var present = parseHead("GET / HTTP/1.1\r\nx-real: z\r\n\r\n")
        ForwardedFor.apply(g, head: &present, source: loopback)
        XCTAssertEqual(present.values(of: "x-real").count, 1)
        var absent = parseHead("GET / HTTP/1.1\r\n\r\n")
        ForwardedFor.apply(g, head: &absent, source: loopback)
        XCTAssertEqual(absent.value(of: "x-real"), "127.0.0.1")
    }
}
