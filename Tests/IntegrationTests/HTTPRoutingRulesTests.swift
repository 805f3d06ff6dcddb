import XCTest

/// ACLs, use_backend, redirects, http-request/http-response rules,
/// X-Forwarded-For, errorfile and basic auth through the real binary, judged
/// by what the client gets and what each server receives.
final class HTTPRoutingRulesTests: XCTestCase {
    /// One server per backend, named after it; returns the frontend port and
    /// the servers by backend name.
    private func startRouted(_ names: [String], frontend: [String], defaults: [String] = [],
                             backendLines: [String: [String]] = [:]) throws -> (UInt16, [String: HTTPTestServer]) {
        var servers: [String: HTTPTestServer] = [:]
        var sections = ""
        for name in names {
            let server = try startHTTPServer(name: name)
            servers[name] = server
            sections += Self.backend(name, (backendLines[name] ?? []) + ["server s 127.0.0.1:\(server.port)"])
        }
        let port = try startHTTPProxy(defaults: defaults, frontend: frontend, sections: sections).1
        return (port, servers)
    }

    private func get(_ port: UInt16, _ method: String = "GET", _ target: String,
                     headers: [(String, String)] = []) throws -> HTTPTestMessage {
        let client = try HTTPTestClient(port: port)
        defer { client.close() }
        return try client.request(method, target, headers: headers, body: method == "POST" ? "x" : nil)
    }

    func testACLsChooseTheBackend() throws {
        let (port, _) = try startRouted(["be_api", "be_post", "be_static", "be_admin", "be_other", "be_default"], frontend: [
            "acl is_api path_beg -i /api",
            "acl is_static path_end .css .js",
            "acl host_admin hdr(host) -i admin.example",
            "acl from_local src 127.0.0.0/8",
            "use_backend be_post if METH_POST is_api",
            "use_backend be_other if { method PUT } !is_api",
            "use_backend be_api if is_api",
            "use_backend be_static if is_static || { path_beg /assets/ }",
            "use_backend be_default if host_admin !from_local",
            "use_backend be_admin if host_admin from_local",
            "default_backend be_default",
        ])
        let cases: [(String, String, [(String, String)], String)] = [
            ("GET", "/API/users", [], "be_api"),
            ("POST", "/api/users", [], "be_post"),
            ("PUT", "/api/users", [], "be_api"),
            ("PUT", "/thing", [], "be_other"),
            ("GET", "/site.css", [], "be_static"),
            ("GET", "/app.js?v=2", [], "be_static"),
            ("GET", "/assets/logo.png", [], "be_static"),
            ("GET", "/", [("Host", "ADMIN.example")], "be_admin"),
            ("GET", "/", [("Host", "www.example")], "be_default"),
            ("GET", "/site.cssx", [], "be_default"),
        ]
        for (method, target, headers, expected) in cases {
            let r = try get(port, method, target, headers: headers)
            XCTAssertEqual(r.header("X-Server"), expected, "\(method) \(target) \(headers)")
        }
    }

    func testRedirects() throws {
        let (port, servers) = try startRouted(["be"], frontend: [
            "redirect location /new code 301 if { path /old }",
            "redirect prefix https://example.com code 302 drop-query if { path_beg /pfx }",
            "redirect scheme https code 308 if { hdr(host) -i secure.example }",
            "redirect prefix http://h.example code 301 append-slash if { path_beg /dir }",
            "default_backend be",
        ])
        let cases: [(String, [(String, String)], Int, String)] = [
            ("/old", [], 301, "/new"),
            ("/pfx/a?q=1", [], 302, "https://example.com/pfx/a"),
            ("/p?x=1", [("Host", "secure.example")], 308, "https://secure.example/p?x=1"),
            ("/dir", [], 301, "http://h.example/dir/"),
        ]
        for (target, headers, status, location) in cases {
            let r = try get(port, "GET", target, headers: headers)
            XCTAssertEqual(r.status, status, target)
            XCTAssertEqual(r.header("Location"), location, target)
        }
        XCTAssertEqual(servers["be"]!.acceptedCount, 0, "redirects are answered by the proxy")
        XCTAssertEqual(try get(port, "GET", "/other").header("X-Server"), "be")
    }

    func testDenyAndReturnAnswerWithoutTheServer() throws {
        let (port, servers) = try startRouted(["be"], frontend: [
            "http-request deny deny_status 403 if { path_beg /forbidden }",
            "http-request deny if { path_beg /plain-deny }",
            "http-request return status 200 content-type text/plain string pong if { path /ping }",
            "default_backend be",
        ])
        XCTAssertEqual(try get(port, "GET", "/forbidden/x").status, 403)
        XCTAssertEqual(try get(port, "GET", "/plain-deny").status, 403)
        let pong = try get(port, "GET", "/ping")
        XCTAssertEqual(pong.status, 200)
        XCTAssertEqual(pong.text, "pong")
        XCTAssertEqual(pong.header("Content-Type"), "text/plain")
        XCTAssertEqual(servers["be"]!.acceptedCount, 0)
        XCTAssertEqual(try get(port, "GET", "/open").status, 200)
        XCTAssertEqual(servers["be"]!.requests.map(\.target), ["/open"])
    }

    func testRequestRewritesAsSeenByTheServer() throws {
        let (port, servers) = try startRouted(["be"], frontend: [
            "http-request set-header X-Set set-value",
            "http-request add-header X-Add added",
            "http-request del-header X-Remove",
            "http-request replace-header X-Rep (.*)-old \\1-new",
            "http-request replace-value X-Val ^b$ B",
            "http-request set-path /rewritten%[path] if { path_beg /sp }",
            "http-request set-query q=2 if { path_beg /sq }",
            "http-request set-uri /full?u=1 if { path_beg /su }",
            "http-request set-method PUT if { path_beg /sm }",
            "default_backend be",
        ])
        let server = servers["be"]!
        _ = try get(port, "GET", "/h", headers: [("X-Set", "orig"), ("X-Add", "first"), ("X-Remove", "x"),
                                                 ("X-Rep", "thing-old"), ("X-Val", "a,b,c")])
        _ = try get(port, "GET", "/sp/x")
        _ = try get(port, "GET", "/sq?q=1")
        _ = try get(port, "GET", "/su/anything?z=9")
        _ = try get(port, "GET", "/sm")
        XCTAssertTrue(server.waitForRequests(5))
        let seen = server.requests
        guard seen.count == 5 else { return XCTFail("requests: \(seen.map(\.target))") }
        XCTAssertEqual(seen[0].values("X-Set"), ["set-value"])
        XCTAssertEqual(seen[0].values("X-Add"), ["first", "added"])
        XCTAssertEqual(seen[0].values("X-Remove"), [])
        XCTAssertEqual(seen[0].values("X-Rep"), ["thing-new"])
        XCTAssertEqual(seen[0].values("X-Val"), ["a,B,c"])
        XCTAssertEqual(seen[1].target, "/rewritten/sp/x")
        XCTAssertEqual(seen[2].target, "/sq?q=2")
        XCTAssertEqual(seen[3].target, "/full?u=1")
        XCTAssertEqual(seen[4].method, "PUT")
        XCTAssertEqual(seen[4].target, "/sm")
    }

    /// http-response rules edit what the client gets; `deny` (here
    /// unconditional, in a backend of its own: response-side fetches such as
    /// `status` are not served yet) replaces the response with a 502.
    func testResponseRules() throws {
        let server = try startHTTPServer(name: "s1") { _ in .text("fine", headers: [("X-Server", "s1"), ("X-Secret", "1")]) }
        let port = try startHTTPProxy(frontend: ["use_backend be_deny if { path_beg /boom }", "default_backend be"],
                                      sections: Self.backend("be", [
            "http-response set-header X-Resp yes",
            "http-response del-header X-Secret",
            "server s1 127.0.0.1:\(server.port)",
        ]) + Self.backend("be_deny", ["http-response deny", "server s1 127.0.0.1:\(server.port)"])).1
        let ok = try get(port, "GET", "/")
        XCTAssertEqual(ok.text, "fine")
        XCTAssertEqual(ok.values("X-Resp"), ["yes"])
        XCTAssertEqual(ok.values("X-Secret"), [])
        let denied = try get(port, "GET", "/boom")
        XCTAssertEqual(denied.status, 502, "http-response deny answers 502")
        XCTAssertNotEqual(denied.text, "fine")
        XCTAssertEqual(server.requests.map(\.target), ["/", "/boom"], "the server did answer /boom")
    }

    func testForwardFor() throws {
        let variants: [([String], [(String, String)], String, [String])] = [
            (["option forwardfor"], [], "X-Forwarded-For", ["127.0.0.1"]),
            (["option forwardfor except 127.0.0.0/8"], [], "X-Forwarded-For", []),
            (["option forwardfor if-none"], [("X-Forwarded-For", "203.0.113.9")], "X-Forwarded-For", ["203.0.113.9"]),
            (["option forwardfor"], [("X-Forwarded-For", "203.0.113.9")], "X-Forwarded-For", ["203.0.113.9", "127.0.0.1"]),
            (["option forwardfor header X-Client"], [], "X-Client", ["127.0.0.1"]),
        ]
        for (options, headers, field, expected) in variants {
            let (port, servers) = try startRouted(["be"], frontend: ["default_backend be"], defaults: options)
            XCTAssertEqual(try get(port, "GET", "/", headers: headers).status, 200)
            XCTAssertTrue(servers["be"]!.waitForRequests(1))
            XCTAssertEqual(servers["be"]!.requests.first?.values(field), expected, "\(options) with \(headers)")
        }
    }

    func testErrorfileReplacesTheDefaultPage() throws {
        let dir = try TemporaryDirectory(prefix: "ferr")
        addTeardownBlock { dir.remove() }
        let page = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
            + "Connection: close\r\n\r\ncustom-page"
        let file = try dir.write("503.http", page)
        let dead = try FreePort.next()
        let port = try startHTTPProxy(defaults: ["errorfile 503 \(file)", "retries 0"], frontend: ["default_backend be"],
                                      sections: Self.backend("be", ["server s1 127.0.0.1:\(dead)"])).1
        let r = try get(port, "GET", "/")
        XCTAssertEqual(r.status, 503)
        XCTAssertEqual(r.text, "custom-page")
    }

    func testBasicAuthWithAUserlist() throws {
        let openssl = try requireTool("openssl")
        let hashed = try CommandRunner.run(openssl, ["passwd", "-6", "-salt", "fulcrumsalt", "hunter2"])
        XCTAssertEqual(hashed.status, 0, hashed.stderr)
        let hash = hashed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(hash.hasPrefix("$6$"), hash)
        let server = try startHTTPServer(name: "s1")
        let port = try startHTTPProxy(frontend: [
            "http-request auth realm Private unless { http_auth(users) }",
            "default_backend be",
        ], sections: "userlist users\n    user alice insecure-password secret\n    user bob password \(hash)\n"
            + Self.backend("be", ["server s1 127.0.0.1:\(server.port)"])).1
        func basic(_ credentials: String) -> [(String, String)] {
            [("Authorization", "Basic " + Data(credentials.utf8).base64EncodedString())]
        }
        let challenge = try get(port, "GET", "/")
        XCTAssertEqual(challenge.status, 401)
        XCTAssertEqual(challenge.header("WWW-Authenticate"), "Basic realm=\"Private\"")
        XCTAssertEqual(try get(port, "GET", "/", headers: basic("alice:secret")).status, 200)
        XCTAssertEqual(try get(port, "GET", "/", headers: basic("bob:hunter2")).status, 200)
        XCTAssertEqual(try get(port, "GET", "/", headers: basic("alice:wrong")).status, 401)
        XCTAssertEqual(try get(port, "GET", "/", headers: basic("bob:secret")).status, 401)
        XCTAssertEqual(server.requests.count, 2, "only authenticated requests reach the server")
    }
}
