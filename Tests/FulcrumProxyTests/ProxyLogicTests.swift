import XCTest
@testable import FulcrumProxy

final class ProxyLogicTests: XCTestCase {
    /// HAProxy's `option redispatch <interval>`: positive P every Pth retry,
    /// negative N on the |N|th retry counted back from the last (-1: last).
    func testRedispatchInterval() {
        let retries = 3
        XCTAssertEqual((1...3).map { StreamEngine.redispatches(retry: $0, of: retries, interval: -1) }, [false, false, true])
        XCTAssertEqual((1...3).map { StreamEngine.redispatches(retry: $0, of: retries, interval: -2) }, [false, true, false])
        XCTAssertEqual((1...3).map { StreamEngine.redispatches(retry: $0, of: retries, interval: 1) }, [true, true, true])
        XCTAssertEqual((1...3).map { StreamEngine.redispatches(retry: $0, of: retries, interval: 2) }, [false, true, false])
        XCTAssertEqual((1...3).map { StreamEngine.redispatches(retry: $0, of: retries, interval: 0) }, [false, false, false])
    }

    func testSessionQueueIsFIFOAcrossGrowth() {
        var q = SessionQueue()
        XCTAssertNil(q.pop())
        for i in 0..<10 { q.push(UInt64(i)) }
        XCTAssertEqual(q.pop(), 0)
        XCTAssertEqual(q.pop(), 1)
        for i in 10..<40 { q.push(UInt64(i)) } // wraps and grows
        XCTAssertEqual(q.count, 38)
        XCTAssertEqual(q.peek(), 2)
        var out: [UInt64] = []
        while let t = q.pop() { out.append(t) }
        XCTAssertEqual(out, (2..<40).map(UInt64.init))
        XCTAssertTrue(q.isEmpty)
    }

    func testFlowPendingCountsBufferAndPipe() {
        var f = Flow()
        XCTAssertEqual(f.pending, 0)
        let pool = BufferPool(size: 64)
        f.buffer.append([UInt8](repeating: 1, count: 7), pool: pool)
        f.inPipe = 5
        XCTAssertEqual(f.pending, 12)
        f.buffer.release(to: pool)
        XCTAssertFalse(f.finished)
        f.sourceClosed = true; f.shutdownSent = true
        XCTAssertTrue(f.finished)
    }
}
