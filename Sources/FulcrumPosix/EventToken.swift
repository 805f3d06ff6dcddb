/// What an epoll event or a timer is about, in the 64 bits epoll carries back:
/// a `kind` the role chooses (client side, listener, control channel…), the
/// `index` of a slot in the role's table, and that slot's `generation`, so an
/// event still queued for a slot that was freed and reused since is
/// recognised as stale (see `EventSlots`).
///
/// Layout: kind in bits 0–7, index in bits 8–31, generation in bits 32–63.
@frozen
public struct EventToken: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    /// Slots an index can name (24 bits).
    public static let indexLimit = 1 << 24

    @inlinable @inline(__always)
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    @inlinable @inline(__always)
    public init(kind: UInt8, index: Int = 0, generation: UInt32 = 0) {
        precondition(index >= 0 && index < EventToken.indexLimit, "event token index out of range")
        rawValue = UInt64(generation) << 32 | UInt64(index) << 8 | UInt64(kind)
    }

    @inlinable public var kind: UInt8 { UInt8(truncatingIfNeeded: rawValue) }
    @inlinable public var index: Int { Int(truncatingIfNeeded: (rawValue >> 8) & 0xFF_FFFF) }
    @inlinable public var generation: UInt32 { UInt32(truncatingIfNeeded: rawValue >> 32) }

    public var description: String { "\(kind).\(index).\(generation)" }
}
