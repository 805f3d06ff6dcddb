import XCTest
@testable import FulcrumCore

/// The shared TLS session cache's layout: sessions found by id until they
/// expire or the ring writes over them, buckets that evict their oldest, a
/// reset that forgets everything, and attaching only to a region it formatted.
final class SharedSessionCacheTests: XCTestCase {
    final class Region {
        let base: UnsafeMutableRawPointer
        let size: Int
        init(blocks: Int) {
            size = SharedSessionCache.regionSize(blocks: blocks)
            base = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
            base.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        }
        deinit { base.deallocate() }
    }

    func id(_ n: Int) -> [UInt8] { (0..<32).map { UInt8(truncatingIfNeeded: n &* 31 &+ $0 &* 7) } }
    func session(_ n: Int, length: Int = 150) -> [UInt8] { (0..<length).map { UInt8(truncatingIfNeeded: n &+ $0) } }

    func load(_ c: SharedSessionCache, _ id: [UInt8], now: UInt32 = 100) -> [UInt8]? {
        id.withUnsafeBytes { i in c.withSession(id: i, now: now) { Array($0) } }
    }
    @discardableResult
    func save(_ c: SharedSessionCache, _ id: [UInt8], _ s: [UInt8], expiry: UInt32 = 400) -> Bool {
        id.withUnsafeBytes { i in s.withUnsafeBytes { c.save(id: i, session: $0, expiry: expiry) } }
    }

    func testSavedSessionsAreFoundUntilTheyExpire() {
        let r = Region(blocks: 100)
        let c = SharedSessionCache(formatting: r.base, blocks: 100)
        XCTAssertNil(load(c, id(1)))
        XCTAssertTrue(save(c, id(1), session(1)))
        XCTAssertTrue(save(c, id(2), session(2, length: 300)))
        XCTAssertEqual(load(c, id(1)), session(1))
        XCTAssertEqual(load(c, id(2)), session(2, length: 300))
        XCTAssertNil(load(c, id(1), now: 400), "expired at its expiry")
        // Saving the same id again replaces it.
        save(c, id(1), session(9))
        XCTAssertEqual(load(c, id(1)), session(9))
        id(2).withUnsafeBytes { c.remove(id: $0) }
        XCTAssertNil(load(c, id(2)))
    }

    func testTheRingWritesOverTheOldestSessions() {
        // 10 blocks: a 2000-byte ring holds thirteen 150-byte sessions.
        let r = Region(blocks: 10)
        let c = SharedSessionCache(formatting: r.base, blocks: 10)
        XCTAssertEqual(c.ringSize, 2000)
        for n in 0..<20 { save(c, id(n), session(n)) }
        XCTAssertNil(load(c, id(0)), "written over")
        XCTAssertNil(load(c, id(6)), "written over")
        // The index (32 entries in 8 buckets) may have evicted some of the
        // last ones, but whatever it finds is intact.
        var found = 0
        for n in 7..<20 { if let s = load(c, id(n)) { XCTAssertEqual(s, session(n)); found += 1 } }
        XCTAssertGreaterThanOrEqual(found, 10, "of the 13 the ring holds")
        XCTAssertEqual(load(c, id(19)), session(19), "the newest is always there")
    }

    func testRefusesWhatItCannotKeep() {
        let r = Region(blocks: 10)
        let c = SharedSessionCache(formatting: r.base, blocks: 10)
        XCTAssertFalse(save(c, id(1), session(1, length: 251)), "over an eighth of the ring")
        XCTAssertFalse(save(c, Array(repeating: 1, count: 33), session(1)), "id over 32 bytes")
        XCTAssertFalse(save(c, [], session(1)))
    }

    func testResetForgetsEverything() {
        let r = Region(blocks: 100)
        let c = SharedSessionCache(formatting: r.base, blocks: 100)
        for n in 0..<10 { save(c, id(n), session(n)) }
        c.reset()
        for n in 0..<10 { XCTAssertNil(load(c, id(n))) }
        save(c, id(3), session(3))
        XCTAssertEqual(load(c, id(3)), session(3))
    }

    func testAttachesOnlyToAFormattedRegionOfItsSize() {
        let r = Region(blocks: 100)
        XCTAssertNil(SharedSessionCache(attaching: r.base, size: r.size), "not formatted")
        let c = SharedSessionCache(formatting: r.base, blocks: 100)
        save(c, id(1), session(1))
        let other = SharedSessionCache(attaching: r.base, size: r.size)
        XCTAssertNotNil(other)
        XCTAssertEqual(other.flatMap { load($0, id(1)) }, session(1), "another process sees it")
        XCTAssertNil(SharedSessionCache(attaching: r.base, size: r.size - 1))
        XCTAssertEqual(SharedSessionCache.regionSize(blocks: 0), 0)
    }
}
