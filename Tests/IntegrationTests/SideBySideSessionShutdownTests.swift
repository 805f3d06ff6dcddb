import XCTest

/// Streams killed on a server, side by side with haproxy 2.6: `on-marked-down
/// shutdown-sessions` when checks mark the server DOWN (a server without it
/// keeps its streams), `on-marked-up shutdown-backup-sessions` when an active
/// server comes back, and the runtime API's `shutdown sessions server`.
final class SideBySideSessionShutdownTests: XCTestCase {
    private static func serverState(_ socket: String, _ backend: String, _ server: String) -> String? {
        ServersStateColumn.operational.value(socket: socket, backend: backend, server: server)
    }

    /// A client whose echo still answers through the proxy.
    private static func echoes(_ client: TCPClient, _ word: String) -> Bool {
        guard (try? client.send(word + "\n")) != nil else { return false }
        return (try? client.readLine(timeout: 3)) == word
    }

    /// Whether the proxy closed the client (EOF or reset) within `timeout`.
    private static func closed(_ client: TCPClient, timeout: Double) -> Bool {
        guard let r = try? client.receive(count: 1, timeout: timeout) else { return true }
        return r.end == .eof || r.end == .reset
    }

    func testServerMarkedDownOrShutDownLosesItsSessions() throws {
        let echo = try TestBackend(.echo)
        let checkTarget = try TestBackend(.hold)
        addTeardownBlock { echo.stop(); checkTarget.stop() }
        let sockets = try SideBySideStatsSockets(self)
        let config = SideBySide.tcpDefaults + """
            frontend killed
                bind 127.0.0.1:{port}
                default_backend killed
            frontend kept
                bind 127.0.0.1:{port2}
                default_backend kept
            frontend cli
                bind 127.0.0.1:{port3}
                default_backend cli
            backend killed
                server s1 127.0.0.1:\(echo.port) check port \(checkTarget.port) inter 100 fall 1 rise 1 on-marked-down shutdown-sessions
            backend kept
                server s1 127.0.0.1:\(echo.port) check port \(checkTarget.port) inter 100 fall 1 rise 1
            backend cli
                server s1 127.0.0.1:\(echo.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                                 substitutions: sockets.substitutions)
        var clients: [ProxyUnderTest: [TCPClient]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let socket = sockets.paths[proxy]!
            XCTAssertTrue(waitUntil(timeout: 5) { Self.serverState(socket, "killed", "s1") == "2" }, "\(proxy): s1 up")
            clients[proxy] = try (0..<3).map { try TCPClient.connect(port: sbs.ports[proxy]![$0]) }
            for (i, c) in clients[proxy]!.enumerated() { XCTAssertTrue(Self.echoes(c, "hello\(i)"), "\(proxy): echo \(i)") }
        }

        // The CLI command: only the cli backend's stream goes.
        for proxy in ProxyUnderTest.allCases {
            let reply = try MasterCLI.send("shutdown sessions server cli/s1", socketPath: sockets.paths[proxy]!)
            XCTAssertEqual(reply, "\n", "\(proxy): the command's answer")
            XCTAssertTrue(Self.closed(clients[proxy]![2], timeout: 5), "\(proxy): shutdown sessions server left the stream")
            XCTAssertEqual(try MasterCLI.send("shutdown sessions server cli/zz", socketPath: sockets.paths[proxy]!),
                           "No such server.\n\n")
        }

        // Checks fail: both s1 go DOWN; only `killed` loses its stream.
        checkTarget.stopListening()
        for proxy in ProxyUnderTest.allCases {
            let socket = sockets.paths[proxy]!
            XCTAssertTrue(waitUntil(timeout: 5) { Self.serverState(socket, "kept", "s1") == "0"
                                                  && Self.serverState(socket, "killed", "s1") == "0" }, "\(proxy): s1 down")
            XCTAssertTrue(Self.closed(clients[proxy]![0], timeout: 5), "\(proxy): on-marked-down did not kill the stream")
            XCTAssertTrue(Self.echoes(clients[proxy]![1], "still"), "\(proxy): a server without on-marked-down kept its stream")
        }
    }

    func testActiveServerBackUpKillsTheBackupsSessions() throws {
        let echo = try TestBackend(.echo)
        let checkPort = try FreePort.next()
        let sockets = try SideBySideStatsSockets(self)
        let config = SideBySide.tcpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server s1 127.0.0.1:\(echo.port) check port \(checkPort) inter 100 fall 1 rise 1 on-marked-up shutdown-backup-sessions
                server b1 127.0.0.1:\(echo.port) backup

            """
        let sbs = try SideBySide(self, config: config, backends: [], global: SideBySideStatsSockets.global,
                                 substitutions: sockets.substitutions)
        var clients: [ProxyUnderTest: TCPClient] = [:]
        for proxy in ProxyUnderTest.allCases {
            let socket = sockets.paths[proxy]!
            // Nothing listens on the check port yet: s1 goes DOWN, the backup serves.
            XCTAssertTrue(waitUntil(timeout: 5) { Self.serverState(socket, "be", "s1") == "0" }, "\(proxy): s1 down")
            let client = try TCPClient.connect(port: sbs.ports[proxy]![0])
            XCTAssertTrue(Self.echoes(client, "on-backup"), "\(proxy): echo through the backup")
            clients[proxy] = client
        }
        let checkTarget = try TestBackend(.hold, port: checkPort)
        addTeardownBlock { echo.stop(); checkTarget.stop() }
        for proxy in ProxyUnderTest.allCases {
            let socket = sockets.paths[proxy]!
            XCTAssertTrue(waitUntil(timeout: 5) { Self.serverState(socket, "be", "s1") == "2" }, "\(proxy): s1 up")
            XCTAssertTrue(Self.closed(clients[proxy]!, timeout: 5), "\(proxy): the backup's stream was not killed")
        }
    }
}
