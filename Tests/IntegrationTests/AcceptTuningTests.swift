import XCTest
import Glibc
import Foundation

/// `tune.maxaccept` and `tune.maxpollevents`, seen in the system calls a
/// worker makes (strace): epoll asked for at most N events per wait, and at
/// most N connections accepted from a listener before waiting again.
final class AcceptTuningTests: XCTestCase {
    func testMaxAcceptAndMaxPollEventsBoundWhatAWorkerTakesPerWakeup() throws {
        try requireRoot("strace attaches to a worker")
        let strace = try requireTool("strace")
        let backend = try startBackend(.echo)
        let port = try FreePort.next()
        let p = try startFulcrum(config: """
            global
                workers 1
                tune.maxaccept 2
                tune.maxpollevents 3
            defaults
                mode tcp
                timeout connect 2s
                timeout client 30s
                timeout server 30s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be
                server s1 127.0.0.1:\(backend.port)

            """)
        try p.waitUntilListening(port: port, sockets: 1)
        let worker = try p.waitForChildren(count: 1)[0]
        let dir = try TemporaryDirectory(prefix: "strace")
        defer { dir.remove() }
        let trace = dir.file("trace")
        let tracer = try ChildProcess(executable: strace, arguments: ["-qq", "-p", String(worker), "-e", "trace=epoll_wait,accept4", "-o", trace],
                                      environment: [:], stdoutPath: dir.file("out"), stderrPath: dir.file("err"))
        defer { _ = tracer.terminateTree(grace: 2) }
        func accepted() -> Int {
            (FileBytes.readText(trace) ?? "").split(separator: "\n").filter { $0.hasPrefix("accept4(") && !$0.contains("= -1") }.count
        }
        // Until strace is attached, a probe connection goes unseen: retry.
        var probes: [TCPClient] = []
        let attached = Deadline(seconds: 10)
        while accepted() == 0 && !attached.hasExpired {
            probes.append(try TCPClient.connect(port: port))
            usleep(200_000)
        }
        XCTAssertGreaterThan(accepted(), 0, "strace saw the worker accept")
        let before = accepted()
        // A burst: the traced worker is slow, so connections queue up.
        var burst: [TCPClient] = []
        for _ in 0..<40 { burst.append(try TCPClient.connect(port: port)) }
        let done = Deadline(seconds: 20)
        while accepted() < before + burst.count && !done.hasExpired { usleep(50_000) }
        XCTAssertEqual(accepted(), before + burst.count)
        try tracer.signal(SIGINT)
        _ = tracer.wait(timeout: 5)
        let lines = (FileBytes.readText(trace) ?? "").split(separator: "\n")
        // epoll_wait(EPFD, [events...], MAXEVENTS, TIMEOUT) = N
        let maxEvents = try NSRegularExpression(pattern: #", (\d+), -?\d+\) += "#)
        let waits = lines.filter { $0.hasPrefix("epoll_wait(") && $0.contains(") = ") }
        XCTAssertFalse(waits.isEmpty)
        for w in waits {
            let text = String(w)
            let match = maxEvents.matches(in: text, range: NSRange(text.startIndex..., in: text)).last
            let value = match.flatMap { Range($0.range(at: 1), in: text) }.map { String(text[$0]) }
            XCTAssertEqual(value, "3", "maxevents in \(w)")
        }
        var run = 0, longest = 0
        for line in lines {
            if line.hasPrefix("accept4(") && !line.contains("= -1") { run += 1; longest = max(longest, run) }
            if line.hasPrefix("epoll_wait(") { run = 0 }
        }
        XCTAssertLessThanOrEqual(longest, 2, "at most tune.maxaccept connections per wakeup")
        XCTAssertEqual(longest, 2, "the burst queued, so a wakeup took the full 2")
        probes.forEach { $0.close() }
        burst.forEach { $0.close() }
    }
}
