import XCTest
import FulcrumLog

final class LogRingTests: XCTestCase {
    func drain(_ ring: LogRing, _ cursor: inout LogRing.Cursor) -> [String] {
        var out: [UInt8] = [], lines: [String] = []
        while ring.read(&cursor, into: &out) { lines.append(String(decoding: out, as: UTF8.self)) }
        return lines
    }

    func testReadersReadFromTheirOwnPosition() {
        let ring = LogRing(capacity: 1024)
        var early = ring.end
        ring.write(Array("one".utf8))
        ring.write(Array("two".utf8))
        var late = ring.end
        ring.write(Array("three".utf8))
        XCTAssertEqual(drain(ring, &early), ["one", "two", "three"])
        XCTAssertEqual(drain(ring, &late), ["three"])
        XCTAssertEqual(drain(ring, &early), [])
        ring.write(Array("four".utf8))
        XCTAssertEqual(drain(ring, &early), ["four"])
        XCTAssertEqual(drain(ring, &late), ["four"])
        var all = ring.oldest
        XCTAssertEqual(drain(ring, &all), ["one", "two", "three", "four"])
    }

    func testOldestLinesAreOverwrittenAndLateReadersCountWhatTheyMissed() {
        // 4 bytes of length + 6 bytes per event: 3 events fit in 32 bytes.
        let ring = LogRing(capacity: 32)
        var reader = ring.oldest
        for i in 0..<10 { XCTAssertTrue(ring.write(Array("line-\(i)".utf8))) }
        XCTAssertEqual(ring.count, 3)
        XCTAssertEqual(ring.overwritten, 7)
        XCTAssertLessThanOrEqual(ring.usedBytes, 32)
        XCTAssertEqual(drain(ring, &reader), ["line-7", "line-8", "line-9"])
        XCTAssertEqual(reader.missed, 7)
        var fresh = ring.oldest
        XCTAssertEqual(drain(ring, &fresh), ["line-7", "line-8", "line-9"])
        XCTAssertEqual(fresh.missed, 0)
    }

    func testEventsWrapAroundTheEndOfTheStorage() {
        let ring = LogRing(capacity: 50)
        var reader = ring.oldest
        var expected: [String] = []
        for i in 0..<200 {
            let line = String(repeating: Character(UnicodeScalar(UInt8(97 + i % 26))), count: 1 + i % 17)
            ring.write(Array(line.utf8))
            expected.append(line)
            // Reading after each write never misses anything and sees the exact bytes.
            XCTAssertEqual(drain(ring, &reader), [line])
        }
        XCTAssertEqual(reader.missed, 0)
        var all = ring.oldest
        let held = drain(ring, &all)
        XCTAssertEqual(held, Array(expected.suffix(held.count)))
    }

    func testAnEventLargerThanTheRingIsRefused() {
        let ring = LogRing(capacity: 16)
        ring.write(Array("ok".utf8))
        XCTAssertFalse(ring.write([UInt8](repeating: 1, count: 13)))
        XCTAssertEqual(ring.refused, 1)
        var c = ring.oldest
        XCTAssertEqual(drain(ring, &c), ["ok"])
        ring.removeAll()
        XCTAssertEqual(ring.count, 0)
        var d = ring.oldest
        XCTAssertEqual(drain(ring, &d), [])
    }
}
