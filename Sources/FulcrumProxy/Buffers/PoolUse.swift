/// What one of the worker's pools (buffers, heads, HTTP transactions) has
/// lent, and the most it had lent at once since its last shrink, which
/// says how many free objects the shrink keeps.
struct PoolUse {
    private(set) var inUse = 0
    private var peak = 0

    @inline(__always)
    mutating func lent() {
        inUse += 1
        if inUse > peak { peak = inUse }
    }

    @inline(__always)
    mutating func givenBack() { inUse = max(inUse - 1, 0) }

    /// How many free objects to keep: what the peak since the last call
    /// needed above what is in use now, at most a quarter of that use (16
    /// when it is less). Starts the next period.
    mutating func keepOnShrink() -> Int {
        let keep = min(max(peak - inUse, 0), max(16, inUse / 4))
        peak = inUse
        return keep
    }
}

extension Array {
    /// A pool's free list on shrink: drops all but `keep` elements (and the
    /// storage when none stays); returns how many went.
    mutating func dropFree(keeping keep: Int) -> Int {
        guard count > keep else { return 0 }
        let released = count - keep
        removeLast(released)
        if isEmpty { self = [] }
        return released
    }
}
