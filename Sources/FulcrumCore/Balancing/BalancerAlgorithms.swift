// The per-algorithm choices of Balancer. Each runs with at least two
// candidates (pick() answers the trivial cases) and honours `avoid`: the
// avoided member is returned only when no other candidate qualifies.

extension Balancer {
    /// `roundrobin`: smooth weighted round robin (as nginx's). Every candidate
    /// gains its weight, the highest score wins and pays back the total, so
    /// weights 5,1,1 give a a b a c a a rather than bursts, and live weight
    /// changes apply from the next pick.
    func pickSmooth(avoid: Int) -> Int {
        var best = -1
        var total = 0
        for k in 0..<candidates.count {
            let i = candidates[k]
            let score = smoothScore[i] + candidateWeight[k]
            smoothScore[i] = score
            total += candidateWeight[k]
            if i != avoid && (best < 0 || score > smoothScore[best]) { best = i }
        }
        if best < 0 { best = avoid }
        smoothScore[best] -= total
        return best
    }

    /// `static-rr`: walk the weighted map built from the configured weights.
    func pickStaticWalk(avoid: Int) -> Int {
        let count = map.count
        var slot = cursor < count ? cursor : 0
        for _ in 0..<count {
            let member = map[slot]
            slot = slot + 1 == count ? 0 : slot + 1
            if member != avoid {
                cursor = slot
                return member
            }
        }
        return avoid
    }

    /// `leastconn`: the fewest connections relative to weight, counting the
    /// one about to be added ((load + 1) / weight, compared by cross
    /// multiplication). The scan starts after the previous winner so that equal
    /// candidates take turns.
    func pickLeastLoaded(avoid: Int, load: (Int) -> Int) -> Int {
        let count = candidates.count
        var bestPosition = -1
        var bestLoad = 0
        var bestWeight = 1
        var position = cursor < count ? cursor : 0
        for _ in 0..<count {
            let i = candidates[position]
            if i != avoid {
                let l = load(i) + 1
                let w = candidateWeight[position]
                if bestPosition < 0 || l * bestWeight < bestLoad * w {
                    bestPosition = position
                    bestLoad = l
                    bestWeight = w
                }
            }
            position = position + 1 == count ? 0 : position + 1
        }
        guard bestPosition >= 0 else { return avoid }
        cursor = bestPosition + 1 == count ? 0 : bestPosition + 1
        return candidates[bestPosition]
    }

    /// `first`: the first candidate in declaration order below its maxconn
    /// (0 = unlimited); weights do not matter. When every candidate is full the
    /// least full relative to its maxconn is returned, so the caller's queue or
    /// limit decides rather than the farm looking down.
    func pickFirst(avoid: Int, load: (Int) -> Int) -> Int {
        var fallback = -1
        var fallbackLoad = 0
        var fallbackLimit = 1
        for i in candidates where i != avoid {
            let limit = members[i].maxconn
            let l = load(i)
            if limit <= 0 || l < limit { return i }
            if fallback < 0 || l * fallbackLimit < fallbackLoad * limit {
                fallback = i
                fallbackLoad = l
                fallbackLimit = limit
            }
        }
        return fallback >= 0 ? fallback : avoid
    }

    /// Map-based hashing: `map[key % size]`; when that is the avoided member,
    /// the next slot holding another member.
    func pickMapped(_ key: UInt32, avoid: Int) -> Int {
        let count = map.count
        var slot = Int(key % UInt32(count))
        for _ in 0..<count {
            let member = map[slot]
            if member != avoid { return member }
            slot = slot + 1 == count ? 0 : slot + 1
        }
        return avoid
    }

    /// `random(draws)`: weighted random draws, keeping the least loaded
    /// relative to weight (draws = 2 is the power of two choices).
    func pickRandom(draws: Int, avoid: Int, load: (Int) -> Int) -> Int {
        // Draw from the total without the avoided member's share, then step
        // over its range: exact weights, no retry loop.
        var avoidPosition = -1
        var drawTotal = totalWeight
        if avoid >= 0 {
            for k in 0..<candidates.count where candidates[k] == avoid {
                avoidPosition = k
                drawTotal -= candidateWeight[k]
                break
            }
        }
        guard drawTotal > 0 else { return avoid }
        let avoidStart = avoidPosition >= 0 ? cumulativeWeight[avoidPosition] - candidateWeight[avoidPosition] : 0
        let avoidWidth = avoidPosition >= 0 ? candidateWeight[avoidPosition] : 0

        var bestPosition = -1
        var bestLoad = 0
        var bestWeight = 1
        for _ in 0..<max(draws, 1) {
            var r = random.below(drawTotal)
            if avoidPosition >= 0 && r >= avoidStart { r += avoidWidth }
            let position = cumulativePosition(of: r)
            if position == bestPosition { continue }
            // HAProxy's get_server_rnd: the new draw wins unless its load per
            // weight is strictly higher (idle servers then follow the weights).
            let l = load(candidates[position])
            let w = candidateWeight[position]
            if bestPosition < 0 || !(l * bestWeight > bestLoad * w) {
                bestPosition = position
                bestLoad = l
                bestWeight = w
            }
        }
        return candidates[bestPosition]
    }

    /// The candidate whose cumulative weight range holds `value`.
    private func cumulativePosition(of value: Int) -> Int {
        var low = 0
        var high = cumulativeWeight.count - 1
        while low < high {
            let mid = (low + high) >> 1
            if cumulativeWeight[mid] > value { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
