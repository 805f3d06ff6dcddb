import XCTest
import CAllocationCounter
import FulcrumBytes
import FulcrumLog

/// A worker renders a line per request: once its line buffer has grown to a
/// line's size, rendering must not allocate (counted by the test binary's
/// own malloc, CAllocationCounter). Budgets hold for optimized code only
/// (`swift test -c release --filter LogAllocationTests`); a debug build
/// skips them, as RuleAllocationTests does.
final class LogAllocationTests: XCTestCase {

    /// The record a stream lends: slices of storage it already holds.
    func record() -> LogRecord {
        let head = Array("GET /index.html?x=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/8.0\r\n\r\n".utf8)
        var r = httpRecord(fe: "www", clientPort: 58118, frontendPort: 80, ms: 638, requestLine: nil)
        r.client = endpoint("2001:db8::7", 58118)
        r.requestLine = head[0..<28]
        r.requestCaptures = [head[36..<51], head[65..<73]]
        r.responseCaptures = [nil]
        r.capturedRequestCookie = head[36..<39]
        r.termination = LogTerminationState(cause: .clientAbort, phase: .data, clientCookie: .valid, serverCookie: .noCookie)
        return r
    }

    func testHTTPLogLineIntoAWarmBuffer() throws {
        let format = LogLineFormat(.httplog)
        let r = record()
        var line: [UInt8] = []
        format.render(r, into: &line)
        XCTAssertEqual(String(decoding: line, as: UTF8.self),
                       #"2001:db8::7:58118 [05/Dec/2026:17:18:12.638] www b/s1 0/0/0/0/0 200 149 www - CDVN 1/1/0/0/0 0/0 {www.example.com|curl/8.0} {} "GET /index.html?x=1 HTTP/1.1""#)
        try requireOptimizedBuild()
        let perLine = allocations {
            line.removeAll(keepingCapacity: true)
            format.render(r, into: &line)
        }
        XCTAssertEqual(perLine, 0, "an httplog line into a warm buffer allocates nothing")
    }

    func testHTTPSLogWithRecordSamplesIntoAWarmBuffer() throws {
        let format = LogLineFormat(.httpslog)
        let samples = try LogRecordSamples(format.samples)
        let r = record()
        var line: [UInt8] = []
        format.render(r, samples: samples.writer(record: r), into: &line)
        XCTAssertTrue(String(decoding: line, as: UTF8.self).hasSuffix(#""GET /index.html?x=1 HTTP/1.1" 0/-/-/-/0 -/-/-"#))
        try requireOptimizedBuild()
        let perLine = allocations {
            line.removeAll(keepingCapacity: true)
            format.render(r, samples: samples.writer(record: r), into: &line)
        }
        XCTAssertEqual(perLine, 0)
    }

    func testEveryVariableAndSamplesIntoAWarmBuffer() throws {
        let all = LogVariable.allCases.map { "%" + $0.name }.joined(separator: " ")
        let format = try LogLineFormat(parsing: all + " %{+Q,+X}o %ci %{+E}[a] %{+Q}[b] %[c] %{+Q}hrl %{+E}r")
        var r = record()
        r.uniqueID = r.requestLine
        r.logAsap = true
        let samples = FixedBytesSamples(values: [Array(#"x"y"#.utf8), Array("b".utf8), []])
        var line: [UInt8] = []
        format.render(r, samples: samples, into: &line)
        XCTAssertGreaterThan(line.count, 300)
        try requireOptimizedBuild()
        let perLine = allocations {
            line.removeAll(keepingCapacity: true)
            format.render(r, samples: samples, into: &line)
        }
        XCTAssertEqual(perLine, 0)
    }
}

/// A writer appending bytes it holds, as a worker's would append a slice of
/// the head.
struct FixedBytesSamples: LogSampleWriter {
    var values: [[UInt8]]
    func writeSample(_ index: Int, flags: LogFlags, into line: inout [UInt8]) {
        line.append(contentsOf: values[index])
    }
}
