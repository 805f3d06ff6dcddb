import XCTest

/// `-d`: a worker's log lines also go to stderr, raw (issue 11), besides the
/// configured targets; without `-d` they do not.
final class DebugLogLinesTests: XCTestCase {
    private func run(arguments: [String]) throws -> (stderr: String, sink: [String]) {
        let backend = try startBackend(.http(status: 200, body: "ok\n"))
        let sink = try UDPLogSink()
        let port = try FreePort.next()
        let config = Self.httpConfig(port: port, global: ["log \(sink.address) local0"],
                                     defaults: ["log global", "option httplog"], frontend: ["default_backend be"],
                                     sections: Self.backend("be", ["server s1 127.0.0.1:\(backend.port)"]))
        let fulcrum = try startFulcrum(config: config, arguments: arguments + ["-f", FulcrumProcess.configPlaceholder])
        try fulcrum.waitUntilListening(port: port)
        let client = try TCPClient.connect(port: port)
        defer { client.close() }
        try client.send("GET /debug-line HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertEqual(try client.readHTTPResponse()?.status, 200)
        let (line, seen) = sink.waitForLine(containing: "GET /debug-line")
        XCTAssertNotNil(line, "the configured target gets the line: \(seen)")
        var stderr = ""
        _ = waitUntil(timeout: arguments.contains("-d") ? 5 : 0.5) {
            stderr = fulcrum.stderrText
            return stderr.contains("GET /debug-line")
        }
        return (stderr, seen)
    }

    func testDebugModeAlsoWritesLinesToStderr() throws {
        let (stderr, _) = try run(arguments: ["-d"])
        let lines = stderr.split(separator: "\n").filter { $0.contains("\"GET /debug-line HTTP/1.1\"") }
        XCTAssertEqual(lines.count, 1, stderr)
        XCTAssertTrue(lines.first?.hasPrefix("127.0.0.1:") == true, "raw: no syslog header: \(lines)")
        XCTAssertTrue(lines.first?.contains(" fe be/s1 ") == true && lines.first?.contains(" 200 ") == true, "\(lines)")
    }

    func testWithoutDebugStderrCarriesNoLine() throws {
        let (stderr, _) = try run(arguments: [])
        XCTAssertFalse(stderr.contains("GET /debug-line"), stderr)
    }
}
