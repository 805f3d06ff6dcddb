import XCTest

/// HAProxy's small object cache (`cache` section, `http-request cache-use`,
/// `http-response cache-store`) under fulcrum and haproxy 2.6 with one
/// config in front of one backend: the same requests reach the backend
/// (`forwarded`: 0 on a hit), with the same statuses, bodies and headers,
/// `Age` on hits, Vary, conditional requests, HEAD, and `show cache`.
final class SideBySideCacheTests: XCTestCase {
    static let lastModified = "Mon, 01 Jan 2024 00:00:00 GMT"

    /// What the backend answers, by path: each path is one cacheability case.
    static func respond(_ r: RecordedRequest) -> ScriptedResponse {
        var reply = ScriptedResponse(headers: [("Content-Type", "text/plain")], body: "\(r.method) \(r.target)\n")
        let path = r.path
        func add(_ name: String, _ value: String) { reply.headers.append((name, value)) }
        if path.hasPrefix("/plain") { add("Cache-Control", "max-age=60") }
        if path.hasPrefix("/etag") { add("ETag", "\"v1\"") }
        if path.hasPrefix("/lm") { add("Last-Modified", lastModified) }
        if path.hasPrefix("/cookie") { add("Cache-Control", "max-age=60"); add("Set-Cookie", "id=1") }
        if path.hasPrefix("/nocookie") { add("Cache-Control", "max-age=60, no-cache=\"set-cookie\""); add("Set-Cookie", "id=1") }
        if path.hasPrefix("/private") { add("Cache-Control", "private, max-age=60") }
        if path.hasPrefix("/nostore") { add("Cache-Control", "no-store") }
        if path.hasPrefix("/zero") { add("Cache-Control", "max-age=0") }
        if path.hasPrefix("/public") { add("Cache-Control", "public") }
        if path.hasPrefix("/pragma") { add("Cache-Control", "max-age=60"); add("Pragma", "no-cache") }
        if path.hasPrefix("/404") { reply.status = 404; reply.reason = "Not Found"; add("Cache-Control", "max-age=60") }
        if path.hasPrefix("/vary-ae") { add("Cache-Control", "max-age=60"); add("Vary", "Accept-Encoding") }
        if path.hasPrefix("/vary-gz") {
            add("Cache-Control", "max-age=60"); add("Vary", "accept-encoding")
            if r.values("Accept-Encoding").contains(where: { $0.contains("gzip") }) { add("Content-Encoding", "gzip") }
        }
        if path.hasPrefix("/vary-zz") { add("Cache-Control", "max-age=60"); add("Vary", "Accept-Encoding"); add("Content-Encoding", "zz") }
        if path.hasPrefix("/vary-ref") { add("Cache-Control", "max-age=60"); add("Vary", "Referer") }
        if path.hasPrefix("/vary-ua") { add("Cache-Control", "max-age=60"); add("Vary", "User-Agent") }
        if path.hasPrefix("/chunked") { add("Cache-Control", "max-age=60"); reply.chunked = true }
        if path.hasPrefix("/age") { add("Cache-Control", "max-age=200"); add("Age", "100") }
        if path.hasPrefix("/big") { add("Cache-Control", "max-age=60"); reply.body = Array(repeating: 0x61, count: 3000) }
        if path.hasPrefix("/expired") { add("Expires", "Thu, 01 Jan 1970 00:00:00 GMT") }
        if path.hasPrefix("/expires") { add("Expires", "Fri, 01 Jan 2100 00:00:00 GMT") }
        if path.hasPrefix("/smaxage") { add("Cache-Control", "s-maxage=1, max-age=600") }
        if path.hasPrefix("/inv") { add("Cache-Control", "max-age=60") }
        return reply
    }

    static let config = SideBySide.httpDefaults + """
        frontend fe
            bind 127.0.0.1:{port}
            http-request cache-use c1
            http-response add-header X-Twice t
            http-response cache-store c1
            http-response add-header X-After a
            default_backend be
        backend be
            server web 127.0.0.1:{web}
        frontend fe2
            bind 127.0.0.1:{port2}
            default_backend be2
        backend be2
            http-request cache-use c1
            http-response cache-store c1
            http-response set-header X-Be2 yes
            server web 127.0.0.1:{web}
        cache c1
            total-max-size 1
            max-object-size 2000
            max-age 30
            process-vary on

        """

    private func start() throws -> (SideBySide, SideBySideStatsSockets) {
        let web = try startRecordingBackend("web", responder: Self.respond)
        let sockets = try SideBySideStatsSockets(self)
        let sbs = try SideBySide(self, config: Self.config.replacingOccurrences(of: "{web}", with: "\(web.port)"),
                                 backends: [web], global: SideBySideStatsSockets.global, substitutions: sockets.substitutions)
        return (sbs, sockets)
    }

    private let aspects = SideBySideAspects(responseHeaders: ["Cache-Control", "ETag", "Set-Cookie", "Pragma", "Vary",
                                                              "Content-Encoding", "Last-Modified", "Expires",
                                                              "X-Twice", "X-After", "Content-Length", "Transfer-Encoding"])

    /// The requests on one connection to each proxy: everything `aspects`
    /// covers is the same, and so is `Age` (present on the same responses;
    /// its seconds may differ by one, the clock having ticked between runs).
    @discardableResult
    private func assertSameWithAge(_ sbs: SideBySide, _ requests: [String], method: String = "GET",
                                   file: StaticString = #filePath, line: UInt = #line) throws -> [ProxyUnderTest: [SideBySideObservation]] {
        let runs = try sbs.conversation(requests, method: method)
        XCTAssertEqual(runs[.fulcrum]!.count, runs[.haproxy]!.count, file: file, line: line)
        for (i, (f, h)) in zip(runs[.fulcrum]!, runs[.haproxy]!).enumerated() {
            let label = "request \(i + 1): " + (requests[i].split(separator: "\r\n").first.map(String.init) ?? "")
            let differences = SideBySideAspects.differences(fulcrum: try aspects.of(f), haproxy: try aspects.of(h))
            XCTAssertEqual(differences, [], label, file: file, line: line)
            let fa = f.response?.values("Age") ?? [], ha = h.response?.values("Age") ?? []
            XCTAssertEqual(fa.count, ha.count, "\(label): Age fulcrum=\(fa) haproxy=\(ha)", file: file, line: line)
            if let a = fa.first.flatMap(Int.init), let b = ha.first.flatMap(Int.init) {
                XCTAssertLessThanOrEqual(abs(a - b), 1, "\(label): Age fulcrum=\(a) haproxy=\(b)", file: file, line: line)
            }
        }
        return runs
    }

    func testWhatIsStoredAndServedIsHAProxys() throws {
        let (sbs, _) = try start()
        let paths = ["/plain", "/nocc", "/etag", "/lm", "/cookie", "/nocookie", "/private", "/nostore", "/zero",
                     "/public", "/pragma", "/404", "/vary-ua", "/chunked", "/big", "/expired", "/expires", "/plain?q=1"]
        for path in paths {
            let runs = try assertSameWithAge(sbs, [httpGet(path), httpGet(path), httpGet(path)])
            // The case really is a hit or a miss here, as haproxy decides it.
            XCTAssertEqual(runs[.haproxy]![0].forwarded.count, 1, path)
        }
        // A hit of the plain case: nothing forwarded, Age added, the rules
        // before cache-store stored and run again, those after run again.
        let runs = try sbs.conversation([httpGet("/plain")])
        let hit = try XCTUnwrap(runs[.fulcrum]?[0])
        XCTAssertEqual(hit.forwarded.count, 0)
        XCTAssertEqual(hit.response?.values("X-Twice"), ["t", "t"])
        XCTAssertEqual(hit.response?.values("X-After"), ["a"])
        XCTAssertEqual(hit.response?.values("Age").count, 1)
        // Another host is another key.
        try assertSameWithAge(sbs, [httpGet("/plain", host: "other"), httpGet("/plain", host: "other")])
    }

    func testACacheUsedInABackend() throws {
        let (sbs, _) = try start()
        let runs = try sbs.conversation([httpGet("/plain"), httpGet("/plain"), httpGet("/etag", ["If-None-Match: \"v1\""])],
                                        frontend: 2)
        for (f, h) in zip(runs[.fulcrum]!, runs[.haproxy]!) {
            XCTAssertEqual(SideBySideAspects.differences(fulcrum: try aspects.of(f), haproxy: try aspects.of(h)), [])
            XCTAssertEqual(f.response?.values("X-Be2"), h.response?.values("X-Be2"))
        }
        XCTAssertEqual(runs[.fulcrum]!.map(\.forwarded.count), [1, 0, 1])
    }

    func testAgeAddsTheOriginsAgeAndTheTimeInCache() throws {
        let (sbs, _) = try start()
        let runs = try assertSameWithAge(sbs, [httpGet("/age"), httpGet("/age")])
        // The origin's Age leaves the stored response, and comes back on hits with the cache's time added.
        XCTAssertEqual(runs[.fulcrum]![0].response?.values("Age"), [])
        let age = try XCTUnwrap(runs[.fulcrum]![1].response?.value("Age").flatMap(Int.init))
        XCTAssertTrue((100...101).contains(age), "\(age)")
    }

    func testConditionalRequestsAndHEADAreAnsweredFromTheCache() throws {
        let (sbs, _) = try start()
        try assertSameWithAge(sbs, [
            httpGet("/etag"),
            httpGet("/etag", ["If-None-Match: \"v1\""]),
            httpGet("/etag", ["If-None-Match: W/\"v1\""]),
            httpGet("/etag", ["If-None-Match: \"v2\""]),
            httpGet("/etag", ["If-None-Match: \"v2\", \"v1\""]),
            httpGet("/etag", ["If-None-Match: *"]),
            httpGet("/lm"),
            httpGet("/lm", ["If-Modified-Since: Tue, 02 Jan 2024 00:00:00 GMT"]),
            httpGet("/lm", ["If-Modified-Since: Sun, 31 Dec 2023 00:00:00 GMT"]),
            httpGet("/lm", ["If-Modified-Since: garbage"]),
            httpGet("/plain", ["If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT"]),
            httpGet("/plain", ["If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT"]),
        ])
        let head = "HEAD /plain HTTP/1.1\r\nHost: site\r\n\r\n"
        // HEAD is served from the GET's entry; a HEAD alone stores nothing.
        let runs = try assertSameWithAge(sbs, [head, head.replacingOccurrences(of: "/plain", with: "/plain-head"),
                                               head.replacingOccurrences(of: "/plain", with: "/plain-head")], method: "HEAD")
        XCTAssertEqual(runs[.fulcrum]![0].forwarded.count, 0)
        XCTAssertEqual(runs[.fulcrum]![2].forwarded.count, 1)
    }

    func testRequestDirectivesAuthorizationMethodsAndVersions() throws {
        let (sbs, _) = try start()
        try assertSameWithAge(sbs, [
            httpGet("/plain"),
            httpGet("/plain", ["Cache-Control: no-cache"]),
            httpGet("/plain", ["Cache-Control: max-age=0"]),
            httpGet("/plain", ["Pragma: no-cache"]),
            httpGet("/plain", ["Pragma: no-cache", "Cache-Control: foo"]),
            httpGet("/plain", ["Authorization: Basic Zm9vOmJhcg=="]),
            "GET /plain HTTP/1.0\r\nHost: site\r\nConnection: keep-alive\r\n\r\n",
            httpGet("/plain"),
            httpGet("/plain-auth", ["Authorization: Basic Zm9vOmJhcg=="]),
            httpGet("/plain-auth"),
            httpGet("/plain-nostore", ["Cache-Control: no-store"]),
            httpGet("/plain-nostore"),
        ])
        // A successful unsafe method drops the entry; a safe one does not.
        try assertSameWithAge(sbs, [
            httpGet("/inv"), httpGet("/inv"),
            "OPTIONS /inv HTTP/1.1\r\nHost: site\r\n\r\n", httpGet("/inv"),
            "POST /inv HTTP/1.1\r\nHost: site\r\nContent-Length: 0\r\n\r\n", httpGet("/inv"), httpGet("/inv"),
        ])
    }

    func testVaryMakesSecondaryEntries() throws {
        let (sbs, _) = try start()
        try assertSameWithAge(sbs, [
            httpGet("/vary-ae"),
            httpGet("/vary-ae"),
            httpGet("/vary-ae", ["Accept-Encoding: gzip"]),
            httpGet("/vary-ae", ["Accept-Encoding: identity;q=0"]),
            httpGet("/vary-gz", ["Accept-Encoding: gzip, deflate"]),
            httpGet("/vary-gz", ["Accept-Encoding: gzip"]),
            httpGet("/vary-gz", ["Accept-Encoding: deflate"]),
            httpGet("/vary-gz", ["Accept-Encoding: br"]),
            httpGet("/vary-gz", ["Accept-Encoding: br"]),
            httpGet("/vary-gz", ["Accept-Encoding: gzip;q=0"]),
            httpGet("/vary-gz", ["Accept-Encoding: *"]),
            httpGet("/vary-zz"),
            httpGet("/vary-zz"),
            httpGet("/vary-ref", ["Referer: http://a/"]),
            httpGet("/vary-ref", ["Referer: http://a/"]),
            httpGet("/vary-ref", ["Referer: http://b/"]),
        ])
    }

    func testHitsAreLoggedWithTheCacheAsServer() throws {
        let web = try startRecordingBackend("web", responder: Self.respond)
        let config = Self.config.replacingOccurrences(of: "{web}", with: "\(web.port)")
            .replacingOccurrences(of: "    default_backend be", with: """
                log {log} local0
                log-format "%b/%s %ST %ts %HM %HU"
                default_backend be
            """)
        let logs = try SideBySideLogging(self, config: config, backends: [web])
        _ = try logs.sbs.conversation([httpGet("/plain"), httpGet("/plain"), httpGet("/etag"),
                                   httpGet("/etag", ["If-None-Match: \"v1\""])])
        // The backend's cache (fe2 → be2): the same object store, its own key.
        _ = try logs.sbs.conversation([httpGet("/plain-be2"), httpGet("/plain-be2")], frontend: 2)
        let lines = try logs.assertSameLines(count: 6, LogLineComparison(.exact), "cache hits")
        let fulcrum = lines[.fulcrum] ?? []
        XCTAssertTrue(fulcrum.count == 6 && fulcrum[1].message.hasPrefix("fe/<CACHE> 200 LR "), "\(fulcrum)")
    }

    func testShowCacheListsTheSameObjects() throws {
        let (sbs, sockets) = try start()
        try assertSameWithAge(sbs, [httpGet("/plain"), httpGet("/plain?x"), httpGet("/vary-ae", ["Accept-Encoding: gzip"]),
                                    httpGet("/etag"), httpGet("/nostore")])
        var listings: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let text = try MasterCLI.send("show cache", socketPath: sockets.paths[proxy]!)
            let lines = text.split(separator: "\n").map(String.init)
            XCTAssertTrue(lines.first?.range(of: #"^0x[0-9a-f]+: c1 \(shctx:0x[0-9a-f]+, available blocks:1024\)$"#,
                                             options: .regularExpression) != nil, "\(proxy): \(text)")
            // Per object: the hash (the same SHA-1 of the same URI), the Vary
            // key (its encoding part), a size and a lifetime in range.
            listings[proxy] = lines.dropFirst().map { line in
                let pattern = #"^0x[0-9a-f]+ hash:([0-9]+) vary:0x([0-9a-f]{8})[0-9a-f]{8} size:[0-9]+ \(1 blocks\), refcount:0, expire:(2[89]|30)$"#
                guard let r = line.range(of: pattern, options: .regularExpression) else {
                    XCTFail("\(proxy): \(line)"); return ""
                }
                let fields = String(line[r]).split(separator: " ")
                return fields[1] + " " + fields[2].prefix(13)
            }
        }
        XCTAssertEqual(listings[.fulcrum], listings[.haproxy])
        XCTAssertEqual(listings[.fulcrum]?.count, 4)
        // Below admin level it is refused, as haproxy refuses it.
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(try MasterCLI.send("operator; show cache", socketPath: sockets.paths[proxy]!)
                .trimmingCharacters(in: .whitespacesAndNewlines), "Permission denied", "\(proxy)")
        }
    }
}
