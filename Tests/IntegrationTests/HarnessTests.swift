import Glibc
import XCTest

/// Tests of the integration harness itself, so that a failing daemon test
/// points at the daemon and not at its test scaffolding.
final class HarnessTests: XCTestCase {
    func testEchoBackendRoundTripAndMirrorsHalfClose() throws {
        let backend = try startBackend(.echo)
        let client = try TCPClient.connect(port: backend.port)
        try client.send("hello fulcrum\n")
        XCTAssertEqual(try client.readLine(), "hello fulcrum")
        try client.shutdownWrite()
        XCTAssertEqual(try client.waitForClose(), .eof)
        XCTAssertEqual(backend.bytesReceived, 14)
    }

    func testIdentifyBackendSendsNameThenEchoes() throws {
        let backend = try startBackend(.identify("s1"))
        let client = try TCPClient.connect(port: backend.port)
        XCTAssertEqual(try client.readLine(), "s1")
        try client.send([1, 2, 3])
        let echoed = try client.receive(count: 3)
        XCTAssertEqual(echoed.bytes, [1, 2, 3])
        XCTAssertEqual(echoed.end, .complete)
    }

    func testBackendCountsAcceptedAndOpenConnections() throws {
        let backend = try startBackend(.hold)
        let clients = try (0..<3).map { _ in try TCPClient.connect(port: backend.port) }
        XCTAssertTrue(backend.waitForAccepted(atLeast: 3))
        XCTAssertTrue(backend.waitForActive(3))
        clients[0].close()
        clients[1].close()
        XCTAssertTrue(backend.waitForActive(1), "active: \(backend.activeCount)")
        XCTAssertEqual(backend.acceptedCount, 3)
        backend.resetCounters()
        XCTAssertEqual(backend.acceptedCount, 0)
        // A held connection gets nothing back.
        XCTAssertEqual(try clients[2].receive(count: 1, timeout: 0.2).end, .timeout)
    }

    func testSourceBackendSendsPatternByteExact() throws {
        let size = 5 << 20
        let backend = try startBackend(.source(bytes: size))
        let client = try TCPClient.connect(port: backend.port)
        let received = try client.receiveUntilEOF(timeout: 30)
        XCTAssertEqual(received.end, .eof)
        XCTAssertEqual(received.bytes.count, size)
        XCTAssertNil(TestPattern.firstMismatch(in: received.bytes))
        // The pattern itself must not be trivially periodic, or the check
        // above could not catch a shifted chunk.
        XCTAssertNotEqual(TestPattern.bytes(count: 64, from: 0), TestPattern.bytes(count: 64, from: 65536))
    }

    func testSinkBackendCountsVerifiesAndRepliesAfterHalfClose() throws {
        let size = 3 << 20
        let backend = try startBackend(.sink)
        let good = try TCPClient.connect(port: backend.port)
        try good.send(TestPattern.bytes(count: size), timeout: 30)
        try good.shutdownWrite()
        XCTAssertEqual(try good.readLine(timeout: 30), "\(size)")

        var corrupted = TestPattern.bytes(count: 1000)
        corrupted[500] ^= 0xff
        let bad = try TCPClient.connect(port: backend.port)
        try bad.send(corrupted)
        try bad.shutdownWrite()
        XCTAssertEqual(try bad.readLine(), "1000")

        XCTAssertEqual(backend.sinkResults, [
            TestBackend.SinkResult(byteCount: size, matchesPattern: true),
            TestBackend.SinkResult(byteCount: 1000, matchesPattern: false),
        ])
    }

    func testStoppedBackendRefusesAndRestartsOnSamePort() throws {
        let backend = try startBackend(.identify("again"))
        let port = backend.port
        backend.stopListening()
        XCTAssertFalse(backend.isListening)
        XCTAssertThrowsError(try TCPClient.connect(port: port)) { error in
            XCTAssertTrue("\(error)".contains("refused"), "\(error)")
        }
        try backend.restart()
        XCTAssertEqual(backend.port, port)
        XCTAssertEqual(try TCPClient.connect(port: port).readLine(), "again")
    }

    func testCloseImmediatelyBackendClosesEveryConnection() throws {
        let backend = try startBackend(.closeImmediately)
        let client = try TCPClient.connect(port: backend.port)
        let end = try client.waitForClose(timeout: 5)
        XCTAssertTrue(end == .eof || end == .reset, "\(end)")
        XCTAssertEqual(backend.acceptedCount, 1)
    }

    func testNotifySocketReceivesDatagrams() throws {
        let notify = try NotifySocket()
        XCTAssertNil(notify.receive(timeout: 0.1))
        try NotifySocket.send("STATUS=starting", to: notify.path)
        try NotifySocket.send("READY=1\nSTATUS=serving", to: notify.path)
        XCTAssertEqual(notify.waitFor("READY=1"), "READY=1\nSTATUS=serving")
        XCTAssertEqual(notify.messages.count, 2)
        XCTAssertEqual(notify.lastValue(of: "STATUS"), "serving")
        XCTAssertEqual(notify.environment, ["NOTIFY_SOCKET": notify.path])
    }

    func testCommandRunnerCapturesOutputAndEnforcesTimeout() throws {
        let result = try CommandRunner.run("sh", ["-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.stdout, "out\n")
        XCTAssertEqual(result.stderr, "err\n")
        XCTAssertFalse(result.timedOut)

        let start = Deadline.nowNanoseconds()
        let slow = try CommandRunner.run("sh", ["-c", "sleep 30 & sleep 30"], timeout: 0.3)
        XCTAssertTrue(slow.timedOut)
        XCTAssertFalse(slow.succeeded)
        XCTAssertLessThan(Deadline.nowNanoseconds() - start, 5_000_000_000)
    }

    func testFulcrumBinaryIsFoundNextToTheTests() throws {
        let path = try FulcrumBinary.path()
        XCTAssertTrue(Tools.isExecutableFile(path), path)
        if getenv("FULCRUM_BIN") == nil {
            XCTAssertTrue(path.hasSuffix("/fulcrum"), path)
        }
    }

    /// HAProxy has the command line fulcrum copies, so it checks the process
    /// harness (start, listen detection, children, master CLI, stop without
    /// leftovers, config check) before fulcrum itself can.
    func testProcessHarnessAgainstHAProxyStandIn() throws {
        let haproxy = try requireTool("haproxy")
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let config = """
            global
                maxconn 100
            defaults
                mode tcp
                timeout connect 2s
                timeout client 10s
                timeout server 10s
            listen echo
                bind 127.0.0.1:\(port)
                server s1 127.0.0.1:\(backend.port)

            """
        let process = try startFulcrum(config: config,
                                       arguments: ["-W", "-S", "{dir}/master.sock", "-f", "{config}"],
                                       executable: haproxy)
        try process.waitUntilListening(port: port)
        let workers = try process.waitForChildren(count: 1, role: nil)
        XCTAssertEqual(process.descendantPids(), workers)
        try process.waitUntilMasterSocketListening()
        // HAProxy's master re-executes itself once its workers run, and its CLI
        // is briefly unreachable meanwhile: retry within a bound.
        var answer = ""
        waitUntil(timeout: 5, interval: 0.05) {
            answer = (try? process.masterCommand("show proc")) ?? ""
            return !answer.isEmpty
        }
        XCTAssertTrue(answer.contains("master"), answer)

        let client = try TCPClient.connect(port: port)
        XCTAssertEqual(try client.readLine(), "s1")
        try client.send("ping\n")
        XCTAssertEqual(try client.readLine(), "ping")
        XCTAssertEqual(backend.acceptedCount, 1, "listen detection must not open connections")

        XCTAssertEqual(process.stop(), .exited(0), process.stderrTail())
        XCTAssertFalse(workers.contains(where: ProcessTree.isAlive))

        let good = try FulcrumProcess.checkConfig(config, executable: haproxy)
        XCTAssertEqual(good.status, 0, good.output)
        let bad = try FulcrumProcess.checkConfig(config + "\n    no-such-keyword 1\n", executable: haproxy)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.output.contains("no-such-keyword"), bad.output)
    }
}
