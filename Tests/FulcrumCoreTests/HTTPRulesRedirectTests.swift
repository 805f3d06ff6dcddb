import XCTest
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

/// Expected bytes are what HAProxy 2.6.12 sent for the same rule and request
/// (captured on 127.0.0.1).
final class HTTPRulesRedirectTests: XCTestCase {
    func redirect(_ kind: RedirectRule.Kind, _ value: String, code: Int = 302, dropQuery: Bool = false,
                  appendSlash: Bool = false, request: String) -> String {
        var r = RedirectRule(kind: kind, value: lf(value))
        r.code = code; r.dropQuery = dropQuery; r.appendSlash = appendSlash
        return String(decoding: HTTPRedirect.response(r, context: ruleContext(request)), as: UTF8.self)
    }

    func get(_ target: String, host: String? = "h.example") -> String {
        "GET \(target) HTTP/1.1\r\n" + (host.map { "Host: \($0)\r\n" } ?? "") + "\r\n"
    }

    func testPrefixForms() {
        XCTAssertEqual(redirect(.prefix, "http://pfx.example", dropQuery: true, request: get("/rp/a?q=1")),
                       "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: http://pfx.example/rp/a\r\ncache-control: no-cache\r\n\r\n")
        // append-slash appends after the query when it is kept.
        XCTAssertEqual(redirect(.prefix, "http://pfx2.example", appendSlash: true, request: get("/ra/b?q=1")),
                       "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: http://pfx2.example/ra/b?q=1/\r\ncache-control: no-cache\r\n\r\n")
        XCTAssertEqual(redirect(.prefix, "https://p.example", dropQuery: true, appendSlash: true, request: get("/pd/p?q")),
                       "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://p.example/pd/p/\r\ncache-control: no-cache\r\n\r\n")
        XCTAssertEqual(redirect(.prefix, "https://p.example", dropQuery: true, appendSlash: true, request: get("/pd/?q")),
                       "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://p.example/pd/\r\ncache-control: no-cache\r\n\r\n")
        // A prefix of "/" adds nothing; any other prefix is prepended.
        XCTAssertEqual(redirect(.prefix, "/", request: get("/rslash/x")),
                       "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /rslash/x\r\ncache-control: no-cache\r\n\r\n")
        XCTAssertEqual(redirect(.prefix, "/pp", request: get("/pp/z?q")),
                       "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pp/pp/z?q\r\ncache-control: no-cache\r\n\r\n")
    }

    func testLocationAndCodes() {
        XCTAssertEqual(redirect(.location, "http://loc.example/x?y=1", code: 303, request: get("/rl?z=2")),
                       "HTTP/1.1 303 See Other\r\ncontent-length: 0\r\nlocation: http://loc.example/x?y=1\r\ncache-control: no-cache\r\n\r\n")
        XCTAssertEqual(redirect(.location, "/elsewhere", code: 301, request: get("/hrr?a=1")),
                       "HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\nlocation: /elsewhere\r\n\r\n")
        XCTAssertEqual(redirect(.location, "/x", code: 307, request: get("/c307")),
                       "HTTP/1.1 307 Temporary Redirect\r\ncontent-length: 0\r\nlocation: /x\r\ncache-control: no-cache\r\n\r\n")
        XCTAssertEqual(redirect(.location, "/x", code: 308, request: get("/c308")),
                       "HTTP/1.1 308 Permanent Redirect\r\ncontent-length: 0\r\nlocation: /x\r\n\r\n")
        XCTAssertEqual(redirect(.location, "https://%[hdr(host)]%[path]", request: get("/p?q")),
                       "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://h.example/p\r\ncache-control: no-cache\r\n\r\n")
    }

    func testSchemeForms() {
        XCTAssertEqual(redirect(.scheme, "https", request: get("/rs/p?q=1", host: "h.example:80")),
                       "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://h.example:80/rs/p?q=1\r\ncache-control: no-cache\r\n\r\n")
        XCTAssertEqual(redirect(.scheme, "https", code: 308, appendSlash: true, request: get("/sa/p?q")),
                       "HTTP/1.1 308 Permanent Redirect\r\ncontent-length: 0\r\nlocation: https://h.example/sa/p?q/\r\n\r\n")
        XCTAssertEqual(redirect(.scheme, "https", dropQuery: true, request: get("/sd/p?q")),
                       "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://h.example/sd/p\r\ncache-control: no-cache\r\n\r\n")
        XCTAssertEqual(redirect(.scheme, "https", code: 308, appendSlash: true, request: get("/sa/x", host: nil)),
                       "HTTP/1.1 308 Permanent Redirect\r\ncontent-length: 0\r\nlocation: https:///sa/x/\r\n\r\n")
    }

    func testConnectionFieldFollowsTheClient() {
        XCTAssertEqual(redirect(.location, "/x", request: "GET /c302 HTTP/1.0\r\n\r\n"),
                       "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /x\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n")
        let r = RedirectRule(kind: .location, value: lf("/x"))
        let ka = HTTPRedirect.responseAndClose(r, context: ruleContext("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), acls: nil, mode: .keepAlive)
        XCTAssertFalse(ka.close)
        XCTAssertTrue(String(decoding: ka.bytes, as: UTF8.self).hasSuffix("connection: keep-alive\r\n\r\n"))
        let closing = HTTPRedirect.responseAndClose(r, context: ruleContext("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"), acls: nil, mode: .keepAlive)
        XCTAssertTrue(closing.close)
        XCTAssertFalse(HTTPRedirect.responseAndClose(r, context: ruleContext(get("/")), acls: nil, mode: .keepAlive).close)
    }
}
