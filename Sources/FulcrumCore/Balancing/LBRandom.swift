/// SplitMix64: a tiny, fast, seedable generator for `balance random`. Balancing
/// needs spread, not secrecy, and tests need reproducible sequences.
struct LBRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A value in 0..<bound (bound > 0) by multiply-shift: no division, and
    /// the bias is below 2^-32 for the totals a farm can reach.
    mutating func below(_ bound: Int) -> Int {
        let r = next() >> 32
        return Int((r &* UInt64(bound)) >> 32)
    }
}
