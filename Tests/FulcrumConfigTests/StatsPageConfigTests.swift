import XCTest
@testable import FulcrumConfig

final class StatsPageConfigTests: XCTestCase {
    private let base = """
        defaults
            mode http
            timeout connect 1s
            timeout client 1s
            timeout server 1s

        """

    func testEveryKeywordInAListen() throws {
        let r = parse(base + """
            global
                description the global one
            listen stats
                bind 127.0.0.1:8404
                stats enable
                stats uri /monitor
                stats realm Our\\ Stats
                stats auth admin:se:cret
                stats auth ops:pw
                stats admin if LOCALHOST
                stats refresh 10s
                stats hide-version
                stats show-legends
                stats show-node node-1
                stats show-desc primary lb
                stats scope app
                stats scope .
                stats show-modules
            """)
        XCTAssertEqual(r.diagnostics.filter { $0.severity == .alert }, [])
        let page = try XCTUnwrap(r.configuration.frontends.first?.statsPage)
        XCTAssertEqual(page.uri, "/monitor")
        XCTAssertEqual(page.realm, "Our Stats")
        XCTAssertEqual(page.accounts, [.init(user: "admin", password: "se:cret"), .init(user: "ops", password: "pw")])
        XCTAssertEqual(page.adminRules.count, 1)
        XCTAssertEqual(page.refreshSeconds, 10)
        XCTAssertTrue(page.hideVersion && page.showLegends && page.showModules)
        XCTAssertEqual(page.node, "node-1")
        XCTAssertEqual(page.description, "primary lb")
        XCTAssertEqual(page.scopes, ["app", "."])
        XCTAssertEqual(r.configuration.backends.first?.statsPage, page)
    }

    func testDefaultsAreInheritedUntilTheSectionsOwnFirstLine() throws {
        let r = parse(base.replacingOccurrences(of: "mode http", with: "mode http\n    stats uri /d\n    stats refresh 5") + """
            backend inherits
                server s 127.0.0.1:1
            backend own
                stats enable
                server s 127.0.0.1:1
            """)
        XCTAssertEqual(r.configuration.backend(named: "inherits")?.statsPage?.uri, "/d")
        XCTAssertEqual(r.configuration.backend(named: "inherits")?.statsPage?.refreshSeconds, 5)
        // HAProxy detaches from the defaults' page: a fresh one with its defaults.
        XCTAssertEqual(r.configuration.backend(named: "own")?.statsPage?.uri, StatsPage.defaultURI)
        XCTAssertEqual(r.configuration.backend(named: "own")?.statsPage?.refreshSeconds, 0)
    }

    func testHAProxyMessages() {
        assertSingleAlert(parse(base.replacingOccurrences(of: "mode http", with: "mode http\n    stats admin if TRUE")),
                          "'stats admin' not allowed in 'defaults' section.", line: 3, column: 5)
        let cases: [(String, String, Int)] = [
            ("stats bogus", "unknown stats parameter 'bogus', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.", 11),
            ("stats", "missing keyword in 'stats', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.", 5),
            ("stats admin TRUE", "'stats admin' requires either 'if' or 'unless' followed by a condition.", 5),
            ("stats uri", "'uri' needs an URI prefix.", 5),
            ("stats auth", "'auth' needs a user:password account.", 5),
            ("stats refresh 5x", "unexpected character 'x' in argument to stats refresh interval.", 19),
            ("stats show-node bad!", "'stats show-node' invalid node name - should be a stringwith digits(0-9), letters(A-Z, a-z), hyphen(-) or underscode(_).", 5),
            ("stats http-request set-header a b", "'stats http-request set-header' is not supported yet: the statistics page serves 'allow', 'deny' and 'auth'", 24),
        ]
        for (line, message, column) in cases {
            assertSingleAlert(parse(base + "listen l\n    bind 127.0.0.1:1\n    " + line + "\n"), message, line: 8, column: column)
        }
    }

    func testAuthWithHTTPRequestRulesAndTCPMode() {
        let both = parse(base + "listen l\n    bind 127.0.0.1:1\n    stats auth a:b\n    stats http-request deny if TRUE\n")
        XCTAssertTrue(both.diagnostics.contains { $0.message == "proxy 'l': stats 'auth'/'realm' and 'http-request' can't be used at the same time." })
        let tcp = parse(base.replacingOccurrences(of: "mode http", with: "mode tcp") + "listen l\n    bind 127.0.0.1:1\n    stats enable\n    server s 127.0.0.1:2\n")
        XCTAssertTrue(tcp.diagnostics.contains { $0.severity == .warning && $0.message == "'stats' statement ignored for proxy 'l' as it requires HTTP mode." })
        XCTAssertNil(tcp.configuration.frontends.first?.statsPage)
    }
}
