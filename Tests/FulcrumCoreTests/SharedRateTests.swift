import XCTest
import Glibc
@testable import FulcrumCore

/// The shared frequency counter (rate, rate_max) and the timer averages
/// (qtime ... ttime) on a real mapped table.
final class SharedRateTests: XCTestCase {
    private func table() throws -> (SharedTable, () -> Void) {
        let size = SharedTable.byteSize(servers: 1, frontends: 1, binds: 1, backends: 1, workers: 2)
        let raw = try XCTUnwrap(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0))
        let t = SharedTable(base: raw, servers: 1, frontends: 1, binds: 1, backends: 1, workers: 2, initialize: true)
        return (t, { munmap(raw, size) })
    }

    func testRateCountsThisSecondAndWeighsThePrevious() throws {
        let (t, done) = try table()
        defer { done() }
        let r = t.frontendRate(0, .sessionRate)
        for _ in 0..<10 { r.count(second: 100) }
        XCTAssertEqual(r.rate(milliseconds: 100_500), 10, "this second's count")
        for _ in 0..<4 { r.count(second: 101) }
        // 4 this second + 10 from the last weighted by what is left of this one.
        XCTAssertEqual(r.rate(milliseconds: 101_250), 4 + 10 * 749 / 1000)
        XCTAssertEqual(r.rate(milliseconds: 102_000), 4 * 999 / 1000, "a second later the current becomes the past")
        XCTAssertEqual(r.rate(milliseconds: 104_000), 0, "nothing for two seconds")
        XCTAssertEqual(r.max, 10)
        r.count(second: 105, by: 30)
        XCTAssertEqual(r.max, 30)
        r.clearMax()
        XCTAssertEqual(r.max, 0)
        XCTAssertEqual(t.frontendRate(0, .requestRate).max, 0, "rates are separate words")
    }

    func testTimerAverageIsExactUntilTheWindowThenSlides() {
        var sum: UInt64 = 0
        for (i, v) in [10, 20, 30].enumerated() { sum = TimerAverage.add(sum: sum, samples: UInt64(i), value: UInt64(v)) }
        XCTAssertEqual(TimerAverage.average([(sum, 3)]), 20)
        // Two workers weigh by their samples.
        XCTAssertEqual(TimerAverage.average([(sum, 3), (100, 1)]), 40)
        // Past the window each sample replaces 1/1024 of the sum.
        var full: UInt64 = 0
        for i in 0..<2048 { full = TimerAverage.add(sum: full, samples: UInt64(i), value: i < 1024 ? 0 : 100) }
        let avg = TimerAverage.average([(full, 2048)])
        XCTAssertTrue((55...70).contains(avg), "sliding average after 1024 zeros then 1024 hundreds: \(avg)")
        XCTAssertEqual(TimerAverage.average([]), 0)
    }

    func testClearCountersKeepsTotalsAndClearAllKeepsGauges() throws {
        let (t, done) = try table()
        defer { done() }
        t.frontendCounter(worker: 0, frontend: 0, .sessions).bump(by: 5)
        t.frontendCounter(worker: 0, frontend: 0, .current).bump(by: 2)
        t.serverCounter(worker: 1, server: 0, .totalTimeMax).store(70)
        t.frontend(0, .maxConns).store(9)
        t.serverRate(0).count(second: 1)
        t.clearSharedMaxima()
        t.clearBlock(1, all: false)
        XCTAssertEqual(t.frontend(0, .maxConns).load(), 0)
        XCTAssertEqual(t.serverRate(0).max, 0)
        XCTAssertEqual(t.serverCounter(worker: 1, server: 0, .totalTimeMax).load(), 0)
        XCTAssertEqual(t.frontendCounter(worker: 0, frontend: 0, .sessions).load(), 5, "totals stay")
        t.clearBlock(0, all: true)
        XCTAssertEqual(t.frontendCounter(worker: 0, frontend: 0, .sessions).load(), 0)
        XCTAssertEqual(t.frontendCounter(worker: 0, frontend: 0, .current).load(), 2, "gauges count what exists")
    }
}

extension SharedRateTests {
    func testByteRatesPastFourGigabytesAndTheSecondsWrap() throws {
        let size = SharedTable.byteSize(servers: 0, frontends: 0, binds: 0, backends: 0, workers: 1)
        let raw = try XCTUnwrap(mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0))
        defer { munmap(raw, size) }
        let t = SharedTable(base: raw, servers: 0, frontends: 0, binds: 0, backends: 0, workers: 1, initialize: true)
        let r = t.globalRate(.bytesOutRate)
        for _ in 0..<3 { r.count(second: 7, by: 3_000_000_000) }
        XCTAssertEqual(r.rate(milliseconds: 7_999), 9_000_000_000, "no 32-bit wrap")
        XCTAssertEqual(r.max, 9_000_000_000)
        // Seconds are kept modulo 2^20: the second after the wrap still sees the one before.
        let last: UInt64 = (1 << 20) - 1
        r.count(second: last, by: 10)
        r.count(second: last + 1, by: 4)
        XCTAssertEqual(r.rate(milliseconds: Int64(last + 1) * 1000), 4 + 10 * 999 / 1000)
    }
}
