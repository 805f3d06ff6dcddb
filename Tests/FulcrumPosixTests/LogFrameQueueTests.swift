import XCTest
@testable import FulcrumPosix

final class LogFrameQueueTests: XCTestCase {
    func pop(_ q: inout LogFrameQueue) -> String? {
        guard let f = q.first else { return nil }
        let s = String(decoding: f, as: UTF8.self)
        q.removeFirst()
        return s
    }

    func testFramesComeOutInOrderAndWrapAroundTheBlock() {
        var q = LogFrameQueue(capacity: 64)
        defer { q.deallocate() }
        var expected: [String] = []
        var got: [String] = []
        for i in 0..<500 {
            let line = String(repeating: "x", count: i % 13) + "\(i)"
            if Array(line.utf8).withUnsafeBytes({ q.push($0) }) { expected.append(line) }
            // Take one out every other push so the queue keeps wrapping.
            if i % 2 == 1, let s = pop(&q) { got.append(s) }
        }
        while let s = pop(&q) { got.append(s) }
        XCTAssertEqual(got, expected)
        XCTAssertGreaterThan(expected.count, 250)
        XCTAssertTrue(q.isEmpty)
        XCTAssertEqual(q.bytes, 0)
    }

    func testAFullQueueRefusesAndCountsBytes() {
        var q = LogFrameQueue(capacity: 32)
        defer { q.deallocate() }
        let ten = [UInt8](repeating: 7, count: 10)  // 4 + 10 → 16 bytes with padding
        XCTAssertTrue(ten.withUnsafeBytes { q.push($0) })
        XCTAssertTrue(ten.withUnsafeBytes { q.push($0) })
        XCTAssertFalse(ten.withUnsafeBytes { q.push($0) })
        XCTAssertEqual(q.count, 2)
        XCTAssertEqual(q.bytes, 20)
        XCTAssertFalse([UInt8](repeating: 0, count: 29).withUnsafeBytes { q.push($0) })
        XCTAssertEqual(q.removeAll(), 2)
        XCTAssertTrue([UInt8](repeating: 0, count: 28).withUnsafeBytes { q.push($0) })
    }
}
