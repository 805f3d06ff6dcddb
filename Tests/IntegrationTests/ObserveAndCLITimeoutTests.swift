import XCTest
import Foundation

/// `observe layer7` (passive checks from HTTP answers) and `stats timeout`.
final class ObserveAndCLITimeoutTests: XCTestCase {
    func testObserveLayer7MarksAServerAnswering5xxDownFromTrafficAlone() throws {
        let bad = try startBackend(.http(status: 500, body: "boom"))
        let good = try startBackend(.http(status: 200, body: "ok"))
        let port = try FreePort.next()
        let p = try startFulcrum(config: """
            global
                workers 1
            defaults
                mode http
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
                balance roundrobin
                server s1 127.0.0.1:\(bad.port) check inter 30s init-state fully-up observe layer7 error-limit 3 on-error mark-down
                server s2 127.0.0.1:\(good.port)

            """)
        try p.waitUntilListening(port: port, sockets: 1)
        // Round robin sends every other request to s1, which answers 500.
        var statuses: [Int] = []
        for _ in 0..<6 {
            let c = try TCPClient.connect(port: port)
            try c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let r = try c.receiveUntilEOF(timeout: 5)
            statuses.append(Int(r.text.split(separator: " ").dropFirst().first ?? "") ?? 0)
            Thread.sleep(forTimeInterval: 0.15) // the checker polls observed errors every 100 ms
        }
        XCTAssertEqual(statuses.filter { $0 == 500 }.count, 3, "\(statuses)")
        XCTAssertTrue(p.waitForStderr(containing: "Server be/s1 is DOWN", timeout: 5), p.stderrTail())
        XCTAssertTrue(p.stderrText.contains("Detected 3 consecutive errors, last one was: Wrong http response"), p.stderrTail())
        for _ in 0..<4 {
            let c = try TCPClient.connect(port: port)
            try c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            XCTAssertTrue(try c.receiveUntilEOF(timeout: 5).text.hasPrefix("HTTP/1.1 200"), "s1 no longer gets traffic")
        }
    }

    func testStatsTimeoutClosesAConnectionThatSendsNothing() throws {
        let dir = try TemporaryDirectory(prefix: "fto")
        addTeardownBlock { dir.remove() }
        let port = try FreePort.next()
        let p = try startFulcrum(config: """
            global
                workers 1
                stats socket \(dir.file("admin.sock")) level admin
                stats timeout 400ms
            defaults
                mode tcp
                timeout connect 1s
                timeout client 5s
                timeout server 5s
            listen l
                bind 127.0.0.1:\(port)
                server s1 127.0.0.1:1

            """)
        try p.waitUntilListening(port: port, sockets: 1)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let path = Array(dir.file("admin.sock").utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { b in for (i, c) in path.enumerated() { b[i] = c } }
        let r = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        XCTAssertEqual(r, 0)
        let started = Date()
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&pfd, 1, 5000), 1, "the idle CLI connection is closed")
        var byte: UInt8 = 0
        XCTAssertEqual(read(fd, &byte, 1), 0, "EOF, nothing answered")
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertGreaterThan(elapsed, 0.3)
        XCTAssertLessThan(elapsed, 3)
    }
}
