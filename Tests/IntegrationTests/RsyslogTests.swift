import XCTest

/// Fulcrum's lines in Debian's rsyslog: through a `/dev/log`-style unix
/// datagram socket (imuxsock) and over UDP (imudp), written to a file the
/// test reads. The program name rsyslog reads from the line is `fulcrum`,
/// and the facility and severity are the ones the `log` lines ask for.
final class RsyslogTests: XCTestCase {
    func testHTTPLogLineLandsInRsyslog() throws {
        try requireRoot("rsyslogd of the test's own runs as root, as Debian's does")
        let rsyslogd = try requireTool("rsyslogd")
        let rsyslog = try PrivateRsyslog(executable: rsyslogd)
        addTeardownBlock { rsyslog.stop() }
        let web = try startRecordingBackend("web")
        let port = try FreePort.next()
        let config = """
            global
                workers 1
            defaults
                mode http
                timeout connect 2s
                timeout client 5s
                timeout server 5s
            frontend fe
                bind 127.0.0.1:\(port)
                log \(rsyslog.socketPath) local0
                log 127.0.0.1:\(rsyslog.udpPort) local1 notice
                option httplog
                option log-separate-errors
                use_backend none if { path_beg /none }
                default_backend be
            backend be
                server web 127.0.0.1:\(web.port)
            backend none

            """
        let process = try startFulcrum(config: config)
        try process.waitUntilListening(port: port)
        let client = try TCPClient.connect(port: port)
        defer { client.close() }
        for (target, status) in [("/rsyslog-ok", 200), ("/none/rsyslog-err", 503)] {
            try client.send(httpGet(target))
            XCTAssertEqual(try client.readHTTPResponse()?.status, status, target)
        }
        let ok = rsyslog.waitForLines(containing: "GET /rsyslog-ok", count: 1)
        let errors = rsyslog.waitForLines(containing: "GET /none/rsyslog-err", count: 2)
        XCTAssertEqual(ok.count, 1, "the 200 once, through the unix socket only (local1 takes notice and above): "
                       + "\(rsyslog.lines)\nrsyslogd stderr: \(rsyslog.stderrText)")
        XCTAssertTrue(ok.first?.hasPrefix("local0.info fulcrum 127.0.0.1:") ?? false, "\(ok)")
        XCTAssertTrue(ok.first?.contains(" fe be/web ") ?? false, "\(ok)")
        XCTAssertTrue(ok.first?.contains(" 200 ") ?? false, "\(ok)")
        XCTAssertEqual(errors.map { String($0.prefix { $0 != " " }) }.sorted(), ["local0.err", "local1.err"],
                       "the 503 at err on both targets: \(errors)")
        XCTAssertTrue(errors.allSatisfy { $0.contains(" fulcrum ") && $0.contains(" fe none/<NOSRV> ") }, "\(errors)")
    }
}
