import XCTest
import Glibc

/// `disable frontend`, `enable frontend` and `shutdown frontend` on both
/// proxies' stats sockets (two workers / two threads): the same answers, the
/// same status in `show stat`, and the frontend's port refusing or serving
/// alike; the other frontend serves throughout.
final class SideBySideFrontendAdminTests: XCTestCase {
    func testDisableEnableAndShutdownFrontendAsHAProxy() throws {
        let files = try TemporaryDirectory(prefix: "feadmin")
        addTeardownBlock { files.remove() }
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            substitutions[proxy] = ["{admin}": files.file("\(proxy).sock"),
                                    "{threads}": proxy == .fulcrum ? "workers 2" : "nbthread 2"]
        }
        let s = try SideBySide(self, config: SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request return status 200
            frontend other
                bind 127.0.0.1:{port2}
                http-request return status 204

            """, backends: [], global: "    {threads}\n    stats socket {admin} level admin\n", substitutions: substitutions)

        /// What a client sees on a port: "refused", or the status of 6 requests on fresh connections.
        func serving(_ port: UInt16) -> String {
            var statuses: [String] = []
            for _ in 0..<6 {
                guard let c = try? TCPClient.connect(port: port, timeout: 2) else { statuses.append("refused"); continue }
                try? c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                let line = (try? c.readLine(timeout: 3)) ?? nil
                statuses.append(line.map { String($0.split(separator: " ").dropFirst().first ?? "") } ?? "closed")
            }
            return Set(statuses).sorted().joined(separator: ",")
        }
        var transcripts: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let socket = substitutions[proxy]!["{admin}"]!
            let port = s.ports[proxy]![0], other = s.ports[proxy]![1]
            var out: [String] = []
            for command in ["disable frontend fe", "disable frontend fe", "enable frontend fe", "enable frontend fe",
                            "shutdown frontend fe", "enable frontend fe", "disable frontend fe", "shutdown frontend fe",
                            "disable frontend nope", "disable frontend", "shutdown frontend other2"] {
                let answer = try MasterCLI.send(command, socketPath: socket)
                let status = ReloadTestHelpers.statRows(try MasterCLI.send("show stat", socketPath: socket))["fe/FRONTEND"]?["status"] ?? "-"
                out.append("\(command) -> \(answer.debugDescription) status=\(status) fe=\(serving(port)) other=\(serving(other))")
            }
            transcripts[proxy] = out
        }
        XCTAssertEqual(transcripts[.fulcrum]!, transcripts[.haproxy]!)
        XCTAssertEqual(transcripts[.fulcrum]?.first, #"disable frontend fe -> "\n" status=PAUSED fe=refused other=204"#)
        XCTAssertEqual(transcripts[.fulcrum]?[2], #"enable frontend fe -> "\n" status=OPEN fe=200 other=204"#)

        // A reload starts the shut-down frontend afresh, as a new haproxy process does.
        let fulcrum = s.processes[.fulcrum]!
        XCTAssertEqual(kill(fulcrum.pid, SIGUSR2), 0)
        let deadline = Deadline(seconds: 15)
        while serving(s.ports[.fulcrum]![0]) != "200" && !deadline.hasExpired { usleep(100_000) }
        XCTAssertEqual(serving(s.ports[.fulcrum]![0]), "200", "served again after a reload")
    }

    /// `set maxconn frontend` and `set maxconn global`: the same answers and
    /// figures, and a lowered frontend limit holds a second client back
    /// until it is raised again.
    func testSetMaxconnFrontendAndGlobalAsHAProxy() throws {
        let files = try TemporaryDirectory(prefix: "maxconn")
        addTeardownBlock { files.remove() }
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases { substitutions[proxy] = ["{admin}": files.file("\(proxy).sock")] }
        let s = try SideBySide(self, config: SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                maxconn 50
                http-request return status 200

            """, backends: [], global: "    maxconn 100\n    stats socket {admin} level admin\n", substitutions: substitutions)
        let request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        var transcripts: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let socket = substitutions[proxy]!["{admin}"]!
            var out: [String] = []
            for command in ["set maxconn frontend fe 7", "set maxconn frontend fe", "set maxconn frontend fe -1",
                            "set maxconn frontend nope 3", "set maxconn frontend", "set maxconn global 50",
                            "set maxconn global 200", "set maxconn global 0", "set maxconn global"] {
                let answer = try MasterCLI.send(command, socketPath: socket)
                let slim = ReloadTestHelpers.statRows(try MasterCLI.send("show stat", socketPath: socket))["fe/FRONTEND"]?["slim"] ?? "-"
                let info = try MasterCLI.send("show info", socketPath: socket).split(separator: "\n")
                    .filter { $0.hasPrefix("Maxconn:") || $0.hasPrefix("Hard_maxconn:") }.joined(separator: " ")
                out.append("\(command) -> \(answer.debugDescription) slim=\(slim) \(info)")
            }
            transcripts[proxy] = out
        }
        XCTAssertEqual(transcripts[.fulcrum]!, transcripts[.haproxy]!)
        XCTAssertEqual(transcripts[.fulcrum]?.first, #"set maxconn frontend fe 7 -> "\n" slim=7 Maxconn: 100 Hard_maxconn: 100"#)

        // The effect, on Fulcrum alone: haproxy 2.6.12 aborts (watchdog in
        // resume_listener) when the limit of a frontend that is full is raised.
        let socket = substitutions[.fulcrum]!["{admin}"]!, port = s.ports[.fulcrum]![0]
        _ = try MasterCLI.send("set maxconn frontend fe 1", socketPath: socket)
        let held = try TCPClient.connect(port: port)
        try held.send(request)
        XCTAssertEqual(try held.readHTTPResponse(requestMethod: "GET")?.status, 200)
        let second = try TCPClient.connect(port: port)
        try second.send(request)
        XCTAssertNil(try second.readHTTPResponse(requestMethod: "GET", timeout: 1), "held back by maxconn 1")
        _ = try MasterCLI.send("set maxconn frontend fe 5", socketPath: socket)
        XCTAssertEqual(try second.readHTTPResponse(requestMethod: "GET", timeout: 5)?.status, 200, "served once raised")
        held.close(); second.close()
    }
}
