import XCTest

/// The `tcp-response content` actions beyond accept/reject/close, side by
/// side with haproxy 2.6 in mode tcp listen sections: `sc-inc-gpc*` and
/// `sc-set-gpt*` on the counters a `tcp-request content track-sc0` holds
/// (`show table`), `set-log-level` (the line's priority, or no line),
/// `set-mark` / `set-tos` on the client's connection (`ss` shows the
/// proxy's accepted socket's fwmark and TOS), and `silent-drop` (the client
/// sees neither FIN nor RST; the same line and `show stat` counters).
final class SideBySideTCPResponseActionTests: XCTestCase {
    struct Run {
        var ports: [String: UInt16] = [:]
        var socket = ""
        var logs: LogCollector
    }

    static let sections = ["counted", "quiet", "marked", "dropped"]

    /// Starts `proxy` with one listen section per name of `sections`.
    func start(_ proxy: ProxyUnderTest, good: UInt16, open: UInt16, files: TemporaryDirectory) throws -> Run {
        var run = Run(logs: try startLogCollector())
        run.socket = files.file("\(proxy).sock")
        var config = """
            global
                stats socket \(run.socket) level admin
            defaults
                mode tcp
                log \(run.logs.udpTarget) local0
                log-format "%ft %b/%s %ts %B"
                timeout connect 2s
                timeout client 10s
                timeout server 10s

            """
        for name in Self.sections { run.ports[name] = try FreePort.next() }
        config += """
            listen counted
                bind 127.0.0.1:\(run.ports["counted"]!)
                stick-table type ip size 1k store gpc0,gpc1,gpt0
                tcp-request content track-sc0 src
                tcp-request content track-sc1 src table arrays
                tcp-response inspect-delay 2s
                tcp-response content sc-inc-gpc0(0) if { res.len ge 12 }
                tcp-response content sc-inc-gpc1
                tcp-response content sc-inc-gpc(1,1) if { res.payload(0,4) -m str GOOD }
                tcp-response content sc-inc-gpc(0,1) if { res.payload(0,4) -m str NOPE }
                tcp-response content sc-set-gpt0(0) 7
                tcp-response content sc-set-gpt(1,1) res.len
                tcp-response content set-log-level err
                server s 127.0.0.1:\(good)
            backend arrays
                stick-table type ip size 1k store gpc(2),gpt(2)
            listen quiet
                bind 127.0.0.1:\(run.ports["quiet"]!)
                tcp-response content set-log-level silent
                server s 127.0.0.1:\(good)
            listen marked
                bind 127.0.0.1:\(run.ports["marked"]!)
                tcp-response content set-mark 0x2a
                tcp-response content set-tos 16
                server s 127.0.0.1:\(open)
            listen dropped
                bind 127.0.0.1:\(run.ports["dropped"]!)
                tcp-response inspect-delay 2s
                tcp-response content silent-drop if { res.len ge 3 }
                server s 127.0.0.1:\(open)

            """
        let process = proxy == .fulcrum
            ? try startFulcrum(config: config)
            : try startFulcrum(config: config, arguments: ["-db", "-f", FulcrumProcess.configPlaceholder],
                               executable: try requireTool("haproxy"))
        for port in run.ports.values { try process.waitUntilListening(port: port) }
        return run
    }

    func testCountersLogLevelMarkTOSAndSilentDropAsHAProxy() throws {
        let good = try TestBackend(.banner("GOOD answer\n"))
        // "ab\n" on accept, then the connection stays open (it echoes).
        let open = try TestBackend(.identify("ab"))
        for backend in [good, open] { try backend.startListening() }
        let files = try TemporaryDirectory(prefix: "tcpres")
        addTeardownBlock { files.remove() }
        var seen: [ProxyUnderTest: [String]] = [:]
        var lines: [ProxyUnderTest: [String]] = [:]
        for proxy in ProxyUnderTest.allCases {
            let run = try start(proxy, good: good.port, open: open.port, files: files)
            var out: [String] = []
            for name in ["counted", "counted", "quiet"] {
                let client = try TCPClient(port: run.ports[name]!)
                let got = try client.receiveUntilEOF(timeout: 3)
                client.close()
                out.append("\(name): \(got.text.debugDescription) \(got.end)")
            }
            // The marks are on the proxy's side of the client's connection, while it is open.
            let marked = try TCPClient(port: run.ports["marked"]!)
            let answer = try marked.readLine(timeout: 3) ?? "-"
            let filter = ["state", "established", "( sport = :\(run.ports["marked"]!) )"]
            let mark = try CommandRunner.run("ss", ["-tnie"] + filter).stdout
            let tos = try CommandRunner.run("ss", ["-tn", "--tos"] + filter).stdout
            out.append("marked: \(answer.debugDescription) fwmark:0x2a \(mark.contains("fwmark:0x2a")) tos:0x10 \(tos.contains("tos:0x10"))")
            marked.close()
            // silent-drop: no FIN, no RST; the client only times out.
            let dropped = try TCPClient(port: run.ports["dropped"]!)
            let nothing = try dropped.receiveUntilEOF(timeout: 1)
            dropped.close()
            out.append("dropped: \(nothing.text.debugDescription) \(nothing.end)")
            // counted ×2, marked, dropped: the quiet line never comes.
            lines[proxy] = run.logs.waitForLines(count: 4).map { line in
                // "<PRI>date host prog[pid]: message": the priority and the message.
                String(line.prefix { $0 != ">" }) + "> " + (line.range(of: "]: ").map { String(line[$0.upperBound...]) } ?? line)
            }.sorted()
            let table = try MasterCLI.send("show table counted", socketPath: run.socket)
                + MasterCLI.send("show table arrays", socketPath: run.socket)
            out += table.split(separator: "\n").map { line in
                line.split(separator: " ").filter { !$0.hasPrefix("0x") && !$0.hasPrefix("exp=") }.joined(separator: " ")
            }
            let stat = try StatsTable(csv: try MasterCLI.send("show stat", socketPath: run.socket))
            for key in ["dropped/FRONTEND", "dropped/BACKEND", "counted/FRONTEND"] {
                out.append("\(key) dreq=\(stat.int(key, "dreq") ?? -1) dresp=\(stat.int(key, "dresp") ?? -1)")
            }
            seen[proxy] = out
        }
        XCTAssertEqual(seen[.haproxy], [
            "counted: \"GOOD answer\\n\" eof", "counted: \"GOOD answer\\n\" eof", "quiet: \"GOOD answer\\n\" eof",
            "marked: \"ab\" fwmark:0x2a true tos:0x10 true", "dropped: \"\" timeout",
            "# table: counted, type: ip, size:1024, used:1", "key=127.0.0.1 use=0 gpt0=7 gpc0=2 gpc1=2",
            "# table: arrays, type: ip, size:1024, used:1", "key=127.0.0.1 use=0 gpt0=0 gpt1=12 gpc0=0 gpc1=2",
            // silent-drop counts a denied request, as HAProxy's action does wherever it runs.
            "dropped/FRONTEND dreq=1 dresp=0", "dropped/BACKEND dreq=1 dresp=0", "counted/FRONTEND dreq=0 dresp=0",
        ], "haproxy")
        XCTAssertEqual(seen[.fulcrum], seen[.haproxy])
        // <131>: local0.err; <134>: local0.info.
        XCTAssertEqual(lines[.haproxy], ["<131> counted counted/s -- 12\n", "<131> counted counted/s -- 12\n",
                                         "<134> dropped dropped/s PR 3\n", "<134> marked marked/s -- 3\n"], "haproxy lines")
        XCTAssertEqual(lines[.fulcrum], lines[.haproxy])
    }
}
