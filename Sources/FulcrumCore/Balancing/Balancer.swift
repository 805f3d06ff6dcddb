import FulcrumConfig

/// Chooses a server of one backend. One instance per backend per worker.
/// Live state (usable, effective weight) is pushed in with `observe` before
/// each choice; derived structures (weighted sequences, hash rings) are rebuilt
/// lazily only when that state changed. What the algorithm is (lookup, static
/// or dynamic weights, key source) comes from `properties`.
///
/// Live weights are in HAProxy's eweight units: 1/16 of a user weight
/// (`SlowStart.weightScale`), so that slowstart can ramp even a weight-1
/// server and a consistent-hash ring holds one point per unit.
///
/// Which members compete (HAProxy's rules): members that are usable and have a
/// non-zero weight; the active ones while any is left, else the first such
/// backup in declaration order, or all of them with `allBackups`.
public final class Balancer {
    public struct Member: Sendable {
        public var weight: Int
        public var backup: Bool
        /// Connection limit that `balance first` fills before moving on;
        /// 0 = unlimited. Other algorithms leave limits to the caller's queue.
        public var maxconn: Int
        public init(weight: Int, backup: Bool, maxconn: Int = 0) {
            self.weight = weight; self.backup = backup; self.maxconn = maxconn
        }
    }

    public let properties: BalanceProperties
    public let hashType: HashType
    public let allBackups: Bool
    public private(set) var members: [Member]

    // Live state, written by observe(). A balancer belongs to one worker's
    // loop and nothing holds an access across a call: the per-request fields
    // skip the runtime exclusivity check (about 1% of a request's
    // instructions otherwise).
    @exclusivity(unchecked) var usable: ContiguousArray<Bool>
    @exclusivity(unchecked) var liveWeight: ContiguousArray<Int>
    @exclusivity(unchecked) var dirty = true

    // Derived state, rebuilt by rebuild() when dirty.
    /// Member indices competing now, in declaration order.
    @exclusivity(unchecked) var candidates = ContiguousArray<Int>()
    /// Weight of each candidate as the algorithm sees it (live or static).
    var candidateWeight = ContiguousArray<Int>()
    /// Running sums of candidateWeight, for weighted random draws.
    var cumulativeWeight = ContiguousArray<Int>()
    var totalWeight = 0
    /// Smooth weighted round robin score per member (not per candidate), so a
    /// member keeps its place in the rotation across farm changes.
    var smoothScore: ContiguousArray<Int>
    /// Rotation point: a candidate position for leastconn ties, a map slot
    /// for the static-rr walk (kept across rebuilds, as HAProxy's rr_idx).
    var cursor = 0
    var map = LBWeightMap()
    var ring = LBHashRing()
    var random: LBRandom
    /// GCD of the configured non-zero weights, dividing static weights so the
    /// map stays small (HAProxy's wmult).
    let staticDivisor: Int

    public convenience init(algorithm: BalanceAlgorithm, hashType: HashType, members: [Member], allBackups: Bool) {
        var system = SystemRandomNumberGenerator()
        self.init(algorithm: algorithm, hashType: hashType, members: members, allBackups: allBackups,
                  seed: system.next())
    }

    /// - seed: seeds `balance random` draws; fixed in tests for repeatability.
    /// Members start usable at their configured weight until observed otherwise.
    public init(algorithm: BalanceAlgorithm, hashType: HashType, members: [Member], allBackups: Bool, seed: UInt64) {
        precondition(members.count < Int(Int32.max), "too many members")
        properties = BalanceProperties(algorithm: algorithm, hashType: hashType)
        self.hashType = hashType
        self.allBackups = allBackups
        self.members = members
        usable = ContiguousArray(repeating: true, count: members.count)
        liveWeight = ContiguousArray(members.lazy.map { Self.clampWeight($0.weight * SlowStart.weightScale) })
        smoothScore = ContiguousArray(repeating: 0, count: members.count)
        random = LBRandom(seed: seed)
        var divisor = 0
        for member in members where member.weight > 0 {
            var a = divisor, b = Self.clampWeight(member.weight)
            while b != 0 { (a, b) = (b, a % b) }
            divisor = a
        }
        staticDivisor = max(divisor, 1)
    }

    /// A dynamic server took member `index`'s slot (`add server`): its
    /// backup flag and limit.
    public func redefine(_ index: Int, backup: Bool, maxconn: Int) {
        members[index].backup = backup
        members[index].maxconn = maxconn
        dirty = true
    }

    /// Record the live state of member `index`; O(1) when unchanged.
    /// `weight` is the effective weight in 1/16 units (0...4096, a user
    /// weight times `SlowStart.weightScale`; 0 takes no new traffic).
    public func observe(_ index: Int, usable: Bool, weight: Int) {
        let weight = Self.clampWeight(weight)
        if self.usable[index] != usable || liveWeight[index] != weight {
            self.usable[index] = usable
            liveWeight[index] = weight
            dirty = true
        }
    }

    /// Picks a member index or nil when none is usable.
    /// - hashKey: for `source`/hash algorithms, the already-hashed key
    ///   (see `hashKey(sourceIPv4:)`); nil falls back to round robin.
    /// - load: current connections of member i (for leastconn, random draws, first).
    /// - excluding: a member to avoid when another is usable (redispatch).
    public func pick(hashKey: UInt32?, excluding: Int?, load: (Int) -> Int) -> Int? {
        if dirty { rebuild() }
        let count = candidates.count
        if count == 0 { return nil }
        if count == 1 { return candidates[0] }
        let avoid = excluding ?? -1
        switch properties.lookup {
        case .smoothRoundRobin:
            return pickSmooth(avoid: avoid)
        case .staticMapWalk:
            return pickStaticWalk(avoid: avoid)
        case .leastLoaded:
            return pickLeastLoaded(avoid: avoid, load: load)
        case .firstAvailable:
            return pickFirst(avoid: avoid, load: load)
        case .hashMap:
            // HAProxy: without a key (no header, no parameter) fall back to round robin.
            guard let key = hashKey else { return pickSmooth(avoid: avoid) }
            return pickMapped(key, avoid: avoid)
        case .hashRing:
            guard let key = hashKey else { return pickSmooth(avoid: avoid) }
            return ring.lookup(key, avoid: avoid)
        case .weightedRandom(let draws):
            return pickRandom(draws: draws, avoid: avoid, load: load)
        }
    }

    /// The `balance source` key of an IPv4 client under this backend's
    /// hash-type (`ipv4` as a number: 127.0.0.1 is 0x7F000001).
    public func hashKey(sourceIPv4 ipv4: UInt32) -> UInt32 {
        LBHash.source(ipv4: ipv4, avalanche: hashType.avalanche)
    }

    /// The `balance source` key of an IPv6 client (16 bytes, network order).
    public func hashKey(sourceIPv6 ipv6: UnsafeRawBufferPointer) -> UInt32 {
        LBHash.source(ipv6: ipv6, avalanche: hashType.avalanche)
    }

    /// The `balance source` key of a client address in network order: 4
    /// bytes (IPv4) or 16 (IPv6). HAProxy's get_server_sh hashes the address
    /// as a number, not as a string, so neighbouring clients spread.
    public func hashKey(sourceAddress bytes: UnsafeRawBufferPointer) -> UInt32 {
        bytes.count == 4 ? hashKey(sourceIPv4: UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)))
                         : hashKey(sourceIPv6: bytes)
    }

    /// The key of arbitrary bytes under this backend's hash function and modifier.
    public func hashKey(bytes: UnsafeRawBufferPointer) -> UInt32 {
        LBHash.hash(bytes, function: hashType.function, avalanche: hashType.avalanche)
    }

    /// Whether any member competes now (nil from `pick` otherwise).
    public var hasCandidates: Bool {
        if dirty { rebuild() }
        return !candidates.isEmpty
    }

    /// Live weights are in 1/16 steps (slowstart): up to 256 × 16.
    static func clampWeight(_ weight: Int) -> Int { min(max(weight, 0), 256 * SlowStart.weightScale) }

    /// How many times derived state was rebuilt (tests check it stays lazy).
    private(set) var rebuilds = 0

    func rebuild() {
        dirty = false
        rebuilds += 1
        // Static algorithms use the configured weight (HAProxy ignores runtime
        // weight changes for them); the live weight only switches them on or off.
        let isStatic = !properties.dynamicWeights
        candidates.removeAll(keepingCapacity: true)
        candidateWeight.removeAll(keepingCapacity: true)
        func competes(_ i: Int) -> Bool {
            usable[i] && liveWeight[i] > 0 && (!isStatic || members[i].weight > 0)
        }
        func add(_ i: Int) {
            candidates.append(i)
            candidateWeight.append(isStatic ? Self.clampWeight(members[i].weight) / staticDivisor : liveWeight[i])
        }
        for i in members.indices where !members[i].backup && competes(i) { add(i) }
        if candidates.isEmpty {
            for i in members.indices where members[i].backup && competes(i) {
                add(i)
                if !allBackups { break }
            }
        }
        totalWeight = 0
        cumulativeWeight.removeAll(keepingCapacity: true)
        for w in candidateWeight {
            totalWeight += w
            cumulativeWeight.append(totalWeight)
        }
        // Members that left the rotation re-enter it from a neutral score.
        var k = 0
        for i in members.indices {
            if k < candidates.count && candidates[k] == i { k += 1 } else { smoothScore[i] = 0 }
        }
        switch properties.lookup {
        case .staticMapWalk:
            map.rebuild(members: candidates, weights: candidateWeight)
            if cursor >= map.count { cursor = 0 }
        case .leastLoaded:
            if cursor >= candidates.count { cursor = 0 }
        case .hashMap:
            map.rebuild(members: candidates, weights: candidateWeight)
        case .hashRing:
            ring.rebuild(members: candidates, weights: candidateWeight)
        case .smoothRoundRobin, .firstAvailable, .weightedRandom:
            break
        }
    }
}
