import XCTest

/// `show cli sockets` and `show env` on both proxies' stats sockets, at
/// admin and user level: the same answers, paths aside.
final class SideBySideCLIInfoTests: XCTestCase {
    func testShowCLISocketsAndShowEnvAsHAProxy() throws {
        let files = try TemporaryDirectory(prefix: "cliinfo")
        addTeardownBlock { files.remove() }
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            substitutions[proxy] = ["{admin}": files.file("\(proxy)-admin.sock"), "{user}": files.file("\(proxy)-user.sock")]
        }
        let global = "    stats socket {admin} level admin\n    stats socket {user} level user mode 666\n"
        _ = try SideBySide(self, config: SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request return status 200

            """, backends: [], global: global, substitutions: substitutions)
        var answers: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let admin = substitutions[proxy]!["{admin}"]!, user = substitutions[proxy]!["{user}"]!
            var out: [String] = []
            for (socket, command) in [(admin, "show cli sockets"), (user, "show cli sockets"), (admin, "show env PATH"),
                                      (admin, "show env FULCRUM_NO_SUCH_VARIABLE"), (user, "show env PATH"), (user, "show env")] {
                let answer = try MasterCLI.send(command, socketPath: socket)
                out.append(command + ": " + answer.replacingOccurrences(of: admin, with: "{admin}").replacingOccurrences(of: user, with: "{user}"))
            }
            // The whole environment holds PATH's line too.
            let all = try MasterCLI.send("show env", socketPath: admin)
            XCTAssertTrue(all.split(separator: "\n").contains { $0.hasPrefix("PATH=") }, "\(proxy): \(all)")
            answers[proxy] = out
        }
        XCTAssertEqual(answers[.fulcrum], answers[.haproxy])
        XCTAssertEqual(answers[.fulcrum]?.first, "show cli sockets: # socket lvl processes\nunix@{admin} admin all\nunix@{user} user all\n\n")
    }

    /// `setenv` and its kin change the environment while the file is read:
    /// a later "${NAME}" sees the change, and so does `show env`.
    func testSetenvFamilyChangesExpansionAndShowEnvAsHAProxy() throws {
        let files = try TemporaryDirectory(prefix: "setenv")
        addTeardownBlock { files.remove() }
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases { substitutions[proxy] = ["{admin}": files.file("\(proxy)-admin.sock")] }
        let global = """
                stats socket {admin} level admin
                setenv FULCRUM_ENV_STATUS 203
                presetenv FULCRUM_ENV_STATUS 500
                presetenv FULCRUM_ENV_KEPT kept
                setenv FULCRUM_ENV_GONE x
                unsetenv FULCRUM_ENV_GONE

            """
        let s = try SideBySide(self, config: SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request return status "${FULCRUM_ENV_STATUS}"

            """, backends: [], global: global, substitutions: substitutions)
        let got = try s.exchange("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(got[.fulcrum]?.response?.status, 203)
        XCTAssertEqual(got[.haproxy]?.response?.status, 203)
        var answers: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let admin = substitutions[proxy]!["{admin}"]!
            answers[proxy] = try ["FULCRUM_ENV_STATUS", "FULCRUM_ENV_KEPT", "FULCRUM_ENV_GONE"].map {
                try MasterCLI.send("show env " + $0, socketPath: admin)
            }
        }
        XCTAssertEqual(answers[.fulcrum], answers[.haproxy])
        XCTAssertEqual(answers[.fulcrum]?.first, "FULCRUM_ENV_STATUS=203\n\n")
    }
}
