/// HAProxy's freq_ctr over a period (a stick table's `*_rate(PERIOD)`), as
/// three 32-bit words in an entry: the start of the current period in
/// wrapping milliseconds (its low bit always clear: HAProxy keeps that bit
/// for its rotation lock), the current period's count, the previous one's.
/// A period starts at the first event after the counter went idle, and a
/// rate is read as the previous period's count weighted by what is left of
/// the current one, plus the current count, exactly as
/// update_freq_ctr_period() / read_freq_ctr_period() compute it, so a
/// `sc_http_req_rate(0) gt 100` trips at the same request as in HAProxy.
///
/// Pure: the caller holds the table's lock.
public enum StickFrequency {
    /// Bytes one counter takes.
    public static let size = 12

    /// Counts `amount` events at `now` (ms); returns the current period's count.
    @inlinable @discardableResult
    public static func update(_ p: UnsafeMutableRawPointer, now: UInt32, period: UInt32, by amount: UInt32) -> UInt32 {
        let tick = p.load(as: UInt32.self)
        let elapsed = now &- tick
        // A start less than a period ahead of this clock is still the
        // current period: a peer's update set it from the sender's clock
        // plus the message's transit, and a process may count with a clock
        // read just before that update was written. (HAProxy's unsigned
        // test restarts the count there.) A counter never used is not ahead.
        if elapsed < period || (elapsed > 0 &- period && p.load(fromByteOffset: 4, as: UInt32.self) | p.load(fromByteOffset: 8, as: UInt32.self) != 0) {
            let c = p.load(fromByteOffset: 4, as: UInt32.self) &+ amount
            p.storeBytes(of: c, toByteOffset: 4, as: UInt32.self)
            return c
        }
        // Rotate: the current count becomes the previous one, unless a
        // whole period went by without an event.
        var start = tick &+ period
        var previous = p.load(fromByteOffset: 4, as: UInt32.self)
        if now &- start >= period {
            previous = 0
            start = now
        }
        p.storeBytes(of: start & ~1, as: UInt32.self)
        p.storeBytes(of: amount, toByteOffset: 4, as: UInt32.self)
        p.storeBytes(of: previous, toByteOffset: 8, as: UInt32.self)
        return amount
    }

    /// Events per `period` at `now` (read_freq_ctr_period), with HAProxy's
    /// flapping correction at very low rates.
    @inlinable
    public static func read(_ p: UnsafeRawPointer, now: UInt32, period: UInt32) -> UInt32 {
        let tick = p.load(as: UInt32.self)
        var curr = UInt64(p.load(fromByteOffset: 4, as: UInt32.self))
        var past = UInt64(p.load(fromByteOffset: 8, as: UInt32.self))
        // At most a period: a start ahead of this clock (see `update`).
        var remain = min(Int64(Int32(bitPattern: tick &+ period &- now)), Int64(period))
        if remain < 0 {
            remain += Int64(period)
            past = remain >= 0 ? curr : 0
            curr = 0
        }
        if curr == 0 && past <= 1 { return UInt32(past) }
        let total = past &* UInt64(max(remain, 0)) &+ curr &* UInt64(period)
        return UInt32(truncatingIfNeeded: total / UInt64(period))
    }

    /// The raw count of the current period (`set table ... data.X_rate V`
    /// writes it, as HAProxy's stktable_data_cast(...).curr_ctr).
    @inlinable
    public static func set(_ p: UnsafeMutableRawPointer, now: UInt32, period: UInt32, count: UInt32) {
        p.storeBytes(of: now & ~1, as: UInt32.self)
        p.storeBytes(of: count, toByteOffset: 4, as: UInt32.self)
        p.storeBytes(of: 0, toByteOffset: 8, as: UInt32.self)
    }
}
