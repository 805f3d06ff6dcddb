/// The worker's HTTP transactions, lent to a stream for the length of an
/// exchange (like the HeadPool's heads and the BufferPool's buffers): an
/// idle keep-alive connection holds none, and a request allocates none in
/// steady state (a given-back transaction keeps its arrays' storage).
/// A class, shared by the stream table and its streams: a stream lends
/// on first use of `Stream.http`, wherever that happens.
final class TransactionPool {
    private var free: [HTTPTransaction] = []
    private var peak = 0
    private(set) var inUse = 0

    func take() -> HTTPTransaction {
        inUse += 1
        if inUse > peak { peak = inUse }
        return free.popLast() ?? HTTPTransaction()
    }

    /// `transaction` was reset (Stream.setHTTPAside, Stream.reset).
    func give(_ transaction: HTTPTransaction) {
        inUse = max(inUse - 1, 0)
        free.append(transaction)
    }

    /// Keeps what the recent peak needed above the current use (see BufferPool.shrink).
    @discardableResult
    func shrink() -> Int {
        let keep = min(max(peak - inUse, 0), max(16, inUse / 4))
        peak = inUse
        guard free.count > keep else { return 0 }
        let released = free.count - keep
        free.removeLast(released)
        if free.isEmpty { free = [] }
        return released
    }
}
