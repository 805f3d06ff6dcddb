import Foundation
import XCTest

/// What an algorithm's properties (FulcrumCore's `BalanceProperties`) do
/// through the real binary, side by side with HAProxy 2.6 on the same
/// configuration:
/// - a hash key names its server even when that server is at its maxconn: the
///   request waits in the queue for it instead of going to another server;
/// - slowstart applies to `balance first` (maxconn ramps from 1) and to
///   `hash-type consistent` (the ring follows the ramping weight).
final class BalancePropertyBehaviourTests: XCTestCase {
    // MARK: a full server named by the key

    func testBalanceURIQueuesOnTheFullServerItsURINames() throws {
        try checkQueuesOnNamedServer(["balance uri"], target: "/item/7")
    }

    func testBalanceURLParamQueuesOnTheFullServerItsParameterNames() throws {
        try checkQueuesOnNamedServer(["balance url_param id", "hash-type consistent"], target: "/a?id=7")
    }

    func testBalanceHeaderQueuesOnTheFullServerItsHeaderNames() throws {
        try checkQueuesOnNamedServer(["balance hdr(X-User)"], target: "/", headers: [("X-User", "bob")])
    }

    /// `balance source` in mode http (every request comes from 127.0.0.1).
    func testBalanceSourceQueuesOnTheFullServerInModeHTTP() throws {
        try checkQueuesOnNamedServer(["balance source", "hash-type consistent"], target: "/")
    }

    // MARK: slowstart

    /// `balance first`, s1 at maxconn 12 coming back with slowstart 6s: twelve
    /// held connections leave s1 with 1 (maxconn ramps from 1), then about
    /// half at 3 s, then all twelve once the ramp is over; s2 takes the rest.
    func testFirstGivesAWarmingServerAGrowingShare() throws {
        for reference in [false, true] {
            let s1 = try startBackend(.identify("s1"))
            let s2 = try startBackend(.identify("s2"))
            let farm = try startFarm(reference: reference, mode: "tcp", backend: [
                "balance first",
                "server s1 127.0.0.1:\(s1.port) maxconn 12 check inter 200ms fall 1 rise 1 slowstart 6s",
                "server s2 127.0.0.1:\(s2.port)",
            ])
            let name = farm.name
            XCTAssertEqual(try farm.heldOnFirstServer(), 12, "\(name): no slowstart at startup")
            let up = try farm.bounce(stop: { s1.stopListening() }, start: { try s1.startListening() })
            let early = try farm.heldOnFirstServer()
            let earlyAt = seconds(since: up)
            sleepSeconds(max(0, 3.2 - seconds(since: up)))
            let middle = try farm.heldOnFirstServer()
            sleepSeconds(max(0, 6.5 - seconds(since: up)))
            let late = try farm.heldOnFirstServer()
            XCTAssertGreaterThanOrEqual(early, 1, name)
            XCTAssertLessThanOrEqual(early, 3, "\(name): \(early) of 12 on s1 \(earlyAt) s after it came back")
            XCTAssertGreaterThan(middle, early, "\(name): the limit grows (\(early), \(middle), \(late))")
            XCTAssertGreaterThan(late, middle, "\(name): (\(early), \(middle), \(late))")
            XCTAssertEqual(late, 12, "\(name): full maxconn after the ramp")
        }
    }

    /// `hash-type consistent` (avalanche, so neighbouring URIs spread), s1 and
    /// s2 at weight 10, s1 coming back with slowstart 6s: of 120 URIs s1 owns
    /// few at first, more at 3 s, and all its former ones after the ramp; a
    /// URI it owns never leaves it while it grows.
    func testConsistentHashingGivesAWarmingServerAGrowingShareOfKeys() throws {
        let targets = (0..<120).map { "/k/\($0)" }
        for reference in [false, true] {
            let s1 = try startHTTPServer(name: "s1")
            let s2 = try startHTTPServer(name: "s2")
            let farm = try startFarm(reference: reference, mode: "http", backend: [
                "balance uri",
                "hash-type consistent sdbm avalanche",
                "server s1 127.0.0.1:\(s1.port) weight 10 check inter 200ms fall 1 rise 1 slowstart 6s",
                "server s2 127.0.0.1:\(s2.port) weight 10",
            ])
            let name = farm.name
            let before = try farm.targetsOnFirstServer(targets)
            XCTAssertEqual(Double(before.count), 60, accuracy: 25, "\(name): both at full weight")
            let up = try farm.bounce(stop: { s1.stopListening() }, start: { try s1.startListening() })
            let early = try farm.targetsOnFirstServer(targets)
            let earlyAt = seconds(since: up)
            sleepSeconds(max(0, 3.2 - seconds(since: up)))
            let middle = try farm.targetsOnFirstServer(targets)
            sleepSeconds(max(0, 6.5 - seconds(since: up)))
            let late = try farm.targetsOnFirstServer(targets)
            let counts = "\(early.count), \(middle.count), \(late.count) of \(before.count)"
            XCTAssertLessThan(early.count, before.count / 2, "\(name): \(counts), early round \(earlyAt) s after UP")
            XCTAssertLessThan(early.count, middle.count, "\(name): \(counts)")
            XCTAssertLessThan(middle.count, late.count, "\(name): \(counts)")
            XCTAssertTrue(early.isSubset(of: middle) && middle.isSubset(of: late), "\(name): keys left the warming server")
            XCTAssertEqual(late, before, "\(name): after the ramp s1 owns what it owned")
        }
    }

    // MARK: scenario

    /// s1 and s2 at maxconn 1 behind `lines`; a probe finds the server S the
    /// key names. Request A (held by S's handler until released) fills S;
    /// request B with the same key must then wait in the queue (the stats
    /// show it queued) without reaching the other server, and reach S once A
    /// is answered. The same against HAProxy.
    private func checkQueuesOnNamedServer(_ lines: [String], target: String, headers: [(String, String)] = [],
                                          file: StaticString = #filePath, line: UInt = #line) throws {
        for reference in [false, true] {
            let gate = DispatchSemaphore(value: 0)
            let servers = try ["s1", "s2"].map { name in
                try startHTTPServer(name: name) { request in
                    if request.header("X-Hold") != nil { _ = gate.wait(timeout: .now() + 10) }
                    return .text("answered by \(name)", headers: [("X-Server", name)])
                }
            }
            let farm = try startFarm(reference: reference, mode: "http", backend: lines + [
                "server s1 127.0.0.1:\(servers[0].port) maxconn 1",
                "server s2 127.0.0.1:\(servers[1].port) maxconn 1",
            ])
            let name = farm.name
            let probe = try HTTPTestClient(port: farm.port)
            let named = try probe.request("GET", target, headers: headers).header("X-Server") ?? "none"
            probe.close()
            let held = try XCTUnwrap(["s1": 0, "s2": 1][named], "\(name): probe answered by \(named)", file: file, line: line)
            let other = servers[1 - held]
            let otherRequests = other.requests.count

            let a = try HTTPTestClient(port: farm.port)
            defer { a.close() }
            try a.send(HTTPTestClient.requestText("GET", target, headers: headers + [("X-Hold", "1")]))
            XCTAssertTrue(waitUntil(timeout: 5) { servers[held].requests.contains { $0.header("X-Hold") != nil } },
                          "\(name): request A never reached \(named)", file: file, line: line)
            let b = try HTTPTestClient(port: farm.port)
            defer { b.close() }
            try b.send(HTTPTestClient.requestText("GET", target, headers: headers))
            let queued = waitUntil(timeout: 5) { (try? farm.queued()) == 1 }
            XCTAssertTrue(queued, "\(name): request B not queued; the other server got \(other.requests.count - otherRequests)",
                          file: file, line: line)
            XCTAssertEqual(other.requests.count, otherRequests, "\(name): request B went to the other server",
                           file: file, line: line)

            gate.signal()
            XCTAssertEqual(try a.readFinalResponse().header("X-Server"), named, "\(name): A", file: file, line: line)
            XCTAssertEqual(try b.readFinalResponse().header("X-Server"), named, "\(name): B reaches the server its key names",
                           file: file, line: line)
            XCTAssertEqual(try farm.queued(), 0, "\(name): the queue is empty again", file: file, line: line)
        }
    }

    // MARK: farm

    /// One frontend feeding backend `be`, run by Fulcrum (one worker) or by
    /// HAProxy (the reference), with an admin stats socket.
    private struct Farm {
        let name: String
        let port: UInt16
        let statsSocket: String

        /// `show stat` rows of backend `be`, keyed by svname.
        func rows() throws -> [String: [String: String]] {
            let all = ReloadTestHelpers.statRows(try MasterCLI.send("show stat", socketPath: statsSocket))
            var rows: [String: [String: String]] = [:]
            for (key, row) in all where key.hasPrefix("be/") { rows[String(key.dropFirst(3))] = row }
            return rows
        }

        /// Sessions waiting in a queue of `be` (the backend's or a server's).
        func queued() throws -> Int {
            try rows().values.reduce(0) { $0 + (Int($1["qcur"] ?? "") ?? 0) }
        }

        /// Stops a checked s1 (`stop`), waits until the checks mark it DOWN,
        /// restarts it and waits until it is UP again; returns when it was seen UP.
        func bounce(stop: () -> Void, start: () throws -> Void) throws -> UInt64 {
            stop()
            guard waitUntil(timeout: 5, { status("s1").hasPrefix("DOWN") }) else {
                throw HarnessError.timeout("\(name): s1 DOWN (status \(status("s1")))")
            }
            try start()
            guard waitUntil(timeout: 5, interval: 0.01, { status("s1").hasPrefix("UP") }) else {
                throw HarnessError.timeout("\(name): s1 UP (status \(status("s1")))")
            }
            return Deadline.nowNanoseconds()
        }

        private func status(_ server: String) -> String {
            ((try? rows()) ?? [:])[server]?["status"] ?? ""
        }

        /// Opens twelve connections and keeps them while counting those s1
        /// answers; then closes them and waits until no server counts any.
        func heldOnFirstServer() throws -> Int {
            var clients: [TCPClient] = []
            defer { clients.forEach { $0.close() } }
            var onFirst = 0
            for _ in 0..<12 {
                let client = try TCPClient.connect(port: port)
                clients.append(client)
                if try client.readLine() == "s1" { onFirst += 1 }
            }
            clients.forEach { $0.close() }
            guard waitUntil(timeout: 5, { ((try? rows()) ?? [:]).allSatisfy { $0.key == "BACKEND" || $0.value["scur"] == "0" } }) else {
                throw HarnessError.timeout("\(name): server connections closed")
            }
            return onFirst
        }

        /// The targets s1 answers, one fresh connection each.
        func targetsOnFirstServer(_ targets: [String]) throws -> Set<String> {
            var owned = Set<String>()
            for target in targets {
                let client = try HTTPTestClient(port: port)
                defer { client.close() }
                if try client.request("GET", target).header("X-Server") == "s1" { owned.insert(target) }
            }
            return owned
        }
    }

    private func startFarm(reference: Bool, mode: String, backend: [String]) throws -> Farm {
        let port = try FreePort.next()
        let sockets = try TemporaryDirectory(prefix: "lbprop")
        addTeardownBlock { sockets.remove() }
        let stats = sockets.file("stats.sock")
        var text = "global\n"
        if !reference { text += "    workers 1\n" }
        text += "    stats socket \(stats) level admin\n"
        text += "defaults\n    mode \(mode)\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n"
        text += "    timeout queue 10s\n"
        text += "frontend fe\n    bind 127.0.0.1:\(port)\n    default_backend be\nbackend be\n"
        for line in backend { text += "    \(line)\n" }
        if reference {
            _ = try startHAProxyReference(config: text, port: port)
        } else {
            let process = try startFulcrum(config: text)
            try process.waitUntilListening(port: port, sockets: 1)
        }
        guard waitUntil(timeout: 5, { FileManager.default.fileExists(atPath: stats) }) else {
            throw HarnessError.timeout("stats socket \(stats)")
        }
        return Farm(name: reference ? "haproxy" : "fulcrum", port: port, statsSocket: stats)
    }

    private func seconds(since start: UInt64) -> Double {
        Double(Deadline.nowNanoseconds() - start) / 1e9
    }
}
