import Foundation
import Glibc
import XCTest

/// `bind /path mode M user U`, `bind unix@/path`, `bind abns@name`, with and
/// without `accept-proxy`, served by fulcrum and by haproxy 2.6 with the same
/// configuration (curl --unix-socket and raw unix clients); and a reload
/// that keeps serving the very same unix socket under a bounded load loop.
final class UnixSocketBindTests: XCTestCase {
    private func stat(_ path: String) -> stat? { fileStatus(path) }

    func testUnixBindsSideBySide() throws {
        _ = try requireTool("curl")
        let web = try startRecordingBackend("web")
        let dir = try TemporaryDirectory(prefix: "uxs")
        addTeardownBlock { dir.remove() }
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            substitutions[proxy] = ["{sock}": dir.file("\(proxy).sock"), "{sockpp}": dir.file("\(proxy)-pp.sock"),
                                    "{sockid}": dir.file("\(proxy)-id.sock"),
                                    "{abns}": "fulcrum-test-\(getpid())-\(proxy)"]
        }
        let config = SideBySide.httpDefaults + """
            frontend fe_tcp
                bind 127.0.0.1:{port}
                default_backend web
            frontend fe_unix
                bind {sock} mode 600 user nobody
                bind unix@{sockpp} mode 666 accept-proxy
                bind abns@{abns}
                bind {sockid} uid 4242 gid 4343 mode 640
                log {log} local0
                log-format "%ci:%cp %fi:%fp %f %b/%s %ST %{+Q}r"
                option forwardfor
                default_backend web
            backend web
                server web 127.0.0.1:\(web.port)

            """
        let logs = try SideBySideLogging(self, config: config, backends: [web], substitutions: substitutions)
        let nobody = getpwnam("nobody")?.pointee.pw_uid
        for proxy in ProxyUnderTest.allCases {
            let names = substitutions[proxy]!
            XCTAssertTrue(waitUntil(timeout: 10) { self.stat(names["{sock}"]!) != nil }, "\(proxy): socket file")
            let st = stat(names["{sock}"]!)
            XCTAssertEqual(st.map { $0.st_mode & S_IFMT }, S_IFSOCK, "\(proxy): a socket")
            XCTAssertEqual(st.map { $0.st_mode & 0o777 }, 0o600, "\(proxy): mode 600")
            XCTAssertEqual(st?.st_uid, nobody, "\(proxy): owned by nobody")
            XCTAssertEqual(stat(names["{sockpp}"]!).map { $0.st_mode & 0o777 }, 0o666, "\(proxy): mode 666")
            let numeric = stat(names["{sockid}"]!)
            XCTAssertEqual(numeric.map { [$0.st_uid, $0.st_gid, $0.st_mode & 0o777] }, [4242, 4343, 0o640], "\(proxy): uid, gid, mode")

            // curl over the socket file: no address to forward.
            _ = web.takeRequests()
            let curl = try CommandRunner.run("curl", ["-s", "-m", "10", "-o", "/dev/null", "-w", "%{http_code}",
                                                      "--unix-socket", names["{sock}"]!, "http://site/file"], timeout: 20)
            XCTAssertEqual(curl.stdout, "200", "\(proxy): curl --unix-socket \(curl.stderr)")
            var seen = web.takeRequests()
            XCTAssertEqual(seen.map(\.target), ["/file"], "\(proxy)")
            XCTAssertEqual(seen.first?.values("X-Forwarded-For"), [], "\(proxy): a unix client has no address")

            // accept-proxy on a unix bind: the carried address is the client's.
            let pp = try UnixStreamClient.connect(path: names["{sockpp}"]!)
            try pp.send("PROXY TCP4 192.0.2.9 198.51.100.7 40000 80\r\n" + httpGet("/carried", ["Connection: close"]))
            XCTAssertEqual(try pp.readHTTPResponse()?.status, 200, "\(proxy): accept-proxy on a unix socket")
            pp.close()
            seen = web.takeRequests()
            XCTAssertEqual(seen.first?.values("X-Forwarded-For"), ["192.0.2.9"], "\(proxy)")

            // The abstract namespace.
            let abns = try UnixStreamClient.connect(abstract: names["{abns}"]!)
            try abns.send(httpGet("/abns", ["Connection: close"]))
            XCTAssertEqual(try abns.readHTTPResponse()?.status, 200, "\(proxy): abns@")
            abns.close()
            XCTAssertEqual(web.takeRequests().map(\.target), ["/abns"], "\(proxy)")
        }
        let lines = try logs.assertSameLines(count: 3, LogLineComparison(.exact), "unix clients' log lines")
        XCTAssertEqual(lines[.fulcrum]?.map(\.message), [
            "unix:1 unix:1 fe_unix web/web 200 \"GET /file HTTP/1.1\"",
            "192.0.2.9:40000 198.51.100.7:80 fe_unix web/web 200 \"GET /carried HTTP/1.1\"",
            "unix:3 unix:3 fe_unix web/web 200 \"GET /abns HTTP/1.1\"",
        ])
    }

    /// Servers on unix sockets (`/path`, `unix@/path`, `abns@name`): each
    /// proxy reaches its own unix frontends through them, as haproxy does;
    /// the log line's %si:%sp for such a server is haproxy's.
    func testUnixSocketServers() throws {
        let web = try startRecordingBackend("web")
        let dir = try TemporaryDirectory(prefix: "uxv")
        addTeardownBlock { dir.remove() }
        var substitutions: [ProxyUnderTest: [String: String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            substitutions[proxy] = ["{sock}": dir.file("\(proxy).sock"), "{abns}": "fulcrum-srv-\(getpid())-\(proxy)"]
        }
        let config = SideBySide.httpDefaults + """
            frontend fe
                bind 127.0.0.1:{port}
                log {log} local0
                log-format "%b/%s %si:%sp %ST"
                use_backend be_unix if { path_beg /unix }
                use_backend be_abns if { path_beg /abns }
                default_backend be_path
            frontend inner_path
                bind {sock}
                default_backend web
            frontend inner_abns
                bind abns@{abns}
                default_backend web
            backend be_path
                server app {sock}
            backend be_unix
                server app unix@{sock}
            backend be_abns
                server app abns@{abns}
            backend web
                server web 127.0.0.1:\(web.port)

            """
        let logs = try SideBySideLogging(self, config: config, backends: [web], substitutions: substitutions)
        for proxy in ProxyUnderTest.allCases {
            for path in ["/path", "/unix", "/abns"] {
                _ = web.takeRequests()
                let client = try TCPClient.connect(port: logs.port(proxy))
                defer { client.close() }
                try client.send(httpGet(path, ["Connection: close"]))
                XCTAssertEqual(try client.readHTTPResponse()?.status, 200, "\(proxy): \(path)")
                XCTAssertEqual(web.takeRequests().map(\.target), [path], "\(proxy): \(path) went through the unix server")
            }
        }
        let lines = try logs.assertSameLines(count: 3, LogLineComparison(.exact), "unix servers' log lines")
        XCTAssertEqual(lines[.haproxy]?.first?.message.hasPrefix("be_path/app "), true)
    }

    /// `-x`: haproxy 2.6 hands its unix listener to fulcrum over `_getsocks`
    /// (haproxy names it by its temporary "PATH.PID.tmp"): fulcrum serves
    /// that very socket (the file is not bound anew) and a request loop over
    /// it sees no error across the handover.
    func testHAProxyHandsItsUnixSocketToFulcrum() throws {
        let haproxy = try requireTool("haproxy")
        let web = try startRecordingBackend("web")
        let dir = try TemporaryDirectory(prefix: "uxx")
        addTeardownBlock { dir.remove() }
        let path = dir.file("app.sock"), hsock = dir.file("haproxy.sock")
        let config = "global\n    nbthread 2\n    stats socket \(hsock) mode 600 level admin expose-fd listeners\n"
            + SideBySide.httpDefaults + """
            frontend fe
                bind \(path) mode 666
                default_backend web
            backend web
                server web 127.0.0.1:\(web.port)

            """
        let file = try dir.write("h.cfg", config)
        let h = try ChildProcess(executable: haproxy, arguments: ["-db", "-f", file], environment: Tools.currentEnvironment(),
                                 stdoutPath: dir.file("out"), stderrPath: dir.file("err"))
        defer { if h.isRunning { h.terminateTree(grace: 1) } }
        XCTAssertTrue(waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: hsock) && self.stat(path) != nil })
        let inode = stat(path)?.st_ino
        let loop = UnixRequestLoop(path: path, maxRequests: 20_000, maxSeconds: 60)
        XCTAssertTrue(waitUntil(timeout: 10) { loop.successCount > 20 }, "haproxy serves the socket")

        let d = try detachedFulcrum(config: config.replacingOccurrences(of: hsock, with: dir.file("fulcrum.sock")))
        let r = try d.start(["-x", hsock, "-sf", String(h.pid)])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertNotNil(h.wait(timeout: 10), "haproxy stops on SIGUSR1 from -sf")
        let before = loop.successCount
        XCTAssertTrue(waitUntil(timeout: 10) { loop.successCount > before + 20 }, "fulcrum serves the socket")
        let (succeeded, failures) = loop.stop()
        XCTAssertEqual(failures, [], "requests across the handover")
        XCTAssertGreaterThan(succeeded, 40)
        XCTAssertEqual(stat(path)?.st_ino, inode, "fulcrum took haproxy's socket instead of binding a new one")
    }

    /// A reload (workers 2 → 1 → 2 ...) keeps the very socket: the file is
    /// not re-created and a client loop over it sees no error.
    func testReloadKeepsServingTheUnixSocket() throws {
        let web = try startRecordingBackend("web")
        let dir = try TemporaryDirectory(prefix: "uxr")
        addTeardownBlock { dir.remove() }
        let path = dir.file("app.sock")
        func config(_ workers: Int) -> String {
            "global\n    workers \(workers)\n" + SideBySide.httpDefaults + """
                frontend fe
                    bind \(path) mode 666
                    default_backend web
                backend web
                    server web 127.0.0.1:\(web.port)

                """
        }
        let p = try startFulcrum(config: config(2), arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilMasterSocketListening()
        XCTAssertTrue(waitUntil(timeout: 10) { self.stat(path) != nil })
        let inode = stat(path)?.st_ino
        let loop = UnixRequestLoop(path: path, maxRequests: 20_000, maxSeconds: 60)
        XCTAssertTrue(waitUntil(timeout: 10) { loop.successCount > 20 }, "the loop is served before the reloads")
        for i in 1...6 {
            try p.writeConfig(config(i % 2 == 0 ? 2 : 1))
            XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n", "reload \(i)")
            let before = loop.successCount
            XCTAssertTrue(waitUntil(timeout: 10) { loop.successCount > before + 10 }, "served after reload \(i)")
        }
        let (succeeded, failures) = loop.stop()
        XCTAssertEqual(failures, [], "requests over the unix socket across 6 reloads")
        XCTAssertGreaterThan(succeeded, 100)
        XCTAssertEqual(stat(path)?.st_ino, inode, "the socket file is the one bound at start")
        XCTAssertTrue(p.waitUntilSettled(workers: 2), "the old generations are gone")
    }
}

/// stat(2) of `path`; nil when there is nothing there.
private func fileStatus(_ path: String) -> stat? {
    var st = stat()
    return stat(path, &st) == 0 ? st : nil
}

/// One request after another over a unix socket file (connect, GET, read
/// the response, close), in a thread, until stopped: bounded in count and time.
final class UnixRequestLoop {
    private let lock = NSLock()
    private var stopRequested = false
    private var finished = false
    private var succeeded = 0
    private var failures: [String] = []

    init(path: String, maxRequests: Int, maxSeconds: Double) {
        let thread = Thread { [self] in
            let deadline = Deadline(seconds: maxSeconds)
            var n = 0
            while n < maxRequests && !deadline.hasExpired && !locked({ stopRequested }) {
                n += 1
                var problem: String? = nil
                do {
                    let client = try UnixStreamClient.connect(path: path)
                    try client.send(httpGet("/n\(n)", ["Connection: close"]))
                    let status = try client.readHTTPResponse(timeout: 5)?.status
                    if status != 200 { problem = "status \(status.map(String.init) ?? "none")" }
                    client.close()
                } catch {
                    problem = "\(error)"
                }
                locked { if let problem { failures.append("request \(n): \(problem)") } else { succeeded += 1 } }
            }
            locked { finished = true }
        }
        thread.start()
    }

    var successCount: Int { locked { succeeded } }

    func stop() -> (succeeded: Int, failures: [String]) {
        locked { stopRequested = true }
        if !waitUntil(timeout: 15, interval: 0.01, { self.locked { self.finished } }) {
            return (successCount, ["the loop did not stop within 15 s"])
        }
        return locked { (succeeded, failures) }
    }

    deinit { locked { stopRequested = true } }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
