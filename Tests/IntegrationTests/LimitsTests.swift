import Glibc
import XCTest

/// Connection limits through the real binary: frontend, bind and global
/// maxconn (extra clients wait in the kernel backlog), server maxconn (extra
/// clients wait in the proxy's queue, bounded by `timeout queue`), and the
/// retry and redispatch rules when a server refuses connections.
final class LimitsTests: XCTestCase {
    // MARK: frontend, bind and global maxconn

    func testFrontendMaxconnHoldsExtraConnectionsWithOneWorker() throws {
        try checkAcceptLimit(workers: 1, global: [], frontend: ["maxconn 3"], bindOptions: "")
    }

    func testFrontendMaxconnHoldsExtraConnectionsAcrossTwoWorkers() throws {
        try checkAcceptLimit(workers: 2, global: [], frontend: ["maxconn 3"], bindOptions: "")
    }

    func testBindMaxconnHoldsExtraConnections() throws {
        try checkAcceptLimit(workers: 2, global: [], frontend: [], bindOptions: " maxconn 3")
    }

    func testGlobalMaxconnHoldsExtraConnections() throws {
        try checkAcceptLimit(workers: 2, global: ["maxconn 3"], frontend: [], bindOptions: "")
    }

    /// The global limit counts the connections of every frontend together.
    func testGlobalMaxconnSpansFrontends() throws {
        let backend = try startBackend(.echo)
        let portA = try FreePort.next()
        let portB = try FreePort.next()
        try startProxy(workers: 2, ports: [portA, portB], config: config(workers: 2, global: ["maxconn 2"], sections: """
            frontend fa
                bind 127.0.0.1:\(portA)
                default_backend be
            frontend fb
                bind 127.0.0.1:\(portB)
                default_backend be
            backend be
                server s1 127.0.0.1:\(backend.port)

            """))
        let onA = try echoingClient(port: portA, tag: "a1")
        let onB = try echoingClient(port: portB, tag: "b1")
        let waiting = try TCPClient.connect(port: portA)
        try waiting.send("a2\n")
        XCTAssertEqual(try waiting.receive(count: 3, timeout: 0.7).end, .timeout, "third connection proxied above global maxconn 2")
        XCTAssertEqual(backend.acceptedCount, 2)

        onB.close()
        XCTAssertEqual(try waiting.readLine(timeout: 5), "a2", "a freed slot on the other frontend admits the waiting client")
        XCTAssertEqual(backend.acceptedCount, 3)
        try onA.send("still\n")
        XCTAssertEqual(try onA.readLine(), "still")
    }

    // MARK: server maxconn and the queue

    /// Five clients, server maxconn 2, two workers: the server never sees more
    /// than 2 at once; the others wait (open, silent) and each close admits
    /// exactly one of them.
    func testServerMaxconnQueuesExtraClientsAcrossWorkers() throws {
        let backend = try startBackend(.echo)
        let port = try startSingleProxy(workers: 2, defaults: ["timeout queue 20s"],
                                        backend: ["server s1 127.0.0.1:\(backend.port) maxconn 2"])
        var waiting: [(client: TCPClient, tag: String)] = []
        for i in 0..<5 {
            let client = try TCPClient.connect(port: port)
            try client.send("q\(i)\n")
            waiting.append((client, "q\(i)"))
        }
        XCTAssertTrue(backend.waitForAccepted(atLeast: 2))
        sleepSeconds(0.5)
        XCTAssertEqual(backend.acceptedCount, 2, "server maxconn 2 exceeded")
        XCTAssertEqual(backend.activeCount, 2)

        var served = try collectServed(&waiting, expected: 2, within: 5)
        XCTAssertEqual(served.count, 2, "clients served while 3 wait")
        XCTAssertEqual(waiting.count, 3)

        for round in 1...3 {
            served.removeFirst().close()
            let next = try collectServed(&waiting, expected: 1, within: 5)
            XCTAssertEqual(next.count, 1, "round \(round): one close admits one waiting client")
            served += next
            XCTAssertEqual(backend.acceptedCount, 2 + round)
            XCTAssertLessThanOrEqual(backend.activeCount, 2, "round \(round)")
        }
        XCTAssertTrue(waiting.isEmpty)
        for client in served {
            try client.send("ok\n")
            XCTAssertEqual(try client.readLine(), "ok")
        }
    }

    /// A client queued longer than `timeout queue` is closed by the proxy;
    /// the two connections holding the server's slots are unaffected.
    func testQueueTimeoutClosesTheWaitingClient() throws {
        let backend = try startBackend(.echo)
        let port = try startSingleProxy(workers: 2, defaults: ["timeout queue 500ms"],
                                        backend: ["server s1 127.0.0.1:\(backend.port) maxconn 2"])
        let first = try echoingClient(port: port, tag: "one")
        let second = try echoingClient(port: port, tag: "two")
        let queued = try TCPClient.connect(port: port)
        let start = Deadline.nowNanoseconds()
        try queued.send("three\n")
        let end = try queued.waitForClose(timeout: 5)
        let elapsed = Double(Deadline.nowNanoseconds() - start) / 1e9
        XCTAssertTrue(end == .reset || end == .eof, "queued client: \(end)")
        XCTAssertGreaterThanOrEqual(elapsed, 0.45, "closed before timeout queue 500ms")
        XCTAssertLessThan(elapsed, 2.5, "queue timeout not enforced promptly")
        XCTAssertEqual(backend.acceptedCount, 2)

        for (client, text) in [(first, "one again"), (second, "two again")] {
            try client.send(text + "\n")
            XCTAssertEqual(try client.readLine(), text)
        }
    }

    /// A maxconn 1 server is shared by one client at a time, the others
    /// queued in both workers. A slot freed in one worker must reach clients
    /// queued in the other within its 10 ms re-check, well before `timeout
    /// queue`.
    func testQueueIsServedAcrossWorkers() throws {
        try checkQueueServedAcrossWorkers(refusedClientsFirst: 0)
    }

    /// The same, after both workers have closed clients for want of a server
    /// (frontend `dead` has only a disabled server): that must not stop a
    /// worker from re-checking its queue.
    func testQueueIsServedAcrossWorkersAfterClientsWereRefused() throws {
        try checkQueueServedAcrossWorkers(refusedClientsFirst: 16)
    }

    // MARK: retries and redispatch

    /// s1 refuses connections; with `retries 2` and `option redispatch` the
    /// last retry goes to s2, so every client is served, by s2.
    func testRedispatchMovesClientsOffARefusingServer() throws {
        let refusing = try FreePort.next()
        let s2 = try startBackend(.identify("s2"))
        let port = try startSingleProxy(workers: 2, defaults: ["timeout connect 200ms", "retries 2", "option redispatch"],
                                        backend: ["server s1 127.0.0.1:\(refusing)",
                                                  "server s2 127.0.0.1:\(s2.port)"])
        var names: [String] = []
        for _ in 0..<10 {
            let client = try TCPClient.connect(port: port)
            names.append(try client.readLine(timeout: 5) ?? "<closed>")
            client.close()
        }
        XCTAssertEqual(names, Array(repeating: "s2", count: 10))
        XCTAssertEqual(s2.acceptedCount, 10)
    }

    /// Without redispatch the retries stay on the refusing server: after the
    /// first attempt and 2 retries, each preceded by min(timeout connect, 1 s)
    /// = 200 ms, the client is closed.
    func testRetriesWithoutRedispatchGiveUpAfterTheRetryDelays() throws {
        let refusing = try FreePort.next()
        let port = try startSingleProxy(workers: 1, defaults: ["timeout connect 200ms", "retries 2"],
                                        backend: ["server s1 127.0.0.1:\(refusing)"])
        let start = Deadline.nowNanoseconds()
        let end = try endOfRefusedClient(port: port)
        let elapsed = Double(Deadline.nowNanoseconds() - start) / 1e9
        XCTAssertTrue(end == .reset || end == .eof, "\(end)")
        XCTAssertGreaterThanOrEqual(elapsed, 0.35, "2 retries must wait 200 ms each")
        XCTAssertLessThan(elapsed, 2, "gave up far later than 2 retry delays")

        let noRetries = try startSingleProxy(workers: 1, defaults: ["timeout connect 200ms", "retries 0"],
                                             backend: ["server s1 127.0.0.1:\(refusing)"])
        let quickStart = Deadline.nowNanoseconds()
        let quickEnd = try endOfRefusedClient(port: noRetries)
        XCTAssertTrue(quickEnd == .reset || quickEnd == .eof, "\(quickEnd)")
        XCTAssertLessThan(Double(Deadline.nowNanoseconds() - quickStart) / 1e9, 0.15, "retries 0 must not wait")
    }

    // MARK: helpers

    private func checkQueueServedAcrossWorkers(refusedClientsFirst refused: Int) throws {
        let backend = try startBackend(.echo)
        let deadPort = try FreePort.next()
        let queuePort = try FreePort.next()
        let unused = try FreePort.next()
        try startProxy(workers: 2, ports: [deadPort, queuePort], config: config(workers: 2, defaults: ["timeout queue 4s"], sections: """
            frontend dead
                bind 127.0.0.1:\(deadPort)
                default_backend nothing
            frontend queued
                bind 127.0.0.1:\(queuePort)
                default_backend one
            backend nothing
                server d1 127.0.0.1:\(unused) disabled
            backend one
                server s1 127.0.0.1:\(backend.port) maxconn 1

            """))
        for i in 0..<refused {
            let end = try endOfRefusedClient(port: deadPort)
            XCTAssertTrue(end == .reset || end == .eof, "client \(i) to a backend without servers: \(end)")
        }

        var served = [try echoingClient(port: queuePort, tag: "first")]
        var waiting: [(client: TCPClient, tag: String)] = []
        for i in 0..<8 {
            let client = try TCPClient.connect(port: queuePort)
            try client.send("w\(i)\n")
            waiting.append((client, "w\(i)"))
        }
        sleepSeconds(0.3)
        XCTAssertEqual(backend.acceptedCount, 1)
        for round in 1...8 {
            served.removeFirst().close()
            let next = try collectServed(&waiting, expected: 1, within: 2)
            guard next.count == 1 else {
                XCTFail("round \(round): no queued client admitted within 2 s of a free slot "
                        + "(\(waiting.count) still waiting, backend accepted \(backend.acceptedCount))")
                return
            }
            served += next
        }
        XCTAssertEqual(backend.acceptedCount, 9)
    }

    /// Three clients fill the limit; a fourth is accepted by the kernel but not
    /// proxied until one of the three closes.
    private func checkAcceptLimit(workers: Int, global: [String], frontend: [String], bindOptions: String,
                                  file: StaticString = #filePath, line: UInt = #line) throws {
        let backend = try startBackend(.echo)
        let port = try FreePort.next()
        var sections = "frontend fe\n    bind 127.0.0.1:\(port)\(bindOptions)\n"
        for item in frontend { sections += "    \(item)\n" }
        sections += "    default_backend be\nbackend be\n    server s1 127.0.0.1:\(backend.port)\n"
        try startProxy(workers: workers, ports: [port], config: config(workers: workers, global: global, sections: sections))

        var held = try (0..<3).map { try echoingClient(port: port, tag: "c\($0)") }
        XCTAssertEqual(backend.acceptedCount, 3, file: file, line: line)
        let fourth = try TCPClient.connect(port: port)
        try fourth.send("c3\n")
        let early = try fourth.receive(count: 3, timeout: 0.7)
        XCTAssertEqual(early.end, .timeout, "fourth client proxied above maxconn 3: \(early.text)", file: file, line: line)
        XCTAssertEqual(backend.acceptedCount, 3, "server reached above maxconn 3", file: file, line: line)

        held.removeFirst().close()
        XCTAssertEqual(try fourth.readLine(timeout: 5), "c3", "a closed connection must admit the waiting one",
                       file: file, line: line)
        XCTAssertEqual(backend.acceptedCount, 4, file: file, line: line)
        for (i, client) in held.enumerated() {
            try client.send("again\(i)\n")
            XCTAssertEqual(try client.readLine(), "again\(i)", file: file, line: line)
        }
    }

    private func config(workers: Int, global: [String] = [], defaults: [String] = [], sections: String) -> String {
        var text = "global\n    workers \(workers)\n"
        for item in global { text += "    \(item)\n" }
        text += "defaults\n    mode tcp\n"
        let own = Set(defaults.compactMap { $0.hasPrefix("timeout ") ? $0.split(separator: " ")[1] : nil })
        for (name, value) in [("connect", "2s"), ("client", "30s"), ("server", "30s")] where !own.contains(Substring(name)) {
            text += "    timeout \(name) \(value)\n"
        }
        for item in defaults { text += "    \(item)\n" }
        return text + sections
    }

    /// Starts fulcrum on `config` and waits until every worker listens on
    /// every port.
    private func startProxy(workers: Int, ports: [UInt16], config: String) throws {
        let process = try startFulcrum(config: config)
        for port in ports { try process.waitUntilListening(port: port, sockets: workers) }
    }

    /// One frontend on a fresh port feeding backend `be` with `backend` lines.
    private func startSingleProxy(workers: Int, defaults: [String], backend: [String]) throws -> UInt16 {
        let port = try FreePort.next()
        var sections = "frontend fe\n    bind 127.0.0.1:\(port)\n    default_backend be\nbackend be\n"
        for line in backend { sections += "    \(line)\n" }
        try startProxy(workers: workers, ports: [port], config: config(workers: workers, defaults: defaults, sections: sections))
        return port
    }

    /// How the proxy ends a connection it cannot serve. The reset can come
    /// so fast that the client's connect itself reports it.
    private func endOfRefusedClient(port: UInt16) throws -> TCPClient.End {
        let client: TCPClient
        do {
            client = try TCPClient.connect(port: port)
        } catch HarnessError.system(_, let code) where code == ECONNRESET {
            return .reset
        }
        return try client.waitForClose(timeout: 5)
    }

    /// A client whose first line came back through the proxy: it reached the
    /// echo server and holds a connection there.
    private func echoingClient(port: UInt16, tag: String) throws -> TCPClient {
        let client = try TCPClient.connect(port: port)
        try client.send(tag + "\n")
        guard let echoed = try client.readLine(timeout: 5), echoed == tag else {
            throw HarnessError.failed("client \(tag) was not proxied to the echo server")
        }
        return client
    }

    /// Polls the waiting clients until `expected` of them got their line echoed
    /// or `within` seconds pass; moves those out of `waiting`. A waiting client
    /// that the proxy closes is a failure.
    private func collectServed(_ waiting: inout [(client: TCPClient, tag: String)], expected: Int,
                               within seconds: Double) throws -> [TCPClient] {
        var served: [TCPClient] = []
        let deadline = Deadline(seconds: seconds)
        while served.count < expected && !deadline.hasExpired {
            var index = 0
            while index < waiting.count {
                let (client, tag) = waiting[index]
                let got = try client.receive(count: tag.utf8.count + 1, timeout: 0.02)
                switch got.end {
                case .complete:
                    XCTAssertEqual(got.text, tag + "\n")
                    served.append(client)
                    waiting.remove(at: index)
                    continue
                case .timeout:
                    XCTAssertTrue(got.bytes.isEmpty, "partial echo for \(tag): \(got.text)")
                case .eof, .reset:
                    throw HarnessError.failed("queued client \(tag) was closed (\(got.end)) instead of served")
                }
                index += 1
            }
        }
        return served
    }
}
