import FulcrumBytes
import FulcrumConfig

/// A stream's stick counters (HAProxy's stkctr): up to three entries
/// tracked by the session's rules (`tcp-request connection`), which live
/// as long as the connection, and three tracked by a request's rules
/// (`http-request`, `tcp-request content`), which HAProxy keeps per
/// stream, that is per HTTP exchange here. Counter N reads the request's
/// entry first, then the session's, as HAProxy's fetches and counters do.
///
/// Each slot keeps (table, entry, stamp) and holds a reference on the
/// entry, so eviction skips it; the stamp tells an entry since recycled
/// (after a crashed worker's repair) from the one tracked. Fixed storage,
/// reused with the stream: tracking allocates nothing.
public final class StickTracker: @unchecked Sendable {
    public let tables: StickTableSet
    static let slots = 6
    var table = [Int](repeating: -1, count: StickTracker.slots)
    var entry = [Int](repeating: 0, count: StickTracker.slots)
    var stamp = [UInt32](repeating: 0, count: StickTracker.slots)
    private var tracking = 0
    /// `stick store-*` keys waiting for the server (StickTracker+Persistence).
    var pendingTables = [Int](repeating: -1, count: StickTracker.maxPendingStores)
    var pendingCount = 0
    let pendingKeySize: Int
    let pendingKeys: UnsafeMutableRawBufferPointer
    /// The request's stick rules ran (a queued request is dispatched again).
    public var stickRulesDone = false
    /// The server they found (index in the backend; -1: none), kept for a
    /// request dispatched again after waiting in the queue.
    public var stickServer = -1

    public init(tables: StickTableSet) {
        self.tables = tables
        pendingKeySize = (tables.keyBuffer.count + 7) & ~7
        pendingKeys = .allocate(byteCount: pendingKeySize * StickTracker.maxPendingStores, alignment: 8)
    }

    deinit { pendingKeys.deallocate() }

    /// Something is tracked.
    @inline(__always) public var isTracking: Bool { tracking > 0 }

    /// `track-scN KEY [table T]`: nothing when counter N is already tracked
    /// at this level (only the first rule applies). `httpRequest`: the
    /// request being processed counts in the new entry (HAProxy counts it
    /// there as the entry missed it when the request arrived).
    public func track(_ counter: Int, session: Bool, table t: Int, key: Sample, httpRequest: Bool) {
        let slot = session ? counter : counter + 3
        guard table[slot] < 0, t < tables.tables.count else { return }
        let keyType = tables.definitions[t].keyType
        let buffer = tables.keyBuffer
        guard StickKey.encode(key, keyType, into: buffer) else { return }
        let now = tables.clock()
        let found: (Int, UInt32)? = tables.withTable(t) { st in
            guard let i = st.findOrCreate(UnsafeRawBufferPointer(rebasing: buffer[..<keyType.keySize]), now: now) else { return nil }
            st.retain(i)
            st.startCounters(i, now: now)
            if httpRequest {
                st.add(i, .httpReqCount, now: now)
                st.add(i, .httpReqRate, now: now)
            }
            return (i, st.stamp(i))
        }
        guard let (i, s) = found else { return }
        table[slot] = t
        entry[slot] = i
        stamp[slot] = s
        tracking += 1
    }

    /// The slot counter N reads: the request's, else the session's.
    @inline(__always)
    func slot(_ counter: Int) -> Int? {
        if table[counter + 3] >= 0 { return counter + 3 }
        if table[counter] >= 0 { return counter }
        return nil
    }

    /// Runs `body` on the entry counter N tracks, under its table's lock;
    /// nil when untracked (or recycled since).
    @inline(__always)
    public func withEntry<R>(_ counter: Int, _ body: (SharedStickTable, Int, UInt32) -> R) -> R? {
        guard let s = slot(counter) else { return nil }
        let i = entry[s], st = stamp[s], now = tables.clock()
        return tables.withTable(table[s]) { t in t.isCurrent(i, stamp: st) ? body(t, i, now) : nil }
    }

    /// The table counter N tracks in.
    public func trackedTable(_ counter: Int) -> Int? { slot(counter).map { table[$0] } }

    /// Counts into every tracked counter (the request's entry first).
    @inline(__always)
    func forEachCounter(_ body: (SharedStickTable, Int, UInt32) -> Void) {
        guard tracking > 0 else { return }
        for c in 0..<3 { _ = withEntry(c, body) }
    }

    /// A request arrived (stream_inc_http_req_ctr): the session's counters
    /// count it (a request's own are tracked after this).
    public func countHTTPRequest() {
        forEachCounter { t, i, now in
            t.add(i, .httpReqCount, now: now)
            t.add(i, .httpReqRate, now: now)
            t.touchIfStored(i, .httpReqCount, .httpReqRate, now: now)
        }
    }

    /// A response or refusal with status `status`: 4xx counts as an HTTP
    /// error, 5xx as a failure (HAProxy 2.6's http_err / http_fail).
    public func countResponse(status: Int) {
        let error = (400..<500).contains(status), failure = (500..<600).contains(status) && status != 501 && status != 505
        guard error || failure else { return }
        forEachCounter { t, i, now in
            if error { t.add(i, .httpErrCount, now: now); t.add(i, .httpErrRate, now: now); t.touchIfStored(i, .httpErrCount, .httpErrRate, now: now) }
            if failure { t.add(i, .httpFailCount, now: now); t.add(i, .httpFailRate, now: now); t.touchIfStored(i, .httpFailCount, .httpFailRate, now: now) }
        }
    }

    /// Bytes the exchange (or stream) moved; a table storing no byte
    /// counter is not locked for them.
    public func countBytes(in bytesIn: UInt64, out bytesOut: UInt64) {
        guard tracking > 0, bytesIn > 0 || bytesOut > 0 else { return }
        for c in 0..<3 {
            guard let s = slot(c), tables.storesBytes[table[s]] else { continue }
            _ = withEntry(c) { t, i, now in
                t.add(i, .bytesInCount, bytesIn, now: now)
                t.add(i, .bytesInRate, bytesIn, now: now)
                t.add(i, .bytesOutCount, bytesOut, now: now)
                t.add(i, .bytesOutRate, bytesOut, now: now)
                t.touch(i, now: now)
            }
        }
    }

    /// The session's counters count a new session (session_count_new).
    public func countSession() {
        for c in 0..<3 where table[c] >= 0 {
            let i = entry[c], st = stamp[c], now = tables.clock()
            tables.withTable(table[c]) { t in
                guard t.isCurrent(i, stamp: st) else { return }
                t.add(i, .sessCount, now: now)
                t.add(i, .sessRate, now: now)
                t.touchIfStored(i, .sessCount, .sessRate, now: now)
            }
        }
    }

    /// The exchange is over: its own counters are released (conn_cur down,
    /// expiry restarted), as HAProxy's stream_store_counters.
    public func endExchange() {
        release(3..<6)
        pendingCount = 0
        stickRulesDone = false
        stickServer = -1
    }

    /// The connection is over: every counter is released and the stick
    /// rules' state forgotten (the tracker is reused with the stream slot).
    public func endSession() {
        release(0..<6)
        pendingCount = 0
        stickRulesDone = false
        stickServer = -1
    }

    private func release(_ range: Range<Int>) {
        guard tracking > 0 else { return }
        for s in range where table[s] >= 0 {
            let i = entry[s], st = stamp[s], now = tables.clock()
            tables.withTable(table[s]) { t in
                guard t.isCurrent(i, stamp: st) else { return }
                t.stopCounters(i, now: now)
                t.release(i)
            }
            table[s] = -1
            tracking -= 1
        }
    }
}
