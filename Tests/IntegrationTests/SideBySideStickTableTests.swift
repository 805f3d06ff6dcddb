import XCTest

/// Stick tables side by side with haproxy 2.6 (nbthread 2 against 2
/// Fulcrum workers): the classic rate limit denies the same requests with
/// 429 however the kernel spreads the connections over the workers, and
/// `show table` lists the same keys and counters; eviction at `size`,
/// `set table`, `clear table` and the CLI's refusals answer the same.
final class SideBySideStickTableTests: XCTestCase {
    struct Pair {
        let ports: [ProxyUnderTest: UInt16]
        let sockets: [ProxyUnderTest: String]
    }

    /// Starts both proxies on `frontend` (its `bind` added), in front of an
    /// identify backend (or `responder`'s), with `sections` after the rest.
    func start(_ frontend: String, mode: String = "http", sections: String = "",
               responder: @escaping RecordingHTTPBackend.Responder = ScriptedResponse.identify) throws -> Pair {
        let haproxy = try requireTool("haproxy")
        let web = try startRecordingBackend("web", responder: responder)
        let files = try TemporaryDirectory(prefix: "stick")
        addTeardownBlock { files.remove() }
        var ports: [ProxyUnderTest: UInt16] = [:], sockets: [ProxyUnderTest: String] = [:]
        for proxy in ProxyUnderTest.allCases {
            let port = try FreePort.next()
            let socket = files.file("\(proxy).sock")
            let config = """
                global
                    \(proxy == .fulcrum ? "workers 2" : "nbthread 2")
                    stats socket \(socket) level admin
                defaults
                    mode \(mode)
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend fe
                    bind 127.0.0.1:\(port)
                \(frontend)
                    default_backend be
                backend be
                    server web 127.0.0.1:\(web.port)
                \(sections)
                """
            let process = proxy == .fulcrum
                ? try startFulcrum(config: config)
                : try startFulcrum(config: config, arguments: ["-db", "-f", FulcrumProcess.configPlaceholder], executable: haproxy)
            try process.waitUntilListening(port: port)
            ports[proxy] = port
            sockets[proxy] = socket
        }
        return Pair(ports: ports, sockets: sockets)
    }

    /// One request on its own connection from `source`; the status (0: none).
    /// A connection the proxy closes or resets at once (`tcp-request connection reject`) is 0.
    func status(_ port: UInt16, from source: String, path: String = "/") throws -> Int {
        let fd: Int32
        do { fd = try SourceBoundClient.connect(from: source, port: port, timeout: 5) } catch { return 0 }
        let client = TCPClient(descriptor: fd)
        defer { client.close() }
        do {
            try client.send(httpGet(path, ["Connection: close"]))
            return try client.readHTTPResponse(timeout: 5)?.status ?? 0
        } catch HarnessError.timeout(let what) {
            throw HarnessError.timeout(what)
        } catch {
            return 0
        }
    }

    /// A `show table` waits (bounded) until no entry is held: the last
    /// connection's end may still be on its way when its response is read.
    func cli(_ pair: Pair, _ proxy: ProxyUnderTest, _ command: String) throws -> String {
        var text = try MasterCLI.send(command, socketPath: pair.sockets[proxy]!)
        guard command.hasPrefix("show table") else { return text }
        let deadline = Deadline(seconds: 5)
        while text.split(separator: " ").contains(where: { $0.hasPrefix("use=") && $0 != "use=0" }) && !deadline.hasExpired {
            sleepSeconds(0.02)
            text = try MasterCLI.send(command, socketPath: pair.sockets[proxy]!)
        }
        return text
    }

    /// `show table` lines without the entries' addresses and with `exp=`
    /// dropped (both count down on their own clocks).
    func normalized(_ text: String) -> [String] {
        text.split(separator: "\n").map { line in
            var words = line.split(separator: " ").map(String.init)
            if let first = words.first, first.hasPrefix("0x") { words.removeFirst() }
            return words.filter { !$0.hasPrefix("exp=") }.joined(separator: " ")
        }
    }

    func testRateLimitDeniesTheSameRequestsAcrossWorkers() throws {
        let pair = try start("""
                stick-table type ip size 100k expire 30s store http_req_rate(10s),http_req_cnt,conn_cur,conn_cnt,http_err_cnt
                http-request track-sc0 src
                http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }
            """)
        var statuses: [ProxyUnderTest: [Int]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for source in ["127.0.0.2", "127.0.0.3", "127.0.0.4"] {
                let count = source == "127.0.0.3" ? 5 : 14
                for _ in 0..<count { statuses[proxy, default: []].append(try status(pair.ports[proxy]!, from: source)) }
            }
        }
        let expected = Array(repeating: 200, count: 10) + Array(repeating: 429, count: 4)
            + Array(repeating: 200, count: 5) + Array(repeating: 200, count: 10) + Array(repeating: 429, count: 4)
        XCTAssertEqual(statuses[.haproxy], expected, "haproxy")
        XCTAssertEqual(statuses[.fulcrum], statuses[.haproxy])
        let shown = try ProxyUnderTest.allCases.map { normalized(try cli(pair, $0, "show table fe")) }
        XCTAssertEqual(shown[0], shown[1])
        XCTAssertEqual(shown[1].first, "# table: fe, type: ip, size:102400, used:3")
        XCTAssertEqual(shown[1].count, 4, "\(shown[1])")
        XCTAssertEqual(shown[1].dropFirst().first, "key=127.0.0.2 use=0 conn_cnt=14 conn_cur=0 http_req_cnt=14 http_req_rate(10000)=14 http_err_cnt=4")
        XCTAssertEqual(shown[1].last, "key=127.0.0.4 use=0 conn_cnt=14 conn_cur=0 http_req_cnt=14 http_req_rate(10000)=14 http_err_cnt=4")
        // The key form and a data filter.
        for command in ["show table fe key 127.0.0.3", "show table fe data.http_req_cnt gt 5", "show table",
                        "show table nope", "show table fe data.gpc0 gt 1", "show table fe data.http_req_cnt zz 1",
                        "show table fe key", "show table fe data.nope gt 1", "show table fe data.conn_cur eq x",
                        "show table fe data.http_req_cnt gt 5 data.conn_cur eq 0", "show table fe bogus", "show table fe key 127.0.0.9"] {
            let answers = try ProxyUnderTest.allCases.map { normalized(try cli(pair, $0, command)) }
            XCTAssertEqual(answers[0], answers[1], command)
        }
    }

    func testSetClearAndEvictionAtSize() throws {
        let pair = try start("""
                stick-table type ip size 4 store gpc0,http_req_cnt,gpt0
                http-request track-sc1 src
                http-request sc-inc-gpc0(1) if { path /mark }
                http-request sc-set-gpt0(1) 5 if { path /tag }
                http-request deny deny_status 400 if { sc1_get_gpt0 eq 5 } { path /tag/check }
                http-request deny if { sc1_get_gpc0 gt 1 }
            """)
        for proxy in ProxyUnderTest.allCases {
            let port = pair.ports[proxy]!
            for n in 1...4 { XCTAssertEqual(try status(port, from: "127.0.1.\(n)"), 200) }
            XCTAssertEqual(try status(port, from: "127.0.1.1", path: "/mark"), 200)
            XCTAssertEqual(try status(port, from: "127.0.1.1", path: "/mark"), 403, "\(proxy): gpc0 is 2")
            XCTAssertEqual(try status(port, from: "127.0.1.4", path: "/tag/check"), 200, "\(proxy): gpt0 is 0")
            XCTAssertEqual(try status(port, from: "127.0.1.4", path: "/tag"), 200)
            XCTAssertEqual(try status(port, from: "127.0.1.4", path: "/tag/check"), 400, "\(proxy): gpt0 is 5")
            // A fifth key evicts the least recently used (127.0.1.2).
            XCTAssertEqual(try status(port, from: "127.0.1.5"), 200)
            _ = try cli(pair, proxy, "set table fe key 10.0.0.9 data.gpc0 7")
            _ = try cli(pair, proxy, "clear table fe key 127.0.1.3")
        }
        let shown = try ProxyUnderTest.allCases.map { normalized(try cli(pair, $0, "show table fe")) }
        XCTAssertEqual(shown[0], shown[1])
        XCTAssertFalse(shown[0].contains { $0.contains("key=127.0.1.2 ") }, "\(shown[0])")
        XCTAssertTrue(shown[0].contains("key=10.0.0.9 use=0 gpt0=0 gpc0=7 http_req_cnt=0"), "\(shown[0])")
        for command in ["set table fe key 1.2.3.4 data.conn_cur 1", "set table fe key 1.2.3.4 data.nope 1",
                        "set table fe key 1.2.3.4 data.gpc0 x", "clear table fe data.gpc0 gt 5", "show table fe", "clear table fe", "show table fe", "clear table", "set table fe",
                        "set table fe key", "set table fe key nope data.gpc0 1", "show table fe"] {
            let answers = try ProxyUnderTest.allCases.map { normalized(try cli(pair, $0, command)) }
            XCTAssertEqual(answers[0], answers[1], command)
        }
    }

    func testEntriesExpireAfterTheirLastUse() throws {
        let pair = try start("""
                stick-table type ip size 10 expire 1500ms store conn_cnt
                http-request track-sc2 src
                http-request return status 200 content-type text/plain lf-string "%[table_cnt] %[table_avl] %[table_cnt(fe)]" if { path /count }
                http-after-response set-header X-Conns "%[sc2_conn_cnt] %[sc_tracked(2)] %[sc_trackers(2)]"
            """)
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(try status(pair.ports[proxy]!, from: "127.0.2.1"), 200)
            XCTAssertEqual(try status(pair.ports[proxy]!, from: "127.0.2.2"), 200)
        }
        for proxy in ProxyUnderTest.allCases {
            let client = try TCPClient.connect(port: pair.ports[proxy]!)
            defer { client.close() }
            try client.send(httpGet("/count"))
            let response = try client.readHTTPResponse()
            XCTAssertEqual(response?.bodyText, "3 7 3", "\(proxy): 127.0.0.1 tracked too")
            XCTAssertEqual(response?.value("X-Conns"), "1 1 1", "\(proxy): after-response rules see the counter")
        }
        for proxy in ProxyUnderTest.allCases {
            let shown = normalized(try cli(pair, proxy, "show table fe"))
            XCTAssertEqual(shown.first, "# table: fe, type: ip, size:10, used:3", "\(proxy)")
            XCTAssertEqual(shown.dropFirst().first, "key=127.0.0.1 use=0 conn_cnt=1", "\(proxy)")
            XCTAssertEqual(shown.last, "key=127.0.2.2 use=0 conn_cnt=1", "\(proxy)")
        }
        // Both forget the entries once 1.5 s passed without use.
        let deadline = Deadline(seconds: 10)
        var left: [ProxyUnderTest: String] = [:]
        repeat {
            for proxy in ProxyUnderTest.allCases { left[proxy] = normalized(try cli(pair, proxy, "show table fe")).first }
            if left.values.allSatisfy({ $0 == "# table: fe, type: ip, size:10, used:0" }) { break }
            sleepSeconds(0.1)
        } while !deadline.hasExpired
        XCTAssertEqual(left[.fulcrum], "# table: fe, type: ip, size:10, used:0")
        XCTAssertEqual(left[.haproxy], "# table: fe, type: ip, size:10, used:0")
    }

    func testConnectionTrackingRejectsOverTheConnectionRate() throws {
        let pair = try start("""
                stick-table type ip size 1k expire 30s store conn_rate(10s),conn_cnt,conn_cur,sess_cnt,http_req_cnt,gpc0
                tcp-request connection track-sc1 src
                tcp-request session sc-inc-gpc0(1) if { src 127.0.6.2 }
                tcp-request connection reject if { sc1_conn_rate gt 5 }
                http-request deny deny_status 429 if { sc_get_gpc0(1) gt 2 }
            """)
        var statuses: [ProxyUnderTest: [Int]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for source in ["127.0.6.1", "127.0.6.2"] {
                for _ in 0..<8 { statuses[proxy, default: []].append(try status(pair.ports[proxy]!, from: source)) }
            }
        }
        XCTAssertEqual(statuses[.haproxy], Array(repeating: 200, count: 5) + Array(repeating: 0, count: 3)
                       + [200, 200, 429, 429, 429, 0, 0, 0], "haproxy")
        XCTAssertEqual(statuses[.fulcrum], statuses[.haproxy])
        let shown = try ProxyUnderTest.allCases.map { normalized(try cli(pair, $0, "show table fe")) }
        XCTAssertEqual(shown[0], shown[1])
        XCTAssertEqual(shown[1].count, 3, "\(shown[1])")
    }

    func testContentTrackingInModeTCP() throws {
        let pair = try start("""
                stick-table type ip size 1k store conn_cnt,conn_cur,bytes_in_cnt
                tcp-request content track-sc0 src
                tcp-request content reject if { sc0_conn_cnt gt 3 }
            """, mode: "tcp")
        var statuses: [ProxyUnderTest: [Int]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for _ in 0..<5 { statuses[proxy, default: []].append(try status(pair.ports[proxy]!, from: "127.0.7.1")) }
        }
        XCTAssertEqual(statuses[.haproxy], [200, 200, 200, 0, 0], "haproxy")
        XCTAssertEqual(statuses[.fulcrum], statuses[.haproxy])
        let shown = try ProxyUnderTest.allCases.map { normalized(try cli(pair, $0, "show table fe")) }
        XCTAssertEqual(shown[0].prefix(1), shown[1].prefix(1))
        XCTAssertEqual(shown[0].dropFirst().first?.hasPrefix("key=127.0.7.1 use=0 conn_cnt=5 conn_cur=0 bytes_in_cnt="), true, "\(shown[0])")
        XCTAssertEqual(shown[1].dropFirst().first?.hasPrefix("key=127.0.7.1 use=0 conn_cnt=5 conn_cur=0 bytes_in_cnt="), true, "\(shown[1])")
    }

    /// `http-response track-sc*`, `sc-inc-gpc*` and `sc-set-gpt*`: the
    /// classic "deny a client after three 404s" counted on responses, and a
    /// string table keyed by a response header with gpc/gpt arrays; the same
    /// statuses, counters seen by a later rule, and `show table` contents.
    func testResponseStickActionsAsHAProxy() throws {
        let pair = try start("""
                stick-table type ip size 1k expire 30s store gpc0,gpc1,gpt0,gpc0_rate(10s),http_req_cnt,http_req_rate(10s),http_err_cnt,conn_cnt,conn_cur
                http-request deny deny_status 429 if { src_get_gpc0 gt 2 }
                http-response track-sc0 src
                http-response sc-inc-gpc0(0) if { status 404 }
                http-response sc-inc-gpc1
                http-response sc-set-gpt0(0) status if { status 404 }
                http-response track-sc1 res.hdr(x-tag) table tags
                http-response sc-inc-gpc(1,1)
                http-response sc-set-gpt(0,1) res.hdr_cnt
                http-response set-header X-Counters "%[sc0_get_gpc0] %[sc0_get_gpc1] %[sc0_http_req_cnt] %[sc_get_gpc(1,1)] %[sc_get_gpt(0,1)]"
            """, sections: """
            backend tags
                stick-table type string len 16 size 100 store gpc(2),gpt(1),http_req_cnt,conn_cur

            """, responder: { request in
                var r = ScriptedResponse.identify(request)
                if request.path.hasPrefix("/missing") { r.status = 404; r.reason = "Not Found" }
                if request.path.hasPrefix("/tagged/") { r.headers.append(("X-Tag", String(request.path.dropFirst(8)))) }
                return r
            })
        let visits: [(String, String)] = [
            ("127.0.8.1", "/missing/1"), ("127.0.8.1", "/missing/2"), ("127.0.8.1", "/missing/3"), ("127.0.8.1", "/"),
            ("127.0.8.2", "/tagged/a"), ("127.0.8.2", "/tagged/a"), ("127.0.8.2", "/tagged/b"), ("127.0.8.2", "/"),
            ("127.0.8.3", "/missing/x"), ("127.0.8.3", "/tagged/a"),
        ]
        var seen: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for (source, path) in visits {
                let fd = try SourceBoundClient.connect(from: source, port: pair.ports[proxy]!, timeout: 5)
                let client = TCPClient(descriptor: fd)
                defer { client.close() }
                try client.send(httpGet(path, ["Connection: close"]))
                let response = try client.readHTTPResponse(timeout: 5)
                seen[proxy, default: []].append("\(response?.status ?? 0) \(response?.value("X-Counters") ?? "-")")
            }
        }
        XCTAssertEqual(seen[.haproxy]?.map { $0.prefix(3) }, ["404", "404", "404", "429", "200", "200", "200", "200", "404", "200"], "haproxy")
        XCTAssertEqual(seen[.fulcrum], seen[.haproxy])
        for table in ["fe", "tags"] {
            let shown = try ProxyUnderTest.allCases.map { normalized(try cli(pair, $0, "show table \(table)")) }
            XCTAssertEqual(shown[0], shown[1], table)
            XCTAssertEqual(shown[1].count, table == "fe" ? 4 : 3, "\(shown[1])")
        }
        // The rules' refusals (a counter past 2, an unknown table, a fetch of the request) and a valid one.
        for (rule, status): (String, Int32) in [("http-response track-sc3 src", 1), ("http-response sc-inc-gpc0(4)", 1),
                               ("http-response track-sc2 src table nope", 1), ("http-response track-sc0 res.hdr(x)", 0),
                               ("http-response track-sc0 req.hdr(host)", 1), ("http-response sc-set-gpt(0,0) path", 1)] {
            let config = "defaults\n    mode http\nfrontend fe\n    bind 127.0.0.1:9\n"
                + "    stick-table type ip size 1k store gpc0,gpt(1)\n    \(rule)\n"
            let ours = try FulcrumProcess.checkConfig(config)
            let theirs = try FulcrumProcess.checkConfig(config, executable: try requireTool("haproxy"))
            XCTAssertEqual(theirs.status, status, "haproxy: \(rule)")
            XCTAssertEqual(ours.status, theirs.status, "fulcrum: \(rule): \(ours.stderr)")
            if rule.hasSuffix("req.hdr(host)") {
                let message = "fetch method 'req.hdr(host)' extracts information from 'HTTP request headers', none of which is available here."
                XCTAssertTrue(theirs.stderr.contains(message), theirs.stderr)
                XCTAssertTrue(ours.stderr.contains(message), ours.stderr)
            }
        }
    }

    /// The stick counter fetches haproxy 2.6 refuses although their names
    /// look like the rest of the family: the array forms under `scN_` (only
    /// `sc1_clr_gpc` is registered) and calls missing a mandatory argument.
    /// `haproxy -c` and `fulcrum -c` on the same file both refuse them with
    /// the same words, Fulcrum at the expression's line and column; the
    /// neighbours haproxy takes pass both.
    func testStickCounterFetchesHAProxyRefuses() throws {
        let haproxy = try requireTool("haproxy")
        let cases: [(rule: String, message: String?)] = [
            ("http-request set-var(txn.x) sc1_get_gpt(0)", "unknown fetch method 'sc1_get_gpt'"),
            ("http-request set-var(txn.x) sc1_get_gpc(0)", "unknown fetch method 'sc1_get_gpc'"),
            ("http-request set-var(txn.x) sc0_gpc_rate(1)", "unknown fetch method 'sc0_gpc_rate'"),
            ("http-request set-var(txn.x) sc2_inc_gpc(0)", "unknown fetch method 'sc2_inc_gpc'"),
            ("http-request set-var(txn.x) sc2_clr_gpc(1,fe)", "unknown fetch method 'sc2_clr_gpc'"),
            ("http-request deny if { sc0_get_gpt(0) gt 1 }", "unknown fetch method 'sc0_get_gpt' in ACL expression 'sc0_get_gpt(0)'"),
            ("acl hot sc1_get_gpc(1) gt 1", "unknown fetch method 'sc1_get_gpc' in ACL expression 'sc1_get_gpc(1)'"),
            ("http-request set-header x %[sc2_get_gpc(0)]", "unknown fetch method 'sc2_get_gpc'"),
            ("http-request set-var(txn.x) src_get_gpc(0)", "fetch method 'src_get_gpc' : missing arguments (got 1/2), type 'table' expected"),
            ("http-request set-var(txn.x) src_get_gpt", "fetch method 'src_get_gpt' : expected type 'integer' at position 1, but got nothing"),
            ("http-request set-var(txn.x) sc_get_gpt(0)", "fetch method 'sc_get_gpt' : missing arguments (got 1/2), type 'integer' expected"),
            ("http-request set-var(txn.x) sc_http_req_rate", "fetch method 'sc_http_req_rate' : expected type 'integer' at position 1, but got nothing"),
            ("http-request set-var(txn.x) sc1_clr_gpc(1)", nil),
            ("http-request set-var(txn.x) src_get_gpc(1,fe)", nil),
            ("http-request set-var(txn.x) sc_get_gpt(0,1)", nil),
            ("http-request set-var(txn.x) sc1_get_gpc0", nil),
        ]
        for (rule, message) in cases {
            let config = "defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n"
                + "frontend fe\n    bind 127.0.0.1:9\n    stick-table type ip size 1k store gpc(2),gpt(2)\n    \(rule)\n"
                + "    default_backend be\nbackend be\n    server s 127.0.0.1:9\n"
            let theirs = try FulcrumProcess.checkConfig(config, executable: haproxy)
            let ours = try FulcrumProcess.checkConfig(config)
            guard let message else {
                XCTAssertEqual(theirs.status, 0, "haproxy: \(rule): \(theirs.stderr)")
                XCTAssertEqual(ours.status, 0, "fulcrum: \(rule): \(ours.stderr)")
                continue
            }
            XCTAssertEqual(theirs.status, 1, "haproxy: \(rule)")
            XCTAssertTrue(theirs.stderr.contains(message), "haproxy: \(rule): \(theirs.stderr)")
            XCTAssertEqual(ours.status, 1, "fulcrum: \(rule)")
            XCTAssertTrue(ours.stderr.contains(message), "fulcrum: \(rule): \(ours.stderr)")
            // At the expression: the word holding the fetch on line 9.
            let name = message.split(separator: "'")[1]
            let fetch = rule.split(separator: " ").first { $0.contains(name) } ?? ""
            let column = (rule.range(of: fetch).map { rule.distance(from: rule.startIndex, to: $0.lowerBound) } ?? 0) + 5
            XCTAssertTrue(ours.stderr.contains("fulcrum.cfg:9:\(column): "), "fulcrum: \(rule): \(ours.stderr)")
        }
    }

    /// A client streaming 100,000 `set table` lines (5 MB) in prompt mode,
    /// faster than they are answered, as a bulk load does: both answer every
    /// line and hold every key; the CLI takes the lines as it answers them
    /// instead of closing the connection. (A million took Fulcrum 76 s where
    /// haproxy took 4 s, spent splitting each line again in every command
    /// router and copying the pipelined input per line.)
    func testPipelinedSetTableLinesAllAnswered() throws {
        let pair = try start("""
                stick-table type ip size 200k expire 1h store http_req_rate(10s),conn_cur
            """)
        let count = 100_000
        let keys = (0..<count).map { "10.\($0 >> 16).\(($0 >> 8) & 255).\($0 & 255)" }
        let lines = keys.map { "set table fe key \($0) data.http_req_rate 1\n" }.joined()
        for proxy in ProxyUnderTest.allCases {
            let result = try CommandRunner.run("socat", ["-t", "30", "-", "UNIX-CONNECT:\(pair.sockets[proxy]!)"],
                                               stdin: "prompt\n" + lines + "quit\n", timeout: 300)
            XCTAssertEqual(result.stdout.components(separatedBy: "> ").count - 1, count + 1, "\(proxy): a prompt after each line")
            let table = normalized(try MasterCLI.send("show table fe", socketPath: pair.sockets[proxy]!, timeout: 60))
            XCTAssertEqual(table.first, "# table: fe, type: ip, size:204800, used:\(count)", "\(proxy)")
            let listed = Set(table.dropFirst().compactMap { $0.split(separator: " ").first.map(String.init) })
            XCTAssertEqual(listed, Set(keys.map { "key=" + $0 }), "\(proxy): every key listed")
        }
    }
}
