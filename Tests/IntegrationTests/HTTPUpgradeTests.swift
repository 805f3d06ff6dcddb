import XCTest
import Foundation

/// Upgrade (101 Switching Protocols): after the server's 101 the connection
/// is a byte tunnel both ways, idle-limited by `timeout tunnel`.
final class HTTPUpgradeTests: XCTestCase {
    private static let upgradeRequest = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

    private func startUpgrading(defaults: [String] = []) throws -> (UInt16, HTTPTestServer) {
        let server = try startHTTPServer(name: "s1") { request in
            guard request.header("Upgrade")?.lowercased() == "websocket" else { return .text("no upgrade") }
            return HTTPTestServer.Response(status: 101, headers: [("Upgrade", "websocket"), ("Connection", "Upgrade")])
        }
        let port = try startHTTPProxy(defaults: defaults, frontend: ["default_backend be"],
                                      sections: Self.backend("be", ["server s1 127.0.0.1:\(server.port)"])).1
        return (port, server)
    }

    func testUpgradeBecomesATunnelBothWays() throws {
        let (port, server) = try startUpgrading()
        let client = try HTTPTestClient(port: port)
        try client.send(Self.upgradeRequest)
        let r = try client.readFinalResponse()
        XCTAssertEqual(r.status, 101)
        XCTAssertEqual(r.header("Upgrade")?.lowercased(), "websocket")
        XCTAssertTrue(r.tokens("Connection").contains("upgrade"), "\(r.headers)")
        XCTAssertEqual(server.requests.first?.header("Upgrade"), "websocket", "the Upgrade request reached the server")
        for message in ["ping", String(repeating: "x", count: 100_000), "\u{0}\u{1}binary"] {
            try client.send(message)
            let echoed = try client.connection.receive(count: message.utf8.count, timeout: 5)
            XCTAssertEqual(echoed.end, .complete)
            XCTAssertEqual(echoed.bytes, Array(message.utf8))
        }
        try client.connection.shutdownWrite()
        XCTAssertEqual(try client.waitForClose(timeout: 5), .eof, "the client's FIN crosses the tunnel and the server's comes back")
    }

    func testIdleTunnelIsClosedAfterTimeoutTunnel() throws {
        let (port, _) = try startUpgrading(defaults: ["timeout tunnel 600ms"])
        let client = try HTTPTestClient(port: port)
        try client.send(Self.upgradeRequest)
        XCTAssertEqual(try client.readFinalResponse().status, 101)
        try client.send("a")
        XCTAssertEqual(try client.connection.receive(count: 1).bytes, Array("a".utf8))
        let started = Date()
        let end = try client.waitForClose(timeout: 5)
        let elapsed = Date().timeIntervalSince(started)
        XCTAssertNotEqual(end, .timeout)
        XCTAssertGreaterThan(elapsed, 0.45)
        XCTAssertLessThan(elapsed, 3)
    }
}
