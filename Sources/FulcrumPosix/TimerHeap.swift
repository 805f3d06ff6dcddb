/// A min-heap of (deadline, token): the timers of an `EventLoop`. Entries are
/// never removed early: the owner checks on expiry whether the deadline still
/// holds (lazy deletion), so refreshing an inactivity timeout costs nothing
/// on the hot path.
public struct TimerHeap {
    public struct Entry { public var deadline: Int64; public var token: UInt64 }
    private var heap: ContiguousArray<Entry> = []
    public init() {}

    public var isEmpty: Bool { heap.isEmpty }
    public var count: Int { heap.count }
    public var nextDeadline: Int64? { heap.first?.deadline }

    public mutating func push(_ deadline: Int64, _ token: UInt64) {
        heap.append(Entry(deadline: deadline, token: token))
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if heap[parent].deadline <= heap[i].deadline { break }
            heap.swapAt(parent, i)
            i = parent
        }
    }

    /// Gives back the storage of a heap much larger than what it holds now
    /// (after a burst of connections went away).
    public mutating func compact() {
        guard heap.capacity > 1024 && heap.count < heap.capacity / 8 else { return }
        heap = ContiguousArray(heap)
    }

    /// Removes and returns the earliest entry if it is due at `now`.
    public mutating func popDue(now: Int64) -> Entry? {
        guard let first = heap.first, first.deadline <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var i = 0
            let n = heap.count
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < n && heap[l].deadline < heap[m].deadline { m = l }
                if r < n && heap[r].deadline < heap[m].deadline { m = r }
                if m == i { break }
                heap.swapAt(i, m)
                i = m
            }
        }
        return first
    }
}
