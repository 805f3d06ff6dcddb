import XCTest
import CAllocationCounter
import FulcrumLog

/// Heap allocations per line of framing (every format and transport), ring
/// writes and reads, and sampling, counted by the test binary's malloc
/// (CAllocationCounter): none once the reused buffers have their capacity.
/// Budgets are properties of optimized code, so they are checked by
/// `swift test -c release --filter LogAllocationTests` and skipped in a
/// debug build.
final class SyslogFramingAllocationTests: XCTestCase {

    func testFramingALineAllocatesNothing() throws {
        try requireOptimizedBuild()
        let line = Array("127.0.0.1:40000 [05/Dec/2026:16:17:24.000] fe be/s1 0/0/0/1/1 200 100 - - ---- 1/1/0/0/0 0/0 \"GET / HTTP/1.1\"".utf8)
        let sd = Array("[exampleSDID@32473 iut=\"3\"]".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        var second: Int64 = 1_796_487_444
        for format in SyslogFormat.allCases {
            for transport in [SyslogTransport.datagram, .fileDescriptor, .ring(maxLength: 1024)] {
                var framer = SyslogFramer(header: SyslogHeader(format: format, hostname: Array("myhost".utf8), pid: 4242),
                                          facility: .local0, maxLength: 1024, transport: transport)
                let n = allocations {
                    second += 1
                    framer.frame(line, level: .info, time: SyslogTime(seconds: second, microseconds: 123_456, utcOffsetSeconds: 3600),
                                 structuredData: sd, into: &out)
                }
                XCTAssertEqual(n, 0, "\(format) \(transport)")
            }
        }
        var framed: [UInt8] = []
        framed.reserveCapacity(4096)
        XCTAssertEqual(allocations {
            framed.removeAll(keepingCapacity: true)
            SyslogStreamFraming.octetCounting.append(out, into: &framed)
        }, 0)
    }

    func testRingAndSamplingAllocateNothing() throws {
        try requireOptimizedBuild()
        let ring = LogRing(capacity: 4096)
        let event = [UInt8](repeating: 0x41, count: 300)
        var cursor = ring.oldest
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        XCTAssertEqual(allocations {
            ring.write(event)
            _ = ring.read(&cursor, into: &out)
        }, 0)
        var sampling = LogSampling(ranges: [2...3, 5...5], size: 6)!
        var taken = 0
        XCTAssertEqual(allocations { if sampling.take() { taken += 1 } }, 0)
        XCTAssertGreaterThan(taken, 0)
    }
}
