import Foundation
import Glibc
import XCTest

/// Issue 11's bar: Debian's default /etc/haproxy/haproxy.cfg (haproxy
/// 2.6.12-1+deb12u4), minus its TLS lines (issue 13), is accepted by
/// `fulcrum -c` and runs as written: daemon, chroot, user haproxy, logging to
/// a socket inside the chroot as /dev/log is there, httplog + dontlognull,
/// Debian's errorfiles.
final class DebianDefaultConfigTests: XCTestCase {
    /// The file as Debian ships it, without `ca-base`, `crt-base` and the
    /// `ssl-default-bind-*` lines; `{log}` and `{socket}` stand for /dev/log
    /// and /run/haproxy/admin.sock so a test can point them elsewhere.
    static let debianDefault = """
        global
        \tlog {log}\tlocal0
        \tlog {log}\tlocal1 notice
        \tchroot /var/lib/haproxy
        \tstats socket {socket} mode 660 level admin
        \tstats timeout 30s
        \tuser haproxy
        \tgroup haproxy
        \tdaemon

        defaults
        \tlog\tglobal
        \tmode\thttp
        \toption\thttplog
        \toption\tdontlognull
                timeout connect 5000
                timeout client  50000
                timeout server  50000
        \terrorfile 400 /etc/haproxy/errors/400.http
        \terrorfile 403 /etc/haproxy/errors/403.http
        \terrorfile 408 /etc/haproxy/errors/408.http
        \terrorfile 500 /etc/haproxy/errors/500.http
        \terrorfile 502 /etc/haproxy/errors/502.http
        \terrorfile 503 /etc/haproxy/errors/503.http
        \terrorfile 504 /etc/haproxy/errors/504.http

        """

    private func requireDebianFiles() throws {
        try requireTool("haproxy")
        guard access("/etc/haproxy/errors/503.http", R_OK) == 0 else {
            throw XCTSkip("needs Debian's /etc/haproxy/errors (package haproxy)")
        }
    }

    /// `fulcrum -c` accepts the file as haproxy 2.6 does.
    func testTheDefaultFileWithoutTLSLinesPassesTheCheck() throws {
        try requireDebianFiles()
        let dir = try TemporaryDirectory(prefix: "debian")
        defer { dir.remove() }
        let text = Self.debianDefault.replacingOccurrences(of: "{log}", with: "/dev/log")
            .replacingOccurrences(of: "{socket}", with: "/run/haproxy/admin.sock")
        let path = try dir.write("haproxy.cfg", text)
        let haproxy = try CommandRunner.run(try requireTool("haproxy"), ["-c", "-f", path], timeout: 20)
        XCTAssertEqual(haproxy.status, 0, "haproxy itself accepts it: \(haproxy.output)")
        let fulcrum = try CommandRunner.run(FulcrumBinary.path(), ["-c", "-f", path], timeout: 20)
        XCTAssertEqual(fulcrum.status, 0, fulcrum.output)
        XCTAssertTrue(fulcrum.output.contains("Configuration file is valid"), fulcrum.output)
    }

    /// The file runs as written with a frontend and a backend added: the
    /// daemon starts, its worker chroots to /var/lib/haproxy as user haproxy
    /// and sends its httplog line to the log socket it finds there; the
    /// stats socket answers; a connection that sends nothing is not logged.
    func testTheDefaultFileRunsChrootedAndLogsInsideTheChroot() throws {
        try requireRoot("chroot to /var/lib/haproxy and run as user haproxy, as the file says")
        try requireDebianFiles()
        guard getpwnam("haproxy") != nil, access("/var/lib/haproxy", X_OK) == 0 else {
            throw XCTSkip("needs the haproxy user and /var/lib/haproxy (package haproxy)")
        }
        let backend = try startBackend(.http(status: 200, body: "debian\n"))
        let port = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "debian")
        defer { dir.remove() }
        chmod(dir.path, 0o755)
        // The log socket as the worker sees it after chroot (Debian's rsyslog
        // makes /var/lib/haproxy/dev/log; the test makes its own next to it).
        let name = "/fulcrum-test-\(getpid()).log"
        let sink = try UDPLogSink(unixPath: "/var/lib/haproxy" + name)
        let text = Self.debianDefault.replacingOccurrences(of: "{log}", with: name)
            .replacingOccurrences(of: "{socket}", with: dir.file("admin.sock"))
            + "frontend www\n\tbind 127.0.0.1:\(port)\n\tdefault_backend app\n\n"
            + "backend app\n\tserver app1 127.0.0.1:\(backend.port)\n"
        let path = try dir.write("haproxy.cfg", text)
        let pidPath = dir.file("fulcrum.pid")
        let started = try CommandRunner.run(FulcrumBinary.path(), ["-p", pidPath, "-f", path], timeout: 20)
        XCTAssertEqual(started.status, 0, "`daemon` returns once ready: \(started.output)")
        let pid = pid_t((FileBytes.readText(pidPath) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        XCTAssertGreaterThan(pid, 0)
        defer {
            kill(pid, SIGTERM)
            _ = waitUntil(timeout: 10, interval: 0.05) { !ProcessTree.isAlive(pid) }
        }
        let workers = ProcessTree.children(of: pid)
        let worker = try XCTUnwrap(workers.first, "no worker")
        let root = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(worker)/root")
        XCTAssertEqual(root, "/var/lib/haproxy", "the worker is chrooted")
        let status = FileBytes.readText("/proc/\(worker)/status") ?? ""
        let uid = getpwnam("haproxy").pointee.pw_uid
        XCTAssertTrue(status.contains("Uid:\t\(uid)\t"), "the worker runs as haproxy: \(status)")

        // A connection that sends nothing (dontlognull), then a request.
        let silent = try TCPClient.connect(port: port)
        silent.close()
        let client = try TCPClient.connect(port: port)
        try client.send("GET /debian HTTP/1.1\r\nHost: x\r\n\r\n")
        let response = try XCTUnwrap(try client.readHTTPResponse())
        XCTAssertEqual(response.status, 200)
        client.close()
        let (line, seen) = sink.waitForLine(containing: "\"GET /debian HTTP/1.1\"")
        let logged = try XCTUnwrap(line, "no httplog line on the chroot's log socket; saw \(seen)")
        XCTAssertTrue(logged.hasPrefix("<134>"), "local0.info: \(logged)")
        XCTAssertTrue(workers.contains { logged.contains(" fulcrum[\($0)]: 127.0.0.1:") }, "a worker's line, tag fulcrum: \(logged) (workers \(workers))")
        XCTAssertTrue(logged.contains(" www app/app1 ") && logged.contains(" 200 "), logged)
        XCTAssertFalse(seen.contains { $0.contains("<BADREQ>") }, "dontlognull: the empty connection is not logged: \(seen)")

        let info = try CommandRunner.run(try requireTool("socat"), ["-", "UNIX-CONNECT:" + dir.file("admin.sock")],
                                         stdin: "show info\n", timeout: 10)
        XCTAssertTrue(info.output.contains("Pid: "), "stats socket answers: \(info.output)")
    }
}
