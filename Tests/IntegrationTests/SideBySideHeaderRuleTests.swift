import XCTest

/// http-request and http-response header and URI rules, frontend's then
/// backend's, under fulcrum and HAProxy with one config.
final class SideBySideHeaderRuleTests: XCTestCase {
    private func start() throws -> SideBySide {
        let web = try startRecordingBackend("web") { request in
            var reply = ScriptedResponse.identify(request)
            reply.headers += [("X-Secret", "s3cr3t"), ("X-Keep", "kept"), ("X-Version", "app-1.2")]
            return reply
        }
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request set-header X-Set fe-set
                http-request add-header X-Add one
                http-request add-header X-Add two
                http-request del-header X-Remove
                http-request replace-header X-Replace ^(.*)-old$ \\1-new
                http-request replace-value X-List ^old$ new
                http-request set-path /rewritten%[path] if { path_beg /rw }
                http-request set-query q=1&%[query] if { path_beg /q }
                http-request set-header X-Seen-Path %[path] if { path_beg /rw }
                http-request set-header X-Method %[method]
                http-response set-header X-Resp-Set yes
                http-response add-header X-Resp-Add a
                http-response del-header X-Secret
                http-response replace-header X-Version ^app-(.*)$ v\\1
                http-response set-header X-Resp-Method %[method]
                default_backend be
            backend be
                http-request set-header X-Backend-Rule be
                http-request del-header X-Set if { hdr(X-Drop-Set) yes }
                http-response set-header X-Be-Resp be
                server web 127.0.0.1:\(web.port)

            """
        return try SideBySide(self, config: config, backends: [web])
    }

    private let aspects = SideBySideAspects(
        responseHeaders: ["X-Resp-Set", "X-Resp-Add", "X-Secret", "X-Keep", "X-Version", "X-Be-Resp", "X-Served-By", "X-Resp-Method"],
        requestHeaders: ["X-Set", "X-Add", "X-Remove", "X-Replace", "X-List", "X-Seen-Path", "X-Method",
                         "X-Backend-Rule", "X-Other"])

    func testRequestHeaderRules() throws {
        let sbs = try start()
        let seen = try sbs.assertSame(httpGet("/plain", ["X-Set: client", "X-Add: zero", "X-Remove: gone",
                                                         "X-Remove: gone2", "X-Replace: keep-old",
                                                         "X-List: old, keep, old", "X-Other: untouched"]), aspects)
        let forwarded = try XCTUnwrap(seen[.fulcrum]?.forwarded.first)
        XCTAssertEqual(forwarded.values("X-Set"), ["fe-set"])
        XCTAssertEqual(forwarded.values("X-Add"), ["zero", "one", "two"])
        XCTAssertEqual(forwarded.values("X-Remove"), [])
        XCTAssertEqual(forwarded.values("X-Replace"), ["keep-new"])
        XCTAssertEqual(forwarded.values("X-Backend-Rule"), ["be"])
        // replace-header works on the whole line, replace-value on each item.
        try sbs.assertSame(httpGet("/plain", ["X-Replace: a-old, b-old", "X-List: old,old"]), aspects)
        // A backend rule conditioned on the request.
        try sbs.assertSame(httpGet("/plain", ["X-Drop-Set: yes"]), aspects)
    }

    func testSetPathAndSetQuery() throws {
        let sbs = try start()
        let rewritten = try sbs.assertSame(httpGet("/rw/a%20b?x=1"), aspects)
        XCTAssertEqual(rewritten[.fulcrum]?.forwarded.first?.target, "/rewritten/rw/a%20b?x=1")
        let query = try sbs.assertSame(httpGet("/q?a=b"), aspects)
        XCTAssertEqual(query[.fulcrum]?.forwarded.first?.target, "/q?q=1&a=b")
        try sbs.assertSame(httpGet("/q"), aspects)
        try sbs.assertSame(httpGet("/q?"), aspects)
    }

    func testResponseHeaderRules() throws {
        let sbs = try start()
        let seen = try sbs.assertSame(httpGet("/r"), aspects)
        let response = try XCTUnwrap(seen[.fulcrum]?.response)
        XCTAssertEqual(response.values("X-Secret"), [])
        XCTAssertEqual(response.values("X-Resp-Set"), ["yes"])
        XCTAssertEqual(response.values("X-Version"), ["v1.2"])
        XCTAssertEqual(response.values("X-Be-Resp"), ["be"])
        XCTAssertEqual(response.values("X-Resp-Method"), ["GET"], "the request's method, kept for the response")
        // HEAD goes through the same rules.
        try sbs.assertSame("HEAD /r HTTP/1.1\r\nHost: site\r\n\r\n", aspects, method: "HEAD")
    }

    /// Response rules whose samples read what only the request has are
    /// refused at load with haproxy 2.6's words (log-format strings, sample
    /// expressions, captures, after-response rules), both exit 1.
    func testRequestOnlySamplesInResponseRulesAreRefusedAsHAProxy() throws {
        let haproxy = try requireTool("haproxy")
        let rules = [
            ("http-response set-header X \"a%[path,lower]b\"", "sample fetch <path,lower]b> may not be reliably used here because it needs 'HTTP request headers' which is not available here."),
            ("http-after-response set-header X %[url_param(a)]", "sample fetch <url_param(a)]> may not be reliably used here because it needs 'HTTP request headers' which is not available here."),
            ("http-response set-var(txn.a) req.hdr(host)", "fetch method 'set-var(txn.a)' extracts information from 'HTTP request headers', none of which is available here."),
            ("http-response capture req.len id 0", "fetch method 'req.len' extracts information from 'request buffer', none of which is available here."),
        ]
        for (rule, message) in rules {
            let config = SideBySide.httpDefaults + "frontend fe\n    bind 127.0.0.1:9\n    declare capture response len 10\n    \(rule)\n"
                + "    default_backend be\nbackend be\n    server s 127.0.0.1:9\n"
            let ours = try FulcrumProcess.checkConfig(config)
            let theirs = try FulcrumProcess.checkConfig(config, executable: haproxy)
            XCTAssertEqual(theirs.status, 1, "haproxy: \(rule)")
            XCTAssertEqual(ours.status, theirs.status, "fulcrum: \(rule)")
            XCTAssertTrue(theirs.stderr.contains(message), "haproxy: \(theirs.stderr)")
            XCTAssertTrue(ours.stderr.contains(message), "fulcrum: \(ours.stderr)")
        }
    }
}

