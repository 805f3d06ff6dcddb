/// One process's heap calls as Tests/AllocationCounter/allocation_counter.c
/// counts them, in the order of its `enum kind`.
struct AllocationCounts: Equatable, CustomStringConvertible {
    static let kindNames = ["malloc", "calloc", "realloc", "posix_memalign", "aligned_alloc", "memalign", "valloc"]
    static let kindCount = kindNames.count

    /// One count per name in `kindNames`.
    var calls: [UInt64]
    var frees: UInt64
    /// Bytes asked for by all the calls together.
    var bytes: UInt64

    static let zero = AllocationCounts(calls: Array(repeating: 0, count: kindCount), frees: 0, bytes: 0)

    /// Every call that hands out memory (a realloc counts once, as a malloc
    /// would: it may move the block).
    var allocations: UInt64 { calls.reduce(0, +) }

    static func - (after: AllocationCounts, before: AllocationCounts) -> AllocationCounts {
        AllocationCounts(calls: zip(after.calls, before.calls).map { $0 &- $1 },
                         frees: after.frees &- before.frees, bytes: after.bytes &- before.bytes)
    }

    var description: String {
        let nonZero = zip(Self.kindNames, calls).filter { $0.1 != 0 }.map { "\($0.0) \($0.1)" }
        return "\(allocations) allocations (\(nonZero.isEmpty ? "none" : nonZero.joined(separator: ", "))), "
            + "\(frees) frees, \(bytes) bytes"
    }
}
