import XCTest
import Foundation

/// The HTTP statistics page served by the real daemon: behind `stats auth`,
/// its CSV equal to `show stat`, loaded in headless Chromium, and its admin
/// form (posted with the page's own field names) moving real traffic.
final class StatsPageTests: XCTestCase {
    private var dir: TemporaryDirectory!

    /// The backend's `log` target: admin changes made from the page arrive there.
    private var sink: UDPLogSink!

    private func launch(_ servers: [TestBackend]) throws -> (FulcrumProcess, web: UInt16, stats: UInt16) {
        sink = try UDPLogSink()
        let web = try FreePort.next(), stats = try FreePort.next()
        dir = try TemporaryDirectory(prefix: "fsp")
        let cfg = """
            global
                workers 2
                stats socket \(dir.file("admin.sock")) mode 600 level admin
            defaults
                mode http
                timeout connect 2s
                timeout client 20s
                timeout server 20s
            frontend web
                bind 127.0.0.1:\(web)
                default_backend app
            backend app
                log 127.0.0.1:\(sink.port) local0
                server s1 127.0.0.1:\(servers[0].port)
                server s2 127.0.0.1:\(servers[1].port)
            listen stats
                bind 127.0.0.1:\(stats)
                stats enable
                stats uri /stats
                stats refresh 10s
                stats auth admin:secret
                stats admin if TRUE

            """
        let p = try startFulcrum(config: cfg, arguments: ["-f", "{config}"])
        try p.waitUntilListening(port: web, sockets: 2)
        try p.waitUntilListening(port: stats, sockets: 2)
        return (p, web, stats)
    }

    private func curl(_ args: [String]) throws -> CommandResult {
        try CommandRunner.run("curl", ["-s", "-m", "10"] + args, timeout: 20)
    }

    func testAuthCSVAndAdminFormMoveTraffic() throws {
        _ = try requireTool("curl")
        _ = try requireTool("socat")
        let a = try TestBackend(.http(status: 200, body: "s1")), b = try TestBackend(.http(status: 200, body: "s2"))
        let (p, web, stats) = try launch([a, b])
        defer { _ = p.stop() }
        let url = "http://127.0.0.1:\(stats)/stats"

        let anonymous = try curl(["-i", url]).stdout
        XCTAssertTrue(anonymous.hasPrefix("HTTP/1.1 401"), anonymous)
        XCTAssertTrue(anonymous.contains("www-authenticate: Basic realm=\"HAProxy Statistics\""), anonymous)
        let wrong = try curl(["-i", "-u", "admin:nope", url]).stdout
        XCTAssertTrue(wrong.hasPrefix("HTTP/1.1 401"), wrong)
        let page = try curl(["-i", "-u", "admin:secret", url]).stdout
        XCTAssertTrue(page.hasPrefix("HTTP/1.1 200"), String(page.prefix(300)))
        XCTAssertTrue(page.contains("refresh: 10\r\n"))
        for name in ["web", "app", "stats"] { XCTAssertTrue(page.contains("<a class=px href=\"#\(name)\">\(name)</a>"), name) }

        // ;csv is show stat (columns that move with time or traffic aside).
        for _ in 0..<4 { _ = try curl(["http://127.0.0.1:\(web)/"]) }
        let csv = try curl(["-u", "admin:secret", url + ";csv;norefresh"]).stdout
        let cli = try MasterCLI.send("show stat", socketPath: dir.file("admin.sock"), timeout: 5)
        XCTAssertEqual(Self.stable(csv), Self.stable(cli))
        XCTAssertTrue(csv.hasPrefix("# pxname,svname,qcur,"))

        // The page's form: s=<server>..., action=<...>, b=#<iid>, as the HTML names them.
        let html = try curl(["-u", "admin:secret", url]).stdout
        let marker = "name=\"b\" value=\""
        let start = try XCTUnwrap(html.range(of: marker)?.upperBound)
        let backendField = String(html[start...].prefix { $0 != "\"" })
        XCTAssertTrue(backendField.hasPrefix("#"), backendField)
        XCTAssertTrue(html.contains("name=\"s\" value=\"s1\""))
        XCTAssertTrue(html.contains("<option value=\"maint\">Set state to MAINT</option>"))
        let post = try curl(["-i", "-u", "admin:secret", "--data-urlencode", "s=s1", "--data-urlencode", "action=maint",
                             "--data-urlencode", "b=\(backendField)", url]).stdout
        XCTAssertTrue(post.hasPrefix("HTTP/1.1 303"), post)
        XCTAssertTrue(post.contains("location: /stats;st=DONE"), post)
        // Logged to the backend's targets in HAProxy's words, as a CLI change is.
        let logged = sink.waitForLine(containing: "Server app/s1 is going DOWN for maintenance")
        XCTAssertNotNil(logged.found, "seen: \(logged.seen)")
        let bodies = try (0..<6).map { _ in try curl(["http://127.0.0.1:\(web)/"]).stdout }
        XCTAssertEqual(Set(bodies), ["s2"], "s1 in maintenance takes no traffic")
        let afterMaint = try curl(["-u", "admin:secret", url + ";st=DONE"]).stdout
        XCTAssertTrue(afterMaint.contains("Action processed successfully."))
        XCTAssertTrue(afterMaint.contains("<tr class=\"maintain\"><td><input class='app-checkbox' type=\"checkbox\" name=\"s\" value=\"s1\">"))

        let ready = try curl(["-i", "-u", "admin:secret", "-d", "s=s1&action=ready&b=\(backendField.replacingOccurrences(of: "#", with: "%23"))", url]).stdout
        XCTAssertTrue(ready.contains("location: /stats;st=DONE"), ready)
        let again = try (0..<6).map { _ in try curl(["http://127.0.0.1:\(web)/"]).stdout }
        XCTAssertEqual(Set(again), ["s1", "s2"])
        // Unknown server: counted, not altered (HAProxy's ERRP).
        let bad = try curl(["-i", "-u", "admin:secret", "-d", "s=zz&action=maint&b=%23999", url]).stdout
        XCTAssertTrue(bad.contains("location: /stats;st=ERRP"), bad)
    }

    /// The page's "Kill Sessions" kills the servers' streams in every worker
    /// (2 workers; the request waits on a server that never answers).
    func testKillSessionsFromThePage() throws {
        let a = try TestBackend(.hold), b = try TestBackend(.hold)
        let (p, web, stats) = try launch([a, b])
        defer { _ = p.stop() }
        let clients = try (0..<4).map { _ in try TCPClient.connect(port: web) }
        for c in clients { try c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n") }
        // Each request is on a server before the page is asked.
        XCTAssertTrue(waitUntil(timeout: 5) {
            let csv = (try? self.curl(["-u", "admin:secret", "http://127.0.0.1:\(stats)/stats;csv"]).stdout) ?? ""
            let scur = csv.split(separator: "\n").filter { $0.hasPrefix("app,s") }.map { $0.split(separator: ",", omittingEmptySubsequences: false)[4] }
            return scur.compactMap { Int($0) }.reduce(0, +) == 4
        }, "the four requests reached the servers")
        let post = try curl(["-i", "-u", "admin:secret", "-d", "s=s1&s=s2&action=shutdown&b=app", "http://127.0.0.1:\(stats)/stats"]).stdout
        XCTAssertTrue(post.contains("location: /stats;st=DONE"), post)
        for (i, c) in clients.enumerated() {
            // Well before `timeout server` (20 s): the stream was killed.
            let r = try c.receiveUntilEOF(timeout: 5)
            XCTAssertNotEqual(r.end, .timeout, "client \(i) still waits")
        }
    }

    func testChromiumShowsEveryProxyAndServerState() throws {
        let chromium = try requireTool("chromium")
        let a = try TestBackend(.http(status: 200, body: "s1")), b = try TestBackend(.http(status: 200, body: "s2"))
        let (p, _, stats) = try launch([a, b])
        defer { _ = p.stop() }
        // Backend app is #3: the stats socket's CLI frontend takes the first number (as in haproxy).
        _ = try CommandRunner.run("curl", ["-s", "-u", "admin:secret", "-d", "s=s2&action=maint&b=%233", "http://127.0.0.1:\(stats)/stats"])
        let out = try TemporaryDirectory(prefix: "fsp-shot")
        // The screenshot outlives the test (its directory is removed with `out`).
        let keep = NSTemporaryDirectory() + "fulcrum-statspage-\(getpid())"
        try FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
        let url = "http://admin:secret@127.0.0.1:\(stats)/stats"
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + out.file("profile")]
        let dom = try CommandRunner.run(chromium, common + ["--dump-dom", url], timeout: 90)
        XCTAssertTrue(dom.stdout.contains("General process information"), dom.output.suffix(500).description)
        for name in ["web", "app", "stats"] { XCTAssertTrue(dom.stdout.contains(">\(name)</a>"), name) }
        XCTAssertTrue(dom.stdout.contains("<tr class=\"active_no_check\">"), "s1 up, not checked")
        XCTAssertTrue(dom.stdout.contains("<tr class=\"maintain\">"), "s2 in maintenance")
        let shot = keep + "/statspage.png"
        _ = try CommandRunner.run(chromium, common + ["--screenshot=" + shot, "--window-size=1600,1000", url], timeout: 90)
        XCTAssertTrue(FileManager.default.fileExists(atPath: shot), "no screenshot")
        print("stats page screenshot: \(shot)")
    }

    /// CSV rows without the columns that change between two reads.
    static func stable(_ csv: String) -> [String] {
        let lines = csv.split(separator: "\n").map(String.init)
        guard let header = lines.first else { return [] }
        let names = header.dropFirst(2).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let moving: Set<String> = ["scur", "smax", "stot", "bin", "bout", "lastchg", "lastsess", "rate", "rate_max",
                                   "conn_rate", "conn_rate_max", "conn_tot", "req_rate", "req_rate_max", "req_tot",
                                   "hrsp_2xx", "ttime", "ttime_max", "ctime", "rtime", "qtime", "ctime_max", "rtime_max",
                                   "lbtot", "connect", "reuse", "downtime", "hrsp_4xx", "hrsp_other", "intercepted",
                                   "h1_open_connections", "h1_open_streams", "h1_total_connections", "h1_total_streams",
                                   "h1_bytes_in", "h1_bytes_out", "idle_conn_cur", "srv_icur", "need_conn_est"]
        return lines.map { line in
            let cols = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return cols.enumerated().map { i, c in i < names.count && moving.contains(names[i]) ? "*" : c }.joined(separator: ",")
        }
    }
}
