import XCTest

/// `cookie ... dynamic` with `dynamic-cookie-key`: a server without a
/// `cookie` value gets HAProxy's hashed one; the Set-Cookie fulcrum inserts
/// is haproxy 2.6's byte for byte, and the value routes back to its server.
final class SideBySideDynamicCookieTests: XCTestCase {
    func testDynamicCookieValuesAreHAProxys() throws {
        let web1 = try startRecordingBackend("s1"), web2 = try startRecordingBackend("s2")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be_dyn
            frontend fe_mixed
                bind 127.0.0.1:{port2}
                default_backend be_mixed
            backend be_dyn
                cookie SRV insert indirect nocache dynamic
                dynamic-cookie-key s3cr3t-key
                server s1 127.0.0.1:\(web1.port)
            backend be_mixed
                cookie SRV insert indirect dynamic
                dynamic-cookie-key another
                server s1 127.0.0.1:\(web1.port)
                server s2 127.0.0.1:\(web2.port) cookie c2

            """
        let sbs = try SideBySide(self, config: config, backends: [web1, web2])
        let aspects = SideBySideAspects(responseHeaders: ["Set-Cookie"], requestHeaders: ["Cookie"], compareBody: false)
        let first = try sbs.assertSame(httpGet("/"), aspects)
        let setCookie = try XCTUnwrap(first[.fulcrum]?.response?.values("Set-Cookie").first)
        XCTAssertEqual(setCookie, try XCTUnwrap(first[.haproxy]?.response?.values("Set-Cookie").first), "byte for byte")
        let value = String(setCookie.dropFirst("SRV=".count).prefix { $0 != ";" })
        XCTAssertEqual(value.count, 16, setCookie)
        XCTAssertTrue(value.allSatisfy { $0.isHexDigit && !$0.isUppercase }, value)
        // The value routes back, and is not set again.
        let back = try sbs.assertSame(httpGet("/", ["Cookie: SRV=\(value)"]), aspects)
        XCTAssertEqual(back[.fulcrum]?.forwarded.map(\.backend), ["s1"])
        XCTAssertEqual(back[.fulcrum]?.response?.values("Set-Cookie"), [])
        // Another key gives another value; a configured cookie wins over the dynamic one.
        let mixed = try XCTUnwrap(sbs.exchange(httpGet("/", ["Cookie: SRV=c2"]), frontend: 2)[.fulcrum])
        XCTAssertEqual(mixed.forwarded.map(\.backend), ["s2"])
        let other = try sbs.assertSame(httpGet("/", ["Cookie: SRV=\(value)"]), aspects, frontend: 2)
        let reissued = try XCTUnwrap(other[.fulcrum]?.response?.values("Set-Cookie").first)
        XCTAssertFalse(reissued.hasPrefix("SRV=\(value)"), "the other key's value differs: \(reissued)")
    }

    /// `set dynamic-cookie-key backend`, `disable|enable dynamic-cookie
    /// backend`: the answers and the cookies that follow, as haproxy's.
    func testRuntimeCommandsAsHAProxy() throws {
        let (sbs, sockets) = try startDynamicCookieKeyFirst()
        let aspects = SideBySideAspects(responseHeaders: ["Set-Cookie"], compareBody: false)
        func command(_ text: String) throws -> String {
            let answers = try ProxyUnderTest.allCases.map { try MasterCLI.send(text, socketPath: sockets.paths[$0]!) }
            XCTAssertEqual(answers[0], answers[1], text)
            return answers[0]
        }
        func cookie() throws -> String? {
            try sbs.assertSame(httpGet("/"), aspects)[.fulcrum]?.response?.values("Set-Cookie").first
        }
        let before = try cookie()
        XCTAssertEqual(try command("set dynamic-cookie-key backend be second"), "\n")
        let after = try cookie()
        XCTAssertNotEqual(after, before, "a new key, a new value")
        XCTAssertEqual(try command("disable dynamic-cookie backend be"), "\n")
        let disabled = try cookie()
        XCTAssertFalse(disabled?.hasPrefix(String((after ?? "").prefix(20))) ?? false, "no dynamic value when disabled: \(disabled ?? "none")")
        XCTAssertEqual(try command("enable dynamic-cookie backend be"), "\n")
        XCTAssertEqual(try cookie(), after, "the key is kept")
        XCTAssertEqual(try command("set dynamic-cookie-key backend nosuch k"), "No such backend.\n\n")
        XCTAssertEqual(try command("set dynamic-cookie-key backend be"), "String value expected.\n\n")
    }

    /// Below admin level (a session lowered with `operator` or `user`) the
    /// dynamic-cookie commands are refused with haproxy's words, before their
    /// arguments are read, and the key in use is unchanged.
    func testRuntimeCommandsNeedAdminLevel() throws {
        let (sbs, sockets) = try startDynamicCookieKeyFirst()
        let aspects = SideBySideAspects(responseHeaders: ["Set-Cookie"], compareBody: false)
        let before = try sbs.assertSame(httpGet("/"), aspects)[.fulcrum]?.response?.values("Set-Cookie").first
        for level in ["operator", "user"] {
            for command in ["set dynamic-cookie-key backend be other", "set dynamic-cookie-key backend nosuch k",
                            "set dynamic-cookie-key backend be", "disable dynamic-cookie backend be",
                            "enable dynamic-cookie backend nosuch"] {
                let text = "\(level); \(command)"
                let answers = try ProxyUnderTest.allCases.map { try MasterCLI.send(text, socketPath: sockets.paths[$0]!) }
                XCTAssertEqual(answers[0], answers[1], text)
                XCTAssertEqual(answers[0], "\nPermission denied\n\n", "fulcrum, \(text)")
            }
        }
        XCTAssertEqual(try sbs.assertSame(httpGet("/"), aspects)[.fulcrum]?.response?.values("Set-Cookie").first, before,
                       "the refused commands changed nothing")
    }

    /// Both proxies with one backend whose dynamic cookies use the key
    /// "first", and an admin stats socket each.
    private func startDynamicCookieKeyFirst() throws -> (SideBySide, SideBySideStatsSockets) {
        let web1 = try startRecordingBackend("s1")
        let sockets = try SideBySideStatsSockets(self)
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                cookie SRV insert indirect dynamic
                dynamic-cookie-key first
                server s1 127.0.0.1:\(web1.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web1], global: SideBySideStatsSockets.global,
                                 substitutions: sockets.substitutions)
        return (sbs, sockets)
    }
}
