import FulcrumConfig

/// Reading and writing an entry's stored data as HAProxy's stick counters
/// do (caller holds the lock). A type the table does not store is skipped
/// on writes and reads as nil.
extension SharedStickTable {
    /// Adds `amount` to a counter (`*_cnt`, `gpc*`, `conn_cur`) or counts
    /// events into a rate.
    @inline(__always)
    public func add(_ i: Int, _ type: StickDataType, element: Int = 0, _ amount: UInt64 = 1, now: UInt32) {
        guard let p = data(i, type, element: element) else { return }
        switch type.storage {
        case .unsigned: p.storeBytes(of: p.load(as: UInt32.self) &+ UInt32(truncatingIfNeeded: amount), as: UInt32.self)
        case .unsigned64: p.storeBytes(of: p.load(as: UInt64.self) &+ amount, as: UInt64.self)
        case .frequency: StickFrequency.update(p, now: now, period: layout.period(type), by: UInt32(truncatingIfNeeded: amount))
        case .signed: p.storeBytes(of: p.load(as: Int32.self) &+ Int32(truncatingIfNeeded: amount), as: Int32.self)
        case .dictionary: break
        }
    }

    /// After a change of `a` or `b`: the entry is touched when the table
    /// stores either (HAProxy touches an entry whose data changed, which
    /// restarts its expiry and schedules it for the peers).
    @inline(__always)
    public func touchIfStored(_ i: Int, _ a: StickDataType, _ b: StickDataType, now: UInt32) {
        if layout.stores(a) || layout.stores(b) { touch(i, now: now) }
    }

    /// `conn_cur` one down (never below 0).
    public func decrement(_ i: Int, _ type: StickDataType) {
        guard let p = data(i, type) else { return }
        let v = p.load(as: UInt32.self)
        if v > 0 { p.storeBytes(of: v - 1, as: UInt32.self) }
    }

    /// The value a fetch or `show table` reads: counters as they are, rates
    /// through read_freq_ctr_period.
    @inline(__always)
    public func value(_ i: Int, _ type: StickDataType, element: Int = 0, now: UInt32) -> Int64? {
        guard let p = data(i, type, element: element) else { return nil }
        switch type.storage {
        case .unsigned: return Int64(p.load(as: UInt32.self))
        case .unsigned64: return Int64(bitPattern: p.load(as: UInt64.self))
        case .signed: return Int64(p.load(as: Int32.self))
        case .frequency: return Int64(StickFrequency.read(p, now: now, period: layout.period(type)))
        case .dictionary: return nil
        }
    }

    /// `set table ... data.TYPE V`, `sc-set-gpt0`: a counter takes the value,
    /// a rate restarts its period with it as its count.
    public func set(_ i: Int, _ type: StickDataType, element: Int = 0, _ v: Int64, now: UInt32) {
        guard let p = data(i, type, element: element) else { return }
        switch type.storage {
        case .unsigned: p.storeBytes(of: UInt32(truncatingIfNeeded: v), as: UInt32.self)
        case .unsigned64: p.storeBytes(of: UInt64(bitPattern: v), as: UInt64.self)
        case .signed: p.storeBytes(of: Int32(truncatingIfNeeded: v), as: Int32.self)
        case .frequency: StickFrequency.set(p, now: now, period: layout.period(type), count: UInt32(truncatingIfNeeded: v))
        case .dictionary: break
        }
    }

    /// `server_key`: the text stored (a server's name or address).
    public func serverKey(_ i: Int) -> String? {
        guard let p = data(i, .serverKey) else { return nil }
        let n = Int(p.load(as: UInt8.self))
        guard n > 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: p + 1, count: n), as: UTF8.self)
    }

    public func setServerKey(_ i: Int, _ text: String) {
        guard let p = data(i, .serverKey) else { return }
        let bytes = Array(text.utf8.prefix(StickEntryLayout.serverKeyBytes - 1))
        p.storeBytes(of: UInt8(bytes.count), as: UInt8.self)
        bytes.withUnsafeBytes { (p + 1).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    /// A stream starts being tracked on the entry (stream_start_counters):
    /// conn_cur, conn_cnt and conn_rate count it and its expiry restarts.
    public func startCounters(_ i: Int, now: UInt32) {
        add(i, .connCurrent, now: now)
        add(i, .connCount, now: now)
        add(i, .connRate, now: now)
        touch(i, now: now)
    }

    /// A tracked stream ends (stream_store_counters): conn_cur down.
    public func stopCounters(_ i: Int, now: UInt32) {
        decrement(i, .connCurrent)
        touch(i, now: now)
    }
}
