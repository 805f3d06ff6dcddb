import XCTest

/// Server queueing side by side with haproxy 2.6: `maxqueue` (a full server
/// queue refuses with 503, or redispatches a persisted request), `minconn`
/// with `fullconn` (the server's limit follows the backend's load) and
/// `option abortonclose` (a queued stream whose client shut its side never
/// reaches the server).
final class SideBySideQueueingOptionsTests: XCTestCase {
    /// An origin answering "/slow*" after `delay` seconds, the rest at once.
    private func slowServer(_ name: String, delay: Double = 1) throws -> HTTPTestServer {
        try startHTTPServer(name: name) { request in
            var response = HTTPTestServer.Response.text(name, headers: [("X-Server", name)])
            if request.path.hasPrefix("/slow") { response.delay = delay }
            return response
        }
    }

    /// A client that sent `request` and has not read the answer yet.
    private func send(_ port: UInt16, _ request: String) throws -> TCPClient {
        let client = try TCPClient.connect(port: port)
        addTeardownBlock { client.close() }
        try client.send(request)
        return client
    }

    private func stats(_ sockets: SideBySideStatsSockets, _ proxy: ProxyUnderTest) throws -> StatsTable {
        try StatsTable(csv: MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!))
    }

    /// Polls `show stat` until `condition` holds (or 5 s pass); returns the last table.
    @discardableResult
    private func waitForStats(_ sockets: SideBySideStatsSockets, _ proxy: ProxyUnderTest,
                              _ condition: (StatsTable) -> Bool) throws -> StatsTable {
        let deadline = Deadline(seconds: 5)
        var table = try stats(sockets, proxy)
        while !condition(table) && !deadline.hasExpired {
            sleepSeconds(0.02)
            table = try stats(sockets, proxy)
        }
        return table
    }

    func testMaxqueueRefusesOrRedispatchesAPersistedRequest() throws {
        for redispatch in [false, true] {
            let s1 = try slowServer("s1"), s2 = try slowServer("s2")
            let sockets = try SideBySideStatsSockets(self)
            let config = SideBySide.httpDefaults + """
                frontend fe
                    bind 127.0.0.1:{port}
                    default_backend be
                backend be
                    timeout queue 5s
                    cookie SRV insert indirect nocache
                    \(redispatch ? "option redispatch" : "")
                    server s1 127.0.0.1:\(s1.port) cookie c1 maxconn 1 maxqueue 1
                    server s2 127.0.0.1:\(s2.port) cookie c2

                """
            let sbs = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                                     substitutions: sockets.substitutions)
            var seen: [ProxyUnderTest: [String]] = [:]
            for proxy in ProxyUnderTest.allCases {
                let port = sbs.ports[proxy]![0]
                let before = s1.requests.count
                // A holds s1's only slot, B waits in s1's own queue (its maxqueue).
                let a = try send(port, httpGet("/slow-a", ["Cookie: SRV=c1"]))
                XCTAssertTrue(s1.waitForRequests(before + 1), "\(proxy)")
                let b = try send(port, httpGet("/slow-b", ["Cookie: SRV=c1"]))
                let queued = try waitForStats(sockets, proxy) { $0.int("be/s1", "qcur") == 1 }
                XCTAssertEqual(queued.int("be/s1", "qcur"), 1, "\(proxy): B in s1's queue")
                XCTAssertEqual(queued.int("be/BACKEND", "qcur"), 0, "\(proxy): not in the backend's queue")
                XCTAssertEqual(queued.int("be/s1", "qlimit"), 1, "\(proxy): maxqueue shown as qlimit")
                // C finds s1's queue full.
                let c = try send(port, httpGet("/c", ["Cookie: SRV=c1"]))
                let third = try c.readHTTPResponse()
                let first = try a.readHTTPResponse(), second = try b.readHTTPResponse()
                seen[proxy] = [first, second, third].map { r in "\(r?.status ?? 0) \(r?.value("X-Server") ?? "-")" }
                if !redispatch {
                    XCTAssertEqual(try stats(sockets, proxy).int("be/s1", "econ"), 1, "\(proxy): a failed connection of s1")
                }
            }
            let expected = redispatch ? ["200 s1", "200 s1", "200 s2"] : ["200 s1", "200 s1", "503 -"]
            XCTAssertEqual(seen[.haproxy], expected, "haproxy, redispatch \(redispatch)")
            XCTAssertEqual(seen[.fulcrum], expected, "fulcrum, redispatch \(redispatch)")
        }
    }

    func testMinconnFollowsTheBackendLoadUpToFullconn() throws {
        let dynamic = try slowServer("dynamic", delay: 1.5), fixed = try slowServer("fixed", delay: 1.5)
        let sockets = try SideBySideStatsSockets(self)
        // fullconn 40, maxconn 10: with 4 streams in the backend the limit is
        // max(minconn 1, 4 × 10 / 40) = 1; the same server without minconn takes all 4.
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend dyn
            frontend fe2
                bind 127.0.0.1:{port2}
                default_backend fix
            backend dyn
                timeout queue 10s
                fullconn 40
                server s 127.0.0.1:\(dynamic.port) minconn 1 maxconn 10
            backend fix
                fullconn 40
                server s 127.0.0.1:\(fixed.port) maxconn 10

            """
        let sbs = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                                 substitutions: sockets.substitutions)
        for proxy in ProxyUnderTest.allCases {
            var clients: [TCPClient] = []
            for i in 0..<4 {
                clients.append(try send(sbs.ports[proxy]![0], httpGet("/slow-\(i)")))
                clients.append(try send(sbs.ports[proxy]![1], httpGet("/slow-\(i)")))
            }
            let table = try waitForStats(sockets, proxy) {
                ($0.int("dyn/s", "scur") ?? 0) + ($0.int("dyn/BACKEND", "qcur") ?? 0) == 4 && $0.int("fix/s", "scur") == 4
            }
            XCTAssertEqual(table.int("dyn/s", "scur"), 1, "\(proxy): dynamic maxconn at a load of 4")
            XCTAssertEqual(table.int("dyn/BACKEND", "slim"), 40, "\(proxy): fullconn shown as the backend's slim")
            XCTAssertEqual(table.int("dyn/BACKEND", "qcur"), 3, "\(proxy): the rest wait")
            XCTAssertEqual(table.int("fix/s", "scur"), 4, "\(proxy): static maxconn")
            for client in clients { XCTAssertEqual(try client.readHTTPResponse(timeout: 10)?.status, 200, "\(proxy)") }
        }
    }

    /// HAProxy 2.6 acts on `abortonclose` in mode tcp: a stream still in the
    /// queue whose client shut its side is dropped (CQ). (A mode http request
    /// from an HTTP/1 client that half-closes is still served by 2.6, so
    /// Fulcrum serves it too.)
    func testAbortOnCloseDropsAQueuedStreamWhoseClientLeft() throws {
        let abort = try startBackend(.echo), keep = try startBackend(.echo)
        let sockets = try SideBySideStatsSockets(self)
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend abort
            frontend fe2
                bind 127.0.0.1:{port2}
                default_backend keep
            backend abort
                timeout queue 5s
                option abortonclose
                server s 127.0.0.1:\(abort.port) maxconn 1
            backend keep
                timeout queue 5s
                server s 127.0.0.1:\(keep.port) maxconn 1

            """
        let sbs = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                                 substitutions: sockets.substitutions)
        var seen: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for (frontend, server, backend) in [(0, abort, "abort"), (1, keep, "keep")] {
                let port = sbs.ports[proxy]![frontend]
                let before = server.acceptedCount
                // A holds the server's only slot.
                let a = try send(port, "a\n")
                XCTAssertEqual(try a.readLine(), "a", "\(proxy) \(backend)")
                // B waits in the queue, then shuts its side.
                let b = try send(port, "b\n")
                try waitForStats(sockets, proxy) { $0.int("\(backend)/BACKEND", "qcur") == 1 }
                try b.shutdownWrite()
                let c = try send(port, "c\n")
                try waitForStats(sockets, proxy) { ($0.int("\(backend)/BACKEND", "qcur") ?? 0) >= 1 }
                a.close()
                let bAnswer = try b.readLine(timeout: 5) ?? (backend == "abort" ? "\(try b.receiveUntilEOF(timeout: 5).end)" : "-")
                XCTAssertEqual(try c.readLine(timeout: 5), "c", "\(proxy) \(backend): C served")
                seen[proxy, default: [:]][backend] = "B read \(bAnswer), \(server.acceptedCount - before) server connections"
            }
        }
        for proxy in ProxyUnderTest.allCases {
            XCTAssertEqual(seen[proxy]?["abort"], "B read eof, 2 server connections", "\(proxy): B never reached the server, closed with a FIN")
            XCTAssertEqual(seen[proxy]?["keep"], "B read b, 3 server connections", "\(proxy): B served without the option")
        }
    }

    /// `option http-buffer-request`: no server connection until the whole
    /// body is in; a body that does not come in `timeout http-request` is a
    /// 408. Without the option the server is connected with the head.
    func testBufferRequestWaitsForTheBodyBeforeConnecting() throws {
        let buffered = try startHTTPServer(name: "buffered"), direct = try startHTTPServer(name: "direct")
        let sockets = try SideBySideStatsSockets(self)
        let config = """
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s
                timeout http-request 1s
            frontend fe
                bind 127.0.0.1:{port}
                default_backend buffered
            frontend fe2
                bind 127.0.0.1:{port2}
                default_backend direct
            backend buffered
                option http-buffer-request
                server s 127.0.0.1:\(buffered.port)
            backend direct
                server s 127.0.0.1:\(direct.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                                 substitutions: sockets.substitutions)
        let head = "POST /up HTTP/1.1\r\nHost: site\r\nContent-Length: 10\r\n\r\n"
        for proxy in ProxyUnderTest.allCases {
            // Without the option: the head alone reaches the server.
            let before = direct.acceptedCount
            let plain = try send(sbs.ports[proxy]![1], head + "01234")
            XCTAssertTrue(waitUntil(timeout: 5) { direct.acceptedCount > before }, "\(proxy): connected with the head")
            try plain.send("56789")
            XCTAssertEqual(try plain.readHTTPResponse()?.status, 200, "\(proxy)")

            // With it: the head is parsed (counted) but nothing is connected
            // until the last body byte.
            let accepted = buffered.acceptedCount
            let client = try send(sbs.ports[proxy]![0], head + "01234")
            let table = try waitForStats(sockets, proxy) { $0.int("buffered/BACKEND", "stot") == 1 }
            XCTAssertEqual(table.int("buffered/BACKEND", "stot"), 1, "\(proxy): in the backend")
            XCTAssertEqual(table.int("buffered/s", "stot"), 0, "\(proxy): no server session while the body is incomplete")
            XCTAssertEqual(buffered.acceptedCount, accepted, "\(proxy): no connection while the body is incomplete")
            try client.send("56789")
            XCTAssertEqual(try client.readHTTPResponse()?.status, 200, "\(proxy)")
            XCTAssertEqual(buffered.requests.last.map { String(decoding: $0.body, as: UTF8.self) }, "0123456789", "\(proxy)")

            // A body that never completes: 408 at timeout http-request, no server.
            let stalled = try send(sbs.ports[proxy]![0], head + "012")
            XCTAssertEqual(try stalled.readHTTPResponse(timeout: 5)?.status, 408, "\(proxy)")
            XCTAssertEqual(buffered.acceptedCount, accepted + 1, "\(proxy)")
        }
    }
}
