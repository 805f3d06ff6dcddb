import XCTest
import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

/// TCP content inspection on bytes, no socket: the payload fetches with
/// HAProxy's "may change", the three-valued conditions, and what the
/// compiled content rules and use_backend decide on a ClientHello, a
/// truncated one, other bytes and nothing, before and at inspect-delay expiry.
final class TCPContentRulesTests: XCTestCase {
    /// The frontend `f` of a mode tcp configuration with `lines` in it, compiled.
    static func compile(_ lines: String) throws -> TCPCompiledRules {
        let text = "defaults\n  mode tcp\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"
            + "frontend f\n  bind :443\n" + lines + "\n  default_backend other\n"
            + "backend a\n  server s 10.0.0.1:443\nbackend b\n  server s 10.0.0.2:443\nbackend other\n  server s 10.0.0.3:443\n"
        let r = ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:])
        let alerts = r.diagnostics.filter { $0.severity == .alert }
        XCTAssertEqual(alerts.map(\.message), [])
        let f = try XCTUnwrap(r.configuration.frontends.first)
        return try TCPCompiledRules(content: f.tcpContent, http: f.http, userlists: [], crypt: { _, _ in nil })
    }

    static func context(_ bytes: [UInt8], final: Bool) -> HTTPRuleContext {
        var c = HTTPRuleContext(request: HTTPHead(kind: .request, reserving: false),
                                connection: HTTPConnectionInfo(source: IPAddress("192.0.2.1")!, sourcePort: 4000,
                                                               destination: IPAddress("192.0.2.2")!, destinationPort: 443))
        c.payload = bytes[...]
        c.payloadFinal = final
        return c
    }

    static let sniRouting = """
          tcp-request inspect-delay 5s
          tcp-request content accept if { req_ssl_hello_type 1 }
          tcp-request content reject
          use_backend a if { req.ssl_sni -i www.example.com }
          use_backend b if { req.ssl_sni -m end .example }
        """

    func testAClientHelloIsAcceptedAndRoutedOnItsServerName() throws {
        let rules = try Self.compile(Self.sniRouting)
        XCTAssertTrue(rules.inspects)
        XCTAssertEqual(rules.inspectDelay, 5000)
        let hello = Self.context(ClientHelloFixtures.sni, final: false)
        XCTAssertEqual(rules.inspect(hello), .accept)
        XCTAssertEqual(rules.route(hello), "a", "-i: www.Example.com")
        XCTAssertEqual(rules.route(Self.context(ClientHelloFixtures.tls12, final: false)), "b", "-m end: a.example")
        XCTAssertNil(rules.route(Self.context(ClientHelloFixtures.nosni, final: false)), "no SNI: default_backend")
    }

    func testATruncatedHelloWaitsThenIsRejectedAtExpiry() throws {
        let rules = try Self.compile(Self.sniRouting)
        let truncated = Array(ClientHelloFixtures.sni.dropLast(10))
        XCTAssertEqual(rules.inspect(Self.context(truncated, final: false)), .wait)
        XCTAssertEqual(rules.inspect(Self.context(truncated, final: true)), .reject)
        XCTAssertEqual(rules.inspect(Self.context([], final: false)), .wait, "nothing yet")
        XCTAssertEqual(rules.inspect(Self.context([], final: true)), .reject, "nothing at expiry")
        XCTAssertNil(rules.route(Self.context(truncated, final: false)), "use_backend decides on what is there")
    }

    /// Versions as written (3.3), compared with what the hello says.
    func testSSLVersionPatterns() throws {
        let rules = try Self.compile("  tcp-request inspect-delay 1s\n  tcp-request content reject if { req_ssl_ver lt 3.3 }")
        XCTAssertEqual(rules.inspect(Self.context(ClientHelloFixtures.sni, final: false)), .accept, "client_version 3.3")
        var old = ClientHelloFixtures.sni
        old[5 + 4 + 1] = 0x01   // client_version 3.1
        XCTAssertEqual(rules.inspect(Self.context(old, final: false)), .reject)
    }

    func testOtherBytesAreRejectedAtOnce() throws {
        let rules = try Self.compile(Self.sniRouting)
        XCTAssertEqual(rules.inspect(Self.context(Array("GET / HTTP/1.1\r\n".utf8), final: false)), .reject,
                       "not a TLS record: the hello type cannot change")
    }

    func testNoMatchingRuleAccepts() throws {
        let rules = try Self.compile("  tcp-request inspect-delay 1s\n  tcp-request content reject if { req.len gt 100 }")
        XCTAssertEqual(rules.inspect(Self.context([1, 2, 3], final: false)), .wait, "req.len may still grow")
        XCTAssertEqual(rules.inspect(Self.context([1, 2, 3], final: true)), .accept)
        XCTAssertEqual(rules.inspect(Self.context(Array(repeating: 1, count: 101), final: false)), .reject)
    }

    /// acl.c: a negated MISS stays a MISS; AND stops at the first non-PASS;
    /// OR at the first PASS; `unless` applies once decided.
    func testThreeValuedConditions() throws {
        let negated = try Self.compile("  tcp-request inspect-delay 1s\n  tcp-request content reject if !REQ_CONTENT")
        XCTAssertEqual(negated.inspect(Self.context([], final: false)), .wait)
        XCTAssertEqual(negated.inspect(Self.context([], final: true)), .reject)
        XCTAssertEqual(negated.inspect(Self.context([0], final: false)), .accept)
        let or = try Self.compile("  tcp-request inspect-delay 1s\n  tcp-request content reject if { src 192.0.2.1 } || { req.len gt 5 }")
        XCTAssertEqual(or.inspect(Self.context([], final: false)), .reject, "a PASS decides the OR")
        let and = try Self.compile("  tcp-request inspect-delay 1s\n  tcp-request content reject if { src 10.0.0.1 } { req.len gt 5 }")
        XCTAssertEqual(and.inspect(Self.context([], final: false)), .accept, "a FAIL decides the AND")
        let unless = try Self.compile("  tcp-request inspect-delay 1s\n  tcp-request content reject unless { req.payload(0,2) -m str AB }")
        XCTAssertEqual(unless.inspect(Self.context([0x41], final: false)), .wait)
        XCTAssertEqual(unless.inspect(Self.context([0x41, 0x42], final: false)), .accept)
        XCTAssertEqual(unless.inspect(Self.context([0x41, 0x43], final: false)), .reject)
    }

    func testPayloadFetches() throws {
        func all(_ f: PayloadFetch, _ bytes: [UInt8], limit: Int = 16384) -> (texts: [String], mayChange: Bool) {
            var out: [String] = []
            let o = f.forEach(bytes[...], limit: limit) { out.append($0.text); return false }
            return (out, o.mayChange)
        }
        let abc = Array("abcdef".utf8)
        XCTAssertEqual(all(.bytes(offset: 1, length: 2), abc).texts, ["bc"])
        XCTAssertEqual(all(.bytes(offset: 1, length: 2), abc).mayChange, false)
        XCTAssertEqual(all(.bytes(offset: 4, length: 0), abc).texts, ["ef"], "length 0: to the end")
        XCTAssertEqual(all(.bytes(offset: 4, length: 0), abc).mayChange, true)
        XCTAssertEqual(all(.bytes(offset: 5, length: 3), abc).texts, [])
        XCTAssertEqual(all(.bytes(offset: 5, length: 3), abc).mayChange, true, "too short yet")
        XCTAssertEqual(all(.bytes(offset: 5, length: 3), abc, limit: 7).mayChange, false, "will never fit")
        // A 2-byte length field at 0 (0x0003), the block right after, or at 6, or 1 before the field's end.
        let lv: [UInt8] = [0, 3] + Array("xyz".utf8) + [0x41, 0x42, 0x43]
        XCTAssertEqual(all(.lengthValue(fieldOffset: 0, fieldSize: 2, blockOffset: 0, relative: true), lv).texts, ["xyz"])
        XCTAssertEqual(all(.lengthValue(fieldOffset: 0, fieldSize: 2, blockOffset: 5, relative: false), lv).texts, ["ABC"])
        XCTAssertEqual(all(.lengthValue(fieldOffset: 0, fieldSize: 2, blockOffset: -1, relative: true), lv).texts, ["\u{3}xy"])
        XCTAssertEqual(all(.lengthValue(fieldOffset: 0, fieldSize: 2, blockOffset: 0, relative: true), [0, 9, 1]).mayChange, true)
        XCTAssertEqual(all(.length, abc).texts, ["6"])
        let hello = ClientHelloFixtures.sni
        XCTAssertEqual(all(.sslSNI, hello).texts, ["www.Example.com"])
        XCTAssertEqual(all(.sslALPN, hello).texts, ["h2", "http/1.1"], "each name, in the client's order")
        XCTAssertEqual(all(.sslHelloType, hello).texts, ["1"])
        XCTAssertEqual(all(.sslVersion, hello).texts, ["\(0x0003_0003)"])
        XCTAssertEqual(all(.sslSNI, Array(hello.prefix(40))).mayChange, true)
        XCTAssertEqual(all(.sslSNI, abc).mayChange, false)
        XCTAssertEqual(all(.sslALPN, ClientHelloFixtures.tls12).texts, [], "no ALPN extension")
        XCTAssertEqual(all(.sslALPN, ClientHelloFixtures.tls12).mayChange, false)
    }

    /// `tcp-request content set-var` runs as it is met, again on each
    /// evaluation after a wait (HAProxy restarts the rules on missing data),
    /// and `use_backend` reads the variable.
    func testSetVarThenRouteOnTheVariable() throws {
        let rules = try Self.compile("""
              tcp-request inspect-delay 5s
              tcp-request content set-var(sess.count) var(sess.count,0),add(1)
              tcp-request content set-var(txn.method) req.payload(0,4)
              tcp-request content accept if { req.len gt 8 }
              use_backend a if { var(txn.method) -m str POST }
            """)
        var partial = Self.context(Array("PO".utf8), final: false)
        partial.variables = RuleVariables(process: VariableStore())
        XCTAssertEqual(rules.inspect(partial), .wait)
        XCTAssertNil(partial.variables?.get(VariableRef(VariableName("txn.method")!)), "two bytes are no 4-byte payload")
        var whole = Self.context(Array("POST / HTTP/1.1\r\n".utf8), final: false)
        whole.variables = partial.variables
        XCTAssertEqual(rules.inspect(whole), .accept)
        XCTAssertEqual(whole.variables?.get(VariableRef(VariableName("sess.count")!)), .integer(2), "run again after the wait")
        XCTAssertEqual(rules.route(whole), "a")
    }
}
