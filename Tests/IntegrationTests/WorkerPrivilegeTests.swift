import Glibc
import XCTest

/// Issue 17's privilege separation of the workers, shown by what a worker
/// can still do rather than by its ids alone: after `chroot` and `user` a
/// worker reaches a UNIX socket server only inside its chroot (it connects
/// by path at every connection, as HAProxy's), and after `user` it cannot
/// bind a port below 1024 (`source ADDR:PORT` binds at every server
/// connection) and holds no capability at all.
final class WorkerPrivilegeTests: XCTestCase {
    private func config(port: UInt16, server: String, global: String) -> String {
        """
        global
            workers 1
        \(global)
        defaults
            mode tcp
            timeout connect 2s
            timeout client 20s
            timeout server 20s
        frontend fe
            bind 127.0.0.1:\(port)
            default_backend be
        backend be
            server s1 \(server)

        """
    }

    /// The line a client of `port` gets through the proxy; nil when the
    /// proxy closes without one (no server reached).
    private func line(through port: UInt16) throws -> String? {
        let client = try TCPClient.connect(port: port, timeout: 3)
        defer { client.close() }
        return try client.readLine(timeout: 3)
    }

    /// A UNIX stream server at `path` (socat, mode 666 so a worker that is
    /// `nobody` may connect) that writes `name` and a newline to each client.
    private func startUnixServer(at path: String, name: String) throws {
        let socat = try requireTool("socat")
        let logs = try TemporaryDirectory(prefix: "fscale-socat")
        addTeardownBlock { logs.remove() }
        let server = try ChildProcess(executable: socat, arguments: ["UNIX-LISTEN:\(path),fork,mode=666", "SYSTEM:echo \(name)"],
                                      environment: Tools.currentEnvironment(),
                                      stdoutPath: logs.file("out"), stderrPath: logs.file("err"))
        addTeardownBlock { _ = server.terminateTree(grace: 1) }
        guard waitUntil(timeout: 5, { access(path, F_OK) == 0 || !server.isRunning }), server.isRunning else {
            throw HarnessError.failed("socat did not listen on \(path): \(FileBytes.readText(logs.file("err")) ?? "")")
        }
    }

    func testAChrootedWorkerReachesAUnixServerOnlyInsideItsChroot() throws {
        try requireRoot("chroot and setuid need root")
        // The server's path, real outside the chroot; the same path inside
        // it is made later.
        let outside = try TemporaryDirectory(prefix: "fscale-out")
        addTeardownBlock { outside.remove() }
        chmod(outside.path, 0o755)
        let path = outside.file("be.sock")
        try startUnixServer(at: path, name: "outside")
        let jail = try TemporaryDirectory(prefix: "fscale-jail")
        addTeardownBlock { jail.remove() }
        chmod(jail.path, 0o755)

        // Without chroot the path reaches the server outside: the control.
        let free = try FreePort.next()
        let unconfined = try startFulcrum(config: config(port: free, server: "unix@\(path)", global: "    user nobody"))
        try unconfined.waitUntilListening(port: free, sockets: 1)
        XCTAssertEqual(try line(through: free), "outside")
        _ = unconfined.stop()

        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, server: "unix@\(path)",
                                                global: "    user nobody\n    chroot \(jail.path)"))
        try p.waitUntilListening(port: port, sockets: 1)
        let worker = try p.waitForChildren(count: 1)[0]
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(worker)/root"), jail.path)
        XCTAssertNil(try line(through: port), "a chrooted worker reached \(path) outside its chroot")

        // The same path inside the chroot is what it reaches.
        let inside = jail.path + outside.path
        let made = try CommandRunner.run("mkdir", ["-p", "-m", "755", inside], timeout: 5)
        XCTAssertTrue(made.succeeded, made.output)
        try startUnixServer(at: jail.path + path, name: "inside")
        XCTAssertEqual(try line(through: port), "inside")
    }

    func testAWorkerAfterSetuidCannotBindBelow1024AndHoldsNoCapability() throws {
        try requireRoot("binding below 1024 and setuid need root")
        let backend = try startBackend(.identify("s1"))
        // Two free privileged ports: the second connection must not meet
        // the first's TIME_WAIT on the same four-tuple.
        let low = (600..<1024).filter { FreePort.isBindable(UInt16($0)) }.prefix(2).map { UInt16($0) }
        guard low.count == 2 else { throw XCTSkip("no two free ports below 1024 on 127.0.0.1") }
        let server = "127.0.0.1:\(backend.port) source 127.0.0.1:"

        // As root the worker binds the port: the control.
        let rootPort = try FreePort.next()
        let root = try startFulcrum(config: config(port: rootPort, server: server + "\(low[0])", global: ""))
        try root.waitUntilListening(port: rootPort, sockets: 1)
        XCTAssertEqual(try line(through: rootPort), "s1", "root worker with source port \(low[0])")
        _ = root.stop()

        // As nobody a port above 1024 binds: `source` itself still works.
        let highPort = try FreePort.next()
        let high = try startFulcrum(config: config(port: highPort, server: server + "\(try FreePort.next())", global: "    user nobody"))
        try high.waitUntilListening(port: highPort, sockets: 1)
        XCTAssertEqual(try line(through: highPort), "s1", "worker running as nobody with a source port above 1024")
        _ = high.stop()

        let port = try FreePort.next()
        let p = try startFulcrum(config: config(port: port, server: server + "\(low[1])", global: "    user nobody"))
        try p.waitUntilListening(port: port, sockets: 1)
        let worker = try p.waitForChildren(count: 1)[0]
        XCTAssertEqual(ProcessTree.statusField(of: worker, "Uid"), "65534")
        XCTAssertEqual(ProcessTree.statusField(of: worker, "CapEff"), "0000000000000000")
        XCTAssertEqual(ProcessTree.statusField(of: worker, "CapPrm"), "0000000000000000")
        XCTAssertNil(try line(through: port), "a worker running as nobody bound source port \(low[1])")
        XCTAssertTrue(FreePort.isBindable(low[1]), "port \(low[1]) is held by someone")
    }
}
