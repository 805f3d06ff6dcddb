import XCTest
import Foundation
import Glibc

/// Fault injection on the server side (issue 17): each case says what the
/// client of the failing server sees, and checks that a client of a healthy
/// server behind the same worker goes on being served.
final class BackendFaultTests: XCTestCase {
    private struct Setup {
        let port: UInt16
        let healthy: HTTPTestServer
        let faulty: HTTPTestServer
    }

    /// `/fault...` goes to a server answering with `fault`, the rest to a
    /// healthy one; one worker, so both share it.
    private func start(fault: HTTPTestServer.Response) throws -> Setup {
        let healthy = try startHTTPServer(name: "healthy")
        let faulty = try startHTTPServer(name: "faulty") { _ in fault }
        let port = try FreePort.next()
        let p = try startFulcrum(config: """
            global
                workers 1
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            frontend fe
                bind 127.0.0.1:\(port)
                use_backend faulty if { path_beg /fault }
                default_backend healthy
            backend faulty
                server f1 127.0.0.1:\(faulty.port)
            backend healthy
                server h1 127.0.0.1:\(healthy.port)

            """)
        try p.waitUntilListening(port: port)
        return Setup(port: port, healthy: healthy, faulty: faulty)
    }

    /// Sends GET `path` on a new connection and reads until the proxy ends it.
    private func fetchToEnd(_ port: UInt16, _ path: String) throws -> TCPClient.Received {
        let client = try TCPClient(port: port)
        defer { client.close() }
        try client.send("GET \(path) HTTP/1.1\r\nHost: a\r\n\r\n")
        return try client.receiveUntilEOF(timeout: 8)
    }

    private func assertHealthyStillServes(_ setup: Setup, _ kept: HTTPTestClient, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try kept.request("GET", "/ok-again").status, 200, "the kept connection", file: file, line: line)
        let fresh = try HTTPTestClient(port: setup.port)
        defer { fresh.close() }
        XCTAssertEqual(try fresh.request("GET", "/ok-new").status, 200, "a new connection", file: file, line: line)
    }

    /// The server resets its connection 1000 bytes into a 100000-byte body:
    /// the client has the head and at most those bytes, then its connection
    /// ends (no wait for a timeout, no made-up rest); others are served.
    func testServerResetMidResponseCutsOnlyItsClient() throws {
        let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".utf8)
        let setup = try start(fault: HTTPTestServer.Response(raw: head + [UInt8](repeating: 97, count: 1000), reset: true))
        let kept = try HTTPTestClient(port: setup.port)
        defer { kept.close() }
        XCTAssertEqual(try kept.request("GET", "/ok").status, 200)

        let received = try fetchToEnd(setup.port, "/fault")
        XCTAssertTrue(received.text.hasPrefix("HTTP/1.1 200 OK\r\n"), received.text.prefix(200).debugDescription)
        XCTAssertTrue([.eof, .reset].contains(received.end), "the connection ended with \(received.end)")
        let body = received.bytes.count - (received.text.range(of: "\r\n\r\n").map { received.text.utf8.distance(from: received.text.startIndex, to: $0.upperBound) } ?? 0)
        XCTAssertLessThanOrEqual(body, 1000, "more body than the server sent")
        XCTAssertEqual(setup.faulty.requests.count, 1)
        try assertHealthyStillServes(setup, kept)
    }

    /// The server sends its head (Content-Length 10) and closes: the client
    /// gets the head, no body, and its connection ends; others are served.
    func testServerClosingAfterTheHeadEndsTheResponseShort() throws {
        let head = Array("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n".utf8)
        let setup = try start(fault: HTTPTestServer.Response(close: true, raw: head))
        let kept = try HTTPTestClient(port: setup.port)
        defer { kept.close() }
        XCTAssertEqual(try kept.request("GET", "/ok").status, 200)

        let received = try fetchToEnd(setup.port, "/fault")
        XCTAssertTrue(received.text.hasPrefix("HTTP/1.1 200 OK\r\n"), received.text.debugDescription)
        XCTAssertTrue(received.text.hasSuffix("\r\n\r\n"), "bytes after the head: \(received.text.debugDescription)")
        XCTAssertTrue([.eof, .reset].contains(received.end), "the connection ended with \(received.end)")
        try assertHealthyStillServes(setup, kept)
    }

    /// A server stopped with SIGSTOP (it accepts, never answers): its
    /// request gets 504 at `timeout server`, `observe layer7` counts it and
    /// marks the server DOWN, and from then on the other server takes every
    /// request.
    func testStoppedServerGets504AtTimeoutServerAndObserveMarksItDown() throws {
        let stopped = try NginxServer.files(["index.html": Array("nginx\n".utf8)])
        addTeardownBlock { stopped.stop() }
        let healthy = try startHTTPServer(name: "healthy")
        let port = try FreePort.next()
        let p = try startFulcrum(config: """
            global
                workers 1
            defaults
                mode http
                timeout connect 2s
                timeout client 10s
                timeout server 1s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
                balance roundrobin
                option httpchk GET /index.html
                server s1 127.0.0.1:\(stopped.port) check inter 30s observe layer7 error-limit 1 on-error mark-down
                server s2 127.0.0.1:\(healthy.port)

            """)
        try p.waitUntilListening(port: port)
        let nginxPids = [try XCTUnwrap(stopped.pid)] + ProcessTree.descendants(of: try XCTUnwrap(stopped.pid))
        for pid in nginxPids { kill(pid, SIGSTOP) }
        defer { for pid in nginxPids { kill(pid, SIGCONT) } }

        var statuses: [Int] = []
        for i in 0..<2 {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            statuses.append(try client.request("GET", "/index.html?\(i)", headers: [("Connection", "close")], timeout: 8).status)
        }
        XCTAssertEqual(statuses.sorted(), [200, 504], "round robin: one request to each server")
        XCTAssertTrue(p.waitForStderr(containing: "Server be/s1 is DOWN", timeout: 5), p.stderrTail())
        for i in 0..<4 {
            let client = try HTTPTestClient(port: port)
            defer { client.close() }
            XCTAssertEqual(try client.request("GET", "/after\(i)", headers: [("Connection", "close")]).status, 200, "s1 no longer gets traffic")
        }
        XCTAssertEqual(healthy.requests.count, 5)
    }
}
