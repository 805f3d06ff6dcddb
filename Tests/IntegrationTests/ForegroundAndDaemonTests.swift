import XCTest
import Glibc

/// The two ways a daemon is run: in the foreground as a container's
/// entrypoint (`haproxy -W -db`, the official image's command), and detached
/// (`-D`) from a script, ssh or Ansible, which must get their streams back.
final class ForegroundAndDaemonTests: XCTestCase {
    private func config(port: UInt16) -> String {
        answeringConfig(port: port, global: ["nbthread 2", "daemon"])
    }

    /// `-W -db` keeps the foreground even with `daemon` in the file, logs on
    /// stderr, and SIGINT (Ctrl-C, `docker stop` with STOPSIGNAL SIGINT)
    /// exits 130 as haproxy's master does; SIGTERM exits 0.
    func testContainerEntrypointStaysInForegroundAndExitsAsHAProxy() throws {
        for (sig, expected) in [(SIGINT, Int32(130)), (SIGTERM, Int32(0))] {
            let port = try FreePort.next()
            let p = try startFulcrum(config: config(port: port), arguments: ["-W", "-db", "-f", FulcrumProcess.configPlaceholder])
            try p.waitUntilListening(port: port, sockets: 2)
            XCTAssertTrue(p.waitForStderr(containing: "Loading success"), p.stderrTail())
            XCTAssertTrue(p.isRunning, "-db: the command itself serves")
            try p.signal(sig)
            let status = p.waitForExit(timeout: 10)
            XCTAssertEqual(status?.shellStatus, expected, "after \(SignalChannelName.of(sig))")

            if let haproxy = Tools.find("haproxy") {
                let dir = try TemporaryDirectory(prefix: "fhap")
                defer { dir.remove() }
                let hport = try FreePort.next()
                let file = try dir.write("h.cfg", config(port: hport))
                let h = try ChildProcess(executable: haproxy, arguments: ["-W", "-db", "-f", file], environment: Tools.currentEnvironment(),
                                         stdoutPath: dir.file("out"), stderrPath: dir.file("err"))
                // Up, as Fulcrum was, and its master catching the signal (it
                // says "Loading success" before it installs its handlers).
                XCTAssertTrue(waitUntil(timeout: 10) {
                    (FileBytes.readText(dir.file("err")) ?? "").contains("Loading success") && SignalDisposition.catches(h.pid, sig)
                })
                kill(h.pid, sig)
                let hstatus = h.wait(timeout: 10)
                XCTAssertEqual(hstatus?.shellStatus, expected,
                               "haproxy -W -db after \(SignalChannelName.of(sig)): \(String(describing: hstatus)) \(FileBytes.readText(dir.file("err")) ?? "")")
            }
        }
    }

    /// `fulcrum -D ... | cat` returns: the daemon and every child it started
    /// hold /dev/null, not the caller's pipe, and sit in their own session.
    func testDaemonGivesTheCallersStreamsBack() throws {
        let port = try FreePort.next()
        let d = try detachedFulcrum(config: config(port: port))
        let shell = "'\(try FulcrumBinary.path())' -D -p '\(d.pidFile)' -f '\(d.configPath)' 2>&1 | cat"
        let r = try CommandRunner.run("sh", ["-c", shell], timeout: 20)
        XCTAssertFalse(r.timedOut, "the pipe was held after the daemon started")
        XCTAssertEqual(r.status, 0, r.output)
        let master = try XCTUnwrap(d.pid)
        let children = ProcessTree.descendants(of: master)
        XCTAssertGreaterThanOrEqual(children.count, 2)
        for pid in [master] + children {
            for fd in 0...2 {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? "?"
                XCTAssertEqual(target, "/dev/null", "pid \(pid) fd \(fd)")
            }
        }
        let stat = FileBytes.readText("/proc/\(master)/stat") ?? ""
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        XCTAssertEqual(fields.count > 3 ? pid_t(fields[3]) : nil, master, "setsid: the master leads its session")
        let served = try CommandRunner.run("curl", ["-s", "http://127.0.0.1:\(port)/"])
        XCTAssertEqual(served.stdout, "ok")
    }
}

/// What /proc says of a process's signals.
enum SignalDisposition {
    /// Whether `pid` has a handler for `sig` (SigCgt in /proc/PID/status).
    static func catches(_ pid: pid_t, _ sig: Int32) -> Bool {
        let status = FileBytes.readText("/proc/\(pid)/status") ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
              let mask = UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16) else { return false }
        return mask & (1 << UInt64(sig - 1)) != 0
    }
}

/// Signal names for messages.
enum SignalChannelName {
    static func of(_ sig: Int32) -> String { sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "signal \(sig)" }
}
