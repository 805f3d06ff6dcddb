import XCTest
import Foundation

/// Issue 5, graceful restart onto a new binary: a reload re-executes the
/// master from the binary's installed path, so replacing that file and
/// reloading upgrades the running daemon with the same pid, sockets and
/// state; a broken file fails the reload and the service goes on.
final class BinaryUpgradeTests: XCTestCase {
    /// A private copy of the binary the test may replace.
    private struct Installed {
        let directory: TemporaryDirectory
        let original: [UInt8]
        var path: String { directory.file("fulcrum") }

        init() throws {
            directory = try TemporaryDirectory(prefix: "fulcrum-upgrade")
            let source = try FulcrumBinary.path()
            guard let bytes = FileBytes.read(source), bytes.count < FileBytes.readLimit else {
                throw HarnessError.failed("cannot read \(source)")
            }
            original = bytes
            try install(original)
        }

        /// Writes `bytes` next to the installed file and renames it over, as
        /// a package manager does (the running image keeps its old inode).
        func install(_ bytes: [UInt8]) throws {
            let staging = directory.file("fulcrum.new")
            try Data(bytes).write(to: URL(fileURLWithPath: staging))
            chmod(staging, 0o755)
            guard rename(staging, path) == 0 else { throw HarnessError.failed("rename to \(path): errno \(errno)") }
        }

        /// A rebuilt binary: the same program with a different file (bytes
        /// appended after the ELF image change its size and inode).
        func installRebuilt(_ n: Int) throws { try install(original + Array("rebuild \(n)\n".utf8)) }

        var inode: ino_t {
            var st = stat()
            stat(path, &st)
            return st.st_ino
        }
    }

    /// The inode of the image process `pid` runs, and whether its file is gone.
    private func image(of pid: pid_t) -> (inode: ino_t, deleted: Bool) {
        var st = stat()
        stat("/proc/\(pid)/exe", &st)
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/\(pid)/exe", &buffer, 4095)
        let target = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        return (st.st_ino, target.hasSuffix(" (deleted)"))
    }

    func testRebuiltBinarySwappedInAndReloadedTwentyTimesUnderLoadKeepsThePidAndLosesNothing() throws {
        let installed = try Installed()
        defer { installed.directory.remove() }
        let nginx = try NginxServer.files(["index.html": ReloadLoadScenario.page])
        addTeardownBlock { nginx.stop() }
        let port = try FreePort.next()
        let config = { (i: Int) in
            ReloadLoadScenario.proxyConfig(mode: "http", port: port, backend: nginx.port, .number(i))
        }
        let p = try startFulcrum(config: config(0), arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"],
                                 executable: installed.path)
        try p.waitUntilListening(port: port, sockets: 2)
        try p.waitUntilMasterSocketListening()
        let pid = p.pid
        // After each reload, whether the master runs the file just installed
        // (inodes of replaced files are reused, so compare each time).
        var upgraded: [Bool] = []

        let run = try ReloadLoadScenario.drive(port: port, connections: 100, close: false) { i in
            try installed.installRebuilt(i)
            try p.writeConfig(config(i))
            let answer = try p.reloadViaMasterCLI()
            upgraded.append(self.image(of: pid).inode == installed.inode)
            return answer
        }
        print("binary upgrade under load: \(run.wrk)")
        XCTAssertEqual(run.answers.filter { $0 != "Success=1\n" }, [], "every upgrade must succeed")
        XCTAssertEqual(run.answers.count, ReloadLoadScenario.reloads)
        XCTAssertTrue(run.reloadsUnderLoad, "wrk ended before the last upgrade")
        XCTAssertGreaterThan(run.wrk.requests, 1000, run.wrk.output)
        XCTAssertEqual(run.wrk.socketErrors, 0, "\(run.wrk)\n\(run.wrk.output)")
        XCTAssertEqual(run.wrk.badStatuses, 0, "\(run.wrk)\n\(run.wrk.output)")

        XCTAssertTrue(p.isRunning)
        XCTAssertEqual(p.pid, pid)
        XCTAssertEqual(upgraded, Array(repeating: true, count: ReloadLoadScenario.reloads), "each reload ran the new file")
        let master = image(of: pid)
        XCTAssertEqual(master.inode, installed.inode, "the master runs the last installed binary")
        XCTAssertFalse(master.deleted)
        XCTAssertTrue(p.waitUntilSettled(workers: ReloadLoadScenario.Variant.number(ReloadLoadScenario.reloads).workers,
                                         timeout: 15), "\(p.childPids())")
        for worker in p.childPids(role: "worker") {
            XCTAssertEqual(image(of: worker).inode, installed.inode, "worker \(worker) runs the new binary")
        }
        let proc = try p.masterCommand("show proc")
        XCTAssertTrue(proc.contains("\(pid)") && proc.contains("master          \(ReloadLoadScenario.reloads) [failed: 0]"), proc)
    }

    func testBrokenBinaryFailsTheReloadAndTheRunningDaemonKeepsServing() throws {
        let installed = try Installed()
        defer { installed.directory.remove() }
        let echo = try startBackend(.echo)
        let port = try FreePort.next()
        let p = try startFulcrum(config: ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", echo.port)], workers: 2),
                                 arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"],
                                 executable: installed.path)
        try p.waitUntilListening(port: port, sockets: 2)
        try p.waitUntilMasterSocketListening()
        try p.waitForChildren(count: 2)
        let pid = p.pid
        let workers = Set(p.childPids(role: "worker"))
        let descriptors = p.masterDescriptorCount
        let loop = ConnectionLoop(port: port, exchange: ReloadTestHelpers.echoExchange)
        XCTAssertTrue(waitUntil(timeout: 5) { loop.successCount >= 10 })

        // Not an executable at all.
        try installed.install(Array("this is not a program\n".utf8))
        let garbage = try p.reloadViaMasterCLI()
        XCTAssertTrue(garbage.hasPrefix("Success=0\n"), garbage)
        XCTAssertTrue(garbage.contains(installed.path), garbage)
        // A program that runs but fails (as a build for another config
        // language or a truncated download might).
        try installed.install(Array("#!/bin/sh\necho 'cannot start' >&2\nexit 3\n".utf8))
        let failing = try p.reloadViaMasterCLI()
        XCTAssertTrue(failing.hasPrefix("Success=0\n") && failing.contains("exit code 3") && failing.contains("cannot start"),
                      failing)
        // A build that accepts the configuration but cannot read this one's
        // handover (an older or foreign format) is refused before exec.
        try installed.install(Array("#!/bin/sh\ncase \"$1\" in --handover-format) echo fulcrum-handover 0;; *) exit 0;; esac\n".utf8))
        let foreign = try p.reloadViaMasterCLI()
        XCTAssertTrue(foreign.hasPrefix("Success=0\n") && foreign.contains("cannot take over"), foreign)
        try p.signal(SIGUSR2)
        sleepSeconds(0.5)

        XCTAssertTrue(p.isRunning)
        XCTAssertEqual(p.pid, pid)
        XCTAssertEqual(Set(p.childPids(role: "worker")), workers, "the running workers were not touched")
        XCTAssertEqual(p.masterDescriptorCount, descriptors, "no descriptor left open by the failed attempts")
        let proc = try p.masterCommand("show proc")
        XCTAssertTrue(proc.contains("[failed: 4]"), proc)
        XCTAssertTrue(proc.contains("# last reload failed"), proc)

        // The fixed binary upgrades as usual.
        try installed.installRebuilt(1)
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertEqual(image(of: pid).inode, installed.inode)
        let (ok, failures) = loop.stop()
        XCTAssertEqual(failures, [], "connections lost (\(ok) worked)")
        XCTAssertGreaterThan(ok, 10)
    }
}
