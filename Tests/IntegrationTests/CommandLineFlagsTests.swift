import XCTest
import Glibc

/// HAProxy 2.6's command-line flags on the real binary: each flag's effect
/// observed, and, where the same invocation makes sense, the exit status
/// held against `haproxy`'s own.
final class CommandLineFlagsTests: XCTestCase {
    private let valid = answeringConfig(port: 1)

    private func fulcrum(_ args: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try CommandRunner.run(FulcrumBinary.path(), args, environment: environment)
    }

    private func haproxyStatus(_ args: [String]) throws -> Int32? {
        guard let h = Tools.find("haproxy") else { return nil }
        return try CommandRunner.run(h, args).status
    }

    func testCapitalVChecksVerboselyAndFailsOnABadFile() throws {
        let dir = try TemporaryDirectory(prefix: "fflags")
        defer { dir.remove() }
        let bad = try dir.write("bad.cfg", "global\n    bogus_kw 1\n")
        let good = try dir.write("good.cfg", valid)
        let r = try fulcrum(["-c", "-V", "-f", bad])
        XCTAssertEqual(r.status, 1, r.output)
        XCTAssertFalse(r.stdout.contains("version"), "-V is not -v: " + r.stdout)
        XCTAssertTrue(r.stderr.contains("bogus_kw"), r.stderr)
        let ok = try fulcrum(["-c", "-q", "-V", "-f", good])
        XCTAssertEqual(ok.status, 0, ok.output)
        XCTAssertTrue(ok.stdout.contains("Configuration file is valid"), "-V wins over -q: " + ok.stdout)
        if let h = try haproxyStatus(["-c", "-V", "-f", bad]) { XCTAssertEqual(h, r.status, "haproxy -c -V on a bad file") }
        if let h = try haproxyStatus(["-c", "-V", "-f", good]) { XCTAssertEqual(h, ok.status, "haproxy -c -V on a good file") }
    }

    func testNoListenerTruncatedFileAndRemovedKeywordsCheckAsHAProxy() throws {
        let dir = try TemporaryDirectory(prefix: "fflags")
        defer { dir.remove() }
        let timeouts = "defaults\n  mode http\n  timeout client 1s\n  timeout server 1s\n  timeout connect 1s\n"
        let noBind = try dir.write("nobind.cfg", timeouts + "frontend f\n  default_backend b\nbackend b\n  server s 127.0.0.1:80\n")
        let r = try fulcrum(["-c", "-f", noBind])
        XCTAssertEqual(r.status, 2, r.output)
        XCTAssertEqual(r.stdout, "Warnings were found.\nConfiguration file has no error but will not start (no listener) => exit(2).\n")
        XCTAssertTrue(r.stderr.contains("[WARNING] \(noBind):6:1: frontend 'f' has no 'bind' directive"), r.stderr)
        // Written byte by byte: the test harness would add the missing newline.
        let cut = dir.file("cut.cfg")
        try FileBytes.write(Array((timeouts + "listen l\n  bind 127.0.0.1:1\n  server s 127.0.0.1:80").utf8), to: cut)
        let c = try fulcrum(["-c", "-f", cut])
        XCTAssertEqual(c.status, 1, c.output)
        XCTAssertTrue(c.stderr.contains("\(cut):8:24: Missing LF on last line, file might have been truncated at position 24."), c.stderr)
        let removed = try dir.write("removed.cfg", timeouts + "listen l\n  bind 127.0.0.1:1\n  contimeout 5s\n  server s 127.0.0.1:80\n")
        let d = try fulcrum(["-c", "-f", removed])
        XCTAssertEqual(d.status, 1, d.output)
        XCTAssertTrue(d.stderr.contains("\(removed):8:3: the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'."), d.stderr)
        if let h = Tools.find("haproxy") {
            let hb = try CommandRunner.run(h, ["-c", "-f", noBind])
            XCTAssertEqual(hb.status, r.status)
            XCTAssertTrue(hb.stdout.hasSuffix(r.stdout), hb.stdout)
            let hc = try CommandRunner.run(h, ["-c", "-f", cut])
            XCTAssertEqual(hc.status, c.status)
            XCTAssertTrue(hc.output.contains("Missing LF on last line, file might have been truncated at position 24."), hc.output)
            let hd = try CommandRunner.run(h, ["-c", "-f", removed])
            XCTAssertEqual(hd.status, d.status)
            XCTAssertTrue(hd.output.contains("the 'contimeout' directive is not supported anymore since HAProxy 2.1. Use 'timeout connect'."), hd.output)
        }
    }

    func testGlobalQuietIsMinusQ() throws {
        let dir = try TemporaryDirectory(prefix: "fflags")
        defer { dir.remove() }
        let quiet = try dir.write("q.cfg", "global\n  quiet\n" + valid)
        let r = try fulcrum(["-c", "-f", quiet])
        XCTAssertEqual(r.status, 0, r.output)
        XCTAssertEqual(r.stdout, "", "nothing printed, as -q")
        XCTAssertTrue(try fulcrum(["-c", "-V", "-f", quiet]).stdout.contains("Configuration file is valid"), "-V wins")
        if let h = Tools.find("haproxy") {
            let hq = try CommandRunner.run(h, ["-c", "-f", quiet])
            XCTAssertEqual(hq.status, 0, hq.output)
            XCTAssertEqual(hq.stdout, "", hq.stdout)
        }
    }

    func testHelpAndConditionsExitAsHAProxy() throws {
        let cases: [(String, Int32)] = [
            ("version_atleast(2.4)", 0), ("version_atleast(3.0)", 1), ("version_before(2.7)", 0), ("1", 0), ("0", 1),
            ("", 1), ("defined(FULCRUM_CC_TEST)", 0), ("defined(FULCRUM_CC_UNSET)", 1),
            (#"streq("$FULCRUM_CC_TEST",yes)"#, 0), ("foo(1)", 2), ("version_atleast(", 2),
        ]
        let hasHAProxy = Tools.find("haproxy") != nil
        for (expression, expected) in cases {
            let r = try fulcrum(["-cc", expression], environment: ["FULCRUM_CC_TEST": "yes"])
            XCTAssertEqual(r.status, expected, "-cc '\(expression)': \(r.output)")
            if expected == 2 { XCTAssertTrue(r.stderr.contains("Failed to evaluate condition"), r.stderr) }
            if hasHAProxy {
                let h = try CommandRunner.run(Tools.find("haproxy")!, ["-cc", expression], environment: ["FULCRUM_CC_TEST": "yes"])
                XCTAssertEqual(h.status, r.status, "haproxy -cc '\(expression)'")
            }
        }
        let help = try fulcrum(["-h"])
        XCTAssertEqual(help.status, 1)
        XCTAssertTrue(help.stderr.contains("-sf/-st"), help.stderr)
        if let h = try haproxyStatus(["-h"]) { XCTAssertEqual(h, help.status) }
    }

    func testZeroWarningFailsOnAWarningOnly() throws {
        let dir = try TemporaryDirectory(prefix: "fflags")
        defer { dir.remove() }
        let warned = try dir.write("w.cfg", valid.replacingOccurrences(
            of: "    http-request return", with: "    acl never path_beg\n    http-request return"))
        let plain = try fulcrum(["-c", "-f", warned])
        XCTAssertEqual(plain.status, 0, plain.output)
        XCTAssertTrue(plain.stderr.contains("[WARNING]"), plain.stderr)
        let strict = try fulcrum(["-c", "-dW", "-f", warned])
        XCTAssertEqual(strict.status, 1, strict.output)
        XCTAssertTrue(strict.stderr.contains("'zero-warning' is set"), strict.stderr)
        XCTAssertEqual(try fulcrum(["-c", "-dW", "-f", try dir.write("v.cfg", valid)]).status, 0)
        if let h = try haproxyStatus(["-c", "-dW", "-f", warned]) { XCTAssertEqual(h, 1, "haproxy -dW on the same warning") }
        // The global keyword does what -dW does.
        let keyword = try dir.write("k.cfg", answeringConfig(port: 1, global: ["zero-warning"],
                                                             frontend: ["acl never path_beg", "http-request return status 200"]))
        let byKeyword = try fulcrum(["-c", "-f", keyword])
        XCTAssertEqual(byKeyword.status, 1, byKeyword.output)
        XCTAssertTrue(byKeyword.stderr.contains("'zero-warning' is set"), byKeyword.stderr)
        XCTAssertEqual(try fulcrum(["-c", "-f", try dir.write("kv.cfg", answeringConfig(port: 1, global: ["zero-warning"]))]).status, 0)
        if let h = try haproxyStatus(["-c", "-f", keyword]) { XCTAssertEqual(h, 1, "haproxy's zero-warning on the same warning") }
    }

    func testChangeDirectoryComesBeforeTheFilesAndDoubleDashListsThem() throws {
        let dir = try TemporaryDirectory(prefix: "fflags")
        defer { dir.remove() }
        _ = try dir.write("rel.cfg", valid)
        XCTAssertEqual(try fulcrum(["-c", "-C", dir.path, "-f", "rel.cfg"]).status, 0)
        XCTAssertEqual(try fulcrum(["-c", "-f", "rel.cfg"]).status, 1, "without -C the relative file is not found")
        XCTAssertEqual(try fulcrum(["-c", "-C", "/nonexistent-dir", "-f", "rel.cfg"]).status, 1)
        XCTAssertEqual(try fulcrum(["-c", "-C", dir.path, "--", "rel.cfg"]).status, 0)
        if let h = try haproxyStatus(["-c", "-C", dir.path, "-f", "rel.cfg"]) { XCTAssertEqual(h, 0) }
    }

    func testUnresolvableServerIsAnErrorUnlessDrWhichStartsItInMaintenance() throws {
        let port = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "fflags")
        defer { dir.remove() }
        let config = answeringConfig(port: port, global: ["stats socket \(dir.path)/s.sock level admin"],
                                     frontend: ["default_backend be"],
                                     extra: "backend be\n    server s1 no-such-host.invalid:80\n")
        let file = try dir.write("dr.cfg", config)
        XCTAssertEqual(try fulcrum(["-c", "-f", file]).status, 1)
        let ignored = try fulcrum(["-c", "-dr", "-f", file])
        XCTAssertEqual(ignored.status, 0, ignored.output)
        if let h = try haproxyStatus(["-c", "-f", file]) { XCTAssertEqual(h, 1, "haproxy without -dr") }
        if let h = try haproxyStatus(["-c", "-dr", "-f", file]) { XCTAssertEqual(h, 0, "haproxy -dr") }

        let p = try startFulcrum(config: config, arguments: ["-dr", "-f", FulcrumProcess.configPlaceholder])
        try p.waitUntilListening(port: port)
        let stat = try StatsTable(csv: try MasterCLI.send("show stat", socketPath: dir.file("s.sock")))
        XCTAssertEqual(stat.rows["be/s1"]?["status"], "MAINT")
    }

    func testServerVerifyNoneLetsAServerWithoutCAFileCheck() throws {
        let dir = try TemporaryDirectory(prefix: "fflags")
        defer { dir.remove() }
        let file = try dir.write("tls.cfg", valid.replacingOccurrences(
            of: "    http-request return status 200 content-type text/plain string ok\n",
            with: "    default_backend be\nbackend be\n    server s1 127.0.0.1:443 ssl\n"))
        XCTAssertEqual(try fulcrum(["-c", "-f", file]).status, 1, "verify required and no CA file")
        let r = try fulcrum(["-c", "-dV", "-f", file])
        XCTAssertEqual(r.status, 0, r.output)
        if let h = try haproxyStatus(["-c", "-f", file]) { XCTAssertEqual(h, 1) }
        if let h = try haproxyStatus(["-c", "-dV", "-f", file]) { XCTAssertEqual(h, 0) }
    }

    func testMaxconnOptionsAndLocalPeerReachTheRunningDaemon() throws {
        let port = try FreePort.next()
        let dir = try TemporaryDirectory(prefix: "fflags")
        defer { dir.remove() }
        let config = answeringConfig(
            port: port, global: ["workers 2", "maxconn 5000", "stats socket \(dir.path)/s.sock level admin"],
            frontend: [#"http-request return status 200 content-type text/plain string "peer=${HAPROXY_LOCALPEER}""#],
            extra: "frontend own\n    bind 127.0.0.1:\(try FreePort.next())\n    maxconn 77\n    http-request return status 200\n")
        let p = try startFulcrum(config: config, arguments: ["-n", "321", "-N", "45", "-L", "lb7", "-m", "4096",
                                                             "-dM0x41", "-f", FulcrumProcess.configPlaceholder])
        try p.waitUntilListening(port: port)
        let info = parseShowInfo(try MasterCLI.send("show info", socketPath: dir.file("s.sock")))
        XCTAssertEqual(info["Maxconn"], "321", "-n replaces the global maxconn")
        let stat = try StatsTable(csv: try MasterCLI.send("show stat", socketPath: dir.file("s.sock")))
        XCTAssertEqual(stat.rows["fe/FRONTEND"]?["slim"], "45", "-N: a frontend without maxconn")
        XCTAssertEqual(stat.rows["own/FRONTEND"]?["slim"], "77", "-N does not override a frontend's own")

        let client = try HTTPTestClient(port: port)
        try client.send(HTTPTestClient.requestText("GET", "/"))
        let response = try client.readFinalResponse()
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "peer=lb7", "-L is HAPROXY_LOCALPEER")

        // -m is every process's address-space limit; -dM reaches the workers.
        let workers = try p.waitForChildren(count: 2)
        for pid in [p.pid] + workers {
            let limits = FileBytes.readText("/proc/\(pid)/limits") ?? ""
            let line = limits.split(separator: "\n").first { $0.hasPrefix("Max address space") } ?? ""
            XCTAssertTrue(line.contains("4294967296"), "pid \(pid): \(line)")
        }
        for w in workers { XCTAssertTrue(ProcessTree.commandLine(of: w)?.contains("-dM65") == true) }
    }
}
