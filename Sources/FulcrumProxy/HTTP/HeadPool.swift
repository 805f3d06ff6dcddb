import FulcrumHTTP

/// Storage for message heads, lent to a stream for the length of one exchange
/// (like the BufferPool's buffers): parsing reuses the arrays of a head that
/// served before, so a request allocates nothing, and an idle keep-alive
/// connection holds no head storage.
struct HeadPool {
    private var free: [HTTPHead] = []
    private var peak = 0
    private(set) var inUse = 0

    /// A placeholder that holds no memory, for a stream without a head.
    static let none = HTTPHead(kind: .request, reserving: false)

    mutating func take(kind: HTTPHead.Kind) -> HTTPHead {
        inUse += 1
        if inUse > peak { peak = inUse }
        guard var head = free.popLast() else { return HTTPHead(kind: kind) }
        head.kind = kind
        return head
    }

    mutating func give(_ head: inout HTTPHead) {
        guard head.raw.capacity > 0 else { return }
        inUse -= 1
        free.append(head)
        head = HeadPool.none
    }

    /// Keeps what the recent peak needed above the current use (see BufferPool.shrink).
    @discardableResult
    mutating func shrink() -> Int {
        let keep = min(max(peak - inUse, 0), max(16, inUse / 4))
        peak = inUse
        guard free.count > keep else { return 0 }
        let released = free.count - keep
        free.removeLast(released)
        if free.isEmpty { free = [] }
        return released
    }
}
