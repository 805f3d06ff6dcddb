import XCTest

/// `http-error status N` replaces HAProxy's default page for that status.
final class HTTPErrorResponseTests: XCTestCase {
    func testHTTPErrorReplacesTheDefaultPage() throws {
        let port = try FreePort.next()
        let dead = try FreePort.next()
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
                http-error status 503 content-type text/plain string "busy, try later"
                default_backend be
            backend be
                retries 0
                server s1 127.0.0.1:\(dead)

            """)
        try p.waitUntilListening(port: port, sockets: 1)
        let c = try TCPClient.connect(port: port)
        try c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let r = try c.receiveUntilEOF(timeout: 5)
        XCTAssertTrue(r.text.hasPrefix("HTTP/1.1 503 "), r.text)
        XCTAssertTrue(r.text.lowercased().contains("content-type: text/plain"), r.text)
        XCTAssertTrue(r.text.hasSuffix("\r\n\r\nbusy, try later"), r.text)
    }
}
