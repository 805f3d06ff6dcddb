import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

/// One client connection, whatever the mode: its client and server sides, the
/// two directions of bytes between them, the server it holds and how it got
/// there (retries, queue), and its record. mode http adds `http`, the state of
/// the current request/response exchange. Objects live in the engine's slot
/// table and are reused, so accepting allocates nothing in steady state.
final class Stream {
    // Stored in declaration order: flags and 32-bit indices sit together
    // (no padding between them), rare values in SlotBoxes, so the slot an
    // idle keep-alive connection holds stays small (StreamSlotMemoryTests).
    let index: Int
    let transactions: TransactionPool
    /// New for every occupant of the slot (StreamTable); events, timers and
    /// queue entries carry it so a stale one is recognised.
    var generation: UInt32 = 0
    var phase = StreamPhase.idle
    var isHTTP = false
    /// Whether the chosen server's conns slot is held.
    var holdsServerSlot = false
    /// `maxqueue` turned the persistence cookie's server down and `option
    /// redispatch` let the balancer choose instead.
    var skipPersistence = false
    /// mode http: the server connection of the exchange is established.
    var serverConnected = false
    /// mode tcp: the backend's `tcp-response content` rules hold the
    /// server's bytes (until `phaseDeadline` when inspect-delay is set).
    var inspectingResponse = false
    /// In the engine's list of streams to run again next turn.
    var pendingRun = false
    /// `option contstats` on its frontend (see `nextStatsCount`).
    var continuousStats = false
    /// `server ... ssl`: the handshake with the server is under way (phase connecting).
    var serverHandshaking = false
    /// `send-proxy[-v2]`: a new server connection's PROXY header is still to be sent.
    var serverProxyHeaderPending = false
    /// What the exchange machine carries to the next request while the
    /// transaction is set aside (`HTTPExchange.reset(policy:requests:)`).
    private var carriedPolicy = HTTPExchange.Policy()
    private var carriedRequests: UInt32 = 0

    @Narrow var frontend = 0
    @Narrow var bindLine = 0
    /// The backend the stream is in (its conns counted), -1 when none.
    @Narrow var backend = -1
    /// The backend the current exchange was routed to, kept after it is left
    /// (for its error pages and log).
    @Narrow var routedBackend = -1
    /// Chosen server (index in the backend).
    @Narrow var serverIndex = -1
    @Narrow var retriesUsed = 0
    @NarrowOptional var excludedServer: Int? = nil
    /// The server whose own queue the stream waits in (persistence or a hash
    /// key named it, and it is full): counted in its qcur; -1: none.
    @Narrow var queuedServer = -1
    /// A mode tcp frontend's stream routed to a mode http backend, which
    /// HAProxy upgrades to HTTP: that backend (every request of the
    /// connection goes there); -1: none.
    @Narrow var upgradedBackend = -1
    /// A server connection kept from the previous exchange (keep-alive): its
    /// backend and server index while the stream's server side stays open.
    @Narrow var attachedBackend = -1
    @Narrow var attachedServer = -1

    /// The client's address: an IPv4 or IPv6 one is kept in 28 bytes
    /// (`PeerAddress`), a longer one (a UNIX socket's) in a box.
    var peer: SocketAddress {
        get { peerAddress.address(orBoxed: peerBox) }
        set { peerAddress.store(newValue, orBox: &peerBox) }
    }
    private var peerAddress = PeerAddress()
    private var peerBox: SlotBox<SocketAddress>? = nil
    /// The address the client connected to (getsockname once, when needed).
    var local: SocketAddress? {
        get { localBox.boxed() }
        set { localBox.store(newValue) }
    }
    private var localBox: SlotBox<SocketAddress>? = nil

    var client = StreamSide()
    var server = StreamSide()
    /// Client → server and server → client.
    var request = Flow()
    var response = Flow()

    /// mode http: the current exchange's state, lent by `transactions` on
    /// first use and given back between exchanges (`setHTTPAside`), so an
    /// idle keep-alive connection holds none of it; any use lends it again.
    ///
    /// A borrow (`_read`), not a getter: a getter returns the reference +1,
    /// and the engine's hot paths read `s.http` a few dozen times an
    /// exchange, each a retain and a release (about half the worker's
    /// user-space time before).
    var http: HTTPTransaction {
        @inline(__always) _read {
            if lentHTTP == nil { _ = lendHTTP() }
            yield lentHTTP.unsafelyUnwrapped
        }
    }
    /// The lent transaction, nil while none is: what the timeouts of an idle
    /// connection read, so they do not lend one.
    private(set) var lentHTTP: HTTPTransaction? = nil
    /// Requests seen on this connection, whether a transaction is lent or not.
    var httpRequests: Int { lentHTTP?.exchange.requests ?? Int(carriedRequests) }
    /// The stream's variables (made on first use, kept with the slot):
    /// `txn`, `req` and `res` end with each exchange, `sess` with the
    /// connection.
    private var variableStores: RuleVariables? = nil
    var variables: RuleVariables {
        @inline(__always) _read {
            if variableStores == nil { variableStores = RuleVariables() }
            yield variableStores.unsafelyUnwrapped
        }
    }
    /// The server's address sequence when the server connection was had: a
    /// kept connection from before an address change (DNS, `set server addr`)
    /// is closed, not reused nor pooled, so traffic moves to the new address.
    var serverAddressSequence: UInt64 = 0
    /// When the current head started (http-request / keep-alive timeouts).
    var headStarted: Int64 = 0

    /// Bounds the queue, connect and retry waits, and lingering.
    var phaseDeadline: Int64 = 0
    /// The earliest deadline pushed on the timer heap and not yet popped.
    var scheduled: Int64 = 0

    var bytesIn: UInt64 = 0
    var bytesOut: UInt64 = 0
    /// bytesIn/bytesOut when the stream entered its backend and took its
    /// server slot: what each has carried is counted there when it is left.
    var backendBytesMark: (in: UInt64, out: UInt64) = (0, 0)
    var serverBytesMark: (in: UInt64, out: UInt64) = (0, 0)
    /// mode tcp, `option contstats`: the part of bytesIn/bytesOut already
    /// counted in the frontend, listener and stick counters.
    var countedBytes: (in: UInt64, out: UInt64) = (0, 0)
    /// `option contstats`: when its counters are next brought up to date.
    var nextStatsCount: Int64 = 0
    var record = StreamRecord()
    /// Its stick counters (made on first use, kept with the slot).
    var stick: StickTracker? = nil
    /// `bind ... ssl`: what the client's handshake established (ssl_fc* fetches).
    var tls: TLSFacts? {
        get { tlsBox.boxed() }
        set { tlsBox.store(newValue) }
    }
    private var tlsBox: SlotBox<TLSFacts>? = nil
    /// `socks4`: the proxy's CONNECT still to send or its reply to read (StreamSOCKS4).
    var serverSOCKS4: StreamEngine.SOCKS4Pending? {
        get { socks4Box.boxed() }
        set { socks4Box.store(newValue) }
    }
    private var socks4Box: SlotBox<StreamEngine.SOCKS4Pending>? = nil

    init(index: Int, transactions: TransactionPool) {
        self.index = index
        self.transactions = transactions
    }

    @inline(never)
    private func lendHTTP() -> HTTPTransaction {
        let t = transactions.take()
        t.exchange.reset(policy: carriedPolicy, requests: Int(carriedRequests))
        lentHTTP = t
        return t
    }

    /// Gives the transaction back while the connection waits for its next
    /// request, keeping what its machine carries; kept when it still holds
    /// bytes or heads (a pipelined request goes on at once). The exchange
    /// was reset (`resetExchange`) and the buffers hold nothing, so the
    /// transaction goes back as it is; `lendHTTP` resets its machine.
    func setHTTPAside() {
        guard let t = lentHTTP, !t.fromClient.holdsMemory, !t.fromServer.holdsMemory,
              t.requestBox == nil, t.responseBox == nil else { return }
        carriedPolicy = t.exchange.policy
        carriedRequests = UInt32(clamping: t.exchange.requests)
        lentHTTP = nil
        transactions.give(t)
    }

    /// The heap bytes the slot holds: the object and what it references
    /// (boxes, the lent transaction, variables, stick counters), not the
    /// arrays inside those. What an idle keep-alive connection costs a
    /// worker besides its table entry and timer (StreamSlotMemoryTests).
    var heldBytes: Int {
        let referenced: [AnyObject?] = [localBox, peerBox, tlsBox, socks4Box, lentHTTP, variableStores, stick]
        return referenced.reduce(HeapMemory.usableSize(of: self)) { sum, o in o.map { sum + HeapMemory.usableSize(of: $0) } ?? sum }
    }

    /// The end of an exchange for its variables (`txn`, `req`, `res`).
    func endTransactionVariables() { variableStores?.endTransaction() }

    /// The token of one of this stream's sides (or its timers and queue entries: `.client`).
    @inline(__always)
    func token(_ kind: StreamEngine.TokenKind) -> EventToken {
        EventToken(kind: kind.rawValue, index: index, generation: generation)
    }

    /// Forgets everything but the slot; buffers must have been released.
    func reset() {
        phase = .idle
        isHTTP = false
        local = nil
        tls = nil
        serverHandshaking = false
        serverProxyHeaderPending = false
        serverSOCKS4 = nil
        client = StreamSide(); server = StreamSide()
        request = Flow(); response = Flow()
        backend = -1; routedBackend = -1
        serverIndex = -1; holdsServerSlot = false
        retriesUsed = 0; excludedServer = nil
        queuedServer = -1; skipPersistence = false
        if let t = lentHTTP {
            lentHTTP = nil
            t.reset()
            transactions.give(t)
        }
        carriedPolicy = HTTPExchange.Policy(); carriedRequests = 0
        attachedBackend = -1; attachedServer = -1
        serverConnected = false
        headStarted = 0
        variableStores?.endTransaction()
        variableStores?.endSession()
        upgradedBackend = -1
        phaseDeadline = 0; scheduled = 0; pendingRun = false; inspectingResponse = false
        bytesIn = 0; bytesOut = 0
        backendBytesMark = (0, 0); serverBytesMark = (0, 0)
        countedBytes = (0, 0); continuousStats = false; nextStatsCount = 0
        record = StreamRecord()
    }
}
