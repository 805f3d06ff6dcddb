import XCTest
import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP
@testable import FulcrumCore

final class HTTPRulesBasicAuthTests: XCTestCase {
    var list: Userlist {
        var u = Userlist(name: "UL", location: ruleLoc)
        u.users = [UserlistUser(name: "alice", password: "secret", insecure: true, groups: ["admin"]),
                   UserlistUser(name: "bob", password: "$fake$hunter2", insecure: false, groups: [])]
        u.groups = ["ops": ["bob"]]
        return u
    }
    let fakeCrypt: (String, String) -> String? = { pw, salt in salt.hasPrefix("$fake$") ? "$fake$" + pw : nil }

    func request(_ credentials: String?) -> HTTPHead {
        parseHead("GET / HTTP/1.1\r\n" + (credentials.map { "Authorization: Basic \(base64($0))\r\n" } ?? "") + "\r\n")
    }
    func base64(_ s: String) -> String {
        let t = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let b = Array(s.utf8)
        var out = ""
        for i in stride(from: 0, to: b.count, by: 3) {
            let n = (Int(b[i]) << 16) | (i + 1 < b.count ? Int(b[i + 1]) << 8 : 0) | (i + 2 < b.count ? Int(b[i + 2]) : 0)
            out.append(t[n >> 18]); out.append(t[(n >> 12) & 63])
            out.append(i + 1 < b.count ? t[(n >> 6) & 63] : "="); out.append(i + 2 < b.count ? t[n & 63] : "=")
        }
        return out
    }

    func testInsecureAndHashedPasswords() {
        XCTAssertEqual(HTTPBasicAuth.authenticate(request("alice:secret"), userlist: list, crypt: fakeCrypt)?.name, "alice")
        XCTAssertNil(HTTPBasicAuth.authenticate(request("alice:wrong"), userlist: list, crypt: fakeCrypt))
        XCTAssertEqual(HTTPBasicAuth.authenticate(request("bob:hunter2"), userlist: list, crypt: fakeCrypt)?.name, "bob")
        XCTAssertNil(HTTPBasicAuth.authenticate(request("bob:hunter3"), userlist: list, crypt: fakeCrypt))
        XCTAssertNil(HTTPBasicAuth.authenticate(request("carol:x"), userlist: list, crypt: fakeCrypt))
        XCTAssertNil(HTTPBasicAuth.authenticate(request(nil), userlist: list, crypt: fakeCrypt))
        XCTAssertNil(HTTPBasicAuth.authenticate(parseHead("GET / HTTP/1.1\r\nAuthorization: Basic !!!\r\n\r\n"), userlist: list, crypt: fakeCrypt))
        XCTAssertEqual(HTTPBasicAuth.credentials(request("u:p:q"))?.password, "p:q")
    }

    func testHTTPAuthACLsAndAuthAction() throws {
        var s = HTTPProxySettings()
        s.requestRules = [HTTPRequestRule(location: ruleLoc, action: .auth(realm: "Priv"),
                                          condition: cond([[anon(aclDef("", "http_auth(UL)", .bool), not: true)]]))]
        let acls = try ACLSet([aclDef("ops", "http_auth_group(UL)", .str, ["ops"])], userlists: [list], crypt: fakeCrypt)
        let rules = try HTTPCompiledRules(proxyName: "f", settings: s, acls: acls)
        func run(_ h: HTTPHead) -> HTTPRequestProcessing.Outcome {
            var c = HTTPRuleContext(request: h, connection: HTTPConnectionInfo(source: .v4(IPv4Address(127, 0, 0, 1)), sourcePort: 1, destination: .v4(IPv4Address(127, 0, 0, 1)), destinationPort: 2))
            return HTTPRequestProcessing.frontend(rules, defaultBackend: "b", context: &c)
        }
        XCTAssertEqual(run(request("alice:secret")), .forward(backendName: "b"))
        guard case .respond(let b, _) = run(request("alice:wrong")) else { return XCTFail("expected 401") }
        XCTAssertTrue(String(decoding: b, as: UTF8.self).hasPrefix("HTTP/1.1 401 Unauthorized\r\n"))
        let ctx = { (h: HTTPHead) in HTTPRuleContext(request: h, connection: HTTPConnectionInfo(source: .v4(IPv4Address(127, 0, 0, 1)), sourcePort: 1, destination: .v4(IPv4Address(127, 0, 0, 1)), destinationPort: 2)) }
        XCTAssertTrue(HTTPConditions.evaluate(cond([[named("ops")]]), acls: acls, context: ctx(request("bob:hunter2"))))
        XCTAssertFalse(HTTPConditions.evaluate(cond([[named("ops")]]), acls: acls, context: ctx(request("alice:secret"))))
        XCTAssertThrowsError(try ACLSet([aclDef("x", "http_auth(nolist)", .bool)], userlists: [list], crypt: fakeCrypt))
    }
}
