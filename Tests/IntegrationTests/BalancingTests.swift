import Glibc
import XCTest

/// Server choice through the real binary: each balancing algorithm, weights,
/// backups and source hashing, observed by which identify backend answers.
final class BalancingTests: XCTestCase {
    // MARK: roundrobin and static-rr

    /// One worker has one rotation, so weights 1:2:3 give exact shares, and
    /// every stretch of 6 (the total weight) holds each server its weight's
    /// number of times: the rotation interleaves instead of bursting.
    func testRoundRobinFollowsWeightsExactlyWithOneWorker() throws {
        let names = ["s1", "s2", "s3"]
        let servers = try names.map { try startBackend(.identify($0)) }
        let port = try startProxy(workers: 1, backend: [
            "balance roundrobin",
            "server s1 127.0.0.1:\(servers[0].port) weight 1",
            "server s2 127.0.0.1:\(servers[1].port) weight 2",
            "server s3 127.0.0.1:\(servers[2].port) weight 3",
        ])
        let sequence = try (0..<300).map { _ in try identify(port: port) }
        XCTAssertEqual(tally(sequence), ["s1": 50, "s2": 100, "s3": 150])
        for start in stride(from: 0, to: 300, by: 6) {
            let window = tally(Array(sequence[start..<start + 6]))
            XCTAssertEqual(window, ["s1": 1, "s2": 2, "s3": 3], "picks \(start)..<\(start + 6): \(sequence[start..<start + 6])")
        }
    }

    /// Two workers rotate independently, so the split is only close to 1:3.
    func testRoundRobinFollowsWeightsAcrossTwoWorkers() throws {
        let servers = try ["s1", "s2"].map { try startBackend(.identify($0)) }
        let port = try startProxy(workers: 2, backend: [
            "server s1 127.0.0.1:\(servers[0].port) weight 1",
            "server s2 127.0.0.1:\(servers[1].port) weight 3",
        ])
        let counts = tally(try (0..<400).map { _ in try identify(port: port) })
        XCTAssertEqual(counts.values.reduce(0, +), 400, "\(counts)")
        // Each worker is exact over its own picks; the sum can be off by at
        // most a few picks per worker.
        XCTAssertEqual(Double(counts["s1", default: 0]), 100, accuracy: 6, "\(counts)")
        XCTAssertEqual(Double(counts["s2", default: 0]), 300, accuracy: 6, "\(counts)")
    }

    func testStaticRoundRobinFollowsWeights() throws {
        let servers = try ["s1", "s2"].map { try startBackend(.identify($0)) }
        let port = try startProxy(workers: 1, backend: [
            "balance static-rr",
            "server s1 127.0.0.1:\(servers[0].port) weight 1",
            "server s2 127.0.0.1:\(servers[1].port) weight 3",
        ])
        let sequence = try (0..<200).map { _ in try identify(port: port) }
        XCTAssertEqual(tally(sequence), ["s1": 50, "s2": 150])
        for start in stride(from: 0, to: 200, by: 4) {
            XCTAssertEqual(tally(Array(sequence[start..<start + 4])), ["s1": 1, "s2": 3],
                           "picks \(start)..<\(start + 4): \(sequence[start..<start + 4])")
        }
    }

    /// A weight 0 server takes no new connections (HAProxy's drain weight).
    func testWeightZeroServerGetsNothing() throws {
        let servers = try ["s1", "s2", "s3"].map { try startBackend(.identify($0)) }
        let port = try startProxy(workers: 2, backend: [
            "server s1 127.0.0.1:\(servers[0].port) weight 0",
            "server s2 127.0.0.1:\(servers[1].port)",
            "server s3 127.0.0.1:\(servers[2].port)",
        ])
        let counts = tally(try (0..<60).map { _ in try identify(port: port) })
        XCTAssertEqual(counts["s1", default: 0], 0, "\(counts)")
        XCTAssertEqual(servers[0].acceptedCount, 0)
        XCTAssertEqual(counts["s2", default: 0] + counts["s3", default: 0], 60, "\(counts)")
        XCTAssertEqual(Double(counts["s2", default: 0]), 30, accuracy: 4, "\(counts)")
    }

    // MARK: leastconn

    /// Held connections: leastconn sends new ones to the server with the
    /// fewest, which roundrobin would not. Loads are shared by both workers.
    func testLeastConnFillsTheEmptiestServerFirst() throws {
        let servers = try ["s1", "s2"].map { try startBackend(.identify($0)) }
        let port = try startProxy(workers: 2, backend: [
            "balance leastconn",
            "server s1 127.0.0.1:\(servers[0].port)",
            "server s2 127.0.0.1:\(servers[1].port)",
        ])
        var held = try (0..<6).map { _ in try openIdentified(port: port) }
        XCTAssertEqual(tally(held.map(\.server)), ["s1": 3, "s2": 3], "equal loads must alternate")

        // Empty s2: now 3 on s1, 0 on s2.
        for connection in held where connection.server == "s2" { connection.client.close() }
        held.removeAll { $0.server == "s2" }
        try waitForSettledLoad(servers[1], active: 0)

        // The next 3 must all go to s2 (roundrobin would alternate).
        let refill = try (0..<3).map { _ in try openIdentified(port: port) }
        XCTAssertEqual(refill.map(\.server), ["s2", "s2", "s2"])
        held += refill
        // With equal loads again, 4 more split evenly.
        held += try (0..<4).map { _ in try openIdentified(port: port) }
        XCTAssertEqual(tally(held.map(\.server)), ["s1": 5, "s2": 5])
        XCTAssertTrue(servers[0].waitForActive(5), "s1 active: \(servers[0].activeCount)")
        XCTAssertTrue(servers[1].waitForActive(5), "s2 active: \(servers[1].activeCount)")
    }

    /// leastconn compares connections relative to weight: held connections
    /// settle at the 3:1 ratio, and an evenly loaded farm of three stays within
    /// one connection of even.
    func testLeastConnSpreadsHeldConnectionsByWeight() throws {
        let servers = try ["s1", "s2", "s3"].map { try startBackend(.identify($0)) }
        let port = try startProxy(workers: 2, backend: [
            "balance leastconn",
            "server s1 127.0.0.1:\(servers[0].port) weight 3",
            "server s2 127.0.0.1:\(servers[1].port) weight 1",
            "server s3 127.0.0.1:\(servers[2].port) weight 0",
        ])
        let held = try (0..<12).map { _ in try openIdentified(port: port) }
        XCTAssertEqual(tally(held.map(\.server)), ["s1": 9, "s2": 3])

        let evenServers = try ["e1", "e2", "e3"].map { try startBackend(.identify($0)) }
        let evenPort = try startProxy(workers: 2, backend: [
            "balance leastconn",
        ] + evenServers.enumerated().map { "server e\($0.offset + 1) 127.0.0.1:\($0.element.port)" })
        let evenHeld = try (0..<10).map { _ in try openIdentified(port: evenPort) }
        let evenCounts = tally(evenHeld.map(\.server))
        XCTAssertEqual(evenCounts.count, 3, "\(evenCounts)")
        XCTAssertLessThanOrEqual(evenCounts.values.max()! - evenCounts.values.min()!, 1, "\(evenCounts)")
        withExtendedLifetime(held) {}
    }

    // MARK: first

    /// `first` fills servers in declaration order up to their maxconn, and a
    /// freed slot on the first server is used again before later servers.
    func testFirstFillsServersInOrderUpToMaxconn() throws {
        let servers = try ["s1", "s2", "s3"].map { try startBackend(.identify($0)) }
        let port = try startProxy(workers: 2, backend: [
            "balance first",
            "server s1 127.0.0.1:\(servers[0].port) maxconn 3",
            "server s2 127.0.0.1:\(servers[1].port) maxconn 2",
            "server s3 127.0.0.1:\(servers[2].port)",
        ])
        var held = try (0..<7).map { _ in try openIdentified(port: port) }
        XCTAssertEqual(held.map(\.server), ["s1", "s1", "s1", "s2", "s2", "s3", "s3"])

        let onFirst = held.firstIndex { $0.server == "s1" }!
        held[onFirst].client.close()
        held.remove(at: onFirst)
        try waitForSettledLoad(servers[0], active: 2)
        held.append(try openIdentified(port: port))
        XCTAssertEqual(held.last?.server, "s1", "a freed slot on the first server is refilled first")
    }

    // MARK: random

    /// One draw is a plain weighted draw: 1:3 weights over 400 connections
    /// (4.6 standard deviations of tolerance).
    func testRandomOneDrawFollowsWeights() throws {
        let counts = try randomDistribution(algorithm: "random(1)", connections: 400)
        XCTAssertEqual(Double(counts["s2", default: 0]), 300, accuracy: 40, "\(counts)")
        XCTAssertEqual(counts["s1", default: 0] + counts["s2", default: 0], 400, "\(counts)")
    }

    /// `balance random` is random(2): two draws, the less loaded relative to
    /// weight wins. With idle servers (loads equal) HAProxy keeps the last draw
    /// (it switches only when the earlier one has strictly fewer connections
    /// per weight: `curr->served * prev->cur_eweight > prev->served *
    /// curr->cur_eweight`), so shares still follow the weights: 1:3 here.
    func testRandomDefaultDrawsFollowsWeightsWhenIdle() throws {
        let counts = try randomDistribution(algorithm: "random", connections: 400)
        XCTAssertEqual(counts["s1", default: 0] + counts["s2", default: 0], 400, "\(counts)")
        XCTAssertEqual(Double(counts["s1", default: 0]), 100, accuracy: 40,
                       "idle servers with weights 1:3 must get about 1/4 and 3/4: \(counts)")
    }

    // MARK: backups

    /// With every active server in maintenance (`disabled`) the first backup
    /// takes all traffic; `option allbackups` shares it among all backups; while
    /// any active server is usable the backups get nothing.
    func testBackupsTakeOverOnlyWhenNoActiveServerIsUsable() throws {
        let servers = try ["a1", "a2", "b1", "b2"].map { try startBackend(.identify($0)) }
        func farm(activesDisabled: Bool) -> [String] {
            let disabled = activesDisabled ? " disabled" : ""
            return [
                "server a1 127.0.0.1:\(servers[0].port)\(disabled)",
                "server a2 127.0.0.1:\(servers[1].port)\(disabled)",
                "server b1 127.0.0.1:\(servers[2].port) backup",
                "server b2 127.0.0.1:\(servers[3].port) backup",
            ]
        }
        let firstBackupOnly = try startProxy(workers: 2, backend: farm(activesDisabled: true))
        XCTAssertEqual(tally(try (0..<20).map { _ in try identify(port: firstBackupOnly) }), ["b1": 20])

        let allBackups = try startProxy(workers: 1, backend: ["option allbackups"] + farm(activesDisabled: true))
        XCTAssertEqual(tally(try (0..<20).map { _ in try identify(port: allBackups) }), ["b1": 10, "b2": 10])

        let activesUp = try startProxy(workers: 1, backend: ["option allbackups"] + farm(activesDisabled: false))
        XCTAssertEqual(tally(try (0..<20).map { _ in try identify(port: activesUp) }), ["a1": 10, "a2": 10])
        XCTAssertEqual(servers[0].acceptedCount, 10)
    }

    // MARK: source hashing

    /// The same source address always reaches the same server, whichever
    /// worker accepts it, and different sources spread over the farm.
    func testSourceKeepsEachClientOnOneServer() throws {
        let servers = try (1...4).map { try startBackend(.identify("s\($0)")) }
        let port = try startProxy(workers: 2, backend: ["balance source"] + serverLines(servers))
        let sources = (1...40).map { SourceBoundClient.loopback(0, 7, $0) }
        var seen: [String: Set<String>] = [:]
        for _ in 0..<5 {
            for source in sources {
                let name = try SourceBoundClient.firstLine(from: source, port: port) ?? "<closed>"
                seen[source, default: []].insert(name)
            }
        }
        let unstable = seen.filter { $0.value.count != 1 }
        XCTAssertEqual(unstable, [:], "sources that reached more than one server")
        let used = Set(seen.values.flatMap { $0 })
        XCTAssertGreaterThanOrEqual(used.count, 3, "40 sources should reach most of 4 servers: \(used)")
        XCTAssertFalse(used.contains("<closed>"))
    }

    /// Removing one of five servers under `hash-type consistent` moves only
    /// the clients that were on it (about a fifth), and they spread over the
    /// others. The farm without it runs as a second daemon on the same backends:
    /// a restart with the smaller config, side by side. The avalanche modifier
    /// spreads neighbouring addresses whatever the default key does (see
    /// `testConsistentHashingSpreadsNeighbouringSources`).
    func testConsistentHashingMovesOnlyTheRemovedServersClients() throws {
        let servers = try (1...5).map { try startBackend(.identify("s\($0)")) }
        let hashing = ["balance source", "hash-type consistent sdbm avalanche"]
        let before = try startProxy(workers: 2, backend: hashing + serverLines(servers))
        let after = try startProxy(workers: 2, backend: hashing + serverLines(Array(servers.prefix(4))))
        let sources = hashSources()
        let mappingBefore = try mapping(sources, port: before)
        let mappingAfter = try mapping(sources, port: after)

        let onRemoved = sources.filter { mappingBefore[$0] == "s5" }
        XCTAssertGreaterThanOrEqual(onRemoved.count, 15, "s5 should own about 40 of 200 sources")
        XCTAssertLessThanOrEqual(onRemoved.count, 80, "s5 should own about 40 of 200 sources")
        let moved = sources.filter { mappingBefore[$0] != mappingAfter[$0] }
        XCTAssertEqual(Set(moved), Set(onRemoved), "exactly the removed server's clients move")
        let destinations = Set(onRemoved.compactMap { mappingAfter[$0] })
        XCTAssertFalse(destinations.contains("s5"))
        XCTAssertGreaterThanOrEqual(destinations.count, 2, "moved clients spread: \(destinations)")
    }

    /// With the default `hash-type consistent` (no modifier) clients from
    /// neighbouring addresses must still spread over the farm, as they do with
    /// HAProxy (which, in `testSourceHashingPicksTheSameServersAsHAProxy`,
    /// spreads 64 neighbours over all 4 servers): otherwise a subnet of clients
    /// lands on a single server.
    func testConsistentHashingSpreadsNeighbouringSources() throws {
        let servers = try (1...5).map { try startBackend(.identify("s\($0)")) }
        let port = try startProxy(workers: 2, backend: ["balance source", "hash-type consistent"] + serverLines(servers))
        let counts = tally(Array(try mapping(hashSources(), port: port).values))
        XCTAssertEqual(counts.values.reduce(0, +), 200)
        let fair = ["s1", "s2", "s3", "s4", "s5"].filter { (10...90).contains(counts[$0, default: 0]) }
        XCTAssertEqual(fair.count, 5, "each of 5 servers should own 10 to 90 of 200 sources: \(counts)")
    }

    /// Map-based hashing (the default) reshuffles: removing one of five
    /// servers moves most clients, including many that were not on it.
    func testMapBasedHashingMovesMostClientsWhenTheFarmShrinks() throws {
        let servers = try (1...5).map { try startBackend(.identify("s\($0)")) }
        let before = try startProxy(workers: 2, backend: ["balance source", "hash-type map-based"] + serverLines(servers))
        let after = try startProxy(workers: 2, backend: ["balance source", "hash-type map-based"]
                                   + serverLines(Array(servers.prefix(4))))
        let sources = hashSources()
        let mappingBefore = try mapping(sources, port: before)
        let mappingAfter = try mapping(sources, port: after)

        let moved = sources.filter { mappingBefore[$0] != mappingAfter[$0] }
        let movedFromKept = moved.filter { mappingBefore[$0] != "s5" }
        XCTAssertGreaterThan(moved.count, 100, "map-based: most of 200 clients move (\(moved.count) did)")
        XCTAssertGreaterThan(movedFromKept.count, 60, "clients of servers that stayed move too")
        XCTAssertEqual(Set(mappingBefore.values), ["s1", "s2", "s3", "s4", "s5"])
    }

    /// Fulcrum replaces HAProxy in place, so `balance source` must send each
    /// client to the server HAProxy sent it to: a migration must not move
    /// every client's session. Both run the same farm; 64 sources compared.
    func testMapBasedSourceHashingPicksTheSameServersAsHAProxy() throws {
        let (sources, expected, actual) = try sourceMappingsBesideHAProxy(hashType: "map-based")
        XCTAssertGreaterThanOrEqual(Set(expected.values).count, 2, "HAProxy reference mapping: \(expected)")
        let differing = sources.filter { expected[$0] != actual[$0] }
        XCTAssertEqual(differing.count, 0, "\(differing.count) of 64 sources differ from HAProxy, "
                       + "e.g. \(differing.prefix(4).map { "\($0): haproxy \(expected[$0]!) fulcrum \(actual[$0]!)" })")
    }

    /// Consistent hashing places its ring points and keys as HAProxy 2.6
    /// does (`full_hash` of id × 4096 + n, nearest point wins), so a farm
    /// migrated from HAProxy keeps every client on its server, as with map-based.
    func testConsistentSourceHashingPicksTheSameServersAsHAProxy() throws {
        let (sources, expected, actual) = try sourceMappingsBesideHAProxy(hashType: "consistent")
        XCTAssertEqual(Set(expected.values).count, 4, "HAProxy reference: \(expected)")
        let differing = sources.filter { expected[$0] != actual[$0] }
        XCTAssertEqual(differing.count, 0, "\(differing.count) of 64 sources differ from HAProxy, "
                       + "e.g. \(differing.prefix(4).map { "\($0): haproxy \(expected[$0]!) fulcrum \(actual[$0]!)" })")
    }

    /// The avalanche modifier on a map-based farm is HAProxy's `full_hash`
    /// too, multiplication included.
    func testMapBasedAvalancheSourceHashingPicksTheSameServersAsHAProxy() throws {
        let (sources, expected, actual) = try sourceMappingsBesideHAProxy(hashType: "map-based sdbm avalanche")
        XCTAssertGreaterThanOrEqual(Set(expected.values).count, 3, "HAProxy reference: \(expected)")
        let differing = sources.filter { expected[$0] != actual[$0] }
        XCTAssertEqual(differing.count, 0, "\(differing.count) of 64 sources differ from HAProxy, "
                       + "e.g. \(differing.prefix(4).map { "\($0): haproxy \(expected[$0]!) fulcrum \(actual[$0]!)" })")
    }

    // MARK: helpers

    /// Runs one `balance source` farm of four servers behind fulcrum and behind
    /// HAProxy, and returns which server each of 64 loopback sources reached
    /// through each of them.
    private func sourceMappingsBesideHAProxy(hashType: String) throws
        -> (sources: [String], haproxy: [String: String], fulcrum: [String: String]) {
        let haproxy = try requireTool("haproxy")
        let servers = try (1...4).map { try startBackend(.identify("s\($0)")) }
        let sources = (1...64).map { SourceBoundClient.loopback(0, 9, $0) }
        let lines = ["balance source", "hash-type \(hashType)"] + serverLines(servers)
        let fulcrumPort = try startProxy(workers: 1, backend: lines)
        let haproxyPort = try FreePort.next()
        let reference = try startFulcrum(config: proxyConfig(port: haproxyPort, workers: nil, backend: lines),
                                         executable: haproxy)
        try reference.waitUntilListening(port: haproxyPort)
        return (sources, try mapping(sources, port: haproxyPort), try mapping(sources, port: fulcrumPort))
    }

    /// One frontend on a fresh port feeding backend `be`, whose section holds
    /// `backend` lines. `workers` nil leaves the keyword out (for HAProxy).
    private func proxyConfig(port: UInt16, workers: Int?, backend: [String]) -> String {
        var text = "global\n"
        if let workers { text += "    workers \(workers)\n" }
        text += """
            defaults
                mode tcp
                timeout connect 2s
                timeout client 30s
                timeout server 30s
            frontend fe
                bind 127.0.0.1:\(port)
                default_backend be
            backend be

            """
        for line in backend { text += "    \(line)\n" }
        return text
    }

    /// Starts fulcrum with `proxyConfig` and returns the frontend's port once
    /// every worker listens.
    private func startProxy(workers: Int, backend: [String]) throws -> UInt16 {
        let port = try FreePort.next()
        let process = try startFulcrum(config: proxyConfig(port: port, workers: workers, backend: backend))
        try process.waitUntilListening(port: port, sockets: workers)
        return port
    }

    private func serverLines(_ servers: [TestBackend]) -> [String] {
        servers.enumerated().map { "server s\($0.offset + 1) 127.0.0.1:\($0.element.port)" }
    }

    /// Connects, reads the identify line, closes: which server was picked.
    private func identify(port: UInt16) throws -> String {
        let client = try TCPClient.connect(port: port)
        defer { client.close() }
        return try client.readLine() ?? "<closed>"
    }

    /// A connection left open on the server it reached.
    private struct Identified {
        let client: TCPClient
        let server: String
    }

    private func openIdentified(port: UInt16) throws -> Identified {
        let client = try TCPClient.connect(port: port)
        return Identified(client: client, server: try client.readLine() ?? "<closed>")
    }

    /// Waits until `backend` has `active` connections, then lets the daemon
    /// finish closing its side (it releases the server slot just after the
    /// backend sees the close).
    private func waitForSettledLoad(_ backend: TestBackend, active: Int) throws {
        guard backend.waitForActive(active) else {
            throw HarnessError.timeout("backend :\(backend.port) down to \(active) connections (has \(backend.activeCount))")
        }
        sleepSeconds(0.2)
    }

    private func tally(_ names: [String]) -> [String: Int] {
        names.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    private func randomDistribution(algorithm: String, connections: Int) throws -> [String: Int] {
        let servers = try ["s1", "s2"].map { try startBackend(.identify($0)) }
        let port = try startProxy(workers: 2, backend: [
            "balance \(algorithm)",
            "server s1 127.0.0.1:\(servers[0].port) weight 1",
            "server s2 127.0.0.1:\(servers[1].port) weight 3",
        ])
        return tally(try (0..<connections).map { _ in try identify(port: port) })
    }

    /// 200 distinct client addresses in two /24s.
    private func hashSources() -> [String] {
        (1...100).map { SourceBoundClient.loopback(0, 1, $0) } + (1...100).map { SourceBoundClient.loopback(0, 2, $0) }
    }

    /// Which server each source reaches through the proxy on `port`.
    private func mapping(_ sources: [String], port: UInt16) throws -> [String: String] {
        var result: [String: String] = [:]
        for source in sources {
            result[source] = try SourceBoundClient.firstLine(from: source, port: port) ?? "<closed>"
        }
        return result
    }
}
