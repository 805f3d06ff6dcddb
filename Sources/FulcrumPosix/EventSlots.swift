/// Reusable slot indices, each with a generation that moves on when the slot
/// is freed (or its occupant replaced), so a token minted for an earlier
/// occupant no longer matches: the event or timer it carries is dropped
/// instead of reaching whoever holds the slot now. The role keeps its own
/// objects in an array indexed the same way.
public struct EventSlots {
    @usableFromInline var generations: [UInt32] = []
    @usableFromInline var free: [Int] = []

    public init() {}

    /// Slots ever handed out (in use or free).
    @inlinable public var count: Int { generations.count }

    /// A free slot, or a new one at index `count`.
    @inlinable
    public mutating func acquire() -> Int {
        if let i = free.popLast() { return i }
        precondition(generations.count < EventToken.indexLimit, "too many event slots")
        generations.append(0)
        return generations.count - 1
    }

    /// Gives the slot back; tokens minted for it so far go stale.
    @inlinable
    public mutating func release(_ index: Int) {
        generations[index] &+= 1
        free.append(index)
    }

    /// Keeps the slot but makes tokens minted for it so far stale (a new
    /// occupant, such as the next health check of the same server).
    @inlinable
    public mutating func invalidate(_ index: Int) {
        generations[index] &+= 1
    }

    /// The token for the slot's current occupant.
    @inlinable
    public func token(kind: UInt8, index: Int) -> EventToken {
        EventToken(kind: kind, index: index, generation: generations[index])
    }

    /// Whether `token` was minted for the slot's current occupant.
    @inlinable
    public func isCurrent(_ token: EventToken) -> Bool {
        let i = token.index
        return i < generations.count && generations[i] == token.generation
    }
}
