import XCTest
import Foundation

/// How a stream is counted, sent and queued, side by side with haproxy 2.6:
/// `option contstats` (byte counters grow during a long transfer, not only
/// at its end), `option http-no-delay` (no MSG_MORE on a partial message)
/// and `max-keep-alive-queue` (when `prefer-last-server` gives up on a full
/// server).
final class SideBySideStreamOptionsTests: XCTestCase {
    /// Two frontends, `fe` with `option contstats` and `fe2` without, each to
    /// its own trickling server (20 pieces of 1000 bytes, 0.4 s apart). While
    /// both transfers run, `fe`'s bytes out reach `show stat`; `fe2`'s stay 0
    /// until its transfer ends. At the end both count the same bytes, on
    /// both proxies.
    func testContstatsCountsBytesDuringATransfer() throws {
        for mode in ["http", "tcp"] {
            try contstats(mode: mode)
        }
    }

    private func contstats(mode: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let sockets = try SideBySideStatsSockets(self)
        var substitutions = sockets.substitutions
        let pieces = 20, piece = 1000
        let head = mode == "http" ? "HTTP/1.1 200 OK\r\nContent-Length: \(pieces * piece)\r\n\r\n" : ""
        var servers: [ProxyUnderTest: [TestBackend]] = [:]
        for proxy in ProxyUnderTest.allCases {
            servers[proxy] = try (0..<2).map { _ in
                try TestBackend(.trickle(head: head, chunk: piece, count: pieces, interval: 0.4))
            }
            substitutions[proxy]!["{s1}"] = "\(servers[proxy]![0].port)"
            substitutions[proxy]!["{s2}"] = "\(servers[proxy]![1].port)"
        }
        let config = """
            defaults
                mode \(mode)
                timeout connect 2s
                timeout client 30s
                timeout server 30s
            frontend fe
                bind 127.0.0.1:{port}
                option contstats
                default_backend b1
            frontend fe2
                bind 127.0.0.1:{port2}
                default_backend b2
            backend b1
                server s 127.0.0.1:{s1}
            backend b2
                server s 127.0.0.1:{s2}

            """
        let sbs = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                                 substitutions: substitutions)
        let request = mode == "http" ? "GET / HTTP/1.1\r\nHost: site\r\n\r\n" : "hello\n"
        let total = head.utf8.count + pieces * piece
        var clients: [ProxyUnderTest: [TCPClient]] = [:]
        for proxy in ProxyUnderTest.allCases {
            clients[proxy] = try (0..<2).map { i in
                let c = try TCPClient.connect(port: sbs.ports[proxy]![i])
                try c.send(request)
                return c
            }
        }
        defer { for c in clients.values.joined() { c.close() } }
        func bytesOut(_ proxy: ProxyUnderTest, _ row: String) -> Int? {
            guard let csv = try? MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!),
                  let table = try? StatsTable(csv: csv) else { return nil }
            return table.rows[row]?["bout"].flatMap { Int($0) }
        }
        for proxy in ProxyUnderTest.allCases {
            // The transfers are short enough for the sockets to hold them unread.
            var during: [String: Int] = [:]
            let seen = waitUntil(timeout: 12, interval: 0.1) {
                guard let fe = bytesOut(proxy, "fe/FRONTEND"), fe > 0 else { return false }
                during = ["fe": fe, "b1": bytesOut(proxy, "b1/BACKEND") ?? -1, "b1/s": bytesOut(proxy, "b1/s") ?? -1,
                          "fe2": bytesOut(proxy, "fe2/FRONTEND") ?? -1, "b2": bytesOut(proxy, "b2/BACKEND") ?? -1]
                return true
            }
            XCTAssertTrue(seen, "\(proxy) \(mode): fe's bytes out reached the stats during the transfer", file: file, line: line)
            XCTAssertEqual(servers[proxy]![1].activeCount, 1, "\(proxy) \(mode): fe2's transfer was still running", file: file, line: line)
            XCTAssertGreaterThan(during["b1"] ?? 0, 0, "\(proxy) \(mode): the backend too \(during)", file: file, line: line)
            XCTAssertGreaterThan(during["b1/s"] ?? 0, 0, "\(proxy) \(mode): the server too \(during)", file: file, line: line)
            XCTAssertEqual(during["fe2"], 0, "\(proxy) \(mode): without the option, nothing before the end \(during)", file: file, line: line)
            XCTAssertEqual(during["b2"], 0, "\(proxy) \(mode): \(during)", file: file, line: line)
        }
        var final: [ProxyUnderTest: [Int?]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for c in clients[proxy]! {
                XCTAssertEqual(try c.receiveUntilEOF(timeout: 15, limit: total).bytes.count, total, "\(proxy) \(mode)", file: file, line: line)
                c.close()   // mode tcp: the stream ends with the client's side
            }
            XCTAssertTrue(waitUntil(timeout: 5) {
                final[proxy] = ["fe/FRONTEND", "fe2/FRONTEND", "b1/BACKEND", "b2/BACKEND", "b1/s", "b2/s"].map { bytesOut(proxy, $0) }
                return final[proxy]!.allSatisfy { $0 == final[proxy]![0] }
            }, "\(proxy) \(mode): the same bytes out everywhere at the end: \(final[proxy] ?? [])", file: file, line: line)
        }
        XCTAssertEqual(final[.fulcrum]!, final[.haproxy]!, "\(mode): the totals", file: file, line: line)
    }

    /// A response whose body is not all there yet: haproxy sends what it has
    /// with MSG_MORE (the kernel may hold it up to 200 ms), and without it
    /// under `option http-no-delay` (in the frontend here, in the backend
    /// for `fe3`). Seen in the proxies' sendto calls with strace.
    func testHTTPNoDelaySendsPartialResponsesWithoutMSGMore() throws {
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        var servers: [ProxyUnderTest: TestBackend] = [:]
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n"
        for proxy in ProxyUnderTest.allCases {
            servers[proxy] = try TestBackend(.trickle(head: head, chunk: 100, count: 2, interval: 0.3))
            substitutions[proxy] = ["{s}": "\(servers[proxy]!.port)"]
        }
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend b
            frontend fe2
                bind 127.0.0.1:{port2}
                option http-no-delay
                default_backend b
            frontend fe3
                bind 127.0.0.1:{port3}
                default_backend quick
            backend b
                server s 127.0.0.1:{s}
            backend quick
                option http-no-delay
                server s 127.0.0.1:{s}

            """
        let sbs = try SideBySide(self, config: config, backends: [], substitutions: substitutions)
        var flags: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let process = sbs.processes[proxy]!
            for frontend in 0..<3 {
                let lines = try SyscallTrace.lines(of: [process.pid] + process.descendantPids(), calls: ["sendto"],
                                                   until: { $0.contains("\"HTTP/1.1 200 OK") }) {
                    let client = try HTTPTestClient(port: sbs.ports[proxy]![frontend])
                    defer { client.close() }
                    XCTAssertEqual(try client.request().status, 200, "\(proxy) frontend \(frontend + 1)")
                }
                let sent = lines.first { $0.contains("\"HTTP/1.1 200 OK") } ?? ""
                flags[proxy, default: []].append(sent.contains("MSG_MORE") ? "MSG_MORE" : "-")
            }
        }
        XCTAssertEqual(flags[.haproxy], ["MSG_MORE", "-", "-"])
        XCTAssertEqual(flags[.fulcrum], flags[.haproxy])
    }

    /// `balance first`, two servers of maxconn 1, `prefer-last-server`: a
    /// keep-alive client's second request finds its server busy with another
    /// client's held request. Without a limit it waits in that server's
    /// queue (qcur 1) and is served there once it frees; with
    /// `max-keep-alive-queue 0` the balancer sends it to the free server.
    func testMaxKeepAliveQueueGivesUpOnAFullLastServer() throws {
        let sockets = try SideBySideStatsSockets(self)
        var substitutions = sockets.substitutions
        let released = Released()
        var backends: [RecordingHTTPBackend] = []
        for proxy in ProxyUnderTest.allCases {
            for name in ["s1", "s2"] {
                let server = try startRecordingBackend(name) { request in
                    if request.path.hasPrefix("/hold") {
                        _ = waitUntil(timeout: 15, interval: 0.01) { released.contains("\(proxy)\(request.path)") }
                    }
                    return ScriptedResponse.identify(request)
                }
                backends.append(server)
                substitutions[proxy]!["{\(name)}"] = "\(server.port)"
            }
        }
        let servers = """
                balance first
                option prefer-last-server
                http-reuse never
                server s1 127.0.0.1:{s1} maxconn 1
                server s2 127.0.0.1:{s2} maxconn 1
            """
        let config = """
            defaults
                mode http
                timeout connect 2s
                timeout client 20s
                timeout server 20s
                timeout queue 20s
            frontend fe
                bind 127.0.0.1:{port}
                default_backend nolimit
            frontend fe2
                bind 127.0.0.1:{port2}
                default_backend limit0
            backend nolimit
            \(servers)
            backend limit0
                max-keep-alive-queue 0
            \(servers)

            """
        let sbs = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                                 substitutions: substitutions)
        func queued(_ proxy: ProxyUnderTest, _ row: String) -> Int? {
            guard let csv = try? MasterCLI.send("show stat", socketPath: sockets.paths[proxy]!),
                  let table = try? StatsTable(csv: csv) else { return nil }
            return table.rows[row]?["qcur"].flatMap { Int($0) }
        }
        var servedBy: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for (i, backend) in [(0, "nolimit"), (1, "limit0")] {
                let port = sbs.ports[proxy]![i]
                let a = try HTTPTestClient(port: port)
                defer { a.close() }
                XCTAssertEqual(try a.request("GET", "/a1").header("X-Served-By"), "s1", "\(proxy) \(backend)")
                // Another client's request takes s1's only slot and is held there.
                let b = try HTTPTestClient(port: port)
                defer { b.close() }
                try b.send(HTTPTestClient.requestText("GET", "/hold\(i)"))
                XCTAssertTrue(waitUntil(timeout: 5) { backends.contains { $0.requests.contains { $0.path == "/hold\(i)" } } },
                              "\(proxy) \(backend): the held request reached a server")
                try a.send(HTTPTestClient.requestText("GET", "/a2"))
                if backend == "nolimit" {
                    XCTAssertTrue(waitUntil(timeout: 5) { queued(proxy, "\(backend)/s1") == 1 },
                                  "\(proxy): the second request waits in s1's queue")
                    released.insert("\(proxy)/hold\(i)")
                }
                let second = try a.readResponse(timeout: 10)
                servedBy[proxy, default: []].append(second?.header("X-Served-By") ?? "none")
                released.insert("\(proxy)/hold\(i)")
                XCTAssertEqual(try b.readResponse(timeout: 10)?.header("X-Served-By"), "s1", "\(proxy) \(backend)")
            }
        }
        XCTAssertEqual(servedBy[.haproxy], ["s1", "s2"])
        XCTAssertEqual(servedBy[.fulcrum], servedBy[.haproxy])
    }
}

extension SideBySideStreamOptionsTests {
    /// `option independent-streams` as haproxy 2.6.12 acts on it: a
    /// download to a client that sends nothing outlives `timeout client`
    /// (500 ms) five times over with or without it (frontend), and so does
    /// an upload to a server that answers only at the end (`timeout server`
    /// 500 ms) with the option in the frontend; with it in the backend, the
    /// silent server's side times out and the upload is cut.
    func testIndependentStreamsActsOnTheServerSideOnly() throws {
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        var keep: [TestBackend] = []
        for proxy in ProxyUnderTest.allCases {
            let source = try TestBackend(.trickle(head: "", chunk: 100, count: 10, interval: 0.25))
            let sink = try TestBackend(.sink)
            keep += [source, sink]
            substitutions[proxy] = ["{source}": "\(source.port)", "{sink}": "\(sink.port)"]
        }
        let config = """
            defaults
                mode tcp
                timeout connect 2s
                timeout client 500ms
                timeout server 500ms
            frontend down
                bind 127.0.0.1:{port}
                timeout client 500ms
                default_backend source
            frontend down2
                bind 127.0.0.1:{port2}
                option independent-streams
                default_backend source
            frontend up
                bind 127.0.0.1:{port3}
                timeout client 10s
                default_backend sink
            frontend up2
                bind 127.0.0.1:{port4}
                timeout client 10s
                option independent-streams
                default_backend sink
            frontend up3
                bind 127.0.0.1:{port5}
                timeout client 10s
                default_backend sink2
            backend source
                timeout server 10s
                server s 127.0.0.1:{source}
            backend sink
                server s 127.0.0.1:{sink}
            backend sink2
                option independent-streams
                server s 127.0.0.1:{sink}

            """
        let sbs = try SideBySide(self, config: config, backends: [], substitutions: substitutions)
        var outcome: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            for i in 0..<2 {
                let c = try TCPClient.connect(port: sbs.ports[proxy]![i])
                defer { c.close() }
                try c.send("hello\n")
                let got = try c.receiveUntilEOF(timeout: 10)
                outcome[proxy, default: []].append("download \(i + 1): \(got.bytes.count) bytes, \(got.end)")
            }
            for i in 2..<5 {
                let c = try TCPClient.connect(port: sbs.ports[proxy]![i])
                defer { c.close() }
                var cut = false
                for k in 0..<10 where !cut {
                    // The client's own pace: a piece every 250 ms, half the server timeout.
                    do { try c.send(TestPattern.bytes(count: 100, from: k * 100)) } catch { cut = true }
                    sleepSeconds(0.25)
                }
                if !cut { try? c.shutdownWrite() }
                let answer = cut ? nil : try? c.readLine(timeout: 5)
                outcome[proxy, default: []].append("upload \(i - 1): \((answer ?? nil) ?? "closed")")
            }
        }
        XCTAssertEqual(outcome[.haproxy], ["download 1: 1000 bytes, eof", "download 2: 1000 bytes, eof",
                                           "upload 1: 1000", "upload 2: 1000", "upload 3: closed"])
        XCTAssertEqual(outcome[.fulcrum], outcome[.haproxy])
    }
}

/// Names a test released, read by server threads.
private final class Released: @unchecked Sendable {
    private let lock = NSLock()
    private var names: Set<String> = []
    func insert(_ name: String) { lock.lock(); names.insert(name); lock.unlock() }
    func contains(_ name: String) -> Bool { lock.lock(); defer { lock.unlock() }; return names.contains(name) }
}
