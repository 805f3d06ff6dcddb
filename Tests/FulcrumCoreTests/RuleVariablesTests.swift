import XCTest
import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

/// Variables: typed values per scope, HAProxy's lifetimes, and set-var /
/// set-var-fmt / unset-var / set-status / http-after-response rules run
/// through the compiled rules.
final class RuleVariablesTests: XCTestCase {
    func ref(_ name: String) -> VariableRef { VariableRef(VariableName(name)!) }

    func testScopesAndLifetimes() {
        let process = VariableStore()
        let a = RuleVariables(process: process), b = RuleVariables(process: process)
        a.set(ref("proc.p"), .integer(1))
        a.set(ref("sess.s"), .bytes(Array("session".utf8)[...]))
        a.set(ref("txn.t"), .address(IPAddress("10.0.0.1")!))
        a.set(ref("req.r"), .bool(true))
        a.set(ref("res.r"), .integer(2))
        XCTAssertEqual(b.get(ref("proc.p")), .integer(1), "proc is shared by every stream of the process")
        XCTAssertNil(b.get(ref("sess.s")), "sess belongs to one connection")
        XCTAssertNil(a.get(ref("txn.r")), "same name, other scope: another variable")
        a.endTransaction()
        XCTAssertEqual(a.get(ref("sess.s"))?.text, "session")
        XCTAssertNil(a.get(ref("txn.t")))
        XCTAssertNil(a.get(ref("req.r")))
        XCTAssertNil(a.get(ref("res.r")))
        a.endSession()
        XCTAssertNil(a.get(ref("sess.s")))
        XCTAssertEqual(a.get(ref("proc.p")), .integer(1))
        a.unset(ref("proc.p"))
        XCTAssertNil(b.get(ref("proc.p")))
    }

    func rules(_ lines: String) throws -> HTTPCompiledRules {
        let text = "defaults\n    mode http\nfrontend f\n    bind :80\n" + lines + "\n"
        let parsed = ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:])
        XCTAssertEqual(parsed.diagnostics.filter { $0.severity == .alert }.map(\.message), [])
        let settings = try XCTUnwrap(parsed.configuration.frontends.first?.http)
        return try HTTPCompiledRules(proxyName: "f", settings: settings,
                                     acls: try ACLSet(settings.acls, userlists: [], crypt: { _, _ in nil }))
    }

    func testSetVarReadByALaterACLAndSetVarFmt() throws {
        let compiled = try rules("""
                http-request set-var(txn.kind) req.hdr(x-kind),lower
                http-request set-var-fmt(txn.line) "%[method]:%[var(txn.kind)]"
                http-request unset-var(txn.kind) if { req.hdr(x-forget) -m found }
                http-request deny if { var(txn.kind) -m str admin }
                http-request set-header X-Line %[var(txn.line)]
            """)
        var ctx = ruleContext("GET / HTTP/1.1\r\nX-Kind: ADMIN\r\n\r\n")
        ctx.variables = RuleVariables(process: VariableStore())
        guard case .respond(let page, _) = HTTPRequestProcessing.frontend(compiled, defaultBackend: "b", context: &ctx) else {
            return XCTFail("the ACL on the variable denies")
        }
        XCTAssertEqual(HTTPErrorPages.status(of: page), 403)
        ctx = ruleContext("GET / HTTP/1.1\r\nX-Kind: ADMIN\r\nX-Forget: 1\r\n\r\n")
        ctx.variables = RuleVariables(process: VariableStore())
        XCTAssertEqual(HTTPRequestProcessing.frontend(compiled, defaultBackend: "b", context: &ctx), .forward(backendName: "b"))
        XCTAssertEqual(ctx.request.value(of: "x-line"), "GET:admin")
        XCTAssertNil(ctx.variables?.get(ref("txn.kind")))
    }

    func testAfterResponseOnAGeneratedAnswer() throws {
        let compiled = try rules("""
                http-request set-var(txn.tag) str(t1)
                http-after-response set-header X-Tag %[var(txn.tag)]
                http-after-response set-status 299 reason Fine if { status 403 }
                http-after-response del-header cache-control
            """)
        var ctx = ruleContext("GET / HTTP/1.1\r\n\r\n")
        ctx.variables = RuleVariables(process: VariableStore())
        _ = HTTPRequestProcessing.frontend(compiled, defaultBackend: "b", context: &ctx)
        let page = HTTPErrorPages.response(status: 403)
        let edited = HTTPGeneratedAfterResponse.apply([compiled], to: page, context: &ctx)
        let text = String(decoding: edited, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 299 Fine\r\n"), text)
        XCTAssertTrue(text.contains("X-Tag: t1\r\n"), text)
        XCTAssertFalse(text.lowercased().contains("cache-control"), text)
        XCTAssertTrue(text.hasSuffix("Request forbidden by administrative rules.\n</body></html>\n"), text)
    }
}
