import XCTest

/// `show activity` and `show pools` side by side with haproxy 2.6 (two
/// workers against two threads): the same fields in the same order and
/// layout (numbers normalised), with Fulcrum's real figures: the loops its
/// workers ran, the connections they accepted, the buffers their pools hold.
final class SideBySideActivityTests: XCTestCase {
    static func shape(_ text: String) -> String {
        var t = text.replacingOccurrences(of: #"date_now: \d+\.\d{6}"#, with: "date_now: DATE", options: .regularExpression)
        t = t.replacingOccurrences(of: #"@0x[0-9a-f]+( \[SHARED\])?"#, with: "@ADDR", options: .regularExpression)
        return t.replacingOccurrences(of: #"\d+"#, with: "N", options: .regularExpression)
    }

    /// A `name: TOTAL [ ... ]` line's total.
    static func total(_ text: String, _ name: String) -> Int? {
        text.split(separator: "\n").first { $0.hasPrefix(name + ": ") }
            .flatMap { Int($0.dropFirst(name.count + 2).split(separator: " ").first ?? "") }
    }

    func testActivityAndPoolsInHAProxysFormatWithFulcrumsFigures() throws {
        let sockets = try SideBySideWorkerSockets(self)
        let substitutions = sockets.substitutions
        let s = try SideBySide(self, config: SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                http-request return status 200

            """, backends: [], global: SideBySideWorkerSockets.global, substitutions: substitutions)
        var activity: [ProxyUnderTest: String] = [:], pools: [ProxyUnderTest: String] = [:]
        for proxy in ProxyUnderTest.allCases {
            let socket = sockets.paths[proxy]!
            for _ in 0..<10 {
                let c = try TCPClient.connect(port: s.ports[proxy]![0])
                try c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                XCTAssertEqual(try c.readHTTPResponse()?.status, 200)
                c.close()
            }
            activity[proxy] = try MasterCLI.send("show activity", socketPath: socket)
            pools[proxy] = try MasterCLI.send("show pools", socketPath: socket)
        }
        XCTAssertEqual(Self.shape(activity[.fulcrum]!), Self.shape(activity[.haproxy]!))
        XCTAssertTrue(activity[.fulcrum]!.hasPrefix("thread_id: 1 (1..2)\n"), activity[.fulcrum]!)
        XCTAssertEqual(Self.total(activity[.fulcrum]!, "accepted"), 10, "the workers accepted the 10 connections")
        XCTAssertGreaterThan(Self.total(activity[.fulcrum]!, "loops") ?? 0, 10)
        XCTAssertGreaterThan(Self.total(activity[.fulcrum]!, "poll_io") ?? 0, 0)

        // haproxy lists its many pools; Fulcrum its one, the buffers, laid out as haproxy's buffer line.
        let lines = { (p: ProxyUnderTest) in pools[p]!.split(separator: "\n").map(String.init) }
        let fulcrum = lines(.fulcrum), haproxy = lines(.haproxy)
        XCTAssertEqual(fulcrum.first, haproxy.first)
        XCTAssertEqual(fulcrum.count, 3, pools[.fulcrum]!)
        XCTAssertEqual(fulcrum.dropFirst().first.map(Self.shape), haproxy.first { $0.hasPrefix("  - Pool buffer ") }.map(Self.shape))
        XCTAssertEqual(fulcrum.last.map(Self.shape), haproxy.last.map(Self.shape))
        XCTAssertTrue(fulcrum[1].hasPrefix("  - Pool buffer (16384 bytes) : "), fulcrum[1])
    }
}
