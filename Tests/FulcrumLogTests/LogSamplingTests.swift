import XCTest
import FulcrumLog

final class LogSamplingTests: XCTestCase {
    /// haproxy 2.6.12 with `log 127.0.0.1:21005 len 2048 format raw sample 2-3,5:6 local0`
    /// and 12 connections logged "Connect from ..." lines 2, 3, 5, 8, 9 and 11 to that target.
    func testTakesTheLinesHAProxyTook() {
        var s = LogSampling(ranges: [2...3, 5...5], size: 6)!
        let taken = (1...12).filter { _ in s.take() }
        XCTAssertEqual(taken, [2, 3, 5, 8, 9, 11])
    }

    /// The text `RANGES:SIZE` is read by the configuration (LogKeywords, with
    /// HAProxy's messages); the value refuses ranges outside 1...size.
    func testRangesOutsideTheGroupAreRefused() {
        XCTAssertNotNil(LogSampling(ranges: [1...3, 7...7], size: 10))
        XCTAssertNil(LogSampling(ranges: [1...6], size: 5))
        XCTAssertNil(LogSampling(ranges: [0...0], size: 5))
        XCTAssertNil(LogSampling(ranges: [], size: 5))
        XCTAssertNil(LogSampling(ranges: [1...1], size: 0))
    }

    func testComplementaryTargetsShareTheLines() {
        var a = LogSampling(ranges: [1...1], size: 2)!, b = LogSampling(ranges: [2...2], size: 2)!
        for _ in 0..<10 { XCTAssertNotEqual(a.take(), b.take()) }
    }
}
