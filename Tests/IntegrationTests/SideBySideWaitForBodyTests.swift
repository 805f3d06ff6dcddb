import XCTest

/// `http-request wait-for-body time <time> [at-least <bytes>]` side by side
/// with haproxy 2.6: the rules after it see the body through `req.body*`
/// (the frontend's waits for 8 bytes, the backend's for all of it), a
/// client that sends its head first and its body later gets the same
/// forwarded request from both, a body that does not come in time gets 408
/// and reaches no server, and a body the rules dislike is denied. The same
/// for `http-response wait-for-body` with `res.body*`, against servers that
/// send their body late (504 when it comes too late).
final class SideBySideWaitForBodyTests: XCTestCase {
    private func start(sockets: SideBySideStatsSockets? = nil) throws -> (SideBySide, RecordingHTTPBackend) {
        let web = try startRecordingBackend("web")
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request wait-for-body time 5s at-least 8 if { method POST }
                http-request set-header X-Len %[req.body_len]
                http-request set-header X-Body %[req.body]
                http-request deny if { req.body -m sub DROP }
                default_backend web
            frontend quick
                bind 127.0.0.1:{port2}
                http-request wait-for-body time 300ms
                http-request set-header X-Len %[req.body_len]
                default_backend web
            backend web
                http-request wait-for-body time 5s
                http-request set-header X-Backend-Len %[req.body_len]
                server web 127.0.0.1:\(web.port)

            """
        return (try SideBySide(self, config: config, backends: [web], global: sockets == nil ? "" : SideBySideStatsSockets.global,
                               substitutions: sockets?.substitutions ?? [:]), web)
    }

    private static let head = "POST /form HTTP/1.1\r\nHost: site\r\nContent-Type: text/plain\r\n"

    /// Sends `first`, then (when given) `later` once `pause` seconds of a
    /// slow client went by (during which `web` must have received no byte),
    /// and reads the answer: "status X-Len X-Backend-Len X-Body" of what was
    /// forwarded, or just the status when nothing was.
    private func exchange(_ sbs: SideBySide, _ web: RecordingHTTPBackend, _ proxy: ProxyUnderTest, frontend: Int = 1,
                          _ first: String, later: String? = nil, pause: Double = 0.3,
                          file: StaticString = #filePath, line: UInt = #line) throws -> String {
        _ = web.takeRequests()
        let client = try TCPClient.connect(port: sbs.ports[proxy]![frontend - 1])
        defer { client.close() }
        let before = web.receivedBytes
        try client.send(first)
        if let later {
            let early = waitUntil(timeout: pause, interval: 0.02) { web.receivedBytes > before }
            XCTAssertFalse(early, "\(proxy) sent the request to the server before its body came", file: file, line: line)
            try client.send(later)
        }
        let response = try client.readHTTPResponse(requestMethod: "POST")
        guard let r = web.takeRequests().first else { return "\(response?.status ?? 0)" }
        return ["\(response?.status ?? 0)", r.values("X-Len").joined(separator: ","),
                r.values("X-Backend-Len").joined(separator: ","), r.values("X-Body").joined(separator: ","),
                String(decoding: r.body, as: UTF8.self)].joined(separator: " ")
    }

    private func same(_ what: String, _ run: (ProxyUnderTest) throws -> String,
                      file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let f = try run(.fulcrum), h = try run(.haproxy)
        XCTAssertEqual(f, h, what, file: file, line: line)
        return h
    }

    func testRulesAfterWaitForBodySeeTheBodyAsHAProxy() throws {
        let (sbs, web) = try start()
        let body = "name=alice&role=admin"
        // Head first, the body once the proxy holds the request.
        let late = try same("body after the head") {
            try exchange(sbs, web, $0, Self.head + "Content-Length: \(body.utf8.count)\r\n\r\n", later: body)
        }
        XCTAssertEqual(late, "200 21 21 \(body) \(body)")
        // at-least 8: the frontend's rules go on with the first 10 bytes, the
        // backend's wait for all 30.
        let long = "0123456789abcdefghijklmnopqrst"
        let partial = try same("at-least") {
            try exchange(sbs, web, $0, Self.head + "Content-Length: 30\r\n\r\n" + long.prefix(10), later: String(long.dropFirst(10)))
        }
        XCTAssertEqual(partial, "200 10 30 0123456789 \(long)")
        // Chunked, all at once.
        let chunked = try same("chunked") {
            try exchange(sbs, web, $0, Self.head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        }
        XCTAssertEqual(chunked, "200 11 11 hello world hello world")
        // The rules read what waited: a body they refuse reaches no server.
        let denied = try same("denied on its body") {
            try exchange(sbs, web, $0, Self.head + "Content-Length: 10\r\n\r\n", later: "DROP table")
        }
        XCTAssertEqual(denied, "403")
        // A GET has no body to wait for.
        let get = try same("GET") { try exchange(sbs, web, $0, "GET / HTTP/1.1\r\nHost: site\r\n\r\n") }
        XCTAssertEqual(get, "200 0 0  ")
    }

    func testABodyThatDoesNotComeInTimeGets408AsHAProxy() throws {
        let sockets = try SideBySideStatsSockets(self)
        let (sbs, web) = try start(sockets: sockets)
        let answer = try same("timeout") {
            try exchange(sbs, web, $0, frontend: 2, Self.head + "Content-Length: 100\r\n\r\nonly a part")
        }
        XCTAssertEqual(answer, "408")
        XCTAssertTrue(web.takeRequests().isEmpty)
        // Counted alike: a failed request answered 408.
        let columns = ["ereq", "req_tot", "hrsp_4xx", "dreq"]
        let counters = try same("counters") { proxy in
            let table = try StatsTable(csv: try MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!))
            return columns.map { "\($0)=\(table.rows["quick/FRONTEND"]?[$0] ?? "?")" }.joined(separator: ",")
        }
        XCTAssertTrue(counters.hasPrefix("ereq=1,"), counters)
        // The whole body in time: forwarded.
        let whole = try same("in time") {
            try exchange(sbs, web, $0, frontend: 2, Self.head + "Content-Length: 4\r\n\r\n", later: "abcd", pause: 0.1)
        }
        XCTAssertEqual(whole, "200 4 4  abcd")
    }

    func testResponseRulesAfterWaitForBodySeeTheBodyAsHAProxy() throws {
        let web = try startRecordingBackend("web")
        // Head and the first 10 bytes, then 10 more every 0.2 s.
        let slow = try startBackend(.trickle(head: "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n", chunk: 10, count: 3, interval: 0.2))
        let late = try startBackend(.trickle(head: "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n", chunk: 10, count: 2, interval: 2))
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend web
            frontend fe_slow
                bind 127.0.0.1:{port2}
                default_backend slow
            frontend fe_late
                bind 127.0.0.1:{port3}
                default_backend late
            backend web
                http-response wait-for-body time 5s
                http-response set-header X-Res-Len %[res.body_len]
                http-response set-header X-Res-Size %[res.body_size]
                http-response set-header X-Secret yes if { res.body -m sub secret }
                http-response deny if { res.body -m sub forbidden }
                server web 127.0.0.1:\(web.port)
            backend slow
                http-response set-header X-Before %[res.body_len]
                http-response wait-for-body time 5s at-least 15
                http-response set-header X-Least %[res.body_len]
                http-response wait-for-body time 5s
                http-response set-header X-All %[res.body_len]
                server slow 127.0.0.1:\(slow.port)
            backend late
                http-response wait-for-body time 300ms
                http-response set-header X-Len %[res.body_len]
                server late 127.0.0.1:\(late.port)

            """
        let sockets = try SideBySideStatsSockets(self)
        let sbs = try SideBySide(self, config: config, backends: [web], global: SideBySideStatsSockets.global,
                                 substitutions: sockets.substitutions)
        func answer(_ target: String, frontend: Int = 1) throws -> [String] {
            var seen: [ProxyUnderTest: [String]] = [:]
            for proxy in ProxyUnderTest.allCases {
                let client = try TCPClient.connect(port: sbs.ports[proxy]![frontend - 1])
                defer { client.close() }
                try client.send("GET \(target) HTTP/1.1\r\nHost: site\r\n\r\n")
                let r = try client.readHTTPResponse()
                seen[proxy] = ["\(r?.status ?? 0)"] + ["X-Res-Len", "X-Res-Size", "X-Secret", "X-Before", "X-Least", "X-All", "X-Len"]
                    .compactMap { name in r?.value(name).map { "\(name)=\($0)" } } + ["body \(r?.body.count ?? -1)"]
            }
            XCTAssertEqual(seen[.fulcrum], seen[.haproxy], target)
            return seen[.haproxy] ?? []
        }
        XCTAssertEqual(try answer("/plain"), ["200", "X-Res-Len=15", "X-Res-Size=15", "body 15"])
        XCTAssertEqual(try answer("/secret"), ["200", "X-Res-Len=16", "X-Res-Size=16", "X-Secret=yes", "body 16"])
        XCTAssertEqual(try answer("/forbidden").first, "502")
        // The slow server: the rule before the wait saw the first bytes only;
        // at-least 15 went on at 20, the last wait at all 30.
        XCTAssertEqual(try answer("/", frontend: 2), ["200", "X-Before=10", "X-Least=20", "X-All=30", "body 30"])
        // A body later than the rule's time: 504, nothing of it sent.
        let tooLate = try answer("/", frontend: 3)
        XCTAssertEqual(tooLate.first, "504", "\(tooLate)")
        // Counted alike.
        let columns = ["eresp", "econ", "hrsp_2xx", "hrsp_5xx", "wretr", "dresp"]
        var counters: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let table = try StatsTable(csv: try MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!))
            counters[proxy] = ["fe_late/FRONTEND", "late/late", "late/BACKEND", "web/web", "web/BACKEND"].map { key in
                key + " " + columns.map { "\($0)=\(table.rows[key]?[$0] ?? "")" }.joined(separator: ",")
            }
        }
        XCTAssertEqual(counters[.fulcrum], counters[.haproxy])
    }
}
