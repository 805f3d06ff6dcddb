import XCTest
import FulcrumBytes
import FulcrumConfig
@testable import FulcrumCore

/// The stick table's pure parts: HAProxy's freq_ctr numbers over a period,
/// key codecs and texts, the entry layout, and the shared table's index,
/// LRU eviction at `size`, `nopurge`, expiry, stamps and reset.
final class StickTableTests: XCTestCase {
    final class Region {
        let base: UnsafeMutableRawPointer
        let size: Int
        init(_ t: StickTableDefinition) {
            size = SharedStickTable.regionSize(t)
            base = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
            base.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        }
        deinit { base.deallocate() }
    }

    func table(_ type: StickKeyType = .ip, size: Int = 4, expire: Int? = nil, noPurge: Bool = false,
               _ data: [StickStoredData] = [StickStoredData(.httpReqRate, period: 10_000), StickStoredData(.connCurrent)]) -> StickTableDefinition {
        var t = StickTableDefinition(name: "t", location: SourceLocation(file: "t", line: 1), keyType: type, size: size)
        t.expire = expire
        t.noPurge = noPurge
        t.data = data
        return t
    }

    func key(_ s: String, _ type: StickKeyType = .ip) -> [UInt8] { StickKey.parse(s, type)! }

    // MARK: freq_ctr

    func testFrequencyMatchesHAProxysArithmetic() {
        var c = [UInt32](repeating: 0, count: 3)
        c.withUnsafeMutableBytes { b in
            let p = b.baseAddress!
            func read(_ now: UInt32) -> UInt32 { StickFrequency.read(p, now: now, period: 10_000) }
            // The first event after idleness starts a period at its own (even) date.
            for _ in 0..<5 { StickFrequency.update(p, now: 100_001, period: 10_000, by: 1) }
            XCTAssertEqual(p.load(as: UInt32.self), 100_000)
            XCTAssertEqual(read(100_001), 5)
            XCTAssertEqual(read(110_000), 5, "the last millisecond of the period")
            // Past the period: the previous count, weighted by what is left.
            XCTAssertEqual(read(112_000), 4)   // 5 × 8000 / 10000
            XCTAssertEqual(read(119_000), 0)   // 5 × 1000 / 10000
            XCTAssertEqual(read(120_001), 0)
            // An event 12 s in rotates to the next period (start + period).
            StickFrequency.update(p, now: 112_000, period: 10_000, by: 1)
            XCTAssertEqual(p.load(as: UInt32.self), 110_000)
            XCTAssertEqual(read(112_000), 5)   // (5 × 8000 + 1 × 10000) / 10000
            // Two periods without an event: everything is forgotten.
            StickFrequency.update(p, now: 140_000, period: 10_000, by: 1)
            XCTAssertEqual(p.load(fromByteOffset: 8, as: UInt32.self), 0)
            XCTAssertEqual(read(140_000), 1)
            // Flapping correction: one event stays 1 over the whole next period.
            XCTAssertEqual(read(151_000), 1)
        }
    }

    func testFrequencyAcrossTheClockWrap() {
        var c = [UInt32](repeating: 0, count: 3)
        c.withUnsafeMutableBytes { b in
            let p = b.baseAddress!
            let start = UInt32.max - 1999
            for _ in 0..<10 { StickFrequency.update(p, now: start, period: 4000, by: 1) }
            XCTAssertEqual(StickFrequency.read(p, now: start &+ 3000, period: 4000), 10)
            XCTAssertEqual(StickFrequency.read(p, now: start &+ 6000, period: 4000), 5)
        }
    }

    /// A start a little ahead of this clock (a peer's update, its transit
    /// added) is the current period: counting goes on, nothing restarts.
    func testFrequencyWithAStartAheadOfTheClockCountsOn() {
        var c = [UInt32](repeating: 0, count: 3)
        c.withUnsafeMutableBytes { b in
            let p = b.baseAddress!
            p.storeBytes(of: UInt32(100_002), as: UInt32.self)
            p.storeBytes(of: UInt32(40), toByteOffset: 4, as: UInt32.self)
            p.storeBytes(of: UInt32(7), toByteOffset: 8, as: UInt32.self)
            XCTAssertEqual(StickFrequency.read(p, now: 100_000, period: 10_000), 47, "the previous period weighs no more than whole")
            XCTAssertEqual(StickFrequency.update(p, now: 100_000, period: 10_000, by: 1), 41)
            XCTAssertEqual(p.load(as: UInt32.self), 100_002)
            XCTAssertEqual(StickFrequency.read(p, now: 100_001, period: 10_000), 48)
        }
        // Never used, at a clock less than a period before the wrap: a new period.
        var fresh = [UInt32](repeating: 0, count: 3)
        fresh.withUnsafeMutableBytes { b in
            let p = b.baseAddress!
            StickFrequency.update(p, now: UInt32.max - 99, period: 10_000, by: 1)
            XCTAssertEqual(p.load(as: UInt32.self), (UInt32.max - 99) & ~1)
        }
    }

    // MARK: keys

    func testKeysEncodeAndPrintAsHAProxyDoes() {
        var buf = [UInt8](repeating: 0xAA, count: 64)
        buf.withUnsafeMutableBytes { out in
            XCTAssertTrue(StickKey.encode(.address(.v4(IPv4Address(10, 0, 0, 1))), .ip, into: out))
            XCTAssertEqual(Array(out.prefix(4)), [10, 0, 0, 1])
            XCTAssertEqual(StickKey.text(UnsafeRawBufferPointer(rebasing: out.prefix(4)), .ip), "10.0.0.1")
            XCTAssertFalse(StickKey.encode(.address(IPAddress("2001:db8::1")!), .ip, into: out), "no IPv4 cast")
            XCTAssertTrue(StickKey.encode(.address(IPAddress("::ffff:10.0.0.2")!), .ip, into: out))
            XCTAssertEqual(Array(out.prefix(4)), [10, 0, 0, 2])
            XCTAssertTrue(StickKey.encode(.address(.v4(IPv4Address(10, 0, 0, 1))), .ipv6, into: out))
            XCTAssertEqual(StickKey.text(UnsafeRawBufferPointer(rebasing: out.prefix(16)), .ipv6), "::ffff:10.0.0.1")
            XCTAssertTrue(StickKey.encode(.bytes(Array("a b=c\u{1}xyz".utf8)[...]), .string(length: 8), into: out))
            XCTAssertEqual(StickKey.text(UnsafeRawBufferPointer(rebasing: out.prefix(8)), .string(length: 8)), "a\\ b\\=c\\x01x",
                           "7 characters and the NUL")
            XCTAssertTrue(StickKey.encode(.bytes([0xAB, 1][...]), .binary(length: 4), into: out))
            XCTAssertEqual(StickKey.text(UnsafeRawBufferPointer(rebasing: out.prefix(4)), .binary(length: 4)), "AB010000")
            XCTAssertTrue(StickKey.encode(.integer(4_294_967_297), .integer, into: out))
            XCTAssertEqual(StickKey.text(UnsafeRawBufferPointer(rebasing: out.prefix(4)), .integer), "1")
        }
        XCTAssertNil(StickKey.parse("nope", .ip))
        XCTAssertEqual(StickKey.parse("AB01", .binary(length: 3)), [0xAB, 1, 0])
    }

    func testLayoutIsCompact() {
        XCTAssertEqual(StickEntryLayout(table()).entrySize, 56, "ip + http_req_rate + conn_cur")
        let l = StickEntryLayout(table(.string(length: 32), [StickStoredData(.gpc, count: 3), StickStoredData(.bytesInCount)]))
        XCTAssertEqual(l.offset(.bytesInCount)! % 8, 0)
        XCTAssertEqual(l.offset(.gpc, element: 2)! - l.offset(.gpc)!, 8)
        XCTAssertNil(l.offset(.gpc, element: 3))
        XCTAssertNil(l.offset(.gpc0))
    }

    // MARK: the shared table

    func testFindCreateAndCount() {
        let t = table()
        let r = Region(t)
        let s = SharedStickTable(formatting: r.base, t)
        XCTAssertNotNil(SharedStickTable(attaching: r.base, size: r.size, t))
        XCTAssertNil(SharedStickTable(attaching: r.base, size: r.size - 8, t))
        let k = key("10.0.0.1")
        let i = k.withUnsafeBytes { s.findOrCreate($0, now: 1000) }!
        XCTAssertEqual(k.withUnsafeBytes { s.find($0, now: 1000) }, i)
        s.startCounters(i, now: 1000)
        s.add(i, .httpReqRate, now: 1000)
        s.add(i, .httpReqRate, now: 1001)
        XCTAssertEqual(s.value(i, .connCurrent, now: 1000), 1)
        XCTAssertEqual(s.value(i, .httpReqRate, now: 2000), 2)
        XCTAssertNil(s.value(i, .gpc0, now: 1000))
        s.stopCounters(i, now: 1000); s.stopCounters(i, now: 1000)
        XCTAssertEqual(s.value(i, .connCurrent, now: 1000), 0, "never below 0")
        XCTAssertEqual(s.used, 1)
    }

    func testEvictsTheLeastRecentlyUsedAtSizeButNotHeldEntries() {
        let t = table(size: 4)
        let r = Region(t)
        let s = SharedStickTable(formatting: r.base, t)
        func make(_ n: Int, _ now: UInt32) -> Int? { key("10.0.0.\(n)").withUnsafeBytes { s.findOrCreate($0, now: now) } }
        func has(_ n: Int) -> Bool { key("10.0.0.\(n)").withUnsafeBytes { s.find($0, now: 100) } != nil }
        let first = make(1, 1)!
        _ = make(2, 2); _ = make(3, 3); _ = make(4, 4)
        s.retain(first)
        let stamp2 = s.stamp(key("10.0.0.2").withUnsafeBytes { s.find($0, now: 5) }!)
        s.touch(key("10.0.0.3").withUnsafeBytes { s.find($0, now: 5) }!, now: 5)
        _ = make(5, 6)   // evicts one (4/256 + 1): 2, the oldest nobody holds
        XCTAssertEqual(s.used, 4)
        XCTAssertTrue(has(1)); XCTAssertFalse(has(2)); XCTAssertTrue(has(3)); XCTAssertTrue(has(4)); XCTAssertTrue(has(5))
        _ = make(6, 7)   // then 4 (3 was touched)
        XCTAssertFalse(has(4)); XCTAssertTrue(has(3))
        // The slot of 2 was reused: its old stamp no longer matches.
        let reused = key("10.0.0.5").withUnsafeBytes { s.find($0, now: 8) }!
        XCTAssertFalse(s.isCurrent(reused, stamp: stamp2) && s.stamp(reused) == stamp2)
        var order: [String] = []
        s.forEach(now: 9) { order.append(StickKey.text(s.key($0), .ip)) }
        XCTAssertEqual(order, ["10.0.0.1", "10.0.0.3", "10.0.0.5", "10.0.0.6"])
    }

    func testNoPurgeRefusesWhenFull() {
        let t = table(size: 2, noPurge: true)
        let r = Region(t)
        let s = SharedStickTable(formatting: r.base, t)
        XCTAssertNotNil(key("1.1.1.1").withUnsafeBytes { s.findOrCreate($0, now: 1) })
        XCTAssertNotNil(key("1.1.1.2").withUnsafeBytes { s.findOrCreate($0, now: 1) })
        XCTAssertNil(key("1.1.1.3").withUnsafeBytes { s.findOrCreate($0, now: 1) })
        XCTAssertNotNil(key("1.1.1.1").withUnsafeBytes { s.findOrCreate($0, now: 1) }, "existing keys are still found")
    }

    func testExpiryDropsUnheldEntries() {
        let t = table(size: 10, expire: 1000)
        let r = Region(t)
        let s = SharedStickTable(formatting: r.base, t)
        let a = key("1.1.1.1").withUnsafeBytes { s.findOrCreate($0, now: 5000) }!
        let b = key("1.1.1.2").withUnsafeBytes { s.findOrCreate($0, now: 5000) }!
        XCTAssertEqual(s.remaining(a, now: 5400), 600)
        s.retain(b)
        s.touch(a, now: 5500)
        XCTAssertNotNil(key("1.1.1.1").withUnsafeBytes { s.find($0, now: 6400) }, "touched at 5500")
        XCTAssertNil(key("1.1.1.1").withUnsafeBytes { s.find($0, now: 6500) })
        XCTAssertNotNil(key("1.1.1.2").withUnsafeBytes { s.find($0, now: 9000) }, "held by a stream")
        XCTAssertEqual(s.used, 1)
        s.reset()
        XCTAssertEqual(s.used, 0)
        XCTAssertNil(key("1.1.1.2").withUnsafeBytes { s.find($0, now: 9000) })
        XCTAssertFalse(s.isCurrent(b, stamp: 2))
    }

    func testStringKeysCollideNeither() {
        let t = table(.string(length: 8), size: 300)
        let r = Region(t)
        let s = SharedStickTable(formatting: r.base, t)
        var made: [Int] = []
        for n in 0..<300 { made.append(key("k\(n)", t.keyType).withUnsafeBytes { s.findOrCreate($0, now: 1) }!) }
        XCTAssertEqual(Set(made).count, 300)
        for n in 0..<300 { XCTAssertEqual(key("k\(n)", t.keyType).withUnsafeBytes { s.find($0, now: 1) }, made[n]) }
        for n in stride(from: 0, to: 300, by: 2) { s.remove(made[n]) }
        XCTAssertEqual(s.used, 150)
        for n in 0..<300 { XCTAssertEqual(key("k\(n)", t.keyType).withUnsafeBytes { s.find($0, now: 1) } != nil, n % 2 == 1) }
    }
}

extension StickTableTests {
    /// Issue 16's memory target: a million `type ip` entries storing
    /// `http_req_rate(10s),conn_cur` in 60 MB (56-byte entries, the peers'
    /// update id included, and a 4-byte index slot each); haproxy's stksess
    /// alone is larger.
    func testAMillionEntriesFitIn60MB() {
        var t = table(size: 1_000_000)
        t.expire = 30_000
        XCTAssertEqual(StickEntryLayout(t).entrySize, 56)
        XCTAssertLessThanOrEqual(SharedStickTable.regionSize(t), 60 << 20)
    }
}
