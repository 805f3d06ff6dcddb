/// The worker's stream slots. A token names a slot and the generation of its
/// occupant (one counter for the whole table, so a slot can be dropped and
/// made again without ever repeating a generation a pending token carries):
/// an event or timer for a previous occupant is recognised.
/// Freed streams are kept for reuse (accepting allocates nothing in steady
/// state); `shrink` lets go of the ones the recent load did not need, so the
/// memory of a burst of connections goes back once they are gone.
struct StreamTable {
    private var slots: [Stream?] = []
    private var free: [Int] = []
    private var nextGeneration: UInt32 = 1
    /// The most streams in use at once since the last shrink.
    private var peak = 0
    private(set) var inUse = 0
    /// Free slots still holding their stream object.
    private(set) var retained = 0
    /// What the streams lend their HTTP transactions from.
    let transactions = TransactionPool()

    /// The live stream a token names, if it is still the one the token meant.
    @inline(__always)
    func stream(slot idx: Int, generation: UInt32) -> Stream? {
        guard idx < slots.count, let s = slots[idx] else { return nil }
        return s.generation == generation && s.phase != .idle ? s : nil
    }

    mutating func allocate() -> Stream {
        inUse += 1
        if inUse > peak { peak = inUse }
        let s: Stream
        if let i = free.popLast() {
            if let kept = slots[i] {
                retained -= 1
                s = kept
            } else {
                s = Stream(index: i, transactions: transactions)
                slots[i] = s
            }
        } else {
            s = Stream(index: slots.count, transactions: transactions)
            slots.append(s)
        }
        s.generation = nextGeneration
        nextGeneration &+= 1
        if nextGeneration == 0 { nextGeneration = 1 }
        return s
    }

    /// The stream was reset; its slot can be taken again.
    mutating func free(_ s: Stream) {
        inUse -= 1
        retained += 1
        free.append(s.index)
    }

    /// Every live stream (drain walks them).
    func forEachLive(_ body: (Stream) -> Void) {
        for case let s? in slots where s.phase != .idle { body(s) }
    }

    /// Keeps as many idle stream objects as the peak since the last call
    /// needed above what is in use now (at most a quarter more, at least 16)
    /// and releases the rest. Returns how many were released.
    @discardableResult
    mutating func shrink() -> Int {
        if inUse == 0 && slots.count > 64 {
            // Nothing live: drop the table itself, not only its objects.
            let released = retained
            slots = []; free = []; retained = 0; peak = 0
            return released
        }
        var keep = min(max(peak - inUse, 0), max(16, inUse / 4))
        peak = inUse
        var released = 0
        for i in free where slots[i] != nil {
            if keep > 0 { keep -= 1; continue }
            slots[i] = nil
            released += 1
        }
        retained -= released
        return released
    }
}
