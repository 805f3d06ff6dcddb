import Synchronization

/// HAProxy's frequency counter (freq_ctr) over one-second periods, kept in
/// three words of the shared table so that every worker counts into the same
/// rate: a proxy's or a server's rate and its maximum are then exact across
/// workers, as HAProxy's are across threads.
///   word 0: the current second modulo 2^20 (high 20 bits: only "this
///           second" and "the one before" matter) and its count (low 44 bits,
///           room for byte rates)
///   word 1: the previous second's count
///   word 2: the highest count a second reached (rate_max)
public struct SharedRate {
    @usableFromInline let current: UnsafeMutablePointer<Atomic<UInt64>>

    @inlinable init(_ first: SharedWord) { current = first.pointer }

    @usableFromInline static let countBits: UInt64 = 44
    @usableFromInline static let countMask: UInt64 = (1 << countBits) - 1
    @usableFromInline static let secondMask: UInt64 = (1 << (64 - countBits)) - 1

    @inlinable var previous: UnsafeMutablePointer<Atomic<UInt64>> { current + 1 }
    @inlinable var maximum: UnsafeMutablePointer<Atomic<UInt64>> { current + 2 }

    /// Counts one event in second `second` (any clock in whole seconds, the
    /// same for every writer) and raises the maximum.
    @inlinable public func count(second: UInt64, by amount: UInt64 = 1) {
        let now = second & SharedRate.secondMask
        let amount = min(amount, SharedRate.countMask)
        var word = current.pointee.load(ordering: .relaxed)
        var n: UInt64
        while true {
            if word >> SharedRate.countBits == now && (word & SharedRate.countMask) &+ amount <= SharedRate.countMask {
                // Another writer may roll the second over between the load and
                // the add: the event then counts in the new second, where it belongs.
                n = current.pointee.add(amount, ordering: .relaxed).newValue & SharedRate.countMask
                break
            }
            if word >> SharedRate.countBits == now {
                // A count that would overflow stays at its ceiling.
                n = SharedRate.countMask
                break
            }
            let (exchanged, found) = current.pointee.compareExchange(expected: word, desired: now << SharedRate.countBits | amount,
                                                                      ordering: .relaxed)
            if exchanged {
                let last = word >> SharedRate.countBits
                previous.pointee.store(last == (now &- 1) & SharedRate.secondMask ? word & SharedRate.countMask : 0,
                                       ordering: .relaxed)
                n = amount
                break
            }
            word = found
        }
        var top = maximum.pointee.load(ordering: .relaxed)
        while n > top {
            let (exchanged, found) = maximum.pointee.compareExchange(expected: top, desired: n, ordering: .relaxed)
            if exchanged { break }
            top = found
        }
    }

    /// Events per second now, as HAProxy's read_freq_ctr(): this second's
    /// count plus the previous second's weighted by what is left of this one.
    /// `milliseconds` is the same clock as `count(second:)`, in ms.
    public func rate(milliseconds: Int64) -> Int {
        let now = UInt64(milliseconds / 1000) & SharedRate.secondMask
        let word = current.pointee.load(ordering: .relaxed)
        var curr = word & SharedRate.countMask
        var past = previous.pointee.load(ordering: .relaxed)
        let second = word >> SharedRate.countBits
        if second == now {
        } else if (second &+ 1) & SharedRate.secondMask == now {
            past = curr
            curr = 0
        } else {
            return 0
        }
        if past <= 1 && curr == 0 { return Int(past) }
        let left = UInt64(999 - milliseconds % 1000)
        return Int(curr + past * left / 1000)
    }

    /// The highest count of one second (rate_max).
    public var max: Int { Int(maximum.pointee.load(ordering: .relaxed)) }

    /// `clear counters`: the maximum starts again.
    public func clearMax() { maximum.pointee.store(0, ordering: .relaxed) }
}
