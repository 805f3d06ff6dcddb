import XCTest
import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

// MARK: test support shared by the HTTPRules*/ACL*/Cookie* tests

let ruleLoc = SourceLocation(file: "t.cfg", line: 1)

/// A tiny test-only head parser: "GET /x HTTP/1.1\r\nHost: a\r\n\r\n" → ranges.
func parseHead(_ text: String) -> HTTPHead {
    let raw = Array(text.utf8)
    var lines: [Range<Int>] = []
    var start = 0, i = 0
    while i + 1 < raw.count {
        if raw[i] == 13 && raw[i + 1] == 10 {
            if i == start { break }
            lines.append(start..<i); start = i + 2; i += 2; continue
        }
        i += 1
    }
    let first = lines[0]
    var parts: [Range<Int>] = []
    var s = first.lowerBound
    for j in first where raw[j] == 32 && parts.count < 2 { parts.append(s..<j); s = j + 1 }
    parts.append(s..<first.upperBound)
    let isResponse = text.hasPrefix("HTTP/")
    var fields: [HTTPHead.Field] = []
    for l in lines.dropFirst() {
        let colon = raw[l].firstIndex(of: 58)!
        var v = colon + 1
        while v < l.upperBound && raw[v] == 32 { v += 1 }
        fields.append(.init(name: l.lowerBound..<colon, value: v..<l.upperBound))
    }
    let versionText = String(decoding: raw[isResponse ? parts[0] : parts[2]], as: UTF8.self)
    let status = isResponse ? Int(String(decoding: raw[parts[1]], as: UTF8.self))! : 0
    return HTTPHead(kind: isResponse ? .response : .request, raw: raw, part1: parts[0], part2: parts[1], part3: parts[2],
                    version: versionText == "HTTP/1.0" ? .http10 : .http11, status: status, fields: fields)
}

func serialized(_ h: HTTPHead) -> String {
    var out: [UInt8] = []
    h.serialize(into: &out)
    return String(decoding: out, as: UTF8.self)
}

func ruleContext(_ request: String, response: String? = nil, src: String = "192.168.1.10", srcPort: Int = 40000,
                 dst: String = "10.0.0.1", dstPort: Int = 80) -> HTTPRuleContext {
    HTTPRuleContext(request: parseHead(request), response: response.map(parseHead),
                    connection: HTTPConnectionInfo(source: IPAddress(src)!, sourcePort: srcPort,
                                                   destination: IPAddress(dst)!, destinationPort: dstPort))
}

/// Test-only log-format parser: literal text and %[fetch(args)].
func lf(_ text: String) -> LogFormat {
    var parts: [LogFormat.Part] = []
    var rest = Substring(text)
    while let r = rest.range(of: "%[") {
        if r.lowerBound > rest.startIndex { parts.append(.literal(String(rest[..<r.lowerBound]))) }
        let close = rest[r.upperBound...].firstIndex(of: "]")!
        parts.append(.sample(fetch(String(rest[r.upperBound..<close]))))
        rest = rest[rest.index(after: close)...]
    }
    if !rest.isEmpty { parts.append(.literal(String(rest))) }
    return LogFormat(text: text, parts: parts)
}

func fetch(_ s: String) -> SampleFetch {
    guard let p = s.firstIndex(of: "(") else { return SampleFetch(name: s) }
    let args = s[s.index(after: p)..<s.index(before: s.endIndex)]
    return SampleFetch(name: String(s[..<p]), arguments: args.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
}

func aclDef(_ name: String, _ f: String, _ method: MatchMethod, _ patterns: [String] = [], i: Bool = false) -> ACLDefinition {
    var d = ACLDefinition(name: name, location: ruleLoc, fetch: fetch(f), method: method)
    d.patterns = patterns; d.ignoreCase = i
    return d
}

func cond(_ groups: [[ConditionTerm]], unless: Bool = false) -> RuleCondition { RuleCondition(unless: unless, groups: groups) }
func named(_ n: String, not: Bool = false) -> ConditionTerm { ConditionTerm(negated: not, reference: .named(n)) }
func anon(_ d: ACLDefinition, not: Bool = false) -> ConditionTerm { ConditionTerm(negated: not, reference: .anonymous(d)) }

let noCrypt: (String, String) -> String? = { _, _ in nil }

// MARK: fetches

final class HTTPRulesFetchTests: XCTestCase {
    // The request HAProxy 2.6 answered in our capture (x-last: c, x-occ1: a, x-ck: 3, x-up: 1, ...).
    let req = "GET /api?a=1&b=2&a=3 HTTP/1.1\r\nHost: www.example.com\r\nX-M: a, b\r\nX-M: c\r\nCookie: c=1; d=2\r\nCookie: c=3\r\nX-N: 1,2,3\r\n\r\n"

    func values(_ f: String, _ c: HTTPRuleContext) -> [String] { SampleFetcher.fetch(fetch(f), context: c) }
    func single(_ f: String, _ c: HTTPRuleContext) -> String? { SampleFetcher.single(try! HTTPFetch(fetch(f)), context: c) }

    func testURIFetches() {
        let c = ruleContext(req)
        XCTAssertEqual(values("path", c), ["/api"])
        XCTAssertEqual(values("pathq", c), ["/api?a=1&b=2&a=3"])
        XCTAssertEqual(values("query", c), ["a=1&b=2&a=3"])
        XCTAssertEqual(values("url", c), ["/api?a=1&b=2&a=3"])
        XCTAssertEqual(values("base", c), ["www.example.com/api"])
        XCTAssertEqual(values("url_param(a)", c), ["1", "3"])
        XCTAssertEqual(single("url_param(a)", c), "1")
        XCTAssertEqual(values("urlp(b)", c), ["2"])
        XCTAssertEqual(values("url_param(zz)", c), [])
        let abs = ruleContext("GET http://h.ex/v1/api/x?q HTTP/1.1\r\nHost: h.ex\r\n\r\n")
        XCTAssertEqual(values("path", abs), ["/v1/api/x"])
        XCTAssertEqual(values("base", abs), ["h.ex/v1/api/x"])
        let noHost = ruleContext("GET /abcd? HTTP/1.1\r\n\r\n")
        XCTAssertEqual(values("base", noHost), ["/abcd"])
        XCTAssertEqual(values("query", noHost), [""])
        XCTAssertEqual(values("query", ruleContext("GET /a HTTP/1.1\r\n\r\n")), [])
        XCTAssertEqual(values("path", ruleContext("OPTIONS * HTTP/1.1\r\n\r\n")), [])
    }

    func testHeaderFetches() {
        let c = ruleContext(req)
        XCTAssertEqual(values("hdr(x-m)", c), ["a", "b", "c"])
        XCTAssertEqual(single("hdr(x-m)", c), "c")
        XCTAssertEqual(single("req.hdr(x-m,1)", c), "a")
        XCTAssertEqual(single("req.hdr(x-m,-2)", c), "b")
        XCTAssertEqual(values("req.fhdr(x-m)", c), ["a, b", "c"])
        XCTAssertEqual(single("req.fhdr(x-m)", c), "c")
        XCTAssertEqual(values("hdr_cnt(x-m)", c), ["3"])
        XCTAssertEqual(values("req.fhdr_cnt(x-m)", c), ["2"])
        XCTAssertEqual(values("hdr_cnt(nothere)", c), ["0"])
        XCTAssertEqual(values("hdr(nothere)", c), [])
        XCTAssertEqual(values("method", c), ["GET"])
        XCTAssertEqual(values("req.ver", c), ["1.1"])
        XCTAssertEqual(values("req.cook(c)", c), ["1", "3"])
        XCTAssertEqual(single("req.cook(c)", c), "3")
        XCTAssertEqual(values("cook(d)", c), ["2"])
        XCTAssertEqual(values("cook_cnt(c)", c), ["2"])
    }

    func testConnectionAndResponseFetches() {
        let c = ruleContext("GET / HTTP/1.0\r\n\r\n",
                            response: "HTTP/1.1 404 Not Found\r\nX-Srv: one\r\nSet-Cookie: S=abc; path=/\r\n\r\n",
                            src: "2001:db8::1", srcPort: 5555, dst: "127.0.0.1", dstPort: 8080)
        XCTAssertEqual(values("src", c), ["2001:db8::1"])
        XCTAssertEqual(values("src_port", c), ["5555"])
        XCTAssertEqual(values("dst", c), ["127.0.0.1"])
        XCTAssertEqual(values("dst_port", c), ["8080"])
        XCTAssertEqual(values("req.ver", c), ["1.0"])
        XCTAssertEqual(values("status", c), ["404"])
        XCTAssertEqual(values("res.hdr(x-srv)", c), ["one"])
        XCTAssertEqual(values("shdr(x-srv)", c), ["one"])
        XCTAssertEqual(values("res.cook(S)", c), ["abc"])
        XCTAssertEqual(values("status", ruleContext("GET / HTTP/1.1\r\n\r\n")), [])
    }

    func testFetchNamesAreResolvedOrRejected() throws {
        XCTAssertEqual(try HTTPFetch(fetch("path_beg")), .path)
        XCTAssertEqual(try HTTPFetch(fetch("hdr_dom(host)")), .header(name: "host", occurrence: nil, full: false, response: false))
        XCTAssertEqual(try HTTPFetch(fetch("hdr_cnt(x)")), .headerCount(name: "x", full: false, response: false))
        XCTAssertThrowsError(try HTTPFetch(fetch("no_such_fetch")))
        XCTAssertThrowsError(try HTTPFetch(fetch("path(x)")))
        XCTAssertThrowsError(try HTTPFetch(fetch("http_auth")))
        XCTAssertThrowsError(try HTTPFetch(fetch("hdr(x,notanumber)")))
    }

    func testLogFormatExpansion() {
        let c = ruleContext(req, src: "127.0.0.1", srcPort: 1234, dst: "127.0.0.1", dstPort: 18401)
        XCTAssertEqual(LogFormatter.expand(lf("[%[req.hdr(nothere)]]"), context: c), "[]")
        XCTAssertEqual(LogFormatter.expand(lf("a-%[req.hdr(host)]-b"), context: c), "a-www.example.com-b")
        XCTAssertEqual(LogFormatter.expand(lf("%[src]:%[dst_port] %[path]?%[query]"), context: c), "127.0.0.1:18401 /api?a=1&b=2&a=3")
        XCTAssertEqual(LogFormatter.expand(lf("%[hdr(nothere)]"), context: c, missing: "-"), "-")
        XCTAssertEqual(LogFormatter.expand(lf("plain"), context: c), "plain")
        XCTAssertThrowsError(try LogFormatter.validate(lf("%[bogus]")))
    }
}
