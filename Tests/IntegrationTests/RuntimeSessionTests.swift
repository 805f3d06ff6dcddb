import XCTest

/// CLI sessions as HAProxy 2.6 holds them, side by side on each one's stats
/// socket: several lines per connection, `prompt` (interactive mode, kept
/// open, "> " after each answer), `set timeout cli`, `operator`, `quit`.
final class RuntimeSessionTests: XCTestCase {
    private func start() throws -> (SideBySide, [ProxyUnderTest: String]) {
        let web = try startRecordingBackend("web")
        let statsSockets = try SideBySideStatsSockets(self)
        let sockets = statsSockets.paths, substitutions = statsSockets.substitutions
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)
            backend other
                server web 127.0.0.1:\(web.port)

            """
        let sbs = try SideBySide(self, config: config, backends: [web], global: SideBySideStatsSockets.global,
                                 substitutions: substitutions)
        return (sbs, sockets)
    }

    func testScriptedSessionsAnswerByteForByteAsHAProxy() throws {
        let (_, sockets) = try start()
        let scripts = [
            "show backend\nshow cli level\n",
            "prompt\nshow backend\nset timeout cli 5\nshow backend; show cli level\noperator\nshow cli level\nquit\nshow backend\n",
            "set timeout foo 5\nset timeout cli\nset timeout cli x\n",
            "prompt\nuser\nclear counters\nprompt\nshow cli level\n",
        ]
        for script in scripts {
            var answers: [ProxyUnderTest: String] = [:]
            for proxy in ProxyUnderTest.allCases {
                let c = try CLIConnection(socketPath: sockets[proxy]!)
                try c.send(script)
                let (text, closed) = try c.read(until: nil)
                XCTAssertTrue(closed, "\(proxy) closes after \(script.debugDescription)")
                answers[proxy] = text
            }
            XCTAssertEqual(answers[.fulcrum], answers[.haproxy], script.debugDescription)
        }
    }

    func testPromptSessionStaysOpenBetweenCommands() throws {
        let (_, sockets) = try start()
        for proxy in ProxyUnderTest.allCases {
            let c = try CLIConnection(socketPath: sockets[proxy]!)
            try c.send("prompt\n")
            XCTAssertEqual(try c.read(until: "> ").text, "\n> ", "\(proxy)")
            // The connection waits for the next line, as hatop expects.
            for _ in 0..<3 {
                try c.send("show backend\n")
                let answer = try c.read(until: "\n> ")
                XCTAssertEqual(answer.text, "# name\nbe\nother\n\n> ", "\(proxy)")
                XCTAssertFalse(answer.closed)
            }
            try c.send("quit\n")
            let end = try c.read(until: nil)
            XCTAssertEqual(end.text, "", "\(proxy)")
            XCTAssertTrue(end.closed)
        }
    }

    /// A session that streams lines and never reads its answers: the proxy
    /// stops taking its lines once the answers are not read, and another
    /// session is answered meanwhile.
    func testAClientThatReadsNoAnswerHoldsNoOtherSession() throws {
        let (_, sockets) = try start()
        let lines = "prompt\n" + String(repeating: "show backend\n", count: 20_000)
        for proxy in ProxyUnderTest.allCases {
            let greedy = try CLIConnection(socketPath: sockets[proxy]!)
            // As much as the socket takes within 2 s: the proxy stops reading.
            try? greedy.send(lines, timeout: 2)
            XCTAssertEqual(try MasterCLI.send("show backend", socketPath: sockets[proxy]!), "# name\nbe\nother\n\n", "\(proxy)")
            withExtendedLifetime(greedy) {}
        }
    }
}

