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
}
