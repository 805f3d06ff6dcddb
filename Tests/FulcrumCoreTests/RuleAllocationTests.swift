import XCTest
import CAllocationCounter
import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

/// Heap allocations of evaluating a compiled rule set on one request, counted
/// by the test binary's own malloc (CAllocationCounter): the request path of
/// `mode http` rules must not allocate per request beyond what editing the
/// heads needs.
///
/// Budgets are properties of optimized code: an unoptimized build runs the
/// standard library's generics unspecialized, and they allocate (two per
/// element of a `for` loop over a slice), so the budgets are checked by
/// `swift test -c release --filter RuleAllocationTests` and skipped in a
/// debug build.
final class RuleAllocationTests: XCTestCase {
    func requireOptimizedBuild() throws {
        #if DEBUG
        throw XCTSkip("allocation budgets hold for optimized code: swift test -c release --filter RuleAllocationTests")
        #endif
    }

    /// Allocations of `body` per call, measured over `runs` calls after a warm-up.
    func allocations(runs: Int = 200, _ body: () -> Void) -> Double {
        for _ in 0..<10 { body() }
        fulcrum_allocations_reset()
        for _ in 0..<runs { body() }
        return Double(fulcrum_allocations_count()) / Double(runs)
    }

    func testTheCounterSeesAllocations() throws {
        try XCTSkipIf(fulcrum_allocations_counted() == 0, "AddressSanitizer owns malloc: allocations are not counted")
        var keep: [[UInt8]] = []
        keep.reserveCapacity(100)
        let n = allocations(runs: 50) { keep.append(Array(repeating: 1, count: 64)) }
        XCTAssertEqual(n, 1, "one array per call")
        XCTAssertEqual(allocations { _ = keep.count }, 0)
    }

    // The case the issue measured: cookie insert + 3 ACLs + set-header.
    let request = parseHead("GET /api/v1/items?id=7 HTTP/1.1\r\nHost: www.Example.com\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\nCookie: theme=dark; lang=en\r\n\r\n")
    let response = parseHead("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nCache-Control: max-age=60\r\n\r\n")
    let connection = HTTPConnectionInfo(source: IPAddress("192.168.1.10")!, sourcePort: 40000,
                                        destination: IPAddress("10.0.0.1")!, destinationPort: 80)
    let cookie: CookieConfig = {
        var c = CookieConfig(name: "SRV", mode: .insert)
        c.indirect = true; c.nocache = true
        return c
    }()
    let serverCookies: [String?] = ["s1", "s2"]

    func rules() throws -> HTTPCompiledRules {
        var s = HTTPProxySettings()
        s.acls = [aclDef("is_api", "path_beg", .beg, ["/api/", "/v2/"]),
                  aclDef("lan", "src", .ip, ["10.0.0.0/8", "192.168.0.0/16"]),
                  aclDef("site", "hdr_dom(host)", .dom, ["example.com"], i: true)]
        s.requestRules = [HTTPRequestRule(location: ruleLoc, action: .setHeader(name: "X-Client", value: lf("%[src]")),
                                          condition: cond([[named("lan")]]))]
        s.useBackends = [UseBackendRule(location: ruleLoc, backend: lf("api"), condition: cond([[named("is_api"), named("site")]]))]
        return try HTTPCompiledRules(proxyName: "fe", settings: s, acls: ACLSet(s.acls, userlists: [], crypt: noCrypt))
    }

    func testRequestRulesAndCookieInsert() throws {
        try requireOptimizedBuild()
        let rules = try rules()
        // What the requests do, checked once so the counts below measure real work.
        var check = HTTPRuleContext(request: request, connection: connection)
        XCTAssertEqual(HTTPRequestProcessing.frontend(rules, defaultBackend: "www", context: &check), .forward(backendName: "api"))
        XCTAssertEqual(check.request.value(of: "x-client"), "192.168.1.10")

        var outcome = HTTPRequestProcessing.Outcome.forward(backendName: nil)
        let conditions = allocations {
            for r in rules.useBackends { _ = HTTPConditions.evaluate(r.condition, acls: rules.acls, context: check) }
        }
        let requestRules = allocations {
            var ctx = HTTPRuleContext(request: request, connection: connection)
            outcome = HTTPRequestProcessing.frontend(rules, defaultBackend: "www", context: &ctx)
        }
        var state = CookiePersistence.RequestState()
        let cookieRequest = allocations {
            var head = request
            state = CookiePersistence.parseRequest(cookie, serverCookies: serverCookies, head: &head, now: 1_795_241_220)
        }
        var edited = response
        let cookieResponse = allocations {
            var head = response
            CookiePersistence.editResponse(cookie, serverCookie: "s2", requestHadValidCookie: false, response: &head,
                                           requestMethod: "GET", now: 1_795_241_220, request: state)
            edited = head
        }
        XCTAssertEqual(outcome, .forward(backendName: "api"))
        XCTAssertEqual(edited.values(of: "set-cookie").map { String(decoding: $0, as: UTF8.self) }, ["SRV=s2; path=/"])
        XCTAssertEqual(edited.value(of: "cache-control"), "private")
        let total = requestRules + cookieRequest + cookieResponse
        print("allocations per request: 3 ACL conditions \(conditions), http-request rules + use_backend \(requestRules),"
              + " cookie (request) \(cookieRequest), cookie insert (response) \(cookieResponse); total \(total)")
        XCTAssertEqual(conditions, 0, "evaluating ACLs allocates nothing")
        XCTAssertEqual(cookieRequest, 0, "reading the persistence cookie allocates nothing")
        // What remains is the heads' storage for added fields: the value and, once, the list.
        XCTAssertLessThanOrEqual(requestRules, 2, "set-header: its value and the added-field list")
        XCTAssertLessThanOrEqual(cookieResponse, 2, "Set-Cookie: its value and the added-field list")
        XCTAssertLessThanOrEqual(total, 4)
    }
}
