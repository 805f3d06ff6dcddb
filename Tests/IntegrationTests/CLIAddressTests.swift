import XCTest
import Glibc

/// The master CLI (`-S`) and `stats socket` on every address form HAProxy's
/// bind syntax gives them: a UNIX path with its options after commas (not a
/// file named after the whole argument), TCP addresses, the socket file's
/// owner.
final class CLIAddressTests: XCTestCase {
    func testMasterCLIAndStatsSocketAddressForms() throws {
        let port = try FreePort.next(), masterPort = try FreePort.next(), statsPort = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "fcliaddr")
        defer { dir.remove() }
        let config = answeringConfig(port: port, global: [
            "stats socket ipv4@127.0.0.1:\(statsPort) level admin",
            "stats socket \(dir.path)/owned.sock mode 640 uid 65534 gid 65534 level user",
        ])
        let master = dir.file("m.sock")
        let p = try startFulcrum(config: config, arguments: [
            "-d", "-S", "\(master),mode,640,level,operator", "-S", "ipv4@127.0.0.1:\(masterPort)",
            "-f", FulcrumProcess.configPlaceholder,
        ])
        try p.waitUntilListening(port: port)
        var st = stat()
        XCTAssertEqual(stat(master, &st), 0, "the socket is at the path before the first comma")
        XCTAssertEqual(st.st_mode & 0o777, 0o640)
        XCTAssertFalse(FileManager.default.fileExists(atPath: master + ",mode,640,level,operator"))
        XCTAssertEqual(try MasterCLI.send("show cli level", socketPath: master), "operator\n\n")

        // The master CLI and a stats socket over TCP.
        let proc = try CommandRunner.run("socat", ["-", "TCP:127.0.0.1:\(masterPort)"], stdin: "show proc\n")
        XCTAssertTrue(proc.stdout.contains("master"), proc.output)
        let info = try CommandRunner.run("socat", ["-", "TCP:127.0.0.1:\(statsPort)"], stdin: "show info\n")
        XCTAssertTrue(info.stdout.contains("Name: "), info.output)

        XCTAssertEqual(stat(dir.file("owned.sock"), &st), 0)
        XCTAssertEqual(st.st_uid, 65534)
        XCTAssertEqual(st.st_gid, 65534)
        XCTAssertEqual(try MasterCLI.send("show cli level", socketPath: dir.file("owned.sock")), "user\n\n")

        // SIGTERM: the files it made go, nothing else does.
        try p.signal(SIGTERM)
        XCTAssertEqual(p.waitForExit(timeout: 10), .exited(0))
        XCTAssertFalse(FileManager.default.fileExists(atPath: master))
    }

    func testABadMasterCLIAddressIsRefusedAtStart() throws {
        let r = try CommandRunner.run(FulcrumBinary.path(), ["-d", "-S", "ipv4@127.0.0.1:0", "-f", "/dev/null"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("-S : invalid port in 'ipv4@127.0.0.1:0'"), r.stderr)
        let unknown = try CommandRunner.run(FulcrumBinary.path(), ["-d", "-S", "/tmp/x.sock,bogus,1", "-f", "/dev/null"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("unknown keyword 'bogus' on -S"), unknown.stderr)
    }

    /// `stats socket ipv6@[::1]:PORT` and `-S ipv6@[::1]:PORT`, under fulcrum
    /// and haproxy 2.6: both listen on the IPv6 loopback and answer there
    /// at the socket's level.
    func testIPv6AddressesAsHAProxy() throws {
        let haproxy = try requireTool("haproxy")
        for executable in [try FulcrumBinary.path(), haproxy] {
            let port = try FreePort.next(), statsPort = try FreePort.next(), masterPort = try FreePort.next()
            let config = answeringConfig(port: port, global: ["stats socket ipv6@[::1]:\(statsPort) level operator"])
            let arguments = (executable == haproxy ? ["-W"] : ["-d"]) + ["-S", "ipv6@[::1]:\(masterPort)", "-f", FulcrumProcess.configPlaceholder]
            let p = try startFulcrum(config: config, arguments: arguments, executable: executable)
            try p.waitUntilListening(port: port)
            func ask(_ port: UInt16, _ command: String) -> String {
                var answer = ""
                _ = waitUntil(timeout: 5, interval: 0.05) {
                    answer = (try? CommandRunner.run("socat", ["-", "TCP6:[::1]:\(port)"], stdin: command + "\n").stdout) ?? ""
                    return !answer.isEmpty
                }
                return answer
            }
            XCTAssertEqual(ask(statsPort, "show cli level"), "operator\n\n", executable)
            XCTAssertTrue(ask(masterPort, "show proc").contains("master"), executable)
            p.stop()
        }
    }
}
