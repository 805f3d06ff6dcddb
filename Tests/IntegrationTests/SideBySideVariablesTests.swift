import XCTest

/// Variables, converters and http-after-response under fulcrum and HAProxy
/// 2.6 with one config: what the recording backend receives, where the
/// request is routed and what the client gets back.
final class SideBySideVariablesTests: XCTestCase {
    private func start(_ frontend: String, backends extra: String = "", global: String = "") throws -> SideBySide {
        let web = try startRecordingBackend("web")
        let api = try startRecordingBackend("api")
        let config = SideBySide.httpDefaults + frontend + """
            backend web
                server web 127.0.0.1:\(web.port)
            backend api
                http-after-response add-header X-Api-After yes
                server api 127.0.0.1:\(api.port)
            \(extra)

            """
        return try SideBySide(self, config: config, backends: [web, api], global: global)
    }

    /// `set-var(txn.x)` read by a later ACL routes the request; the
    /// variables' values reach the server through set-header; `sess`
    /// outlives the transaction on a keep-alive connection, `txn` and `req`
    /// do not, and `req` is gone once the response is analysed.
    func testSetVarRoutesAndFillsHeaders() throws {
        let sbs = try start("""
            frontend fe
                bind 127.0.0.1:{port}
                http-request set-var(txn.route) req.hdr(x-route),lower
                http-request set-var(sess.count) var(sess.count,0),add(1)
                http-request set-var(txn.seen) var(txn.seen,none)
                http-request set-var(txn.seen) str(yes)
                http-request set-var(req.only) str(request-side)
                http-request set-var-fmt(txn.line) "%[method] %[path,upper] from %[src,ipmask(8)]"
                http-request unset-var(txn.route) if { req.hdr(x-forget) -m found }
                acl to_api var(txn.route) -m str api
                http-request set-header X-Count %[var(sess.count)]
                http-request set-header X-Line %[var(txn.line)]
                http-request set-header X-Route "%[var(txn.route,unset)]"
                http-request set-header X-Hash "%[req.hdr(x-route),crc32(1)]/%[req.hdr(x-route),djb2]"
                http-response set-header X-Req-Var "[%[var(req.only)]]"
                http-response set-var(res.status) status,mul(2)
                http-after-response set-header X-Res-Var "%[var(res.status)]"
                use_backend api if to_api
                use_backend %[req.hdr(x-be),lower,regsub(^v1-,)] if { req.hdr(x-be) -m found }
                default_backend web

            """)
        let aspects = SideBySideAspects(responseHeaders: ["X-Req-Var", "X-Res-Var", "X-Api-After", "X-Served-By"],
                                        requestHeaders: ["X-Count", "X-Line", "X-Route", "X-Hash"])
        let seen = try sbs.assertSame([httpGet("/one", ["X-Route: API"]), httpGet("/two"), httpGet("/three", ["X-Route: api", "X-Forget: 1"])],
                                      aspects)
        // The last request of the conversation: the third on the connection.
        let last = try XCTUnwrap(seen[.fulcrum]?.forwarded.first)
        XCTAssertEqual(last.backend, "web", "unset-var removed the route before the ACL")
        XCTAssertEqual(last.values("X-Count"), ["3"])
        XCTAssertEqual(last.values("X-Route"), ["unset"])
        XCTAssertEqual(seen[.fulcrum]?.response?.values("X-Req-Var"), ["[]"])
        XCTAssertEqual(seen[.fulcrum]?.response?.values("X-Res-Var"), ["400"])
        let routed = try sbs.assertSame(httpGet("/one", ["X-Route: Api"]), aspects)
        XCTAssertEqual(routed[.fulcrum]?.forwarded.first?.backend, "api")
        XCTAssertEqual(routed[.fulcrum]?.response?.values("X-Api-After"), ["yes"])
        // A backend name built with converters.
        let dynamic = try sbs.assertSame(httpGet("/d", ["X-Be: V1-API"]), aspects)
        XCTAssertEqual(dynamic[.fulcrum]?.forwarded.first?.backend, "api")
        try sbs.assertSame(httpGet("/d", ["X-Be: v1-nosuch"]), aspects)
    }

    /// HAProxy 2.6's converters in a log-format value, one line each: the
    /// bodies of `http-request return` must match byte for byte.
    func testConvertersInLogFormatValues() throws {
        let expressions = [
            "req.hdr(x-in),lower", "req.hdr(x-in),upper", "req.hdr(x-in),hex", "req.hdr(x-in),base64",
            "str(aGVsbG8=),b64dec", "str(aGVsbG8),b64dec", "req.hdr(x-in),length", "str(a%20b+c),url_dec",
            "str(a%20b+c),url_dec(1)", "str(a%2),url_dec", "req.hdr(x-json),json", "req.hdr(x-json),json(utf8)",
            "req.hdr(x-in),regsub(o,0,g)", "req.hdr(x-in),regsub(O,_,i)", "str(f1_f2_f3__f5),field(4,_)",
            "str(f1_f2_f3__f5),field(5,_)", "str(f1_f2_f3__f5),field(2,_,0)", "str(f1_f2_f3__f5),field(-2,_,3)",
            "str(//f1//f2/f3),word(2,/)", "str(//f1//f2/f3),word(-1,/)", "str(a_b),word(3,_)", "str(abcdef),bytes(2,3)",
            "str(abcdef),bytes(4)", "req.hdr(x-in),sdbm", "req.hdr(x-in),sdbm(1)", "req.hdr(x-in),djb2(1)",
            "req.hdr(x-in),wt6", "req.hdr(x-in),wt6(1)", "req.hdr(x-in),crc32", "req.hdr(x-in),xxh64",
            "req.hdr(x-in),xxh64(42)", "str(a string longer than thirty-two bytes for xxh64),xxh64",
            "src,ipmask(8)", "str(10.1.2.3),ipmask(255.255.0.0)", "str(2001:db8::1),ipmask(24,64)",
            "req.hdr(x-in),concat(<,txn.v,>)", "req.hdr(x-in),concat(<,txn.none,>)", "str(ok),strcmp(txn.v)",
            "str(abc),strcmp(txn.v)", "int(7),add(txn.n)", "int(7),sub(3)", "int(7),mul(-3)", "int(7),div(2)",
            "int(-7),div(2)", "int(7),div(0)", "int(-7),mod(2)", "int(7),mod(0)", "int(5),neg",
            "int(9223372036854775807),add(1)", "int(-9223372036854775807),sub(10)", "int(4611686018427387904),mul(4)",
            "int(6),and(3)", "int(6),or(3)", "int(6),xor(3)", "int(5),cpl", "int(5),odd", "int(5),even", "int(0),not",
            "int(12),add(txn.none)", "var(txn.none,fallback)", "src_port,hex,length", "str(ab),set-var(txn.z),upper",
            "var(txn.z)", "url_ip", "url_port", "pathq",
        ]
        let body = expressions.map { "\($0.replacingOccurrences(of: "%", with: "%%"))=[%[\($0)]]" }.joined(separator: "\\n")
        let sbs = try start("""
            frontend fe
                bind 127.0.0.1:{port}
                http-request set-var(txn.v) str(ok)
                http-request set-var(txn.n) int(35)
                http-request return status 200 content-type text/plain lf-string "\(body)\\n"

            """)
        let aspects = SideBySideAspects()
        let seen = try sbs.assertSame(httpGet("/p/a?q=1", ["X-In: Hello World", "X-Json: a\"b/\\c é"]), aspects)
        let text = seen[.fulcrum]?.response?.bodyText ?? ""
        XCTAssertTrue(text.contains("req.hdr(x-in),xxh64(42)=["), text)
        XCTAssertTrue(text.contains("str(f1_f2_f3__f5),field(-2,_,3)=[f2_f3_]"), text)
        // An absolute target: url_ip and url_port read it.
        try sbs.assertSame("GET http://10.1.2.3:81/x?b=1 HTTP/1.1\r\nHost: 10.1.2.3:81\r\nX-In: x\r\n\r\n", aspects)
    }

    /// http-after-response runs on every response: the server's (backend's
    /// rules, then the frontend's), and the proxy's own deny, redirect (its
    /// location built with converters), return, 503 without a server,
    /// tarpit answers, the stats page and monitor-uri; set-status and
    /// del-header on them; `allow` stops a rule set.
    func testAfterResponseOnEveryResponse() throws {
        let sbs = try start("""
            frontend fe
                bind 127.0.0.1:{port}
                timeout tarpit 200ms
                http-request set-var(txn.tag) req.hdr(x-tag)
                http-request deny if { path /deny }
                monitor-uri /health
                stats enable
                stats uri /stats
                http-request redirect location /moved%[path,upper,regsub(/,_,g)] if { path_beg /redir }
                http-request return status 202 content-type text/plain string done if { path /return }
                http-request tarpit deny_status 429 if { path /tarpit }
                use_backend api if { path_beg /api }
                use_backend empty if { path /empty }
                default_backend web
                http-after-response set-header X-After "%[status] tag=%[var(txn.tag)]"
                http-after-response set-status 299 reason Renamed if { status 200 } { var(txn.tag) -m str rename }
                http-after-response allow if { var(txn.tag) -m str stop }
                http-after-response del-header X-Served-By
                http-after-response replace-header X-After ^(.*)-old$ \\1-new

            """, backends: """
            backend empty
                http-after-response set-header X-Empty yes
            """)
        let aspects = SideBySideAspects(responseHeaders: ["X-After", "X-Api-After", "X-Served-By", "X-Empty", "Location"])
        for request in [httpGet("/page"), httpGet("/page", ["X-Tag: rename"]), httpGet("/page", ["X-Tag: stop"]),
                        httpGet("/api/x"), httpGet("/deny", ["X-Tag: t-old"]), httpGet("/redir/a"), httpGet("/return"),
                        httpGet("/empty"), httpGet("/tarpit")] {
            try sbs.assertSame(request, aspects)
        }
        // The proxy's services: the stats page, monitor-uri.
        var services = aspects
        services.compareBody = false
        for request in [httpGet("/stats"), httpGet("/health")] {
            try sbs.assertSame(request, services)
        }
        let renamed = try sbs.exchange(httpGet("/page", ["X-Tag: rename"]))
        XCTAssertEqual(renamed[.fulcrum]?.response?.status, 299)
        XCTAssertEqual(renamed[.fulcrum]?.response?.values("X-Served-By"), [])
        let denied = try sbs.exchange(httpGet("/deny", ["X-Tag: t-old"]))
        XCTAssertEqual(denied[.fulcrum]?.response?.values("X-After"), ["403 tag=t-new"])
    }

    /// `set-dst` and `set-dst-port` choose where a `server 0.0.0.0` (no
    /// address: the client's destination) connects; `set-src` changes what
    /// `src` and forwardfor see.
    func testSetDstRouting() throws {
        let web = try startRecordingBackend("web")
        let api = try startRecordingBackend("api")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request set-dst str(127.0.0.1)
                http-request set-dst-port int(\(web.port))
                http-request set-dst-port int(\(api.port)) if { path_beg /api }
                http-request set-src req.hdr(x-client) if { req.hdr(x-client) -m found }
                http-request set-header X-Dst "%[dst]:%[dst_port]"
                http-request set-header X-Src "%[src]"
                default_backend transparent
            backend transparent
                option forwardfor
                server any 0.0.0.0

            """
        let sbs = try SideBySide(self, config: config, backends: [web, api])
        let aspects = SideBySideAspects(requestHeaders: ["X-Dst", "X-Src", "X-Forwarded-For"])
        let toWeb = try sbs.assertSame(httpGet("/page"), aspects)
        XCTAssertEqual(toWeb[.fulcrum]?.forwarded.first?.backend, "web")
        let toAPI = try sbs.assertSame(httpGet("/api/v1", ["X-Client: 192.0.2.7"]), aspects)
        XCTAssertEqual(toAPI[.fulcrum]?.forwarded.first?.backend, "api")
        XCTAssertEqual(toAPI[.fulcrum]?.forwarded.first?.values("X-Forwarded-For"), ["192.0.2.7"])
    }

    /// `reject` closes without an answer; `silent-drop` leaves the client
    /// with neither an answer nor a close; neither reaches the server.
    func testRejectAndSilentDrop() throws {
        let sbs = try start("""
            frontend fe
                bind 127.0.0.1:{port}
                http-request reject if { path /reject }
                http-request silent-drop if { path /drop }
                default_backend web

            """)
        for proxy in ProxyUnderTest.allCases {
            let port = sbs.ports[proxy]![0]
            let rejected = try TCPClient.connect(port: port)
            defer { rejected.close() }
            try rejected.send(httpGet("/reject"))
            let end = try rejected.waitForClose(timeout: 2)
            XCTAssertTrue(end == .eof || end == .reset, "\(proxy): reject ends the connection (\(end))")

            let dropped = try TCPClient.connect(port: port)
            defer { dropped.close() }
            try dropped.send(httpGet("/drop"))
            XCTAssertEqual(try dropped.waitForClose(timeout: 0.5), .timeout, "\(proxy): silent-drop tells the client nothing")
            XCTAssertTrue(sbs.backends.allSatisfy { $0.takeRequests().isEmpty }, "\(proxy): nothing reached a server")
        }
        try sbs.assertSame(httpGet("/ok"), SideBySideAspects())
    }

    /// `normalize-uri` (experimental in 2.6, as in HAProxy) rewrites what
    /// the server receives.
    func testNormalizeURI() throws {
        let sbs = try start("""
            frontend fe
                bind 127.0.0.1:{port}
                http-request normalize-uri path-merge-slashes
                http-request normalize-uri path-strip-dot
                http-request normalize-uri path-strip-dotdot full
                http-request normalize-uri percent-decode-unreserved
                http-request normalize-uri percent-to-uppercase strict
                http-request normalize-uri query-sort-by-name
                default_backend web

            """, global: "    expose-experimental-directives\n")
        let aspects = SideBySideAspects()
        for target in ["//a//./b/../c?z=1&a=2&a=1", "/../x/%7euser/%2fx", "/%zz", "/p?b&a=1&aa=2", "/a/b/.."] {
            try sbs.assertSame(httpGet(target), aspects)
        }
        let seen = try sbs.exchange(httpGet("//a//./b/../c?z=1&a=2&a=1"))
        XCTAssertEqual(seen[.fulcrum]?.forwarded.first?.target, "/a/c?a=2&a=1&z=1")
    }

    /// Variables and converters in a log line: what a rule stored in txn
    /// and sess, with HAProxy's converters, logged as haproxy 2.6 logs it.
    func testVariablesAndConvertersInLogLines() throws {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                log {log} local0
                log-format "%ST v=%[var(txn.path),json] n=%[var(sess.n),mul(10)] m=%[src,ipmask(8)] h=%[var(txn.path),crc32]"
                http-request set-var(txn.path) path
                http-request set-var(sess.n) var(sess.n,0),add(1)
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)

            """
        let logs = try SideBySideLogging(self, config: config, backends: [web])
        _ = try logs.sbs.conversation([httpGet("/a/b"), httpGet("/c")])
        let comparison = LogLineComparison(.exact)
        let lines = try logs.assertSameLines(count: 2, comparison, "variables")
        logs.assertReference(lines[.haproxy]!, comparison, equal: [
            "<134>{time} {program}[{pid}]: 200 v=\\/a\\/b n=10 m=127.0.0.0 h=564197754",
            "<134>{time} {program}[{pid}]: 200 v=\\/c n=20 m=127.0.0.0 h=2273188464",
        ], "variables")
    }

    /// `set-var(NAME,COND...)`: HAProxy 2.6's conditions decide whether a
    /// value is stored (ifexists, ifnotexists, ifempty, ifnotempty, ifset,
    /// ifnotset, ifgt, iflt; `unset-var` makes a variable not exist).
    func testSetVarConditions() throws {
        let sbs = try start("""
            frontend fe
                bind 127.0.0.1:{port}
                http-request set-var(txn.a,ifexists) str(1)
                http-request set-var(txn.b) str(x)
                http-request set-var(txn.b,ifexists) str(2)
                http-request set-var(txn.c) str(x)
                http-request set-var(txn.c,ifnotexists) str(3)
                http-request set-var(txn.d,ifnotexists) str(4)
                http-request set-var(txn.f) str(y)
                http-request set-var(txn.f,ifempty) str(6)
                http-request set-var(txn.g) str(y)
                http-request set-var(txn.g,ifnotempty) str(7)
                http-request set-var(txn.h) int(0)
                http-request set-var(txn.h,ifempty) int(8)
                http-request set-var(txn.i) int(10)
                http-request set-var(txn.i,ifgt) int(5)
                http-request set-var(txn.j) int(10)
                http-request set-var(txn.j,iflt) int(5)
                http-request set-var(txn.k) str(z)
                http-request unset-var(txn.k)
                http-request set-var(txn.k,ifset) str(9)
                http-request set-var(txn.l) str(z)
                http-request unset-var(txn.l)
                http-request set-var(txn.l,ifnotset) str(10)
                http-request set-var(txn.n) str(z)
                http-request unset-var(txn.n)
                http-request set-var(txn.n,ifexists) str(12)
                http-request set-var(txn.o,ifnotset) str(13)
                http-request set-var(txn.p) int(3)
                http-request set-var(txn.p,ifgt) int(5)
                http-request set-var(txn.q) str(abc)
                http-request set-var(txn.q,ifgt) int(5)
                http-request set-var(txn.r,ifgt) int(5)
                http-request set-var(txn.s) int(7)
                http-request set-var(txn.s,ifnotempty,iflt) int(9)
                http-request set-var(txn.t) int(7)
                http-request set-var(txn.t,ifnotempty,iflt) int(3)
                http-request return status 200 content-type text/plain lf-string "a=%[var(txn.a)] b=%[var(txn.b)] c=%[var(txn.c)] d=%[var(txn.d)] f=%[var(txn.f)] g=%[var(txn.g)] h=%[var(txn.h)] i=%[var(txn.i)] j=%[var(txn.j)] k=%[var(txn.k)] l=%[var(txn.l)] n=%[var(txn.n)] o=%[var(txn.o)] p=%[var(txn.p)] q=%[var(txn.q)] r=%[var(txn.r)] s=%[var(txn.s)] t=%[var(txn.t)]\\n"

            """)
        let seen = try sbs.assertSame(httpGet("/"), SideBySideAspects())
        XCTAssertEqual(seen[.fulcrum]?.response?.bodyText,
                       "a= b=2 c=x d=4 f=y g=7 h=0 i=5 j=10 k= l=10 n= o=13 p=3 q=5 r=5 s=9 t=7\n")
    }

    /// mode tcp: `tcp-request content set-var` stores what the first bytes
    /// say, and `use_backend` routes on the variable.
    func testTCPContentSetVarRoutes() throws {
        let web = try startRecordingBackend("web")
        let api = try startRecordingBackend("api")
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                tcp-request inspect-delay 2s
                tcp-request content set-var(txn.method) req.payload(0,4)
                tcp-request content set-var(sess.len) req.len
                tcp-request content accept if { req.len gt 20 }
                use_backend api if { var(txn.method) -m str POST }
                default_backend web
            backend web
                server web 127.0.0.1:\(web.port)
            backend api
                server api 127.0.0.1:\(api.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web, api])
        let post = "POST /submit HTTP/1.1\r\nHost: site\r\nContent-Length: 0\r\n\r\n"
        let routed = try sbs.assertSame(post, SideBySideAspects())
        XCTAssertEqual(routed[.fulcrum]?.forwarded.first?.backend, "api")
        let other = try sbs.assertSame(httpGet("/page"), SideBySideAspects())
        XCTAssertEqual(other[.fulcrum]?.forwarded.first?.backend, "web")
    }

    /// haproxy's own examples/option-http_proxy.cfg, on loopback: a forward
    /// proxy refusing private destinations by `url_ip`, sending each
    /// request where its absolute URL points (`set-dst url_ip`,
    /// `set-dst-port url_port`, `server next-hop 0.0.0.0`) with `set-uri
    /// %[pathq]`, and refusing an audio/mp3 answer by `res.hdr`.
    func testHTTPProxyExample() throws {
        let web = try startRecordingBackend("web") { request in
            var reply = ScriptedResponse.identify(request)
            if request.target.hasPrefix("/mp3") { reply.headers = [("Content-Type", "audio/mp3")] }
            return reply
        }
        let config = SideBySide.httpDefaults + """
            frontend test-proxy
                bind 127.0.0.1:{port}
                acl allow_host src 127.0.0.1/32
                http-request deny if !allow_host
                acl forbidden_dst url_ip 192.168.0.0/24
                acl forbidden_dst url_ip 172.16.0.0/12
                acl forbidden_dst url_ip 10.0.0.0/8
                http-request deny if forbidden_dst
                default_backend test-proxy-srv
            backend test-proxy-srv
                retries 2
                acl valid_method method GET
                http-request deny if !valid_method
                http-request set-dst url_ip
                http-request set-dst-port url_port
                http-request set-uri %[pathq]
                server next-hop 0.0.0.0
                http-response deny if { res.hdr(content-type) audio/mp3 }

            """
        let sbs = try SideBySide(self, config: config, backends: [web])
        let aspects = SideBySideAspects(responseHeaders: ["X-Served-By"])
        let absolute = "http://127.0.0.1:\(web.port)"
        let seen = try sbs.assertSame("GET \(absolute)/page?x=1 HTTP/1.1\r\nHost: 127.0.0.1:\(web.port)\r\n\r\n", aspects)
        XCTAssertEqual(seen[.fulcrum]?.forwarded.first?.target, "/page?x=1")
        XCTAssertEqual(seen[.fulcrum]?.response?.status, 200)
        for request in ["GET http://10.1.2.3/x HTTP/1.1\r\nHost: 10.1.2.3\r\n\r\n",
                        "POST \(absolute)/form HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                        "GET \(absolute)/mp3 HTTP/1.1\r\nHost: x\r\n\r\n"] {
            try sbs.assertSame(request, aspects)
        }
    }
}
