/// The consistent-hashing ring of `hash-type consistent`, laid out as
/// HAProxy's: server i (1-based id `i + 1`) owns one point per unit of its
/// effective weight (eweight: user weight × 16, less while slowstart ramps it),
/// point n at `avalanche(id * 4096 + n)`. Points of one server do not depend
/// on the others, and a weight change adds or removes its last points only, so
/// when a server leaves or ramps only the keys it owns move. Using HAProxy's
/// positions keeps clients on the same servers after a migration.
struct LBHashRing {
    /// HAProxy's SRV_EWGHT_RANGE: id stride of the point positions (256 * 16),
    /// also the most points one server can own.
    static let idStride: UInt32 = 4096

    /// Sorted points: position in the high 32 bits, member index in the low
    /// 32, so one integer sort orders by position then member.
    private(set) var points = ContiguousArray<UInt64>()

    var isEmpty: Bool { points.isEmpty }

    /// Rebuilds from the candidates and their eweights (0...4096).
    mutating func rebuild(members: ContiguousArray<Int>, weights: ContiguousArray<Int>) {
        points.removeAll(keepingCapacity: true)
        var total = 0
        for w in weights { total += min(w, Int(Self.idStride)) }
        points.reserveCapacity(total)
        for k in 0..<members.count {
            let member = members[k]
            let base = UInt32(truncatingIfNeeded: member + 1) &* Self.idStride
            let count = min(weights[k], Int(Self.idStride))
            for n in 0..<count {
                let position = LBHash.avalanche(base &+ UInt32(n))
                points.append(UInt64(position) << 32 | UInt64(UInt32(truncatingIfNeeded: member)))
            }
        }
        points.sort()
    }

    @inline(__always)
    private func position(_ k: Int) -> UInt32 { UInt32(truncatingIfNeeded: points[k] >> 32) }
    @inline(__always)
    private func member(_ k: Int) -> Int { Int(UInt32(truncatingIfNeeded: points[k])) }

    /// The member owning `key`: the nearer of the first point at or after it
    /// and the one before it (wrapping), the previous one on a tie, as HAProxy
    /// does so that two close servers both get traffic. A member equal to
    /// `avoid` is passed over while another member exists on the ring.
    func lookup(_ key: UInt32, avoid: Int) -> Int {
        let n = points.count
        // First point with position >= key.
        var low = 0
        var high = n
        while low < high {
            let mid = (low + high) >> 1
            if position(mid) < key { low = mid + 1 } else { high = mid }
        }
        let next = low == n ? 0 : low
        let prev = next == 0 ? n - 1 : next - 1
        let nextMember = member(next)
        let prevMember = member(prev)
        var chosen: Int
        var at: Int
        if nextMember == prevMember {
            chosen = nextMember; at = next
        } else {
            let toPrev = key &- position(prev)
            let toNext = position(next) &- key
            if toPrev <= toNext { chosen = prevMember; at = prev } else { chosen = nextMember; at = next }
        }
        guard chosen == avoid else { return chosen }
        // Walk clockwise to the next point of another member, at most once round.
        var k = at
        for _ in 0..<n {
            k = k + 1 == n ? 0 : k + 1
            let m = member(k)
            if m != avoid { return m }
        }
        return chosen
    }
}
