import XCTest

/// `stick on src` and `stick store-response` / `stick match` persistence
/// side by side with haproxy 2.6 (nbthread 2 against 2 Fulcrum workers):
/// each client stays on the server it first got, whichever worker accepts
/// its connections, the table holds `server_id` and `server_key` as
/// haproxy's does, and a `non-stick` server is never recorded.
final class SideBySideStickPersistenceTests: XCTestCase {
    private struct Pair {
        let ports: [ProxyUnderTest: UInt16]
        let sockets: [ProxyUnderTest: String]
    }

    private func start(_ backend: String, mode: String = "http") throws -> Pair {
        let haproxy = try requireTool("haproxy")
        let web = try (1...3).map { n in
            try startRecordingBackend("web\(n)") { request in
                var r = ScriptedResponse.identify(request)
                if request.path.hasPrefix("/login") { r.headers.append(("Set-Cookie", "SID=s\(n)-\(request.path.dropFirst(7)); path=/")) }
                return r
            }
        }
        let files = try TemporaryDirectory(prefix: "stickp")
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
                    default_backend be
                backend be
                    balance roundrobin
                \(backend)
                    server web1 127.0.0.1:\(web[0].port)
                    server web2 127.0.0.1:\(web[1].port)
                    server web3 127.0.0.1:\(web[2].port) non-stick

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

    /// The server that answered one request on its own connection from `source`.
    private func servedBy(_ port: UInt16, from source: String, path: String = "/", headers: [String] = []) throws -> String? {
        let client = TCPClient(descriptor: try SourceBoundClient.connect(from: source, port: port, timeout: 5))
        defer { client.close() }
        try client.send(httpGet(path, ["Connection: close"] + headers))
        return try client.readHTTPResponse()?.value("X-Served-By")
    }

    private func table(_ pair: Pair, _ proxy: ProxyUnderTest) throws -> [String] {
        // Stick rules hold no entry: nothing to wait for.
        try MasterCLI.send("show table be", socketPath: pair.sockets[proxy]!).split(separator: "\n").map { line in
            line.split(separator: " ").filter { !$0.hasPrefix("0x") && !$0.hasPrefix("exp=") }.joined(separator: " ")
        }
    }

    func testStickOnSourceKeepsEachClientOnItsServerAcrossWorkers() throws {
        let pair = try start("""
                stick-table type ip size 1m expire 30m
                stick on src
            """)
        var tables: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            var first: [String: String] = [:], last: [String: String] = [:]
            for round in 0..<4 {
                for n in 1...6 {
                    let source = "127.0.3.\(n)"
                    let server = try XCTUnwrap(try servedBy(pair.ports[proxy]!, from: source), "\(proxy) \(source)")
                    if round == 0 { first[source] = server } else if first[source] != "web3" {
                        XCTAssertEqual(server, first[source], "\(proxy): \(source) round \(round)")
                    }
                    last[source] = server
                }
            }
            // A client web3 (non-stick) served first is recorded with the next server it gets.
            let shown = try table(pair, proxy)
            XCTAssertEqual(shown.first, "# table: be, type: ip, size:1048576, used:6", "\(proxy)")
            for (source, server) in last {
                XCTAssertNotEqual(server, "web3", "\(proxy): \(source) stuck to a non-stick server")
                XCTAssertTrue(shown.contains("key=\(source) use=0 server_id=\(server.dropFirst(3)) server_key=\(server)"), "\(proxy): \(shown)")
            }
            XCTAssertTrue(first.values.contains("web3"), "\(proxy): the balancer spread the clients")
            tables[proxy] = shown
        }
        XCTAssertEqual(tables[.fulcrum]?.count, tables[.haproxy]?.count)
    }

    func testStoreResponseCookieThenMatch() throws {
        let pair = try start("""
                stick-table type string len 32 size 100
                stick store-response res.cook(SID)
                stick match req.cook(SID)
            """)
        var shown: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let port = pair.ports[proxy]!
            // Logins until two sticky servers set a cookie (each worker balances on its own).
            var logins: [(cookie: String, server: String)] = []
            for n in 0..<12 where Set(logins.map(\.server)).count < 2 {
                let server = try XCTUnwrap(try servedBy(port, from: "127.0.4.1", path: "/login/u\(n)"))
                if server != "web3" { logins.append(("SID=s\(server.dropFirst(3))-u\(n)", server)) }
            }
            XCTAssertEqual(Set(logins.map(\.server)).count, 2, "\(proxy): \(logins)")
            for _ in 0..<4 {
                for (cookie, server) in logins {
                    XCTAssertEqual(try servedBy(port, from: "127.0.4.2", headers: ["Cookie: \(cookie)"]), server, "\(proxy) \(cookie)")
                }
            }
            let table = try self.table(pair, proxy)
            for (cookie, server) in logins {
                XCTAssertTrue(table.contains("key=\(cookie.dropFirst(4)) use=0 server_id=\(server.dropFirst(3)) server_key=\(server)"),
                              "\(proxy): \(table)")
            }
            shown[proxy] = table
        }
        XCTAssertEqual(shown[.fulcrum]?.first?.hasPrefix("# table: be, type: string, size:100, used:"), true)
        XCTAssertEqual(shown[.haproxy]?.first?.hasPrefix("# table: be, type: string, size:100, used:"), true)
    }

    func testStickOnSourceInModeTCPSticksEveryConnection() throws {
        let pair = try start("""
                stick-table type ip size 100 expire 1m
                stick on src
            """, mode: "tcp")
        for proxy in ProxyUnderTest.allCases {
            var last: [String: String] = [:]
            for round in 0..<3 {
                for n in 1...4 {
                    let source = "127.0.9.\(n)"
                    let server = try XCTUnwrap(try servedBy(pair.ports[proxy]!, from: source), "\(proxy) \(source)")
                    if round > 0, last[source] != "web3" { XCTAssertEqual(server, last[source], "\(proxy): \(source) round \(round)") }
                    last[source] = server
                }
            }
            let shown = try table(pair, proxy)
            for (source, server) in last {
                XCTAssertTrue(shown.contains("key=\(source) use=0 server_id=\(server.dropFirst(3)) server_key=\(server)"), "\(proxy): \(shown)")
            }
        }
    }
}
