import XCTest
import FulcrumConfig
@testable import FulcrumCore

/// Builds a balancer over members given as (weight, backup) with a fixed seed.
func makeBalancer(_ algorithm: BalanceAlgorithm, weights: [Int], backups: Set<Int> = [],
                  maxconn: [Int]? = nil, allBackups: Bool = false,
                  method: HashType.Method = .mapBased, seed: UInt64 = 42) -> Balancer {
    var hashType = HashType()
    hashType.method = method
    let members = weights.indices.map {
        Balancer.Member(weight: weights[$0], backup: backups.contains($0), maxconn: maxconn?[$0] ?? 0)
    }
    return Balancer(algorithm: algorithm, hashType: hashType, members: members, allBackups: allBackups, seed: seed)
}

extension Balancer {
    /// `observe` with a user weight: the balancer takes 1/16 steps.
    func observe(_ index: Int, usable: Bool, userWeight: Int) {
        observe(index, usable: usable, weight: userWeight * SlowStart.weightScale)
    }
}

/// Counts picks per member over `picks` short-lived connections (load 0).
func counts(_ balancer: Balancer, members: Int, picks: Int, excluding: Int? = nil) -> [Int] {
    var result = [Int](repeating: 0, count: members)
    for _ in 0..<picks {
        guard let i = balancer.pick(hashKey: nil, excluding: excluding, load: { _ in 0 }) else { continue }
        result[i] += 1
    }
    return result
}

final class BalancerTests: XCTestCase {
    // MARK: roundrobin

    func testRoundRobinHonoursWeightsExactlyPerCycle() {
        let b = makeBalancer(.roundRobin, weights: [1, 2, 3])
        XCTAssertEqual(counts(b, members: 3, picks: 600), [100, 200, 300])
    }

    func testRoundRobinIsSmoothNotBursty() {
        let b = makeBalancer(.roundRobin, weights: [5, 1, 1])
        var order: [Int] = []
        for _ in 0..<14 { order.append(b.pick(hashKey: nil, excluding: nil, load: { _ in 0 })!) }
        // nginx's smooth WRR sequence for 5,1,1: a a b a c a a, twice.
        XCTAssertEqual(order, [0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 2, 0, 0])
    }

    func testRoundRobinFollowsLiveWeightChanges() {
        let b = makeBalancer(.roundRobin, weights: [1, 1])
        XCTAssertEqual(counts(b, members: 2, picks: 100), [50, 50])
        b.observe(0, usable: true, userWeight: 3)
        XCTAssertEqual(counts(b, members: 2, picks: 400), [300, 100])
        b.observe(1, usable: true, userWeight: 0)
        XCTAssertEqual(counts(b, members: 2, picks: 10), [10, 0], "weight 0 takes no new traffic")
        b.observe(0, usable: false, userWeight: 3)
        XCTAssertNil(b.pick(hashKey: nil, excluding: nil, load: { _ in 0 }))
    }

    func testDownMemberGetsNothingAndReturns() {
        let b = makeBalancer(.roundRobin, weights: [1, 1, 1])
        b.observe(1, usable: false, userWeight: 1)
        XCTAssertEqual(counts(b, members: 3, picks: 100), [50, 0, 50])
        b.observe(1, usable: true, userWeight: 1)
        XCTAssertEqual(counts(b, members: 3, picks: 99), [33, 33, 33])
    }

    // MARK: static-rr

    func testStaticRoundRobinUsesConfiguredWeights() {
        let b = makeBalancer(.staticRoundRobin, weights: [1, 2, 3])
        XCTAssertEqual(counts(b, members: 3, picks: 600), [100, 200, 300])
        // A live weight change does not reweigh a static algorithm...
        b.observe(0, usable: true, userWeight: 50)
        XCTAssertEqual(counts(b, members: 3, picks: 600), [100, 200, 300])
        // ...but usability still applies.
        b.observe(2, usable: false, userWeight: 3)
        XCTAssertEqual(counts(b, members: 3, picks: 300), [100, 200, 0])
    }

    func testStaticRoundRobinInterleaves() {
        let b = makeBalancer(.staticRoundRobin, weights: [2, 2, 4])
        var order: [Int] = []
        for _ in 0..<8 { order.append(b.pick(hashKey: nil, excluding: nil, load: { _ in 0 })!) }
        // Never the same server three times in a row, and the first declared starts.
        XCTAssertEqual(order.first, 0)
        for k in 2..<order.count {
            XCTAssertFalse(order[k] == order[k - 1] && order[k] == order[k - 2], "\(order)")
        }
        XCTAssertEqual(order.filter { $0 == 2 }.count, 4)
    }

    // MARK: leastconn

    func testLeastConnBalancesLongLivedConnectionsByWeight() {
        let b = makeBalancer(.leastConn, weights: [1, 1, 2])
        var loads = [0, 0, 0]
        for _ in 0..<400 {
            let i = b.pick(hashKey: nil, excluding: nil, load: { loads[$0] })!
            loads[i] += 1
        }
        XCTAssertEqual(loads, [100, 100, 200])
    }

    func testLeastConnPrefersLowerLoadPerWeight() {
        let b = makeBalancer(.leastConn, weights: [1, 2])
        // (2+1)/1 = 3 against (3+1)/2 = 2: member 1 despite more connections.
        XCTAssertEqual(b.pick(hashKey: nil, excluding: nil, load: { [2, 3][$0] }), 1)
        // (1+1)/1 = 2 against (5+1)/2 = 3: member 0.
        XCTAssertEqual(b.pick(hashKey: nil, excluding: nil, load: { [1, 5][$0] }), 0)
    }

    func testLeastConnRotatesTies() {
        let b = makeBalancer(.leastConn, weights: [1, 1, 1])
        // Short-lived connections: loads stay equal, servers must take turns.
        XCTAssertEqual(counts(b, members: 3, picks: 300), [100, 100, 100])
    }

    func testLeastConnFillsTheEmptiedServer() {
        let b = makeBalancer(.leastConn, weights: [1, 1, 1])
        var loads = [10, 10, 10]
        loads[1] = 0
        var picked: [Int] = []
        for _ in 0..<10 {
            let i = b.pick(hashKey: nil, excluding: nil, load: { loads[$0] })!
            loads[i] += 1
            picked.append(i)
        }
        XCTAssertEqual(picked, Array(repeating: 1, count: 10))
    }

    // MARK: first

    func testFirstFillsServersInOrder() {
        let b = makeBalancer(.first, weights: [1, 100, 1], maxconn: [3, 2, 0])
        var loads = [0, 0, 0]
        var picked: [Int] = []
        for _ in 0..<8 {
            let i = b.pick(hashKey: nil, excluding: nil, load: { loads[$0] })!
            loads[i] += 1
            picked.append(i)
        }
        XCTAssertEqual(picked, [0, 0, 0, 1, 1, 2, 2, 2])
        loads[0] -= 1
        XCTAssertEqual(b.pick(hashKey: nil, excluding: nil, load: { loads[$0] }), 0, "a freed slot on the first server")
        b.observe(0, usable: false, userWeight: 1)
        XCTAssertEqual(b.pick(hashKey: nil, excluding: nil, load: { loads[$0] }), 2)
    }

    func testFirstWithoutMaxconnAlwaysTakesFirstUsable() {
        let b = makeBalancer(.first, weights: [1, 1])
        XCTAssertEqual(b.pick(hashKey: nil, excluding: nil, load: { _ in 1_000_000 }), 0)
        b.observe(0, usable: true, userWeight: 0)
        XCTAssertEqual(b.pick(hashKey: nil, excluding: nil, load: { _ in 0 }), 1, "weight 0 is never picked")
    }

    func testFirstWhenAllFullReturnsLeastFull() {
        let b = makeBalancer(.first, weights: [1, 1], maxconn: [2, 10])
        XCTAssertEqual(b.pick(hashKey: nil, excluding: nil, load: { [4, 10][$0] }), 1)
        XCTAssertEqual(b.pick(hashKey: nil, excluding: nil, load: { [2, 11][$0] }), 0)
    }

    // MARK: backups, exclusion, nothing usable

    func testBackupTakesOverOnlyWhenNoActiveIsUsable() {
        let b = makeBalancer(.roundRobin, weights: [1, 1, 1, 1], backups: [2, 3])
        XCTAssertEqual(counts(b, members: 4, picks: 100), [50, 50, 0, 0])
        b.observe(0, usable: false, userWeight: 1)
        XCTAssertEqual(counts(b, members: 4, picks: 100), [0, 100, 0, 0])
        b.observe(1, usable: false, userWeight: 1)
        XCTAssertEqual(counts(b, members: 4, picks: 100), [0, 0, 100, 0], "only the first backup")
        b.observe(2, usable: false, userWeight: 1)
        XCTAssertEqual(counts(b, members: 4, picks: 100), [0, 0, 0, 100])
        b.observe(2, usable: true, userWeight: 1)
        XCTAssertEqual(counts(b, members: 4, picks: 10), [0, 0, 10, 0], "the first backup comes back first")
        b.observe(1, usable: true, userWeight: 1)
        XCTAssertEqual(counts(b, members: 4, picks: 10), [0, 10, 0, 0], "actives win back")
    }

    func testAllBackupsBalancesAcrossBackups() {
        let b = makeBalancer(.roundRobin, weights: [1, 1, 3], backups: [1, 2], allBackups: true)
        b.observe(0, usable: false, userWeight: 1)
        XCTAssertEqual(counts(b, members: 3, picks: 400), [0, 100, 300])
    }

    func testBackupFirstServerIsFirstUsableInDeclarationOrder() {
        for algorithm in [BalanceAlgorithm.leastConn, .staticRoundRobin, .random(draws: 2), .first] {
            let b = makeBalancer(algorithm, weights: [1, 1, 1], backups: [0, 1, 2])
            b.observe(0, usable: true, userWeight: 0)
            XCTAssertEqual(counts(b, members: 3, picks: 30), [0, 30, 0], "\(algorithm)")
        }
    }

    func testExcludingAvoidsTheMemberWhenAnotherIsUsable() {
        let algorithms: [BalanceAlgorithm] = [.roundRobin, .staticRoundRobin, .leastConn, .first, .source, .random(draws: 1), .random(draws: 2)]
        for algorithm in algorithms {
            for method in [HashType.Method.mapBased, .consistent] {
                let b = makeBalancer(algorithm, weights: [1, 2, 3], method: method)
                var seen = Set<Int>()
                for key in 0..<300 {
                    let i = b.pick(hashKey: LBHash.avalanche(UInt32(key)), excluding: 0, load: { _ in 0 })
                    XCTAssertNotNil(i)
                    XCTAssertNotEqual(i, 0, "\(algorithm) \(method)")
                    if let i { seen.insert(i) }
                }
                // With no load, first and leastconn (1/3 beats 1/2) settle on one server.
                let expected: Set<Int> = algorithm == .first ? [1] : algorithm == .leastConn ? [2] : [1, 2]
                XCTAssertEqual(seen, expected, "\(algorithm) \(method)")
                b.observe(1, usable: false, userWeight: 2)
                b.observe(2, usable: false, userWeight: 3)
                XCTAssertEqual(b.pick(hashKey: 7, excluding: 0, load: { _ in 0 }), 0,
                               "the only usable member is returned even when excluded (\(algorithm))")
            }
        }
    }

    func testNilWhenNothingUsable() {
        let algorithms: [BalanceAlgorithm] = [.roundRobin, .staticRoundRobin, .leastConn, .first, .source, .random(draws: 2)]
        for algorithm in algorithms {
            let b = makeBalancer(algorithm, weights: [1, 0, 1], backups: [2])
            XCTAssertTrue(b.hasCandidates)
            b.observe(0, usable: false, userWeight: 1)
            b.observe(2, usable: true, userWeight: 0)
            XCTAssertFalse(b.hasCandidates)
            XCTAssertNil(b.pick(hashKey: 1, excluding: nil, load: { _ in 0 }), "\(algorithm)")
            XCTAssertNil(b.pick(hashKey: nil, excluding: 1, load: { _ in 0 }), "\(algorithm)")
        }
        let empty = makeBalancer(.roundRobin, weights: [])
        XCTAssertNil(empty.pick(hashKey: nil, excluding: nil, load: { _ in 0 }))
    }

    // MARK: random

    func testRandomFollowsWeights() {
        let b = makeBalancer(.random(draws: 1), weights: [1, 2, 3], seed: 7)
        let picks = 60_000
        let c = counts(b, members: 3, picks: picks)
        for (i, expected) in [1.0 / 6, 2.0 / 6, 3.0 / 6].enumerated() {
            XCTAssertEqual(Double(c[i]) / Double(picks), expected, accuracy: 0.01, "\(c)")
        }
    }

    func testRandomIsReproducibleWithASeedAndVariesAcrossSeeds() {
        func sequence(_ seed: UInt64) -> [Int] {
            let b = makeBalancer(.random(draws: 1), weights: [1, 1, 1, 1], seed: seed)
            return (0..<64).map { _ in b.pick(hashKey: nil, excluding: nil, load: { _ in 0 })! }
        }
        XCTAssertEqual(sequence(1), sequence(1))
        XCTAssertNotEqual(sequence(1), sequence(2))
    }

    func testRandomDrawsKeepTheLeastLoaded() {
        func spread(draws: Int) -> Int {
            let b = makeBalancer(.random(draws: draws), weights: [1, 1, 1, 1, 1], seed: 3)
            var loads = [Int](repeating: 0, count: 5)
            for _ in 0..<5_000 {
                let i = b.pick(hashKey: nil, excluding: nil, load: { loads[$0] })!
                loads[i] += 1
            }
            return loads.max()! - loads.min()!
        }
        let one = spread(draws: 1)
        let two = spread(draws: 2)
        XCTAssertLessThan(two, 10, "power of two choices keeps loads within a few connections")
        XCTAssertGreaterThan(one, two)
    }

    func testRandomDrawsWeighLoadAgainstWeight() {
        // Member 1 has four times the weight and twice the load: it is the
        // least loaded per weight, so with many draws it wins nearly always.
        let b = makeBalancer(.random(draws: 8), weights: [1, 4], seed: 9)
        let c = (0..<1_000).reduce(into: [0, 0]) { acc, _ in
            acc[b.pick(hashKey: nil, excluding: nil, load: { [10, 20][$0] })!] += 1
        }
        XCTAssertEqual(c[1], 1_000)
    }
}
