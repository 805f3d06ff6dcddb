/// HAProxy's map of the static algorithms (`static-rr`, map-based hashing):
/// a table where each server appears as often as its weight, interleaved so
/// that a walk through it alternates servers. A hash picks `table[h % count]`,
/// so the whole mapping shifts when the farm changes; that is the documented
/// trade-off of `hash-type map-based`. HAProxy builds the same table with
/// every weight multiplied by 16; the interleaving repeats with that period,
/// so `table[h % count]` names the same server as HAProxy's for any h.
struct LBWeightMap {
    /// Member index per slot.
    private(set) var slots = ContiguousArray<Int32>()
    /// Scratch score per candidate, kept to avoid allocating on rebuild.
    private var scores = ContiguousArray<Int>()

    var count: Int { slots.count }

    subscript(slot: Int) -> Int { Int(slots[slot]) }

    /// Rebuilds from candidates in declaration order and their weights, which
    /// the caller has already divided by their GCD to keep the table small.
    /// Same interleaving rule as HAProxy (`recalc_server_map`): each round all
    /// candidates gain their weight and the first with the highest
    /// (score + total) / total wins, so the first declared server comes first.
    /// Cost: total weight x candidates, paid only when the farm changes.
    mutating func rebuild(members: ContiguousArray<Int>, weights: ContiguousArray<Int>) {
        slots.removeAll(keepingCapacity: true)
        var total = 0
        for w in weights { total += w }
        guard total > 0 else { return }
        slots.reserveCapacity(total)
        scores.removeAll(keepingCapacity: true)
        scores.append(contentsOf: repeatElement(0, count: weights.count))
        if total == 1 {
            slots.append(Int32(members[0]))
            return
        }
        for _ in 0..<total {
            var best = -1
            var bestValue = 0
            for k in 0..<weights.count {
                scores[k] += weights[k]
                let value = (scores[k] + total) / total
                if best < 0 || value > bestValue {
                    bestValue = value
                    best = k
                }
            }
            slots.append(Int32(members[best]))
            scores[best] -= total
        }
    }
}
