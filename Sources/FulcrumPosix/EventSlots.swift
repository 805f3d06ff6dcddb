/// Reusable slot indices, each holding the generation of its occupant, so a
/// token minted for an earlier occupant no longer matches: the event or timer
/// it carries is dropped instead of reaching whoever holds the slot now. The
/// role keeps its own objects in an array indexed the same way.
///
/// Generations come from one counter for the whole table (as the worker's
/// stream table does), so no two occupants of any slot share one until 2^32
/// have come and gone, and 0, never handed out, matches no live slot.
public struct EventSlots {
    /// Per slot: its occupant's generation, 0 while free.
    @usableFromInline var generations: [UInt32] = []
    @usableFromInline var free: [Int] = []
    @usableFromInline var nextGeneration: UInt32 = 1

    public init() {}

    /// Slots ever handed out (in use or free).
    @inlinable public var count: Int { generations.count }

    /// A free slot, or a new one at index `count`, for a new occupant.
    @inlinable
    public mutating func acquire() -> Int {
        let i: Int
        if let reused = free.popLast() {
            i = reused
        } else {
            precondition(generations.count < EventToken.indexLimit, "too many event slots")
            i = generations.count
            generations.append(0)
        }
        generations[i] = takeGeneration()
        return i
    }

    /// Gives the slot back; tokens minted for it so far go stale.
    @inlinable
    public mutating func release(_ index: Int) {
        generations[index] = 0
        free.append(index)
    }

    /// Keeps the slot for a new occupant (the next health check of the same
    /// server): tokens minted for it so far go stale.
    @inlinable
    public mutating func invalidate(_ index: Int) {
        generations[index] = takeGeneration()
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
        return i < generations.count && token.generation != 0 && generations[i] == token.generation
    }

    @inlinable
    mutating func takeGeneration() -> UInt32 {
        let g = nextGeneration
        nextGeneration &+= 1
        if nextGeneration == 0 { nextGeneration = 1 }
        return g
    }
}
