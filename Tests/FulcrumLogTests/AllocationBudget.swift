import XCTest
import CAllocationCounter

/// Budgets are properties of optimized code: a debug build skips them
/// (`swift test -c release --filter AllocationTests` checks them).
func requireOptimizedBuild() throws {
    #if DEBUG
    throw XCTSkip("allocation budgets hold for optimized code: swift test -c release --filter AllocationTests")
    #endif
}

/// Mallocs per run of `body` (after a warm-up), counted by the test binary's
/// own malloc through CAllocationCounter.
func allocations(runs: Int = 200, _ body: () -> Void) -> Double {
    for _ in 0..<10 { body() }
    fulcrum_allocations_reset()
    for _ in 0..<runs { body() }
    return Double(fulcrum_allocations_count()) / Double(runs)
}

final class AllocationCounterTests: XCTestCase {
    func testTheCounterSeesAllocations() throws {
        try XCTSkipIf(fulcrum_allocations_counted() == 0, "AddressSanitizer owns malloc: allocations are not counted")
        var keep: [[UInt8]] = []
        keep.reserveCapacity(100)
        XCTAssertEqual(allocations(runs: 50) { keep.append(Array(repeating: 1, count: 64)) }, 1)
    }
}
