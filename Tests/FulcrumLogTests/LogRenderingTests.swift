import XCTest
import FulcrumBytes
import FulcrumLog

/// Rendering rules haproxy 2.6's source states and the capture run did not
/// reach: dates around the year and zones, hexadecimal forms, escaping,
/// logasap's '+', redispatch, absent values.
final class LogRenderingTests: XCTestCase {
    func testDatesAcrossZonesAndLeapDays() throws {
        var r = LogRecord()
        // 2024-02-29 23:59:59.999 UTC, 5 h 30 ahead: already 1 March locally.
        r.acceptDateMicros = 1_709_251_199_999_000
        r.utcOffsetSeconds = 19_800
        XCTAssertEqual(try render("%t|%T|%Tl|%Ts|%ms", r), "01/Mar/2024:05:29:59.999|29/Feb/2024:23:59:59 +0000|01/Mar/2024:05:29:59 +0530|1709251199|999")
        r.utcOffsetSeconds = -36_000
        XCTAssertEqual(try render("%Tl", r), "29/Feb/2024:13:59:59 -1000")
        r.acceptDateMicros = 7_000  // 1970-01-01 00:00:00.007
        r.utcOffsetSeconds = 0
        XCTAssertEqual(try render("%t %ms %{+X}ms %{+X}Ts", r), "01/Jan/1970:00:00:00.007 007 07 0000")
    }

    /// One date cache kept across lines (as a worker keeps it) writes what a
    /// fresh render writes, through new seconds, zones and both kinds of date.
    func testDateCacheKeptAcrossLinesChangesWithTheSecond() throws {
        let format = try LogLineFormat(parsing: "%t %T %Tl %tr")
        var dates = LogDateCache()
        var r = LogRecord()
        let moments: [(Int64, Int)] = [(1_709_251_199_999_000, 19_800), (1_709_251_199_999_500, 19_800),
                                       (1_709_251_200_000_000, 19_800), (1_709_251_200_000_000, 0),
                                       (1_709_251_199_000_000, 0), (7_000, -36_000), (1_709_251_261_000_000, 0)]
        for (micros, offset) in moments {
            r.acceptDateMicros = micros
            r.utcOffsetSeconds = offset
            var kept: [UInt8] = []
            format.render(r, samples: NoLogSamples(), dates: &dates, into: &kept)
            XCTAssertEqual(String(decoding: kept, as: UTF8.self), try render("%t %T %Tl %tr", r), "\(micros) \(offset)")
        }
    }

    /// Lines longer than the room first made for them (names have no bound)
    /// come out whole, after text already in the buffer, and the next short
    /// line in the same buffer is exact.
    func testLongLinesAreRenderedWhole() throws {
        let format = try LogLineFormat(parsing: "%ci:%cp %f %b %ST")
        var r = LogRecord()
        r.client = endpoint("192.0.2.7", 4242)
        r.status = 503
        r.backendName = b("be")
        var line = Array("prefix ".utf8)
        for length in [10, 600, 2_100, 9_000, 3] {
            let name = String(repeating: "f", count: length)
            r.frontendName = b(name)
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: "prefix ".utf8)
            format.render(r, into: &line)
            XCTAssertEqual(String(decoding: line, as: UTF8.self), "prefix 192.0.2.7:4242 \(name) be 503", "\(length)")
        }
    }

    /// Numbers on both sides of the short form's bounds, as decimal text.
    func testNumbersAroundEveryDigitCount() throws {
        let format = try LogLineFormat(parsing: "%B %U")
        var r = LogRecord()
        for value: Int64 in [0, 7, 9, 10, 42, 99, 100, 512, 999, 1000, 4096, 9999, 10_000, 65_535, 1 << 40, .max, -1, -10_000, .min] {
            r.bytesOut = value
            r.bytesIn = value
            var line: [UInt8] = []
            format.render(r, into: &line)
            XCTAssertEqual(String(decoding: line, as: UTF8.self), "\(value) \(value)")
        }
    }

    func testRequestDateAddsIdleAndHandshake() throws {
        var r = LogRecord()
        r.acceptDateMicros = micros(capturedSecond, ms: 998)
        r.handshakeMs = 1; r.idleMs = 2_500
        XCTAssertEqual(try render("%tr %trg %trl", r), "05/Dec/2026:16:18:15.499 05/Dec/2026:16:18:15 +0000 05/Dec/2026:16:18:15 +0000")
        r.idleMs = -1  // unknown idle time: the request date is the accept date
        XCTAssertEqual(try render("%tr", r), "05/Dec/2026:16:18:12.998")
    }

    func testHexadecimalForms() throws {
        var r = LogRecord()
        r.client = endpoint("2001:db8::ff", 443)
        r.frontendAddress = endpoint("10.0.0.1", 8)
        r.pid = 0x12345; r.requestCounter = 7; r.logCounter = 0xABC
        XCTAssertEqual(try render("%{+X}ci %{+X}cp %{+X}fi %{+X}fp %{+X}pid %{+X}rt %{+X}lc", r),
                       "20010DB80000000000000000000000FF 01BB 0A000001 0008 12345 0007 0ABC")
        // X means nothing to names and plain numbers.
        r.frontendName = b("fe")
        XCTAssertEqual(try render("%{+X}f %{+X}ST", r), "fe 0")
    }

    func testAbsentValues() throws {
        var r = LogRecord()
        XCTAssertEqual(try render("%ci %cp %si %{+Q}si %{-M}bi| %s %ID %{+Q}ID %CC %sslc %sslv %H", r), #"- - - "" | <NOSRV> - "" - - - -"#)
        r.client = .unix(listenerID: 2)
        XCTAssertEqual(try render("%ci:%cp", r), "unix:2")
    }

    func testQuotesAndEscapes() throws {
        var r = LogRecord()
        r.frontendName = b(#"a"b\c]d"#)
        r.backendName = b("be")
        XCTAssertEqual(try render("%{+Q}f %{+E}f %{+Q,+E}f %{+Q}ft %{+Q}b", r), #""a"b\c]d" a\"b\\c\]d "a\"b\\c\]d" "a"b\c]d" "be""#)
        r.requestLine = [0x47, 0x45, 0x54, 0x20, 0x2F, 0x01, 0x22, 0x5C, 0xFF, 0x20, 0x48][...]
        XCTAssertEqual(try render("%r|%{+E}r", r), ##"GET /#01#22\#FF H|GET /#01#22\\#FF H"##)
        // Samples: the writer appends raw bytes; E escapes them in place.
        XCTAssertEqual(try render(#"%{+E}[x] %{+Q,+E}[x]"#, r, samples: [#"1"2\3]"#, "]]"]), #"1\"2\\3\] "\]\]""#)
        r.frontendIsTLS = true
        XCTAssertEqual(try render("%ft %{+Q}ft", r), #"a"b\c]d~ "a"b\c]d~""#)
    }

    func testLogAsapAndRedispatch() throws {
        var r = LogRecord()
        r.totalMs = 50; r.idleMs = 10; r.handshakeMs = 5; r.bytesOut = 1_000_000_000_000
        r.retries = 2
        XCTAssertEqual(try render("%Ta %Tt %Tu %B %rc", r), "35 50 40 1000000000000 2")
        r.logAsap = true; r.redispatched = true
        XCTAssertEqual(try render("%Ta %Tt %Tu %B %rc", r), "+35 +50 +40 +1000000000000 +2")
    }

    func testDerivedTimersFollowHAProxysArithmetic() throws {
        var r = LogRecord()
        r.isHTTP = true
        r.handshakeMs = 2; r.idleMs = 100; r.requestMs = 110; r.queueMs = 115; r.connectMs = 120; r.dataMs = 150; r.totalMs = 180
        XCTAssertEqual(try render("%Th %Ti %TR %Tq %Tw %Tc %Tr %Td %Ta %Tt %Tu", r), "2 100 8 110 5 5 30 30 78 180 80")
        r.isHTTP = false
        XCTAssertEqual(try render("%Td", r), "60")
        r.connectMs = -1
        XCTAssertEqual(try render("%Tc %Tr %Td", r), "-1 151 -1")
    }

    func testRequestLinePartsOfOddLines() throws {
        var r = LogRecord()
        r.requestLine = b("GET /only")
        XCTAssertEqual(try render("%HM|%HU|%HP|%HPO|%HQ|%HV", r), "GET|/only|/only|/only||HTTP/0.9")
        r.requestLine = b("GARBAGE")
        XCTAssertEqual(try render("%HM|%HU|%HV", r), "<BADREQ>|<BADREQ>|<BADREQ>")
        r.requestLine = b("CONNECT h:443 HTTP/1.1")
        XCTAssertEqual(try render("%HU|%HPO", r), "h:443|")
        r.requestLine = b("GET http://h/a/b?c HTTP/1.1")
        XCTAssertEqual(try render("%HPO", r), "/a/b")
        // HAProxy keeps 1023 bytes of the line.
        r.requestLine = b("GET /" + String(repeating: "a", count: 2000) + " HTTP/1.1")
        XCTAssertEqual(try render("%r", r).utf8.count, 1023)
    }

    func testTerminationLetters() throws {
        var r = LogRecord()
        r.termination = LogTerminationState(cause: .clientTimeout, phase: .request)
        XCTAssertEqual(try render("%ts %tsc", r), "cR cR--")
        r.termination = LogTerminationState(cause: .serverTimeout, phase: .headers, clientCookie: .down, serverCookie: .deleted)
        XCTAssertEqual(try render("%ts %tsc", r), "sH sHDD")
        XCTAssertEqual(String(decoding: LogTerminationCause.allCases.map(\.rawValue), as: UTF8.self), "-LcCsSPRIDKU")
        XCTAssertEqual(String(decoding: LogTerminationPhase.allCases.map(\.rawValue), as: UTF8.self), "-RCHDLQT")
        XCTAssertEqual(String(decoding: LogClientCookieState.allCases.map(\.rawValue), as: UTF8.self), "NIDVEOU")
        XCTAssertEqual(String(decoding: LogServerCookieState.allCases.map(\.rawValue), as: UTF8.self), "NPDIRU")
    }

    func testRenderAppendsAndEmptyFormatsWriteNothing() throws {
        var line: [UInt8] = Array("<134>".utf8)
        var r = LogRecord()
        r.status = 204
        try LogLineFormat(parsing: "%ST").render(r, into: &line)
        XCTAssertEqual(String(decoding: line, as: UTF8.self), "<134>204")
        XCTAssertTrue(try LogLineFormat(parsing: "").isEmpty)
        XCTAssertThrowsError(try LogLineFormat(parsing: "%nope"))
    }
}
