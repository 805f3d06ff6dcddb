import XCTest
import FulcrumLog

final class LogSamplingTests: XCTestCase {
    /// haproxy 2.6.12 with `log 127.0.0.1:21005 len 2048 format raw sample 2-3,5:6 local0`
    /// and 12 connections logged "Connect from ..." lines 2, 3, 5, 8, 9 and 11 to that target.
    func testTakesTheLinesHAProxyTook() {
        var s = LogSampling("2-3,5:6")!
        let taken = (1...12).filter { _ in s.take() }
        XCTAssertEqual(taken, [2, 3, 5, 8, 9, 11])
    }

    func testParsing() {
        XCTAssertEqual(LogSampling("1:2")?.ranges, [1...1])
        XCTAssertEqual(LogSampling("1-3,7:10")?.ranges, [1...3, 7...7])
        XCTAssertNil(LogSampling("3-2:5"))
        XCTAssertNil(LogSampling("1-6:5"))
        XCTAssertNil(LogSampling("0:5"))
        XCTAssertNil(LogSampling("1-2"))
        XCTAssertNil(LogSampling("a:5"))
        XCTAssertNil(LogSampling(":5"))
        XCTAssertNil(LogSampling("1:0"))
    }

    func testComplementaryTargetsShareTheLines() {
        var a = LogSampling("1:2")!, b = LogSampling("2:2")!
        for _ in 0..<10 { XCTAssertNotEqual(a.take(), b.take()) }
    }
}
