import XCTest
import Glibc
import Foundation

/// `tune.maxaccept` and `tune.maxpollevents`, seen in the system calls a
/// worker makes (strace): epoll asked for at most N events per wait, and at
/// most N connections accepted from a listener before waiting again.
final class AcceptTuningTests: XCTestCase {
    func testMaxAcceptAndMaxPollEventsBoundWhatAWorkerTakesPerWakeup() throws {
        let backend = try startBackend(.echo)
        let port = try FreePort.next()
        let p = try startFulcrum(config: ReloadTestHelpers.tcpConfig(
            port: port, servers: [("s1", backend.port)], workers: 1,
            global: "    tune.maxaccept 2\n    tune.maxpollevents 3"))
        try p.waitUntilListening(port: port, sockets: 1)
        let worker = try p.waitForChildren(count: 1)[0]
        func isAccept(_ line: String) -> Bool { line.contains("accept4(") && !line.contains("= -1") }
        // Until strace is attached, a probe connection goes unseen: retry.
        var probes: [TCPClient] = [], burst: [TCPClient] = []
        defer { (probes + burst).forEach { $0.close() } }
        let trace = try SyscallTrace.session(of: [worker], calls: ["epoll_wait", "accept4"], follow: false, until: isAccept, attach: {
            probes.append(try TCPClient.connect(port: port))
        }, measured: { traced in
            let before = traced().filter(isAccept).count
            // A burst: the traced worker is slow, so connections queue up.
            for _ in 0..<40 { burst.append(try TCPClient.connect(port: port)) }
            let done = Deadline(seconds: 20)
            while traced().filter(isAccept).count < before + burst.count && !done.hasExpired { usleep(50_000) }
            XCTAssertEqual(traced().filter(isAccept).count, before + burst.count)
        })
        let lines = trace.lines
        // epoll_wait(EPFD, [events...], MAXEVENTS, TIMEOUT) = N
        let maxEvents = try NSRegularExpression(pattern: #", (\d+), -?\d+\) += "#)
        let waits = lines.filter { $0.contains("epoll_wait(") && $0.contains(") = ") }
        XCTAssertFalse(waits.isEmpty)
        for w in waits {
            let text = String(w)
            let match = maxEvents.matches(in: text, range: NSRange(text.startIndex..., in: text)).last
            let value = match.flatMap { Range($0.range(at: 1), in: text) }.map { String(text[$0]) }
            XCTAssertEqual(value, "3", "maxevents in \(w)")
        }
        var run = 0, longest = 0
        for line in lines {
            if isAccept(line) { run += 1; longest = max(longest, run) }
            if line.contains("epoll_wait(") { run = 0 }
        }
        XCTAssertLessThanOrEqual(longest, 2, "at most tune.maxaccept connections per wakeup")
        XCTAssertEqual(longest, 2, "the burst queued, so a wakeup took the full 2")
    }
}
