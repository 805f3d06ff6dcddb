import XCTest
import FulcrumConfig
@testable import FulcrumCore

/// What each `balance` algorithm is (HAProxy 2.6's BE_LB_* properties), and
/// the balancer and slowstart behaviour that follows from it.
final class BalancePropertiesTests: XCTestCase {
    private func hashType(_ method: HashType.Method) -> HashType {
        var t = HashType()
        t.method = method
        return t
    }

    private func properties(_ algorithm: BalanceAlgorithm, _ method: HashType.Method = .mapBased) -> BalanceProperties {
        BalanceProperties(algorithm: algorithm, hashType: hashType(method))
    }

    // MARK: the table

    func testNonHashAlgorithms() {
        let expected: [(BalanceAlgorithm, String, BalanceProperties.Lookup, Bool)] = [
            (.roundRobin, "roundrobin", .smoothRoundRobin, true),
            (.staticRoundRobin, "static-rr", .staticMapWalk, false),
            (.leastConn, "leastconn", .leastLoaded, true),
            // HAProxy sets BE_LB_PROP_DYN for `first`: slowstart applies.
            (.first, "first", .firstAvailable, true),
            (.random(draws: 3), "random", .weightedRandom(draws: 3), true),
        ]
        for (algorithm, name, lookup, dynamic) in expected {
            for method in [HashType.Method.mapBased, .consistent] {
                let p = properties(algorithm, method)
                XCTAssertEqual(p.name, name)
                XCTAssertEqual(p.lookup, lookup, name)
                XCTAssertEqual(p.dynamicWeights, dynamic, name)
                XCTAssertEqual(p.hashKey, .none, "\(name): no key, whatever the hash-type")
                XCTAssertEqual(p.fullServer, .routeAround, "\(name) routes around a full server")
            }
        }
    }

    func testHashAlgorithmsTakeTheirKeyAndQueueOnTheirServer() {
        let expected: [(BalanceAlgorithm, String, BalanceProperties.HashKeySource)] = [
            (.source, "source", .sourceAddress),
            (.uri(whole: true, length: 8, depth: 2), "uri", .request(.uri(whole: true, length: 8, depth: 2))),
            (.urlParam("id"), "url_param", .request(.urlParam("id"))),
            (.header("X-User"), "hdr(X-User)", .request(.header("X-User"))),
        ]
        for (algorithm, name, key) in expected {
            let mapped = properties(algorithm, .mapBased)
            XCTAssertEqual(mapped.name, name)
            XCTAssertEqual(mapped.lookup, .hashMap, name)
            XCTAssertFalse(mapped.dynamicWeights, "\(name): map-based hashing is static")
            XCTAssertEqual(mapped.hashKey, key, name)
            XCTAssertEqual(mapped.fullServer, .queue, "\(name) queues on the server its key names")

            let ring = properties(algorithm, .consistent)
            XCTAssertEqual(ring.name, name)
            XCTAssertEqual(ring.lookup, .hashRing, name)
            XCTAssertTrue(ring.dynamicWeights, "\(name): consistent hashing is dynamic")
            XCTAssertEqual(ring.hashKey, key, name)
            XCTAssertEqual(ring.fullServer, .queue, name)
        }
    }

    func testRuntimeSnapshotReadsTheProperties() {
        let b = RuntimeSnapshot.Backend(algorithm: .first, hashType: HashType())
        XCTAssertEqual(b.algorithm, "first")
        XCTAssertTrue(b.dynamicWeights, "`set weight` takes any value under `first`, as HAProxy")
        XCTAssertEqual(RuntimeSnapshot.Backend(algorithm: .header("Host"), hashType: HashType()).algorithm, "hdr(Host)")
    }

    // MARK: slowstart under consistent hashing

    /// Keys of `balance source` for clients 10.0.x.y.
    private let keys = (0..<4_000).map { LBHash.source(ipv4: 0x0A00_0000 | UInt32($0), avalanche: true) }

    /// The keys member 1 owns when its eweight is `eweight` and member 0 is at full weight 10.
    private func ownedKeys(_ b: Balancer, eweight: Int) -> Set<Int> {
        b.observe(1, usable: true, weight: eweight)
        return Set(keys.indices.filter { b.pick(hashKey: keys[$0], excluding: nil, load: { _ in 0 }) == 1 })
    }

    /// A server ramping under slowstart owns a growing part of the ring (one
    /// point per 1/16 of weight, as HAProxy's chash), and every key it owned
    /// stays with it as it grows: the others' keys move to it, never back.
    func testConsistentRingFollowsTheSlowstartRamp() {
        let b = makeBalancer(.source, weights: [10, 10], method: .consistent)
        var previous = Set<Int>()
        var shares: [Double] = []
        for second in [0, 2, 5, 8, 10] {
            let eweight = SlowStart.scaledWeight(userWeight: 10, sinceUp: Int64(second * 1000), slowstart: 10_000)
            let owned = ownedKeys(b, eweight: eweight)
            XCTAssertTrue(previous.isSubset(of: owned), "t=\(second)s: keys left the ramping server")
            previous = owned
            shares.append(Double(owned.count) / Double(keys.count))
        }
        XCTAssertEqual(shares, shares.sorted(), "the share only grows: \(shares)")
        // Points: 10 of 170 at t=0 (factor 1/16), 160 of 320 at the end.
        XCTAssertLessThan(shares[0], 0.15, "\(shares)")
        XCTAssertEqual(shares[4], 0.5, accuracy: 0.1, "\(shares)")
    }

    /// At full weight the ring is the one a user weight gives (16 points per
    /// unit), as before slowstart applied to it.
    func testRingPointsAreEweightUnits() {
        let b = makeBalancer(.source, weights: [3, 1], method: .consistent)
        b.rebuild()
        XCTAssertEqual(b.ring.points.count, 4 * 16)
        b.observe(0, usable: true, weight: 5)
        b.rebuild()
        XCTAssertEqual(b.ring.points.count, 5 + 16)
    }

    /// Map-based hashing is static: a ramping weight does not move keys.
    func testMapBasedHashingIgnoresLiveWeights() {
        let b = makeBalancer(.source, weights: [10, 10], method: .mapBased)
        let full = keys.map { b.pick(hashKey: $0, excluding: nil, load: { _ in 0 })! }
        b.observe(1, usable: true, weight: 10)
        XCTAssertEqual(keys.map { b.pick(hashKey: $0, excluding: nil, load: { _ in 0 })! }, full)
    }
}
