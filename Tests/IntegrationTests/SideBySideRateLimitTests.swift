import XCTest

/// `rate-limit sessions` on a frontend and `set rate-limit ... global` on
/// both proxies: a burst of 40 connections is served, but no faster than the
/// limit (the frontend's highest session rate, rate_max, stays near it on
/// both), and the runtime API answers alike.
final class SideBySideRateLimitTests: XCTestCase {
    func testFrontendSessionRateLimitAndSetRateLimitAsHAProxy() throws {
        let files = try TemporaryDirectory(prefix: "ratelimit")
        addTeardownBlock { files.remove() }
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases { substitutions[proxy] = ["{admin}": files.file("\(proxy).sock")] }
        let s = try SideBySide(self, config: SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                rate-limit sessions 10
                http-request return status 200

            """, backends: [], global: "    stats socket {admin} level admin\n", substitutions: substitutions)
        var transcripts: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let socket = substitutions[proxy]!["{admin}"]!
            var clients: [TCPClient] = []
            for _ in 0..<40 {
                let c = try TCPClient.connect(port: s.ports[proxy]![0])
                try c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                clients.append(c)
            }
            var served = 0
            for c in clients where try c.readHTTPResponse(requestMethod: "GET", timeout: 15)?.status == 200 { served += 1 }
            clients.forEach { $0.close() }
            XCTAssertEqual(served, 40, "\(proxy): every connection is served in the end")
            let row = ReloadTestHelpers.statRows(try MasterCLI.send("show stat", socketPath: socket))["fe/FRONTEND"] ?? [:]
            XCTAssertEqual(row["rate_lim"], "10", "\(proxy)")
            let rateMax = Int(row["rate_max"] ?? "") ?? -1
            XCTAssertTrue((5...13).contains(rateMax), "\(proxy): rate_max \(rateMax) stays near the limit of 10 (40 without it)")
            var out: [String] = []
            for command in ["set rate-limit sessions global 5", "set rate-limit connections global 7", "set rate-limit connections global",
                            "set rate-limit connections global -2", "set rate-limit foo global 1", "set rate-limit sessions local 1"] {
                let answer = try MasterCLI.send(command, socketPath: socket)
                let info = try MasterCLI.send("show info", socketPath: socket).split(separator: "\n")
                    .filter { $0.hasPrefix("ConnRateLimit:") || $0.hasPrefix("SessRateLimit:") }.joined(separator: " ")
                out.append("\(command) -> \(answer.debugDescription) \(info)")
            }
            transcripts[proxy] = out
        }
        XCTAssertEqual(transcripts[.fulcrum]!, transcripts[.haproxy]!)
        XCTAssertEqual(transcripts[.fulcrum]?.first, #"set rate-limit sessions global 5 -> "\n" ConnRateLimit: 0 SessRateLimit: 5"#)

        // The global limit set at runtime (5 sessions/s) holds in Fulcrum's workers too.
        let socket = substitutions[.fulcrum]!["{admin}"]!
        _ = try MasterCLI.send("clear counters", socketPath: socket)
        var clients: [TCPClient] = []
        for _ in 0..<20 {
            let c = try TCPClient.connect(port: s.ports[.fulcrum]![0])
            try c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            clients.append(c)
        }
        var served = 0
        for c in clients where try c.readHTTPResponse(requestMethod: "GET", timeout: 15)?.status == 200 { served += 1 }
        XCTAssertEqual(served, 20)
        let row = ReloadTestHelpers.statRows(try MasterCLI.send("show stat", socketPath: socket))["fe/FRONTEND"] ?? [:]
        let rateMax = Int(row["rate_max"] ?? "") ?? -1
        XCTAssertTrue((2...7).contains(rateMax), "rate_max \(rateMax) stays near the global limit of 5")
    }
}
