import XCTest
import Glibc

/// HAProxy's legacy reload, as wrappers and old init scripts drive it:
/// `-D -p PIDFILE -sf $(cat PIDFILE)` starts a new instance that tells the
/// old one to finish its connections once it serves; `-st` stops it at once;
/// `-x SOCKET` takes the old instance's very listening sockets over
/// `_getsocks`, from Fulcrum or from haproxy.
final class LegacyReloadTests: XCTestCase {
    private func config(port: UInt16, statsSocket: String? = nil) -> String {
        answeringConfig(port: port, global: ["nbthread 2"]
                        + (statsSocket.map { ["stats socket \($0) mode 600 level admin expose-fd listeners"] } ?? []))
    }

    /// A detached Fulcrum whose stats socket exposes its listeners.
    private func startExposing(port: UInt16) throws -> (DetachedFulcrum, socket: String) {
        let d = try detachedFulcrum(config: "")
        let socket = d.directory.file("stats.sock")
        _ = try d.directory.write("fulcrum.cfg", config(port: port, statsSocket: socket))
        XCTAssertEqual(try d.start().status, 0)
        return (d, socket)
    }

    /// Bounded load: one request per connection, at most 20,000 in 90 s.
    private func startLoad(port: UInt16) -> ConnectionLoop {
        let loop = ConnectionLoop(port: port, pause: 0.002, maxConnections: 20_000, maxSeconds: 90, exchange: http200Exchange)
        XCTAssertTrue(waitUntil(timeout: 5) { loop.successCount >= 20 }, "served before")
        return loop
    }

    /// The last instance serves, and no request failed while the others went.
    private func finishLoad(_ loop: ConnectionLoop, file: StaticString = #filePath, line: UInt = #line) {
        let before = loop.successCount
        XCTAssertTrue(waitUntil(timeout: 5) { loop.successCount >= before + 20 }, "served after", file: file, line: line)
        let (succeeded, failures) = loop.stop()
        XCTAssertEqual(failures, [], "\(failures.count) failed of \(succeeded + failures.count)", file: file, line: line)
        XCTAssertGreaterThan(succeeded, 40, file: file, line: line)
    }

    func testTwentySoftReloadsUnderLoadLoseNothing() throws {
        let port = try FreePort.next()
        let d = try detachedFulcrum(config: config(port: port))
        let first = try d.start()
        XCTAssertEqual(first.status, 0, first.output)
        let loop = startLoad(port: port)
        var old: [pid_t] = []
        for i in 1...20 {
            let previous = try XCTUnwrap(d.pid)
            old.append(previous)
            let r = try d.start(["-sf", String(previous)])
            XCTAssertEqual(r.status, 0, "reload \(i): \(r.output)")
            XCTAssertNotEqual(d.pid, previous, "reload \(i): the new master wrote its pid")
        }
        XCTAssertTrue(waitUntil(timeout: 15) { !old.contains(where: ProcessTree.isAlive) },
                      "old instances still running: \(old.filter(ProcessTree.isAlive))")
        finishLoad(loop)
    }

    func testHardStopEndsTheOldInstanceAtOnce() throws {
        let port = try FreePort.next()
        let d = try detachedFulcrum(config: config(port: port))
        XCTAssertEqual(try d.start().status, 0)
        let previous = try XCTUnwrap(d.pid)
        // A connection left open would keep a soft-stopping instance alive.
        let idle = try TCPClient.connect(port: port)
        defer { idle.close() }
        let r = try d.start(["-st", String(previous)])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertTrue(waitUntil(timeout: 5) { !ProcessTree.isAlive(previous) }, "-st: SIGTERM ends the old master")
        XCTAssertEqual(try CommandRunner.run("curl", ["-s", "http://127.0.0.1:\(port)/"]).stdout, "ok")
    }

    func testSocketsPassBetweenFulcrumsUnderLoad() throws {
        let port = try FreePort.next()
        let (d, socket) = try startExposing(port: port)
        let inodes = ListeningSockets.inodes(port: port)
        XCTAssertEqual(inodes.count, 2)
        let loop = startLoad(port: port)
        for _ in 1...3 {
            let previous = try XCTUnwrap(d.pid)
            let r = try d.start(["-x", socket, "-sf", String(previous)])
            XCTAssertEqual(r.status, 0, r.output)
            XCTAssertTrue(waitUntil(timeout: 10) { !ProcessTree.isAlive(previous) })
            XCTAssertEqual(ListeningSockets.inodes(port: port), inodes, "the very same sockets, not new ones")
            XCTAssertTrue(FileManager.default.fileExists(atPath: socket), "the old instance left the new one's socket file")
        }
        finishLoad(loop)
    }

    /// Without `expose-fd listeners` a stats socket hands nothing out, and
    /// `-x` on it is an error, not a silent start on new sockets.
    func testSocketsAreHandedOnlyWhereExposed() throws {
        let port = try FreePort.next()
        let d = try detachedFulcrum(config: "")
        let socket = d.directory.file("plain.sock")
        _ = try d.directory.write("fulcrum.cfg", answeringConfig(port: port, global: ["stats socket \(socket) level admin"]))
        XCTAssertEqual(try d.start().status, 0)
        let running = try XCTUnwrap(d.pid)
        let second = try DetachedFulcrum(config: answeringConfig(port: try FreePort.next()))
        defer { second.directory.remove() }
        let r = try second.start(["-x", socket])
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertTrue(r.stderr.contains("expose-fd listeners"), r.stderr)
        XCTAssertTrue(ProcessTree.isAlive(running), "the asked instance keeps serving")
        XCTAssertNil(second.pid.flatMap { ProcessTree.isAlive($0) ? $0 : nil }, "nothing was left running")
    }

    func testHAProxyHandsItsSocketsToFulcrum() throws {
        let haproxy = try requireTool("haproxy")
        let port = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "fhapx")
        defer { dir.remove() }
        let hsock = dir.file("haproxy.sock")
        let file = try dir.write("h.cfg", config(port: port, statsSocket: hsock))
        let h = try ChildProcess(executable: haproxy, arguments: ["-db", "-f", file], environment: Tools.currentEnvironment(),
                                 stdoutPath: dir.file("out"), stderrPath: dir.file("err"))
        defer { if h.isRunning { h.terminateTree(grace: 1) } }
        XCTAssertTrue(waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: hsock) && !ListeningSockets.inodes(port: port).isEmpty })
        let haproxySockets = ListeningSockets.inodes(port: port)
        let loop = startLoad(port: port)

        let d = try detachedFulcrum(config: config(port: port))
        let r = try d.start(["-x", hsock, "-sf", String(h.pid)])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertNotNil(h.wait(timeout: 10), "haproxy stops on SIGUSR1 from -sf")
        XCTAssertTrue(haproxySockets.isSubset(of: ListeningSockets.inodes(port: port)), "Fulcrum serves haproxy's socket")
        finishLoad(loop)
    }

    /// The server side against HAProxy's own client: `haproxy -x` on
    /// Fulcrum's stats socket gets Fulcrum's sockets.
    func testFulcrumHandsItsSocketsToHAProxy() throws {
        let haproxy = try requireTool("haproxy")
        let port = try FreePort.next()
        let (d, socket) = try startExposing(port: port)
        let fulcrumSockets = ListeningSockets.inodes(port: port)
        let fulcrum = try XCTUnwrap(d.pid)
        let loop = startLoad(port: port)

        let file = try d.directory.write("h.cfg", config(port: port, statsSocket: d.directory.file("haproxy.sock")))
        let h = try ChildProcess(executable: haproxy, arguments: ["-db", "-f", file, "-x", socket, "-sf", String(fulcrum)],
                                 environment: Tools.currentEnvironment(),
                                 stdoutPath: d.directory.file("hout"), stderrPath: d.directory.file("herr"))
        defer { if h.isRunning { h.terminateTree(grace: 1) } }
        XCTAssertTrue(waitUntil(timeout: 10) { !ProcessTree.isAlive(fulcrum) }, "Fulcrum stops on haproxy's SIGUSR1")
        let served = ListeningSockets.inodes(port: port)
        XCTAssertFalse(served.isEmpty)
        XCTAssertTrue(served.isSubset(of: fulcrumSockets), "haproxy serves Fulcrum's sockets: \(served) of \(fulcrumSockets); "
                      + (FileBytes.readText(d.directory.file("herr")) ?? ""))
        finishLoad(loop)
    }
}
