import XCTest
import CAllocationCounter
import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP
import FulcrumLog
@testable import FulcrumCore

/// Map converters and ACL files in compiled rules: `use_backend` names, a
/// set-header value and ACLs on converted samples read the pattern store,
/// see its runtime changes at once, and (optimized build) allocate nothing
/// per request for the lookups.
final class MapConverterRulesTests: XCTestCase {
    let files = [
        "/hosts.map": "example.com be_api\nwww. be_www\n",
        "/nets.map": "192.168.0.0/16 lan\n192.168.1.0/24 office\n",
        "/deny.acl": "evil.example\n",
    ]
    let connection = HTTPConnectionInfo(source: IPAddress("192.168.1.10")!, sourcePort: 40000,
                                        destination: IPAddress("10.0.0.1")!, destinationPort: 80)

    func compile() throws -> (HTTPCompiledRules, PatternStore) {
        let text = """
            defaults
                mode http
            frontend fe
                bind :80
                acl denied req.hdr(host),lower -f /deny.acl
                acl known req.hdr(host),lower,map_beg(/hosts.map) -m found
                http-request set-header X-Net %[src,map_ip(/nets.map,far)]
                http-request set-header X-Known yes if known !denied
                use_backend %[req.hdr(host),lower,map(/hosts.map,be_default)]
                default_backend be_default
            backend be_default
                server s 10.0.0.2:80

            """
        let parsed = ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:])
        XCTAssertEqual(parsed.diagnostics.filter { $0.severity == .alert }, [])
        let store = PatternStore(parsed.configuration.patternReferences)
        XCTAssertEqual(store.load { self.files[$0] }, [])
        let f = parsed.configuration.frontends[0]
        let rules = try PatternStore.$compiling.withValue(store) {
            try HTTPCompiledRules(proxyName: "fe", settings: f.http, acls: ACLSet(f.http.acls, userlists: [], crypt: { _, _ in nil }))
        }
        XCTAssertEqual(store.validate(), [])
        return (rules, store)
    }

    func process(_ rules: HTTPCompiledRules, host: String) -> (HTTPRequestProcessing.Outcome, HTTPRuleContext) {
        var ctx = HTTPRuleContext(request: parseHead("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n"), connection: connection)
        let outcome = HTTPRequestProcessing.frontend(rules, defaultBackend: "be_default", context: &ctx)
        return (outcome, ctx)
    }

    func testRulesReadTheStoreAndItsChanges() throws {
        let (rules, store) = try compile()
        var (outcome, ctx) = process(rules, host: "Example.COM")
        XCTAssertEqual(outcome, .forward(backendName: "be_api"))
        XCTAssertEqual(ctx.request.value(of: "x-net"), "office", "the longest network")
        XCTAssertEqual(ctx.request.value(of: "x-known"), "yes")
        (outcome, ctx) = process(rules, host: "other.org")
        XCTAssertEqual(outcome, .forward(backendName: "be_default"))
        XCTAssertNil(ctx.request.value(of: "x-known"))

        XCTAssertEqual(store.run(["add", "map", "/hosts.map", "other.org", "be_other"])?.text, "")
        XCTAssertEqual(store.run(["add", "acl", "/deny.acl", "other.org"])?.text, "")
        XCTAssertEqual(store.run(["del", "map", "/nets.map", "192.168.1.0/24"])?.text, "")
        (outcome, ctx) = process(rules, host: "other.org")
        XCTAssertEqual(outcome, .forward(backendName: "be_other"))
        XCTAssertNil(ctx.request.value(of: "x-known"), "denied by the added ACL entry")
        XCTAssertEqual(ctx.request.value(of: "x-net"), "lan")
        XCTAssertEqual(store.run(["clear", "map", "/nets.map"])?.text, "")
        (_, ctx) = process(rules, host: "other.org")
        XCTAssertEqual(ctx.request.value(of: "x-net"), "far", "the default")
    }

    func testLookupsAllocateNothing() throws {
        #if DEBUG
        throw XCTSkip("allocation budgets hold for optimized code: swift test -c release --filter MapConverterRulesTests")
        #else
        let (rules, _) = try compile()
        let request = parseHead("GET / HTTP/1.1\r\nHost: www.example.com\r\n\r\n")
        let ctx = HTTPRuleContext(request: request, connection: connection)
        func allocations(_ body: () -> Void) -> Double {
            for _ in 0..<10 { body() }
            fulcrum_allocations_reset()
            for _ in 0..<200 { body() }
            return Double(fulcrum_allocations_count()) / 200
        }
        let acls = rules.acls.named["known"]! + rules.acls.named["denied"]!
        XCTAssertEqual(allocations { for a in acls { _ = a.matches(ctx, acls: rules.acls) } }, 0, "ACLs on converted samples")
        #endif
    }

    /// mode tcp: the SNI of a ClientHello looked up in a map (in a
    /// `use_backend` condition) and in an ACL file, and runtime changes
    /// re-routing and refusing it.
    func testSNIRoutingThroughAMapAndAnACLFile() throws {
        let text = "defaults\n  mode tcp\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"
            + "frontend f\n  bind :443\n  tcp-request inspect-delay 5s\n"
            + "  tcp-request content reject if { req.ssl_sni -i -f /blocked.acl }\n"
            + "  tcp-request content accept if { req.ssl_hello_type 1 }\n"
            + "  use_backend a if { req.ssl_sni,lower,map_dom(/sni.map,other) -m str a }\n  default_backend other\n"
            + "backend a\n  server s 10.0.0.1:443\nbackend other\n  server s 10.0.0.3:443\n"
        let files = ["/sni.map": "example.com a\n", "/blocked.acl": "blocked.example\n"]
        let r = ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:])
        XCTAssertEqual(r.diagnostics.filter { $0.severity == .alert }.map(\.message), [])
        let store = PatternStore(r.configuration.patternReferences)
        XCTAssertEqual(store.load { files[$0] }, [])
        let f = try XCTUnwrap(r.configuration.frontends.first)
        let rules = try PatternStore.$compiling.withValue(store) {
            try TCPCompiledRules(content: f.tcpContent, http: f.http, userlists: [], crypt: { _, _ in nil })
        }
        let hello = TCPContentRulesTests.context(ClientHelloFixtures.sni, final: false)
        XCTAssertEqual(rules.inspect(hello), .accept)
        XCTAssertEqual(rules.route(hello), "a", "www.Example.com, lowered, in the domain example.com")
        XCTAssertEqual(store.run(["add", "acl", "/blocked.acl", "www.example.com"])?.text, "")
        XCTAssertEqual(rules.inspect(hello), .reject)
        XCTAssertEqual(store.run(["set", "map", "/sni.map", "example.com", "other"])?.text, "")
        XCTAssertNil(rules.route(hello), "default_backend")
    }

    /// One converter chain: map converters mixed with the other converters
    /// (field, lower, ipmask, regsub, add), in set-var, an ACL on a
    /// variable, a header value; a typed map output feeds arithmetic and an
    /// ACL matches it by its type.
    func testMapStepsInOneChainWithTheOtherConverters() throws {
        let text = """
            defaults
                mode http
            frontend fe
                bind :80
                http-request set-var(txn.be) req.hdr(host),field(1,:),lower,map_beg(/hosts.map,be_default)
                http-request set-header X-Be %[var(txn.be),upper]
                http-request set-header X-Net %[src,ipmask(16),map_ip(/nets.map),regsub(a,A,g)]
                http-request set-header X-Weight %[var(txn.be),map_str_int(/weights.map,0),add(1)]
                http-request deny if { var(txn.be),map_str_int(/weights.map) gt 5 }
                default_backend be_default
            backend be_default
                server s 10.0.0.2:80

            """
        let files = self.files.merging(["/weights.map": "be_api 3\nbe_www 9\n"]) { a, _ in a }
        let parsed = ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:])
        XCTAssertEqual(parsed.diagnostics.filter { $0.severity == .alert }.map(\.message), [])
        let store = PatternStore(parsed.configuration.patternReferences)
        XCTAssertEqual(store.load { files[$0] }, [], "every map file of the chains is registered and loaded")
        let f = parsed.configuration.frontends[0]
        let rules = try PatternStore.$compiling.withValue(store) {
            try HTTPCompiledRules(proxyName: "fe", settings: f.http, acls: ACLSet(f.http.acls, userlists: [], crypt: { _, _ in nil }))
        }
        func run(_ host: String) -> (HTTPRequestProcessing.Outcome, HTTPRuleContext) {
            var ctx = HTTPRuleContext(request: parseHead("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n"), connection: connection)
            ctx.variables = RuleVariables(process: VariableStore())
            let outcome = HTTPRequestProcessing.frontend(rules, defaultBackend: "be_default", context: &ctx)
            return (outcome, ctx)
        }
        var (outcome, ctx) = run("Example.COM:8080")
        XCTAssertEqual(outcome, .forward(backendName: "be_default"))
        XCTAssertEqual(ctx.request.value(of: "x-be"), "BE_API", "field, lower, map_beg, then upper")
        XCTAssertEqual(ctx.request.value(of: "x-net"), "lAn", "ipmask(16) finds the /16 only, regsub rewrites the value")
        XCTAssertEqual(ctx.request.value(of: "x-weight"), "4", "map_str_int's integer feeds add")
        (outcome, ctx) = run("www.example.org")
        guard case .respond(let page, _) = outcome else { return XCTFail("the ACL matches the map's value as an integer") }
        XCTAssertEqual(HTTPErrorPages.status(of: page), 403)
        XCTAssertEqual(store.run(["set", "map", "/weights.map", "be_www", "1"])?.text, "")
        (outcome, ctx) = run("www.example.org")
        XCTAssertEqual(outcome, .forward(backendName: "be_default"), "the runtime change is seen at once")
        XCTAssertEqual(ctx.request.value(of: "x-weight"), "2")
        // An unknown host: map_beg's default, absent from weights.map: its default 0.
        (_, ctx) = run("other.org")
        XCTAssertEqual(ctx.request.value(of: "x-be"), "BE_DEFAULT")
        XCTAssertEqual(ctx.request.value(of: "x-weight"), "1")
    }

    /// A log line's `%[...]` may use map converters too: the parser
    /// registers the file, and the line reads the store.
    func testLogLineReadsAMap() throws {
        let text = """
            defaults
                mode http
            frontend fe
                bind :80
                log 127.0.0.1:514 local0
                log-format "%[req.hdr(host),lower,map_beg(/hosts.map,none),upper] %[src,map_ip(/nets.map)]"
                default_backend be
            backend be
                server s 10.0.0.2:80

            """
        let parsed = ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:])
        XCTAssertEqual(parsed.diagnostics.filter { $0.severity == .alert }.map(\.message), [])
        let store = PatternStore(parsed.configuration.patternReferences)
        XCTAssertEqual(store.load { self.files[$0] }, [])
        let line = try PatternStore.$compiling.withValue(store) { try CompiledLogLine(parsed.configuration.frontends[0].logging) }
        var out: [UInt8] = []
        let context = HTTPRuleContext(request: parseHead("GET / HTTP/1.1\r\nHost: WWW.x.org\r\n\r\n"), connection: connection)
        line.render(LogRecord(), context: context, into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "BE_WWW office")
    }
}
