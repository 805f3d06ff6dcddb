import XCTest
import Foundation
import Glibc

/// Fault injection on the client side (issue 17): half-closed clients,
/// slowloris, a client that never reads its response. Each says what the
/// faulty client sees and checks that other clients are served meanwhile.
final class ClientFaultTests: XCTestCase {
    private func config(port: UInt16, server: UInt16, global: String = "", timeouts: String = "") -> String {
        """
        global
            workers 1
        \(global)
        defaults
            mode http
            timeout connect 2s
            timeout client 10s
            timeout server 10s
        \(timeouts)
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be
        backend be
            server s1 127.0.0.1:\(server)

        """
    }

    private func assertServes(_ port: UInt16, _ path: String, file: StaticString = #filePath, line: UInt = #line) {
        let status = (try? HTTPTestClient(port: port)).flatMap { try? $0.request("GET", path, headers: [("Connection", "close")]).status }
        XCTAssertEqual(status, 200, "another client's \(path)", file: file, line: line)
    }

    /// A client that sends its request and then its FIN still gets the
    /// whole response, then the end of the connection (no `abortonclose`);
    /// one that sends half a head and its FIN gets its connection closed and
    /// nothing reaches the server.
    func testHalfClosedClients() throws {
        let server = try startHTTPServer(name: "s1")
        let port = try FreePort.next()
        try startFulcrum(config: config(port: port, server: server.port)).waitUntilListening(port: port)

        let whole = try HTTPTestClient(port: port)
        defer { whole.close() }
        try whole.send("POST /whole HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
        try whole.connection.shutdownWrite()
        let response = try whole.readFinalResponse(requestMethod: "POST")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "s1 POST /whole")
        XCTAssertEqual(try whole.waitForClose(timeout: 5), .eof)
        XCTAssertEqual(server.requests.first?.body, Array("hello".utf8))

        let half = try TCPClient(port: port)
        defer { half.close() }
        try half.send("GET /half HTTP/1.1\r\nHo")
        try half.shutdownWrite()
        XCTAssertNotEqual(try half.waitForClose(timeout: 5), .timeout, "the proxy kept a half-closed, half-sent request")
        assertServes(port, "/other")
        XCTAssertEqual(server.requests.map(\.path), ["/whole", "/other"], "the half-sent request reached the server")
    }

    /// Slowloris: 1,000 connections each sending a head a byte at a time
    /// get 408 at `timeout http-request` and are closed, while another
    /// client is served meanwhile; nothing of theirs reaches the server.
    func testSlowlorisConnectionsGet408AtTimeoutHTTPRequest() throws {
        let count = 1000
        try ProcessMemory.allowOpenFiles(count * 3 + 1000)
        let server = try startHTTPServer(name: "s1")
        let port = try FreePort.next()
        try startFulcrum(config: config(port: port, server: server.port, global: "    maxconn 4000",
                                        timeouts: "    timeout http-request 2s")).waitUntilListening(port: port)
        var slow: [TCPClient] = []
        for _ in 0..<count {
            let c = try TCPClient(port: port)
            try c.send("GET /slow HTTP/1.1\r\nHost: a\r\nX-Slow: ")
            slow.append(c)
        }
        defer { slow.forEach { $0.close() } }
        // A byte a second on every connection until the proxy closes them
        // (bounded); sent on the raw descriptors, read on the clients.
        let trickling = Flag()
        let descriptors = slow.map(\.fd)
        let finished = Flag()
        let trickle = Thread {
            for _ in 0..<30 where trickling.isSet {
                for fd in descriptors { _ = send(fd, "x", 1, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
                _ = waitUntil(timeout: 1) { !trickling.isSet }
            }
            finished.set(true)
        }
        trickling.set(true)
        trickle.start()
        assertServes(port, "/other")
        var answers: [String: Int] = [:]
        var ends: [TCPClient.End: Int] = [:]
        for c in slow {
            let received = try c.receiveUntilEOF(timeout: 20)
            answers[String(received.text.prefix(12)), default: 0] += 1
            ends[received.end, default: 0] += 1
        }
        trickling.set(false)
        XCTAssertTrue(waitUntil(timeout: 5) { finished.isSet }, "the trickling thread did not stop")
        XCTAssertEqual(answers, ["HTTP/1.1 408": count], "what the slow clients got")
        XCTAssertEqual(ends[.timeout], nil, "connections the proxy kept: \(ends)")
        XCTAssertEqual(server.requests.map(\.path), ["/other"])
        assertServes(port, "/after")
    }

    /// A client that asks for 100 MB and reads nothing for longer than
    /// `timeout server`: the worker stops reading from the server once its
    /// buffers are full, so its memory stays bounded; others are served
    /// meanwhile; when the client reads at last, all 100 MB arrive intact.
    func testClientNeverReadingA100MBResponseKeepsWorkerMemoryBounded() throws {
        let size = 100 << 20
        var big = [UInt8](repeating: 0, count: size)
        for i in stride(from: 0, to: size, by: 4096) { big[i] = UInt8(truncatingIfNeeded: i >> 12) }
        let nginx = try NginxServer.files(["big": big, "small": Array("small\n".utf8)])
        addTeardownBlock { nginx.stop() }
        let port = try FreePort.next()
        // timeout client above the test's length: the stalled client is kept;
        // timeout server below it: the server is not timed while only the
        // client holds the response up (HAProxy's behaviour; it used to cut
        // the response there).
        let p = try startFulcrum(config: config(port: port, server: nginx.port,
                                                timeouts: "    timeout client 60s\n    timeout server 1s"))
        try p.waitUntilListening(port: port)
        let worker = try XCTUnwrap(try p.waitForChildren(count: 1).first)
        assertServes(port, "/small")
        let baseline = try XCTUnwrap(ProcessMemory.pssKilobytes(of: worker))

        let reader = try TCPClient(port: port)
        defer { reader.close() }
        try reader.send("GET /big HTTP/1.1\r\nHost: a\r\n\r\n")
        // Bytes pile up unread in the client's socket: the transfer started.
        XCTAssertTrue(waitUntil(timeout: 10) { Self.unread(reader.fd) > 16 << 10 }, "the response never started")
        var peak = baseline
        for _ in 0..<20 {
            peak = max(peak, ProcessMemory.pssKilobytes(of: worker) ?? 0)
            sleepSeconds(0.1) // a sampling interval over which the worker could grow
        }
        XCTAssertLessThan(peak - baseline, 32 << 10, "the worker grew from \(baseline) KB to \(peak) KB")
        XCTAssertLessThan(Self.unread(reader.fd), size / 2, "the response was not held back")
        assertServes(port, "/small")

        var head: [String] = []
        for _ in 0..<50 {
            let line = try XCTUnwrap(try reader.readLine(timeout: 10), "the head did not arrive: \(head)")
            if line.isEmpty { break }
            head.append(line)
        }
        XCTAssertTrue(head.first?.hasPrefix("HTTP/1.1 200") ?? false, "\(head)")
        let received = try reader.receive(count: size, timeout: 60)
        XCTAssertEqual(received.bytes.count, size, "body length (ended by \(received.end))")
        XCTAssertTrue(received.bytes == big, "the body arrived changed")
    }

    /// mode tcp: a client that stops reading for longer than `timeout
    /// server` (the stall is the injected fault) still gets every byte once
    /// it reads again: the server side is not timed while only the client
    /// holds the data up, as in HAProxy (Fulcrum used to reset it).
    func testTCPClientStallingPastTimeoutServerGetsEveryByte() throws {
        let size = 32 << 20
        let source = try startBackend(.source(bytes: size))
        let port = try FreePort.next()
        try startFulcrum(config: """
            defaults
                mode tcp
                timeout connect 2s
                timeout client 60s
                timeout server 1s
            listen li
                bind 127.0.0.1:\(port)
                server s1 127.0.0.1:\(source.port)

            """).waitUntilListening(port: port)
        let client = try TCPClient(port: port)
        defer { client.close() }
        XCTAssertTrue(waitUntil(timeout: 10) { Self.unread(client.fd) > 16 << 10 }, "nothing arrived")
        sleepSeconds(2.5) // the fault: no read for 2.5 s, past timeout server (1 s)
        let received = try client.receive(count: size, timeout: 60)
        XCTAssertEqual(received.bytes.count, size, "ended by \(received.end)")
        XCTAssertNil(TestPattern.firstMismatch(in: received.bytes), "the bytes arrived changed")
    }

    /// Bytes waiting unread in a socket (FIONREAD).
    private static func unread(_ fd: Int32) -> Int {
        var n: Int32 = 0
        return withUnsafeMutablePointer(to: &n) { ioctl(fd, UInt(FIONREAD), $0) } == 0 ? Int(n) : 0
    }
}

/// A boolean shared with a client thread.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set(_ v: Bool) { lock.withLock { value = v } }
}

extension ClientFaultTests {
    /// Descriptor exhaustion: `ulimit-n 256` under 1,000 clients each holding
    /// a keep-alive connection. The worker runs out of descriptors, keeps
    /// running (same process, no crash) without going past its limit, serves
    /// what it holds, and serves again once the clients leave.
    func testDescriptorExhaustionPausesAcceptingAndServiceResumes() throws {
        let count = 1000
        try ProcessMemory.allowOpenFiles(count * 3 + 1000)
        let server = try startHTTPServer(name: "s1")
        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, server: server.port, global: "    maxconn 1000\n    ulimit-n 256",
                                                timeouts: "    timeout http-keep-alive 60s"))
        try p.waitUntilListening(port: port)
        let worker = try XCTUnwrap(try p.waitForChildren(count: 1).first)
        var clients: [TCPClient] = []
        defer { clients.forEach { $0.close() } }
        for _ in 0..<count {
            guard let c = try? TCPClient(port: port, timeout: 1) else { continue }
            try? c.send("GET /held HTTP/1.1\r\nHost: a\r\n\r\n")
            clients.append(c)
        }
        // Answers come at once to what was accepted; past the first client
        // left waiting, the rest wait too (bounded).
        var served = 0
        for c in clients {
            guard (try? c.readHTTPResponse(timeout: 2))??.status == 200 else { break }
            served += 1
        }
        // A worker out of descriptors waits for them: it does not spin on accept.
        let cpuBefore = ProcessTree.cpuTicks(of: worker) ?? 0
        sleepSeconds(1) // the span over which a spinning worker would burn a second of CPU
        let cpuSpent = (ProcessTree.cpuTicks(of: worker) ?? 0) - cpuBefore
        XCTAssertLessThan(cpuSpent, 50, "the worker used \(cpuSpent) CPU ticks in 1 s while out of descriptors")
        XCTAssertGreaterThan(served, 0, "nothing served under exhaustion")
        XCTAssertLessThan(served, count, "all 1,000 were served: the limit was never reached")
        XCTAssertTrue(ProcessTree.isAlive(worker), "the worker died")
        XCTAssertLessThanOrEqual(ProcessTree.openDescriptorCount(of: worker) ?? 0, 256)
        XCTAssertEqual(p.childPids(role: "worker"), [worker], "the worker was replaced")

        clients.forEach { $0.close() }
        clients = []
        XCTAssertTrue(waitUntil(timeout: 20) {
            (try? HTTPTestClient(port: port, timeout: 1)).flatMap { try? $0.request("GET", "/again", headers: [("Connection", "close")], timeout: 2).status } == 200
        }, "service did not resume once the clients left")
        for i in 0..<20 { assertServes(port, "/after\(i)") }
        XCTAssertEqual(p.childPids(role: "worker"), [worker])
    }
}
