/// The worker's HTTP transactions, lent to a stream for the length of an
/// exchange (like the HeadPool's heads and the BufferPool's buffers): an
/// idle keep-alive connection holds none, and a request allocates none in
/// steady state (a given-back transaction keeps its arrays' storage).
/// A class, shared by the stream table and its streams: a stream lends
/// on first use of `Stream.http`, wherever that happens.
final class TransactionPool {
    private var free: [HTTPTransaction] = []
    private var use = PoolUse()
    var inUse: Int { use.inUse }

    func take() -> HTTPTransaction {
        use.lent()
        return free.popLast() ?? HTTPTransaction()
    }

    /// `transaction`'s exchange is over (`resetExchange`) and its buffers hold
    /// nothing (Stream.setHTTPAside, Stream.reset); the next lender resets its machine.
    func give(_ transaction: HTTPTransaction) {
        use.givenBack()
        free.append(transaction)
    }

    /// Keeps what the recent peak needed above the current use (see BufferPool.shrink).
    @discardableResult
    func shrink() -> Int { free.dropFree(keeping: use.keepOnShrink()) }
}
