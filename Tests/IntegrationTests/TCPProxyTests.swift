import XCTest
import Foundation

/// Mode tcp forwarding: bytes both ways, half-close, bulk (splice) transfers,
/// inactivity timeouts, inherited listeners, port-less servers.
final class TCPProxyTests: XCTestCase {
    private func config(port: UInt16, server: String, workers: Int = 1, timeouts: String = "") -> String {
        """
        global
            workers \(workers)
        defaults
            mode tcp
            timeout connect 2s
            timeout client 20s
            timeout server 20s
        \(timeouts)
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be
        backend be
            server s1 \(server)

        """
    }

    private func start(_ backend: TestBackend, workers: Int = 1, timeouts: String = "") throws -> (FulcrumProcess, UInt16) {
        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, server: "127.0.0.1:\(backend.port)", workers: workers, timeouts: timeouts))
        try p.waitUntilListening(port: port, sockets: workers)
        return (p, port)
    }

    func testEchoAndClientHalfCloseReachTheServer() throws {
        let backend = try startBackend(.echo)
        let (_, port) = try start(backend)
        let c = try TCPClient.connect(port: port)
        try c.send("one\n")
        XCTAssertEqual(try c.readLine(), "one")
        try c.send("two")
        // FIN from the client must reach the server (the echo backend answers it
        // with its own FIN), and data sent before it must arrive first.
        try c.shutdownWrite()
        let rest = try c.receiveUntilEOF(timeout: 5)
        XCTAssertEqual(rest.text, "two")
        XCTAssertEqual(rest.end, .eof)
    }

    func testServerHalfCloseKeepsTheClientSideOpenForData() throws {
        // The sink backend reads until our FIN, then answers with a count: the
        // request direction must stay open after the response... and the reverse:
        // here the server closes first (source) and we can still send.
        let backend = try startBackend(.source(bytes: 1000))
        let (_, port) = try start(backend)
        let c = try TCPClient.connect(port: port)
        let r = try c.receiveUntilEOF(timeout: 5)
        XCTAssertEqual(r.bytes.count, 1000)
        XCTAssertEqual(r.end, .eof)
        XCTAssertNoThrow(try c.send("still open\n"), "only the server-to-client direction is closed")
    }

    func testLargeDownloadIsByteExact() throws {
        let size = 24 << 20 // far beyond one buffer: the direction switches to splice
        let backend = try startBackend(.source(bytes: size))
        let (_, port) = try start(backend)
        let c = try TCPClient.connect(port: port)
        let r = try c.receiveUntilEOF(timeout: 60, limit: size + 1)
        XCTAssertEqual(r.end, .eof)
        XCTAssertEqual(r.bytes.count, size)
        XCTAssertNil(TestPattern.firstMismatch(in: r.bytes, from: 0))
    }

    func testLargeUploadIsByteExact() throws {
        let size = 32 << 20
        let backend = try startBackend(.sink)
        let (_, port) = try start(backend, workers: 2)
        let c = try TCPClient.connect(port: port)
        var off = 0
        while off < size {
            let n = min(1 << 20, size - off)
            try c.send(TestPattern.bytes(count: n, from: off), timeout: 30)
            off += n
        }
        try c.shutdownWrite()
        XCTAssertEqual(try c.readLine(timeout: 30), "\(size)")
        XCTAssertTrue(waitUntil(timeout: 5, interval: 0.02) { !backend.sinkResults.isEmpty })
        XCTAssertEqual(backend.sinkResults.first, .init(byteCount: size, matchesPattern: true))
    }

    func testManyConcurrentSessionsStayIndependent() throws {
        let backend = try startBackend(.echo)
        let (_, port) = try start(backend, workers: 2)
        var clients: [TCPClient] = []
        for _ in 0..<200 { clients.append(try TCPClient.connect(port: port)) }
        for round in 0..<3 {
            for (i, c) in clients.enumerated() { try c.send("c\(i) r\(round)\n") }
            for (i, c) in clients.enumerated() { XCTAssertEqual(try c.readLine(timeout: 5), "c\(i) r\(round)") }
        }
    }

    func testClientInactivityTimeoutClosesTheSession() throws {
        let backend = try startBackend(.hold)
        let (_, port) = try start(backend, timeouts: "    timeout client 300ms")
        let c = try TCPClient.connect(port: port)
        XCTAssertTrue(backend.waitForActive(1))
        let started = Date()
        let end = try c.waitForClose(timeout: 5)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertNotEqual(end, .timeout)
        XCTAssertGreaterThan(elapsed, 0.25)
        XCTAssertLessThan(elapsed, 2.5)
        XCTAssertTrue(backend.waitForActive(0), "the server side is closed too")
    }

    func testTunnelTimeoutSupersedesClientAndServerTimeouts() throws {
        let backend = try startBackend(.echo)
        let (_, port) = try start(backend, timeouts: "    timeout client 200ms\n    timeout server 200ms\n    timeout tunnel 3s")
        let c = try TCPClient.connect(port: port)
        try c.send("a\n")
        XCTAssertEqual(try c.readLine(), "a")
        Thread.sleep(forTimeInterval: 0.8)
        try c.send("b\n")
        XCTAssertEqual(try c.readLine(), "b", "idle 0.8 s is fine under timeout tunnel 3s")
    }

    func testConnectFailureWithoutRetriesClosesTheClient() throws {
        let dead = try FreePort.next()
        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, server: "127.0.0.1:\(dead)", timeouts: "    retries 0"))
        try p.waitUntilListening(port: port, sockets: 1)
        // The proxy resets the client at once; the reset may even reach the
        // client before its own connect completes.
        let c: TCPClient
        do { c = try TCPClient.connect(port: port) } catch {
            XCTAssertTrue("\(error)".contains("reset"), "connect failed otherwise: \(error)")
            return
        }
        let end = try c.waitForClose(timeout: 5)
        XCTAssertTrue(end == .eof || end == .reset, "\(end)")
        XCTAssertTrue(p.isRunning)
    }

    func testServerWithoutPortUsesThePortTheClientConnectedTo() throws {
        // The backend listens on 127.0.0.2:P while fulcrum listens on 127.0.0.1:P.
        let port = try FreePort.next()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(port.bigEndian)
        a.sin_addr.s_addr = inet_addr("127.0.0.2")
        let bound = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(fd, 8), 0)
        let p = try startFulcrum(config: config(port: port, server: "127.0.0.2"))
        try p.waitUntilListening(port: port, sockets: 1)
        let c = try TCPClient.connect(port: port)
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&pfd, 1, 5000), 1, "fulcrum must connect to 127.0.0.2:\(port)")
        let s = accept(fd, nil, nil)
        XCTAssertGreaterThanOrEqual(s, 0)
        _ = "hi\n".withCString { send(s, $0, 3, 0) }
        XCTAssertEqual(try c.readLine(), "hi")
        close(s)
    }

    func testInheritedListeningSocketFdAt() throws {
        // A parent (python here) opens the listening socket and execs fulcrum
        // with it at descriptor 3, as systemd socket activation would.
        let python = try requireTool("python3")
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let cfg = config(port: port, server: "127.0.0.1:\(backend.port)")
            .replacingOccurrences(of: "bind 127.0.0.1:\(port)", with: "bind \"fd@${LISTEN_FD}\"")
        let script = """
            import os, socket, sys
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", \(port))); s.listen(64)
            os.dup2(s.fileno(), 3); os.set_inheritable(3, True)
            os.execv(sys.argv[1], sys.argv[1:])
            """
        let p = try startFulcrum(config: cfg, arguments: ["-c", script, FulcrumBinary.path(), "-d", "-f", "{config}"],
                                 environment: ["LISTEN_FD": "3"], executable: python)
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { p.childPids(role: "worker").count == 1 }, p.stderrTail())
        for _ in 0..<5 {
            let c = try TCPClient.connect(port: port)
            XCTAssertEqual(try c.readLine(), "s1")
        }
    }
}
