import XCTest
import Foundation

/// -Ws on reload: systemd's Type=notify-reload protocol, RELOADING=1 with
/// MONOTONIC_USEC when the reload starts, READY=1 once the new generation
/// serves (or the reload failed and the old one goes on).
final class ReloadNotifyTests: XCTestCase {
    private static func monotonicMicroseconds() -> UInt64 { Deadline.nowNanoseconds() / 1000 }

    /// Receives until a datagram containing the line `assignment`; returns it
    /// and everything received before it.
    private func receive(until assignment: String, from notify: NotifySocket, timeout: Double = 10) -> (String?, [String]) {
        var seen: [String] = []
        let deadline = Deadline(seconds: timeout)
        while !deadline.hasExpired {
            guard let m = notify.receive(timeout: Double(deadline.remainingMilliseconds()) / 1000) else { break }
            if m.split(separator: "\n").contains(Substring(assignment)) { return (m, seen) }
            seen.append(m)
        }
        return (nil, seen)
    }

    private func value(_ key: String, in message: String) -> String? {
        message.split(separator: "\n").first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    func testReloadSendsReloadingWithMonotonicTimeThenReadyOnceTheNewWorkersServe() throws {
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let notify = try NotifySocket()
        let cfg = ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", backend.port)], workers: 2)
        let p = try startFulcrum(config: cfg, arguments: ["-Ws", "-f", "{config}"], environment: notify.environment)
        XCTAssertNotNil(receive(until: "READY=1", from: notify).0, "READY=1 at start")
        let gen1 = Set(try p.waitForChildren(count: 2))

        let before = Self.monotonicMicroseconds()
        try p.signal(SIGUSR2)
        let (reloading, _) = receive(until: "RELOADING=1", from: notify)
        let after = Self.monotonicMicroseconds()
        XCTAssertNotNil(reloading, "RELOADING=1 on SIGUSR2; got \(notify.messages)")
        let usec = reloading.flatMap { value("MONOTONIC_USEC", in: $0) }.flatMap { UInt64($0) }
        XCTAssertNotNil(usec, "MONOTONIC_USEC with RELOADING=1: \(reloading ?? "")")
        if let usec { XCTAssertTrue(usec >= before && usec <= after, "MONOTONIC_USEC \(usec) not within [\(before), \(after)]") }

        let (ready, _) = receive(until: "READY=1", from: notify)
        XCTAssertNotNil(ready, "READY=1 after the reload; got \(notify.messages)")
        // READY=1 means the new generation is up: its workers exist and answer.
        let workers = Set(p.childPids(role: "worker"))
        XCTAssertEqual(workers.subtracting(gen1).count, 2, "two new workers when READY=1 arrives: \(workers)")
        XCTAssertTrue(ReloadTestHelpers.roundTrip(port, expect: "s1"))
    }

    func testFailedReloadStillEndsTheReloadingStateWithReady() throws {
        let backend = try startBackend(.identify("s1"))
        let port = try FreePort.next()
        let notify = try NotifySocket()
        let cfg = ReloadTestHelpers.tcpConfig(port: port, servers: [("s1", backend.port)], workers: 1)
        let p = try startFulcrum(config: cfg, arguments: ["-Ws", "-f", "{config}"], environment: notify.environment)
        XCTAssertNotNil(receive(until: "READY=1", from: notify).0)
        try p.writeConfig(cfg + "frontend broken\n    bind 127.0.0.1:notaport\n")
        try p.signal(SIGHUP)
        XCTAssertNotNil(receive(until: "RELOADING=1", from: notify).0)
        let (ready, _) = receive(until: "READY=1", from: notify)
        XCTAssertNotNil(ready, "systemd leaves the reloading state only on READY=1")
        XCTAssertTrue(ready.flatMap { value("STATUS", in: $0) }?.contains("Reload failed") ?? false, ready ?? "")
        XCTAssertTrue(ReloadTestHelpers.roundTrip(port, expect: "s1"))
    }
}
