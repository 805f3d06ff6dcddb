/// One owner's timer on an `EventLoop`, kept with lazy deletion: the loop's
/// heap gets an entry only when the wanted deadline moves earlier than the
/// armed one; a deadline that moved later is found when the armed entry
/// comes due (`fire`), and the owner arms again. Entries that no longer
/// match are stale and ignored, so nothing is ever searched or removed.
public struct LazyTimer {
    /// The deadline of the entry that counts (0: none armed).
    public var deadline: Int64 { armed }
    @usableFromInline var armed: Int64 = 0

    public init() {}

    /// Makes sure `token` comes due no later than `wanted` (0: no deadline
    /// wanted; the armed entry, if any, stays and is ignored when it fires).
    @inlinable
    public mutating func arm(_ wanted: Int64, _ token: EventToken, in loop: EventLoop) {
        guard wanted != 0, armed == 0 || wanted < armed else { return }
        loop.schedule(token, at: wanted)
        armed = wanted
    }

    /// Whether the entry due at `due` is the armed one; it is then disarmed
    /// (the owner checks its real deadline and arms again if it moved).
    @inlinable
    public mutating func fire(_ due: Int64) -> Bool {
        guard armed != 0, due == armed else { return false }
        armed = 0
        return true
    }

    /// Forgets the armed entry (a slot handed to a new occupant).
    @inlinable
    public mutating func reset() { armed = 0 }
}
