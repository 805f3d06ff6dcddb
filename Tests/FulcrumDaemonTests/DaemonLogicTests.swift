import XCTest
import Foundation
import FulcrumConfig
@testable import FulcrumDaemon

final class DaemonLogicTests: XCTestCase {
    func testCommandLineOptions() throws {
        let o = try CommandLineOptions.parse(["-f", "a.cfg", "-fb.cfg", "-c", "-q", "-Ws", "-p", "/run/f.pid", "-S", "/run/m.sock"])
        XCTAssertEqual(o.configPaths, ["a.cfg", "b.cfg"])
        XCTAssertTrue(o.checkOnly && o.quiet && o.masterWorker && o.systemd)
        XCTAssertEqual(o.pidFile, "/run/f.pid")
        XCTAssertEqual(o.masterSockets, ["/run/m.sock"])
        let w = try CommandLineOptions.parse(["--role", "worker", "--slot", "2", "--listeners", "0.0,1.2"])
        XCTAssertEqual(w.role, "worker")
        XCTAssertEqual(w.slot, 2)
        XCTAssertEqual(w.listenerMap.map { "\($0.frontend).\($0.bind)" }, ["0.0", "1.2"])
        // A sibling's socket (multi-queue) names the slot that owns it.
        let s = try CommandLineOptions.parse(["--role", "worker", "--slot", "1", "--listeners", "0.0.x0,0.0,1.2.x3"])
        XCTAssertEqual(s.listenerMap.map(\.ownerSlot), [0, nil, 3])
        XCTAssertThrowsError(try CommandLineOptions.parse(["--role", "worker", "--listeners", "0.0.x"]), "no owner slot")
        let p = try CommandLineOptions.parse(["--role", "program", "--user", "nobody", "--", "sleep", "-x", "--role"])
        XCTAssertEqual(p.programCommand, ["sleep", "-x", "--role"])
        XCTAssertEqual(p.programUser, "nobody")
        XCTAssertThrowsError(try CommandLineOptions.parse(["-f"])) { e in
            XCTAssertEqual(e as? CommandLineOptions.ParseError, .message("option '-f' needs an argument"))
        }
        XCTAssertThrowsError(try CommandLineOptions.parse(["-Z"]))
        XCTAssertThrowsError(try CommandLineOptions.parse([]), "no -f")
        XCTAssertEqual(try CommandLineOptions.parse(["-vv"]).version, 2)
        XCTAssertEqual(try CommandLineOptions.parse(["-f", "k.conf", "-i", "high"]).configID, "high")
        XCTAssertEqual(try CommandLineOptions.parse(["-f", "k.conf", "-ilow"]).configID, "low")
        XCTAssertNil(try CommandLineOptions.parse(["-f", "k.conf"]).configID)
    }

    func testConfigBlobRoundTrip() {
        let sources = [ConfigSource(name: "/etc/a.cfg", text: "global\n  workers 2\n"),
                       ConfigSource(name: "b é.cfg", text: ""), ConfigSource(name: "", text: "x")]
        XCTAssertEqual(ConfigBlob.decode(ConfigBlob.encode(sources)), sources)
        XCTAssertEqual(ConfigBlob.decode([]), [])
        let files = ["/etc/h.map": "a b\n", "/etc/x.acl": ""]
        let both = ConfigBlob.decodeWithPatterns(ConfigBlob.encode(sources, patternFiles: files))
        XCTAssertEqual(both?.sources, sources)
        XCTAssertEqual(both?.patternFiles, files)
        XCTAssertNil(ConfigBlob.decode([5, 0, 0, 0, 65]), "truncated")
        let included = ["/etc/k.conf\u{0}conf.d/*.conf": [ConfigSource(name: "/etc/conf.d/a.conf", text: "vrrp_script s {\n}\n", isFile: true),
                                                            ConfigSource(name: "/etc/conf.d/b.conf", text: "", isFile: true)],
                        "/etc/k.conf\u{0}none/*": []]
        let all = ConfigBlob.decodeWithPatterns(ConfigBlob.encode(sources, patternFiles: files, includedFiles: included))
        XCTAssertEqual(all?.sources, sources)
        XCTAssertEqual(all?.patternFiles, files)
        XCTAssertEqual(all?.includedFiles, included)
    }

    /// keepalived's `include`: a glob relative to the including file's
    /// directory, matches read in sorted order, directories skipped.
    func testIncludeGlobReadsMatchingFilesRelativeToTheIncluder() throws {
        let dir = "/tmp/fulcrum-include-\(getpid())"
        defer { _ = try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/conf.d/sub.conf", withIntermediateDirectories: true)
        try "b\n".write(toFile: dir + "/conf.d/b.conf", atomically: true, encoding: .utf8)
        try "a\n".write(toFile: dir + "/conf.d/a.conf", atomically: true, encoding: .utf8)
        try "x\n".write(toFile: dir + "/conf.d/x.txt", atomically: true, encoding: .utf8)
        let found = KeepalivedIncludeFiles.readMatches("conf.d/*.conf", relativeTo: dir + "/keepalived.conf")
        XCTAssertEqual(found.map(\.name), [dir + "/conf.d/a.conf", dir + "/conf.d/b.conf"])
        XCTAssertEqual(found.map(\.text), ["a\n", "b\n"])
        XCTAssertEqual(KeepalivedIncludeFiles.readMatches(dir + "/conf.d/{b,x}.*", relativeTo: "/elsewhere/k.conf").map(\.text),
                       ["b\n", "x\n"], "absolute patterns, braces")
        XCTAssertEqual(KeepalivedIncludeFiles.readMatches("missing/*.conf", relativeTo: dir + "/k.conf"), [])
    }

    func testCheckerIsNeededOnlyForCheckedOrObservedServers() {
        func config(_ serverLine: String) -> Configuration {
            ConfigParser.parse([ConfigSource(name: "t", text: "backend b\n  server s 127.0.0.1:1 \(serverLine)\n")],
                               environment: [:]).configuration
        }
        XCTAssertFalse(CheckerRole.isNeeded(config("")))
        XCTAssertTrue(CheckerRole.isNeeded(config("check")))
        XCTAssertTrue(CheckerRole.isNeeded(config("observe layer4")))
    }
}
