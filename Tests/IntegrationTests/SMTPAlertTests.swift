import Glibc
import XCTest

/// `fulcrum --role smtp-alert` against a real SMTP server on loopback
/// (Python's stdlib `smtpd`), and against servers that refuse, stay silent or
/// reject the message: the sender must deliver what keepalived delivers, and
/// otherwise fail with a clear log line within its timeout.
final class SMTPAlertTests: XCTestCase {
    /// A recording SMTP server: every HELO, envelope and message it receives is
    /// appended to `received` as plain text. With `reject`, the message is
    /// refused after DATA with that reply line.
    private final class RecordingSMTPServer {
        let directory: TemporaryDirectory
        let port: UInt16
        private let child: ChildProcess
        var received: String { FileBytes.readText(directory.file("received")) ?? "" }
        var log: String { (FileBytes.readText(directory.file("stdout")) ?? "") + (FileBytes.readText(directory.file("stderr")) ?? "") }

        init(reject: String? = nil) throws {
            let python = try requireTool("python3")
            guard try CommandRunner.run(python, ["-W", "ignore", "-c", "import smtpd"], timeout: 20).succeeded else {
                throw XCTSkip("needs Python's smtpd module (Python 3.11 or older)")
            }
            directory = try TemporaryDirectory(prefix: "fsmtp")
            port = try FreePort.next()
            let script = try directory.write(RecordingSMTPScript.fileName, RecordingSMTPScript.source)
            child = try ChildProcess(executable: python, arguments: ["-W", "ignore", script, directory.file("received"), String(port), reject ?? ""],
                                     environment: Tools.currentEnvironment(),
                                     stdoutPath: directory.file("stdout"), stderrPath: directory.file("stderr"))
            guard waitUntil(timeout: 15, { !ListeningSockets.inodes(port: self.port).isEmpty || !self.child.isRunning }),
                  child.isRunning else {
                throw HarnessError.failed("smtpd did not listen on \(port): \(log)")
            }
        }

        deinit {
            child.terminateTree(grace: 1)
            directory.remove()
        }
    }

    private func alertArguments(port: UInt16, timeout: Int, state: String = "MASTER", group: Bool = false) -> [String] {
        ["--role", "smtp-alert", "--",
         "--server", "127.0.0.1", "--port", String(port), "--timeout", String(timeout),
         "--helo", "lb1.example.com", "--from", "Keepalived <keepalived@lb1.example.com>",
         "--to", "ops@example.com", "--to", "oncall@example.com",
         "--router-id", "lb1", group ? "--group" : "--instance", group ? "SG_1" : "VI_1", "--state", state]
    }

    func testAlertIsDeliveredWithKeepalivedsEnvelopeHeadersAndBody() throws {
        let server = try RecordingSMTPServer()
        let r = try CommandRunner.run(FulcrumBinary.path(), alertArguments(port: server.port, timeout: 5), timeout: 20)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(r.stderr.contains("SMTP alert successfully sent: '[lb1] VRRP Instance VI_1 - Entering MASTER state'"), r.output)
        XCTAssertTrue(waitUntil(timeout: 5) { server.received.contains("\nEND\n") }, server.received + server.log)
        let received = server.received
        XCTAssertTrue(received.hasPrefix("HELO lb1.example.com\nMAIL keepalived@lb1.example.com\nRCPT ops@example.com\nRCPT oncall@example.com\nDATA\n"), received)
        let lines = received.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertTrue(lines.contains("From: Keepalived <keepalived@lb1.example.com>"), received)
        XCTAssertTrue(lines.contains("Subject: [lb1] VRRP Instance VI_1 - Entering MASTER state"), received)
        XCTAssertTrue(lines.contains("X-Mailer: Keepalived"), received)
        XCTAssertTrue(lines.contains("To: ops@example.com,") && lines.contains(" oncall@example.com"), received)
        XCTAssertTrue(lines.contains { $0.hasPrefix("Date: ") && $0.count > 25 }, received)
        // The body follows the blank line that ends the headers.
        if let blank = lines.firstIndex(of: "") {
            XCTAssertEqual(lines[blank + 1], "=> VRRP Instance is now owning VRRP VIPs <=", received)
        } else {
            XCTFail("no blank line after the headers: \(received)")
        }
    }

    func testGroupStopAlert() throws {
        let server = try RecordingSMTPServer()
        let r = try CommandRunner.run(FulcrumBinary.path(), alertArguments(port: server.port, timeout: 5, state: "STOP", group: true), timeout: 20)
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(waitUntil(timeout: 5) { server.received.contains("\nEND\n") }, server.received + server.log)
        XCTAssertTrue(server.received.contains("\nSubject: [lb1] VRRP Group SG_1 - Stopping\n"), server.received)
        XCTAssertTrue(server.received.contains("\n=> All VRRP group instances are now stopping <=\n"), server.received)
    }

    func testNothingListeningFailsAtOnceWithTheServerNamed() throws {
        let port = try FreePort.next()
        let started = Deadline.nowNanoseconds()
        let r = try CommandRunner.run(FulcrumBinary.path(), alertArguments(port: port, timeout: 5), timeout: 20)
        let seconds = Double(Deadline.nowNanoseconds() - started) / 1e9
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stderr.contains("[ALERT]") && r.stderr.contains("SMTP connection ERROR to 127.0.0.1:\(port) (Connection refused)."), r.output)
        XCTAssertLessThan(seconds, 5, "a refused connection must not wait for the timeout")
    }

    func testSilentServerTimesOutWithinTheTimeout() throws {
        // Listening but never accepting: the kernel completes the handshake,
        // no greeting ever comes.
        let port = try FreePort.next()
        let listener = try LoopbackSocket.listen(port: port)
        defer { close(listener) }
        let started = Deadline.nowNanoseconds()
        let r = try CommandRunner.run(FulcrumBinary.path(), alertArguments(port: port, timeout: 1), timeout: 20)
        let seconds = Double(Deadline.nowNanoseconds() - started) / 1e9
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stderr.contains("Timeout reading data to remote SMTP server 127.0.0.1:\(port)."), r.output)
        XCTAssertGreaterThanOrEqual(seconds, 0.9)
        XCTAssertLessThan(seconds, 4)
    }

    func testRejectedMessageIsReportedWithTheServersCode() throws {
        let server = try RecordingSMTPServer(reject: "554 5.7.1 message refused")
        let r = try CommandRunner.run(FulcrumBinary.path(), alertArguments(port: server.port, timeout: 5), timeout: 20)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stderr.contains("Error processing DOT cmd on SMTP server 127.0.0.1:\(server.port). SMTP status code = 554 (5.7.1 message refused)"), r.output)
        XCTAssertFalse(r.stderr.contains("successfully sent"), r.output)
    }

    func testBadArgumentsAreRefused() throws {
        let r = try CommandRunner.run(FulcrumBinary.path(), ["--role", "smtp-alert", "--", "--server", "127.0.0.1"], timeout: 20)
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stderr.contains("smtp-alert: missing --port"), r.output)
    }
}
