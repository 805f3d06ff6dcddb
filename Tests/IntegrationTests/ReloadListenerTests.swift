import XCTest
import Foundation

/// Listening sockets across reloads: an unchanged bind keeps its very
/// sockets (same inodes, so nothing queued is lost), a removed bind's socket
/// goes away with the last generation using it, a new bind listens once the
/// reload is done.
final class ReloadListenerTests: XCTestCase {
    private func config(workers: Int, binds: [(String, UInt16)], echo: UInt16, balance: String = "roundrobin",
                        grace: String? = nil) -> String {
        var cfg = """
            global
                workers \(workers)
                \(grace.map { "grace " + $0 } ?? "")
            defaults
                mode tcp
                timeout connect 2s
                timeout client 30s
                timeout server 30s
            backend be
                balance \(balance)
                server s1 127.0.0.1:\(echo)

            """
        for (name, port) in binds { cfg += "frontend \(name)\n    bind 127.0.0.1:\(port)\n    default_backend be\n" }
        return cfg
    }

    private func echoWorks(_ port: UInt16) -> Bool {
        guard let c = try? TCPClient.connect(port: port, timeout: 2) else { return false }
        return (try? ReloadTestHelpers.echoExchange(c)) == .some(nil)
    }

    func testUnchangedBindKeepsTheSameListeningSocketsAcrossReloads() throws {
        let echo = try startBackend(.echo)
        let port = try FreePort.next()
        let p = try startFulcrum(config: config(workers: 2, binds: [("fe", port)], echo: echo.port),
                                 arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: port, sockets: 2)
        try p.waitUntilMasterSocketListening()
        let before = ListeningSockets.inodes(port: port)
        XCTAssertEqual(before.count, 2)
        try p.writeConfig(config(workers: 2, binds: [("fe", port)], echo: echo.port, balance: "leastconn"))
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertEqual(ListeningSockets.inodes(port: port), before, "the bind's sockets are reused, not reopened")
        XCTAssertTrue(p.waitUntilSettled(workers: 2))
        XCTAssertEqual(ListeningSockets.inodes(port: port), before)
        // The new workers hold exactly those sockets.
        var held: Set<UInt64> = []
        for w in p.childPids(role: "worker") { held.formUnion(ProcessTree.socketInodes(of: w)) }
        XCTAssertTrue(before.isSubset(of: held), "new workers accept on the kept sockets")
        XCTAssertTrue(echoWorks(port))
    }

    func testRemovedBindClosesOnceItsOldWorkersAreGoneAndANewBindListens() throws {
        let echo = try startBackend(.echo)
        let kept = try FreePort.next(), removed = try FreePort.next(), added = try FreePort.next()
        let p = try startFulcrum(config: config(workers: 1, binds: [("fe", kept), ("gone", removed)], echo: echo.port),
                                 arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: kept)
        try p.waitUntilListening(port: removed)
        try p.waitUntilMasterSocketListening()
        let keptInodes = ListeningSockets.inodes(port: kept)
        let old = try p.waitForChildren(count: 1)[0]
        let held = try TCPClient.connect(port: removed)
        XCTAssertNil(try ReloadTestHelpers.echoExchange(held))

        try p.writeConfig(config(workers: 1, binds: [("fe", kept), ("new", added)], echo: echo.port))
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertEqual(ListeningSockets.inodes(port: added).count, 1, "the new bind listens when the reload is done")
        XCTAssertTrue(echoWorks(added))
        XCTAssertEqual(ListeningSockets.inodes(port: kept), keptInodes)
        XCTAssertTrue(ProcessTree.isAlive(old), "the old worker drains its connection on the removed bind")
        XCTAssertNil(try ReloadTestHelpers.echoExchange(held), "the held connection on the removed bind still works")

        held.close()
        XCTAssertTrue(waitUntil(timeout: 5) { !ProcessTree.isAlive(old) })
        XCTAssertTrue(waitUntil(timeout: 3) { ListeningSockets.inodes(port: removed).isEmpty },
                      "the removed bind still listens after its last worker left")
        XCTAssertThrowsError(try TCPClient.connect(port: removed, timeout: 1))
        XCTAssertEqual(ListeningSockets.inodes(port: kept), keptInodes)
        XCTAssertTrue(echoWorks(kept))
    }

    /// HAProxy's old workers stop listening at the reload (soft-stop), so a
    /// client of a bind the new configuration removed is refused at once. A
    /// socket that stays open with nobody accepting instead takes the
    /// connection into its queue and leaves it hanging until the old
    /// generation ends.
    func testRemovedBindTakesNoNewConnectionWhileOldWorkersDrain() throws {
        let echo = try startBackend(.echo)
        let kept = try FreePort.next(), removed = try FreePort.next()
        let p = try startFulcrum(config: config(workers: 1, binds: [("fe", kept), ("gone", removed)], echo: echo.port),
                                 arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: removed)
        try p.waitUntilMasterSocketListening()
        let held = try TCPClient.connect(port: removed)
        XCTAssertNil(try ReloadTestHelpers.echoExchange(held))
        try p.writeConfig(config(workers: 1, binds: [("fe", kept)], echo: echo.port))
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        // Refused, reset at once (a SYN racing the socket's last close, as with
        // HAProxy's soft-stop), or served: never left hanging in a queue.
        if let late = try? TCPClient.connect(port: removed, timeout: 1) {
            let started = Date()
            var answer: TCPClient.Received
            do {
                try late.send("ping\n")
                answer = try late.receive(count: 5, timeout: 3)
            } catch {
                // The reset came before the request went out.
                XCTAssertTrue("\(error)".contains("reset"), "\(error)")
                answer = TCPClient.Received(bytes: [], end: .reset)
            }
            switch answer.end {
            case .complete:
                XCTAssertEqual(answer.text, "ping\n", "served by the draining worker")
            case .reset:
                XCTAssertLessThan(Date().timeIntervalSince(started), 1.0, "reset at once, not after a wait")
            case .eof, .timeout:
                XCTFail("a connection to the removed bind was accepted by the kernel but nobody serves it (\(answer.end))")
            }
        }
        held.close()
    }

    /// Global `grace`: a worker told to stop keeps accepting for the grace
    /// period (here on a bind the new configuration dropped), then stops.
    func testGraceKeepsTheOldWorkersAcceptingUntilItEnds() throws {
        let echo = try startBackend(.echo)
        let kept = try FreePort.next(), removed = try FreePort.next()
        let p = try startFulcrum(config: config(workers: 1, binds: [("fe", kept), ("gone", removed)], echo: echo.port, grace: "2s"),
                                 arguments: ["-d", "-S", "{dir}/master.sock", "-f", "{config}"])
        try p.waitUntilListening(port: removed)
        try p.waitUntilMasterSocketListening()
        try p.writeConfig(config(workers: 1, binds: [("fe", kept)], echo: echo.port, grace: "2s"))
        XCTAssertEqual(try p.reloadViaMasterCLI(), "Success=1\n")
        XCTAssertTrue(echoWorks(removed), "within the grace period the old worker still serves the removed bind")
        let deadline = Deadline(seconds: 10)
        var refused = false
        while !deadline.hasExpired {
            if (try? TCPClient.connect(port: removed, timeout: 1)) == nil { refused = true; break }
            usleep(100_000)
        }
        XCTAssertTrue(refused, "after the grace period the removed bind closes")
        XCTAssertTrue(echoWorks(kept))
    }
}
