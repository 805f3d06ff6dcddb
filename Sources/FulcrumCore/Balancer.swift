import FulcrumConfig

/// Chooses a server of one backend. One instance per backend per worker.
/// Live state (usable, effective weight) is pushed in with `observe` before
/// each choice; derived structures (weighted sequences, hash rings) are rebuilt
/// lazily only when that state changed.
public final class Balancer {
    public struct Member: Sendable {
        public var weight: Int
        public var backup: Bool
        public init(weight: Int, backup: Bool) { self.weight = weight; self.backup = backup }
    }

    public init(algorithm: BalanceAlgorithm, hashType: HashType, members: [Member], allBackups: Bool) {
        fatalError("not implemented")
    }

    /// Record the live state of member `index`; O(1) when unchanged.
    public func observe(_ index: Int, usable: Bool, weight: Int) { fatalError("not implemented") }

    /// Picks a member index or nil when none is usable.
    /// - hashKey: for `source`/hash algorithms, the already-hashed key.
    /// - load: current connections of member i (for leastconn, random draws, first).
    /// - excluding: a member to avoid when another is usable (redispatch).
    public func pick(hashKey: UInt32?, excluding: Int?, load: (Int) -> Int) -> Int? { fatalError("not implemented") }
}
