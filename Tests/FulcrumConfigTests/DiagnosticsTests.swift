import XCTest
@testable import FulcrumConfig

final class DiagnosticsTests: XCTestCase {
    func testProxyKeywordsNotSupportedYet() {
        let r = parse(tcpDefaults + """
        frontend f
            bind :80
            option logasap
            option http-use-proxy-header
            option h1-case-adjust-bogus-client
            no monitor-uri
            default_backend b
        backend b
            persist rdp-cookie
            option spop-check
            use-fcgi-app php
            server s 10.0.0.1:80
        """)
        XCTAssertEqual(r.alerts.map(\.message), [
            "keyword 'option logasap' is not supported yet (in section 'frontend')",
            "keyword 'option http-use-proxy-header' is not supported yet (in section 'frontend')",
            "keyword 'option h1-case-adjust-bogus-client' is not supported yet (in section 'frontend')",
            "keyword 'no monitor-uri' is not supported yet (in section 'frontend')",
            "keyword 'persist' is not supported yet (in section 'backend')",
            "keyword 'option spop-check' is not supported yet (in section 'backend')",
            "keyword 'use-fcgi-app' is not supported yet (in section 'backend')",
        ])
        XCTAssertEqual(r.alerts.map { $0.location!.line }, [9, 10, 11, 12, 15, 16, 17])
        XCTAssertEqual(r.alerts.map { $0.location!.column }, Array(repeating: 5, count: 7))
    }

    func testRemovedKeywordsGetHAProxysMessageNamingTheSuccessor() {
        let r = parse("defaults\n  contimeout 5000\n  clitimeout 5000\n  srvtimeout 5000\n  option forceclose\nlisten l\n  reqadd X-A:\\ b\n  reqpass a\n  block if TRUE\n  redispatch\n")
        XCTAssertEqual(r.alerts.map(\.message), [
            "the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'.",
            "the 'clitimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout client'.",
            "the 'srvtimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout server'.",
            "option 'forceclose' is not supported any more since HAProxy 2.0, please just remove it, or use 'option httpclose' if absolutely needed.",
            "The 'reqadd' directive is not supported anymore since HAProxy 2.1. Use 'http-request add-header' instead.",
            "The 'reqpass' directive is not supported anymore since HAProxy 2.1.",
            "The 'block' directive is not supported anymore since HAProxy 2.1. Use 'http-request deny' which uses the exact same syntax.",
            "keyword 'redispatch' directive is not supported anymore since HAProxy 2.1. Use 'option redispatch'.",
        ])
        XCTAssertEqual(r.alerts[3].location, SourceLocation(file: "t.cfg", line: 5, column: 10))
        let g = parse("global\n  nbproc 2\n  lua-load /etc/haproxy/a.lua\n")
        XCTAssertEqual(g.alerts.map(\.message), [
            "nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.",
            "'lua-load': Lua is not embedded in Fulcrum; Lua actions, fetches and services cannot be loaded",
        ])
    }

    func testAFileWhoseLastLineHasNoLFIsRefusedAsHAProxyRefusesIt() {
        let text = "global\n  maxconn 10"
        let file = ConfigParser.parse([ConfigSource(name: "t.cfg", text: text, isFile: true)], environment: [:])
        XCTAssertEqual(file.alerts.map(\.message), ["Missing LF on last line, file might have been truncated at position 13."])
        XCTAssertEqual(file.alerts.first?.location, SourceLocation(file: "t.cfg", line: 2, column: 13))
        XCTAssertEqual(ConfigParser.parse([ConfigSource(name: "t.cfg", text: text + "\n", isFile: true)], environment: [:]).alerts, [])
        XCTAssertEqual(ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:]).alerts, [],
                       "text not read from a file (a test, a handover) has no truncation to detect")
    }

    func testModeValues() {
        let r = parse("defaults\n  mode http\n")
        XCTAssertEqual(r.diagnostics, [])
        assertSingleAlert(parse("defaults\n  mode health\n"), "mode 'health' is not supported yet (in section 'defaults')", line: 2, column: 8)
        assertSingleAlert(parse("defaults\n  mode tpc\n"), "unknown proxy mode 'tpc'; expected 'tcp' or 'http'; did you mean 'tcp'?", line: 2, column: 8)
        assertSingleAlert(parse("defaults\n  mode\n"), "'mode' expects 'tcp' or 'http' as an argument", line: 2, column: 3)
    }

    func testSectionsNotSupportedYet() {
        let r = parse("""
        userlist admins
            user admin password $6$abc
        fcgi-app php
            docroot /var/www
        peers mypeers
            peer a 10.0.0.1:1024
        resolvers dns
            nameserver ns1 10.0.0.53:53
        mailers m
        program p
            command /bin/true
        http-errors e
        log-forward r
        virtual_server 10.0.0.1 80 {
            delay_loop 6
        }
        global_defs {
        }
        """)
        XCTAssertEqual(r.alerts.map(\.message), [
            "section 'fcgi-app' is not supported yet",
            "section 'log-forward' is not supported yet",
            "keepalived keyword 'virtual_server' is not supported",
        ])
        XCTAssertEqual(r.alerts.map { $0.location!.line }, [3, 13, 14])
        XCTAssertEqual(r.configuration.programs.map(\.command), [["/bin/true"]])
        XCTAssertEqual(r.configuration.userlists.map(\.name), ["admins"])
    }

    func testUnknownKeywordsGetSuggestions() {
        func message(_ body: String, section: String = "backend b") -> String? {
            let r = parse(tcpDefaults + section + "\n" + body + "\n")
            XCTAssertEqual(r.alerts.count, 1, body)
            return r.alerts.first?.message
        }
        XCTAssertEqual(message("  balanse roundrobin"), "unknown keyword 'balanse' in 'backend' section; did you mean 'balance'?")
        XCTAssertEqual(message("  sever s 10.0.0.1:80"), "unknown keyword 'sever' in 'backend' section; did you mean 'server'?")
        XCTAssertEqual(message("  default_back x", section: "frontend f\n  bind :1"),
                       "unknown keyword 'default_back' in 'frontend' section; did you mean 'default_backend'?")
        XCTAssertEqual(message("  xyzzy"), "unknown keyword 'xyzzy' in 'backend' section")
        XCTAssertEqual(message("  option redispach"), "unknown option 'redispach' in 'backend' section; did you mean 'redispatch'?")
        XCTAssertEqual(message("  option frobnicate"), "unknown option 'frobnicate' in 'backend' section")
        XCTAssertEqual(message("  timeout conect 5s"), "unknown timeout 'conect' in 'backend' section; did you mean 'connect'?")
        XCTAssertEqual(message("servre x"), "unknown keyword 'servre' in 'backend' section; did you mean 'server'?")
    }

    func testKeywordOutOfSection() {
        assertSingleAlert(parse("  bind :80\n"), "unknown keyword 'bind' out of section", line: 1, column: 3)
        assertSingleAlert(parse("fronted web\n"), "unknown keyword 'fronted' out of section; did you mean 'frontend'?", line: 1, column: 1)
    }

    func testTimeoutErrors() {
        func alert(_ line: String, section: String = "backend b") -> Diagnostic? {
            let r = parse(tcpDefaults + section + "\n" + line + "\n")
            XCTAssertEqual(r.alerts.count, 1, line)
            return r.alerts.first
        }
        XCTAssertEqual(alert("  timeout connect 5x")?.message, "unexpected character 'x' in 'timeout connect': valid time units are us, ms, s, m, h, d")
        XCTAssertEqual(alert("  timeout connect 5x")?.location?.column, 19)
        XCTAssertEqual(alert("  timeout connect")?.message, "'timeout connect' expects a time value such as 5s or 500ms")
        XCTAssertEqual(alert("  timeout connect s")?.message, "'timeout connect' expects a time value such as 5s or 500ms (got 's')")
        XCTAssertEqual(alert("  timeout connect 25d")?.message, "timer overflow in 'timeout connect' (maximum value is 2147483647 ms, about 24.8 days)")
        XCTAssertEqual(alert("  timeout connect 1s 2s")?.message, "unexpected argument '2s' for 'timeout connect'")
        XCTAssertEqual(alert("  timeout")?.message, "'timeout' expects a timeout name and a value")
    }

    func testTimeoutWithoutCapabilityWarns() {
        let r = parse(tcpDefaults + "backend b\n  timeout client 5s\n")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message), ["'timeout client' will be ignored because backend 'b' has no frontend capability"])
        XCTAssertEqual(r.configuration.backends[0].timeouts.client, 30_000, "the defaults value stays")
    }

    func testMaxconnInBackendWarns() {
        let r = parse(tcpDefaults + "backend b\n  maxconn 5\n")
        XCTAssertEqual(r.warnings.map(\.message), ["'maxconn' ignored because backend 'b' has no frontend capability. Maybe you want 'fullconn' instead ?"])
    }

    func testValidationErrors() {
        let r = parse(tcpDefaults + """
        frontend nobind
            default_backend app
        frontend typo
            bind :81
            default_backend ap
        frontend none
            bind :82
        backend app
            server s 10.0.0.1:80
        """)
        XCTAssertEqual(r.alerts.map(\.message), [
            "frontend 'typo': unable to find required default_backend 'ap'; did you mean 'app'?",
        ])
        XCTAssertEqual(r.alerts[0].location, SourceLocation(file: "t.cfg", line: 11, column: 21))
        XCTAssertEqual(r.warnings.map(\.message), [
            "frontend 'nobind' has no 'bind' directive. Please declare it as a backend if this was intended.",
            "frontend 'none' has no default_backend and no server: every connection will be refused",
        ])
    }

    func testModeMismatch() {
        let r = parse(tcpDefaults + "frontend f\n  bind :1\n  default_backend b\nbackend b\n  mode http\n  server s 10.0.0.1:80\n")
        XCTAssertEqual(r.alerts, [], "a tcp frontend's stream is upgraded to HTTP for an http backend")
        let h = parse(tcpDefaults + "frontend f\n  mode http\n  bind :1\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n")
        assertSingleAlert(h, "http frontend 'f' cannot use the tcp backend 'b' (declared at t.cfg:11:1) in a 'default_backend' rule (see 'mode')", line: 10, column: 19)
    }

    func testMissingTimeoutsWarning() {
        let r = parse("frontend f\n  bind :1\n  default_backend b\nbackend b\n  timeout connect 1s\n  server s 10.0.0.1:80\n")
        XCTAssertEqual(r.alerts, [])
        let tail = "While not properly invalid, you will certainly encounter various problems with such a configuration. To fix this, please ensure that all following timeouts are set to a non-zero value: 'client', 'connect', 'server'."
        XCTAssertEqual(r.warnings.map(\.message), [
            "missing timeouts for frontend 'f'. " + tail,
            "missing timeouts for backend 'b'. " + tail,
        ])
    }

    func testAllErrorsAreCollected() {
        let r = parse("""
        global
            deamon
            maxconn x
        defaults
            mode tcp
            timeout connect 5q
        frontend f
            bind :99999
            default_backend missing
        backend b
            balance nope
            server s 10.0.0.1:80 weight 1000
        """)
        XCTAssertEqual(r.alerts.map { $0.location!.line }, [2, 3, 6, 8, 11, 12, 9])
        XCTAssertTrue(r.warnings.contains { $0.location?.line == 7 && $0.message.contains("has no 'bind' directive") }, "a frontend whose only bind failed has none: a warning, as in 2.6")
        XCTAssertTrue(r.hasErrors)
    }

    func testDescriptionFormat() {
        let d = Diagnostic(.warning, SourceLocation(file: "/etc/haproxy/haproxy.cfg", line: 3, column: 9), "x")
        XCTAssertEqual(d.description, "[WARNING] /etc/haproxy/haproxy.cfg:3:9: x")
    }
}

final class HTTPErrorsSectionTests: XCTestCase {
    private func parse(_ text: String) -> ParseResult {
        ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:])
    }

    func testErrorfilesImportsASectionDeclaredLaterUnderTheProxysOwnPages() {
        let r = parse("""
            defaults
                mode http
                timeout client 1s
                timeout server 1s
                timeout connect 1s
            frontend f
                bind :1
                errorfile 503 /own/503.http
                errorfiles site
                errorloc302 404 /missing
                default_backend b
            backend b
                errorfiles site 403 500
                server s 127.0.0.1:80
            http-errors site
                errorfile 403 /site/403.http
                errorfile 503 /site/503.http
                errorfile 404 /site/404.http

            """)
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.warnings.map(\.message), ["proxy 'b' : status '500' not declared in http-errors section 'site'."])
        let f = r.configuration.frontends[0].http
        XCTAssertEqual(f.errorFiles, [403: "/site/403.http", 503: "/own/503.http"])
        XCTAssertEqual(f.errorRedirects, [404: ErrorRedirect(code: 302, location: "/missing")])
        XCTAssertEqual(r.configuration.backends[0].http.errorFiles, [403: "/site/403.http"])
        XCTAssertEqual(String(decoding: ErrorRedirect(code: 303, location: "/m").response, as: UTF8.self),
                       "HTTP/1.1 303 See Other\r\nCache-Control: no-cache\r\nContent-length: 0\r\nLocation: /m\r\n\r\n")
    }

    func testErrorsAsHAProxyWordsThem() {
        let r = parse("""
            http-errors a
                errorfile 999 /x
                bogus 1
            http-errors a
            http-errors
            defaults
                mode http
                errorfiles nope
                errorloc 503
            frontend f
                bind :1

            """)
        XCTAssertEqual(r.alerts.map(\.message), [
            "errorfile : status code '999' not handled.",
            "unknown keyword 'bogus' in 'http-errors' section",
            "http-errors section 'a' already exists (declared at t.cfg:1).",
            "missing name for http-errors section.",
            "errorloc : expects <status_code> and <url> as arguments.",
            "proxy 'f': unknown http-errors section 'nope'.",
        ])
        XCTAssertEqual(r.alerts.last?.location, SourceLocation(file: "t.cfg", line: 8, column: 5))
    }
}
