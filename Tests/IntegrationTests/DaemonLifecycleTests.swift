import XCTest
import Foundation

/// The master/worker process model: startup, respawn, stops, notify, daemon
/// mode, programs, privilege drop.
final class DaemonLifecycleTests: XCTestCase {
    private func config(port: UInt16, backend: UInt16, workers: Int, extraGlobal: String = "", extra: String = "") -> String {
        """
        global
            workers \(workers)
        \(extraGlobal)
        defaults
            mode tcp
            timeout connect 2s
            timeout client 20s
            timeout server 20s
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be
        backend be
            server s1 127.0.0.1:\(backend)
        \(extra)

        """
    }

    /// Connects, reads the backend's name line, closes; true on success.
    private func roundTrip(_ port: UInt16, expect: String = "s1") -> Bool {
        guard let c = try? TCPClient.connect(port: port, timeout: 3) else { return false }
        return (try? c.readLine(timeout: 3)) == expect
    }

    func testStartsWorkersEachWithItsOwnListenerAndShowsThemInShowProc() throws {
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, backend: backend.port, workers: 3),
                                 arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 3)
        let workers = try p.waitForChildren(count: 3)
        XCTAssertEqual(Set(p.childPids(role: "worker")), Set(workers))
        for _ in 0..<10 { XCTAssertTrue(roundTrip(port)) }
        try p.waitUntilMasterSocketListening()
        let proc = try p.masterCommand("show proc")
        XCTAssertTrue(proc.hasPrefix("#<PID>"), proc)
        XCTAssertTrue(proc.contains("\(p.pid)") && proc.contains("master"), proc)
        for w in workers { XCTAssertTrue(proc.contains("\(w)  "), "worker \(w) missing:\n\(proc)") }
        XCTAssertEqual(proc.components(separatedBy: " worker ").count - 1, 3, proc)
        let help = try p.masterCommand("help")
        XCTAssertTrue(help.contains("show proc"), help)
    }

    func testKilledWorkerIsRespawnedIntoItsSlotWhileTheOthersKeepServing() throws {
        let backend = try startBackend(.echo)
        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, backend: backend.port, workers: 2))
        try p.waitUntilListening(port: port, sockets: 2)
        let before = try p.waitForChildren(count: 2)

        // Long-lived sessions spread over both workers.
        var held: [TCPClient] = []
        for _ in 0..<12 { held.append(try TCPClient.connect(port: port)) }
        for (i, c) in held.enumerated() { try c.send("hello \(i)\n"); XCTAssertEqual(try c.readLine(), "hello \(i)") }

        let victim = before[0]
        kill(victim, SIGKILL)
        var after: [pid_t] = []
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.02) {
            after = p.childPids(role: "worker")
            return after.count == 2 && !after.contains(victim)
        }, "worker not respawned")
        XCTAssertTrue(after.contains(before[1]), "the surviving worker must be untouched")
        XCTAssertTrue(p.stderrText.contains("exited with signal 9 (SIGKILL)"), p.stderrTail())

        // Sessions of the surviving worker still work; those of the killed one were cut.
        var alive = 0
        for (i, c) in held.enumerated() {
            if (try? c.send("again \(i)\n")) != nil, (try? c.readLine(timeout: 2)) == "again \(i)" { alive += 1 }
        }
        XCTAssertGreaterThan(alive, 0)
        XCTAssertLessThan(alive, held.count)
        // New connections all succeed, including those hashed to the respawned slot's socket.
        for i in 0..<100 {
            let c = try TCPClient.connect(port: port)
            try c.send("n\(i)\n")
            XCTAssertEqual(try c.readLine(timeout: 3), "n\(i)")
        }
        XCTAssertEqual(p.listeningSocketCount(port: port), 2, "the slot keeps its listening socket")
    }

    func testTermStopsEveryProcessAndClosesListeners() throws {
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, backend: backend.port, workers: 2),
                                 arguments: ["-d", "-p", "{dir}/fulcrum.pid", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        let tree = p.descendantPids()
        XCTAssertEqual(tree.count, 2)
        let pidfile = FileBytes.readText(p.path("fulcrum.pid")) ?? ""
        XCTAssertEqual(pidfile, "\(p.pid)\n")
        let held = try TCPClient.connect(port: port)
        XCTAssertEqual(try held.readLine(), "s1")
        try p.signal(SIGTERM)
        XCTAssertEqual(p.waitForExit(timeout: 10), .exited(0))
        XCTAssertFalse(tree.contains(where: ProcessTree.isAlive), "no orphan left behind")
        XCTAssertEqual(ListeningSockets.inodes(port: port).count, 0)
        XCTAssertNil(FileBytes.readText(p.path("fulcrum.pid")), "pidfile removed")
        XCTAssertThrowsError(try TCPClient.connect(port: port, timeout: 1))
    }

    func testUsr1LetsALongTransferFinishAndRefusesNewConnections() throws {
        let size = 48 << 20
        let backend = try startBackend(.source(bytes: size))
        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, backend: backend.port, workers: 2))
        try p.waitUntilListening(port: port, sockets: 2)
        let c = try TCPClient.connect(port: port)
        // Read a little, so the transfer is in flight but far from done.
        let head = try c.receive(count: 1 << 20, timeout: 5)
        XCTAssertEqual(head.end, .complete)
        try p.signal(SIGUSR1)
        XCTAssertTrue(waitUntil(timeout: 5, interval: 0.02) { ListeningSockets.inodes(port: port).isEmpty },
                      "listeners must close on graceful stop")
        XCTAssertThrowsError(try TCPClient.connect(port: port, timeout: 1), "no new connection accepted")
        XCTAssertTrue(p.isRunning, "the master waits for the transfer")
        let rest = try c.receiveUntilEOF(timeout: 60)
        XCTAssertEqual(rest.end, .eof)
        XCTAssertEqual(head.bytes.count + rest.bytes.count, size)
        XCTAssertNil(TestPattern.firstMismatch(in: head.bytes + rest.bytes, from: 0))
        // The session ends when the client closes its side too (until then it
        // is half-open, bounded by timeout client-fin, as in HAProxy).
        c.close()
        XCTAssertEqual(p.waitForExit(timeout: 10), .exited(0))
    }

    func testSystemdNotifyReadyAndStopping() throws {
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let notify = try NotifySocket()
        let p = try startFulcrum(config: config(port: port, backend: backend.port, workers: 2),
                                 arguments: ["-Ws", "-f", "{config}"], environment: notify.environment)
        let ready = notify.waitFor("READY=1", timeout: 10)
        XCTAssertNotNil(ready)
        XCTAssertTrue(ready?.contains("MAINPID=\(p.pid)") ?? false, ready ?? "")
        // READY=1 means every worker accepts already.
        XCTAssertTrue(roundTrip(port))
        try p.signal(SIGTERM)
        XCTAssertNotNil(notify.waitFor("STOPPING=1", timeout: 10))
        XCTAssertEqual(p.waitForExit(timeout: 10), .exited(0))
    }

    func testWithoutWsNothingIsSentToTheNotifySocket() throws {
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let notify = try NotifySocket()
        let p = try startFulcrum(config: config(port: port, backend: backend.port, workers: 1),
                                 arguments: ["-W", "-f", "{config}"], environment: notify.environment)
        try p.waitUntilListening(port: port, sockets: 1)
        XCTAssertTrue(roundTrip(port))
        XCTAssertNil(notify.receive(timeout: 0.5))
    }

    func testDaemonModeReturnsOnceReadyAndWritesThePidfile() throws {
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "fdaemon")
        defer { dir.remove() }
        let cfg = try dir.write("fulcrum.cfg", config(port: port, backend: backend.port, workers: 2))
        let pidPath = dir.file("fulcrum.pid")
        let r = try CommandRunner.run(FulcrumBinary.path(), ["-D", "-q", "-p", pidPath, "-f", cfg], timeout: 20)
        XCTAssertEqual(r.status, 0, r.output)
        let pid = pid_t((FileBytes.readText(pidPath) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        XCTAssertGreaterThan(pid, 0)
        defer { kill(pid, SIGKILL) }
        XCTAssertTrue(ProcessTree.isAlive(pid))
        XCTAssertNotEqual(ProcessTree.parent(of: pid), getpid(), "the daemon is detached from its caller")
        let workers = ProcessTree.children(of: pid)
        XCTAssertEqual(workers.count, 2)
        XCTAssertTrue(roundTrip(port), "ready when -D returns")
        kill(pid, SIGTERM)
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) { !ProcessTree.isAlive(pid) && !workers.contains(where: ProcessTree.isAlive) })
    }

    func testMasterExitsNonZeroWhenItsWorkersCannotStart() throws {
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, backend: backend.port, workers: 2,
                                                extraGlobal: "    user no-such-user-fulcrum"))
        let status = p.waitForExit(timeout: 20)
        XCTAssertEqual(status, .exited(1), p.stderrTail())
        XCTAssertTrue(p.stderrText.contains("unknown user 'no-such-user-fulcrum'"), p.stderrTail())
        XCTAssertEqual(ListeningSockets.inodes(port: port).count, 0)
    }

    func testBindFailureIsReportedAndExitsNonZero() throws {
        let backend = try startBackend(.identify("s1"))
        let blocker = try LoopbackSocket.listen(port: 0)
        defer { close(blocker) }
        let port = try LoopbackSocket.localPort(blocker)
        let p = try startFulcrum(config: config(port: port, backend: backend.port, workers: 1))
        XCTAssertEqual(p.waitForExit(timeout: 10), .exited(1))
        XCTAssertTrue(p.stderrText.contains("Starting frontend fe: cannot bind socket"), p.stderrTail())
    }

    func testProgramSectionsStartWithTheMasterAndStopWithIt() throws {
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        // A unique argument identifies our program among the master's children.
        let marker = "300.\(port)"
        let p = try startFulcrum(config: config(port: port, backend: backend.port, workers: 1, extra: """
            program sleeper
                command sleep \(marker)
            """))
        try p.waitUntilListening(port: port, sockets: 1)
        var program: pid_t = 0
        XCTAssertTrue(waitUntil(timeout: 10, interval: 0.05) {
            program = p.childPids().first { ProcessTree.commandLine(of: $0) == ["sleep", marker] } ?? 0
            return program != 0
        }, "program not started:\n\(p.stderrTail())")
        XCTAssertTrue(p.stderrText.contains("program 'sleeper' started"), p.stderrTail())
        try p.signal(SIGTERM)
        XCTAssertEqual(p.waitForExit(timeout: 10), .exited(0))
        XCTAssertTrue(waitUntil(timeout: 5, interval: 0.05) { !ProcessTree.isAlive(program) })
    }

    func testWorkersDropPrivilegesAndChrootAfterOpeningSockets() throws {
        try requireRoot("setuid/chroot need root")
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let jail = try TemporaryDirectory(prefix: "fjail")
        defer { jail.remove() }
        let p = try startFulcrum(config: config(port: port, backend: backend.port, workers: 1,
                                                extraGlobal: "    user nobody\n    chroot \(jail.path)"))
        try p.waitUntilListening(port: port, sockets: 1)
        let worker = try p.waitForChildren(count: 1)[0]
        XCTAssertTrue(roundTrip(port))
        let status = (try? String(contentsOfFile: "/proc/\(worker)/status", encoding: .utf8)) ?? ""
        let uid = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(separator: "\t").dropFirst().first
        XCTAssertEqual(uid.map(String.init), "65534", status)
        let root = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(worker)/root")
        XCTAssertEqual(root, jail.path)
    }

    /// `uid` / `gid`: the numeric forms of `user` / `group`.
    func testWorkersTakeANumericUIDAndGID() throws {
        try requireRoot("setuid/setgid need root")
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, backend: backend.port, workers: 1,
                                                extraGlobal: "    uid 65534\n    gid 65533"))
        try p.waitUntilListening(port: port, sockets: 1)
        let worker = try p.waitForChildren(count: 1)[0]
        XCTAssertTrue(roundTrip(port))
        let status = FileBytes.readText("/proc/\(worker)/status") ?? ""
        func ids(_ field: String) -> String? {
            status.split(separator: "\n").first { $0.hasPrefix(field) }?.split(separator: "\t").dropFirst().first.map(String.init)
        }
        XCTAssertEqual(ids("Uid:"), "65534", status)
        XCTAssertEqual(ids("Gid:"), "65533", status)
    }

    /// After setuid a worker is not dumpable (its /proc entries belong to
    /// root); `set-dumpable` makes them its own user's again.
    func testSetDumpableKeepsAWorkerDumpableAfterSetuid() throws {
        try requireRoot("setuid needs root")
        let backend = try startBackend(.identify("s1"))
        for dumpable in [false, true] {
            let port = try FreePort.next()
            let p = try startFulcrum(config: config(port: port, backend: backend.port, workers: 1,
                                                    extraGlobal: "    uid 65534\n    gid 65533" + (dumpable ? "\n    set-dumpable" : "")))
            try p.waitUntilListening(port: port, sockets: 1)
            let worker = try p.waitForChildren(count: 1)[0]
            XCTAssertTrue(roundTrip(port))
            var st = stat()
            XCTAssertEqual(stat("/proc/\(worker)/status", &st), 0)
            XCTAssertEqual(st.st_uid, dumpable ? 65534 : 0, "set-dumpable \(dumpable)")
            _ = p.stop()
        }
    }
}
