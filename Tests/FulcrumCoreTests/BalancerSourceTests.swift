import XCTest
import FulcrumConfig
@testable import FulcrumCore

/// `balance source` with both hash-types.
final class BalancerSourceTests: XCTestCase {
    /// Keys as `balance source` would produce them for clients 10.0.x.y.
    private func clientKeys(_ count: Int, avalanche: Bool = true) -> [UInt32] {
        (0..<count).map { LBHash.source(ipv4: 0x0A00_0000 | UInt32($0), avalanche: avalanche) }
    }

    private func assign(_ b: Balancer, _ keys: [UInt32]) -> [Int] {
        keys.map { b.pick(hashKey: $0, excluding: nil, load: { _ in 0 })! }
    }

    func testSameKeySameServerWhileFarmUnchanged() {
        for method in [HashType.Method.mapBased, .consistent] {
            let b = makeBalancer(.source, weights: [1, 2, 1, 3], method: method)
            let keys = clientKeys(2_000)
            let first = assign(b, keys)
            // Unrelated traffic in between must not move anyone.
            for _ in 0..<50 { _ = b.pick(hashKey: nil, excluding: nil, load: { _ in 0 }) }
            b.observe(0, usable: true, userWeight: 1) // unchanged state: no rebuild, no move
            XCTAssertEqual(assign(b, keys), first, "\(method)")
            XCTAssertEqual(Set(first), [0, 1, 2, 3], "\(method): every server gets clients")
        }
    }

    func testConsistentHashingMovesOnlyTheLeavingServersKeys() {
        let b = makeBalancer(.source, weights: [1, 1, 1, 1, 1], method: .consistent)
        let keys = clientKeys(10_000)
        let before = assign(b, keys)
        b.observe(2, usable: false, userWeight: 1)
        let after = assign(b, keys)
        var moved = 0
        for k in keys.indices where before[k] != after[k] {
            moved += 1
            XCTAssertEqual(before[k], 2, "only keys of the leaving server move")
        }
        XCTAssertEqual(moved, before.filter { $0 == 2 }.count, "every key of the leaving server moves")
        XCTAssertEqual(Double(moved) / 10_000, 0.2, accuracy: 0.08, "about 1/5 of the keys move")
        // It comes back: its keys return to it and nobody else moves.
        b.observe(2, usable: true, userWeight: 1)
        XCTAssertEqual(assign(b, keys), before)
    }

    func testMapBasedHashingRemapsFarMoreWhenTheFarmChanges() {
        let b = makeBalancer(.source, weights: [1, 1, 1, 1, 1], method: .mapBased)
        let keys = clientKeys(10_000, avalanche: false)
        let before = assign(b, keys)
        b.observe(2, usable: false, userWeight: 1)
        let after = assign(b, keys)
        let moved = keys.indices.filter { before[$0] != after[$0] }.count
        XCTAssertGreaterThan(moved, 5_000, "hash % total changes for most keys")
        XCTAssertFalse(after.contains(2))
        // Map-based is exact modulo: key k on a 5-server map goes to slot k % 5.
        XCTAssertEqual(before[7], 7 % 5)
    }

    func testConsistentHashingSharesFollowWeights() {
        let b = makeBalancer(.source, weights: [10, 20, 30], method: .consistent)
        let keys = clientKeys(60_000)
        var c = [0, 0, 0]
        for i in assign(b, keys) { c[i] += 1 }
        for (i, share) in [1.0 / 6, 2.0 / 6, 3.0 / 6].enumerated() {
            XCTAssertEqual(Double(c[i]) / 60_000, share, accuracy: share * 0.2, "\(c)")
        }
    }

    func testMapBasedSharesFollowStaticWeights() {
        let b = makeBalancer(.source, weights: [1, 2, 3], method: .mapBased)
        // Consecutive keys walk the whole map: exact shares.
        var c = [0, 0, 0]
        for key in 0..<UInt32(600) { c[b.pick(hashKey: key, excluding: nil, load: { _ in 0 })!] += 1 }
        XCTAssertEqual(c, [100, 200, 300])
    }

    func testConsistentWeightChangeMovesKeysOnlyTowardsTheReweightedServer() {
        let b = makeBalancer(.source, weights: [1, 1, 1, 1], method: .consistent)
        let keys = clientKeys(5_000)
        let before = assign(b, keys)
        b.observe(1, usable: true, userWeight: 3)
        let after = assign(b, keys)
        var gained = 0
        for k in keys.indices where before[k] != after[k] {
            XCTAssertEqual(after[k], 1, "raising a weight only attracts keys")
            gained += 1
        }
        XCTAssertGreaterThan(gained, 0)
    }

    func testNilKeyFallsBackToRoundRobin() {
        for method in [HashType.Method.mapBased, .consistent] {
            let b = makeBalancer(.source, weights: [1, 1, 2], method: method)
            XCTAssertEqual(counts(b, members: 3, picks: 400), [100, 100, 200], "\(method)")
        }
    }

    func testBackupsUnderSourceHashing() {
        for method in [HashType.Method.mapBased, .consistent] {
            let b = makeBalancer(.source, weights: [1, 1, 1, 1], backups: [2, 3], method: method)
            b.observe(0, usable: false, userWeight: 1)
            b.observe(1, usable: false, userWeight: 1)
            XCTAssertEqual(Set(assign(b, clientKeys(200))), [2], "\(method): first backup only")
            let all = makeBalancer(.source, weights: [1, 1, 1, 1], backups: [2, 3], allBackups: true, method: method)
            all.observe(0, usable: false, userWeight: 1)
            all.observe(1, usable: false, userWeight: 1)
            XCTAssertEqual(Set(assign(all, clientKeys(200))), [2, 3], "\(method): all backups")
        }
    }

    func testExcludedKeyOwnerRedispatchesDeterministically() {
        for method in [HashType.Method.mapBased, .consistent] {
            let b = makeBalancer(.source, weights: [1, 1, 1], method: method)
            for key in clientKeys(300) {
                let owner = b.pick(hashKey: key, excluding: nil, load: { _ in 0 })!
                let other = b.pick(hashKey: key, excluding: owner, load: { _ in 0 })!
                XCTAssertNotEqual(other, owner)
                XCTAssertEqual(b.pick(hashKey: key, excluding: owner, load: { _ in 0 }), other)
            }
        }
    }

    func testBalancerHashKeyHelpersApplyTheHashType() {
        var hashType = HashType()
        hashType.method = .consistent
        hashType.function = .djb2
        hashType.avalanche = true
        let b = Balancer(algorithm: .source, hashType: hashType,
                         members: [.init(weight: 1, backup: false)], allBackups: false)
        XCTAssertEqual(b.hashKey(sourceIPv4: 0x7F00_0001), LBHash.avalanche(0x7F00_0001))
        let bytes: [UInt8] = Array("abc".utf8)
        bytes.withUnsafeBytes { raw in
            XCTAssertEqual(b.hashKey(bytes: raw), LBHash.avalanche(LBHash.djb2(raw)))
        }
    }

    func testWeightMapMatchesHAProxysScaledTable() {
        // HAProxy sizes its map with weights x16; the lookup must agree.
        var rng = LBRandom(seed: 5)
        for _ in 0..<50 {
            let n = 1 + rng.below(5)
            let members = ContiguousArray(0..<n)
            let weights = ContiguousArray((0..<n).map { _ in 1 + rng.below(9) })
            var small = LBWeightMap(), scaled = LBWeightMap()
            small.rebuild(members: members, weights: weights)
            scaled.rebuild(members: members, weights: ContiguousArray(weights.map { $0 * 16 }))
            XCTAssertEqual(small.count * 16, scaled.count)
            for _ in 0..<100 {
                let h = UInt32(truncatingIfNeeded: rng.next())
                XCTAssertEqual(small[Int(h % UInt32(small.count))], scaled[Int(h % UInt32(scaled.count))], "\(weights)")
            }
        }
    }

    func testDerivedStateIsRebuiltOnlyWhenObservedStateChanges() {
        let b = makeBalancer(.source, weights: [1, 2, 3], method: .consistent)
        _ = b.pick(hashKey: 1, excluding: nil, load: { _ in 0 })
        let base = b.rebuilds
        for k in 0..<100 {
            b.observe(k % 3, usable: true, userWeight: k % 3 + 1)
            _ = b.pick(hashKey: UInt32(k), excluding: nil, load: { _ in 0 })
        }
        XCTAssertEqual(b.rebuilds, base)
        b.observe(1, usable: true, userWeight: 5)
        b.observe(2, usable: false, userWeight: 3)
        _ = b.pick(hashKey: 1, excluding: nil, load: { _ in 0 })
        XCTAssertEqual(b.rebuilds, base + 1, "several changes, one rebuild")
    }
}
