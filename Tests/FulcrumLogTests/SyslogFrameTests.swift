import XCTest
import FulcrumLog

/// Lines captured from haproxy 2.6.12 (Debian 2.6.12-1+deb12u4,
/// /usr/sbin/haproxy) on 2026-12-05: `haproxy -db -f CFG` with `log` targets
/// `127.0.0.1:PORT len N format F local0` (and a unix datagram path, stdout,
/// `ring@` sections forwarding to TCP servers), a Python listener on loopback
/// printing each datagram / TCP read with repr(), and TCP connections to a
/// `listen fe` (`log global`) so that haproxy logs "Connect from ...". The
/// machine's zone was UTC; the +05:30 lines ran haproxy with
/// TZ=Asia/Kolkata. The configurations and listener are described next to
/// each group of constants.
enum HAProxyCapture {
    static let pid: Int32 = 5207
    static let message = "Connect from 127.0.0.1:34082 to 127.0.0.1:21200 (fe/TCP)"
    /// 2026-12-05 16:17:24 UTC.
    static let second: Int64 = 1_796_487_444

    // global: log 127.0.0.1:2100N len 2048 format F local0 (no log-send-hostname, no log-tag)
    static let rfc3164 = "<134>Dec  5 16:17:24 localhost haproxy[5207]: Connect from 127.0.0.1:34082 to 127.0.0.1:21200 (fe/TCP)\n"
    static let rfc5424 = "<134>1 2026-12-05T16:17:24.448503+00:00 - haproxy 5207 - - Connect from 127.0.0.1:34082 to 127.0.0.1:21200 (fe/TCP)\n"
    static let short = "<6>Connect from 127.0.0.1:34082 to 127.0.0.1:21200 (fe/TCP)\n"
    static let raw = "Connect from 127.0.0.1:34082 to 127.0.0.1:21200 (fe/TCP)\n"
    static let iso = "2026-12-05T16:17:24.448740+00:00 Connect from 127.0.0.1:34082 to 127.0.0.1:21200 (fe/TCP)\n"
    static let timed = "<6>2026-12-05T16:17:24.448767+00:00 Connect from 127.0.0.1:34082 to 127.0.0.1:21200 (fe/TCP)\n"
    static let priority = "<134>Connect from 127.0.0.1:34082 to 127.0.0.1:21200 (fe/TCP)\n"
    // log 127.0.0.1:PORT len 80 format rfc3164|rfc5424 local0: 80 bytes, then "\n".
    static let rfc3164Len80 = "<134>Dec  5 16:17:24 localhost haproxy[5207]: Connect from 127.0.0.1:34082 to 12\n"
    static let rfc5424Len80 = "<134>1 2026-12-05T16:17:24.448838+00:00 - haproxy 5207 - - Connect from 127.0.0.\n"
    // log /tmp/cap/u.sock len 2048 local1 info (no format, no hostname): rfc3164 without the hostname field.
    static let unixUnspecified = "<142>Dec  5 16:17:24 haproxy[5207]: Connect from 127.0.0.1:34082 to 127.0.0.1:21200 (fe/TCP)\n"

    // global: log-send-hostname myhost + log-tag mytag; pid 6361, 16:18:13 UTC.
    static let taggedPid: Int32 = 6361
    static let taggedSecond: Int64 = 1_796_487_493
    static let taggedMessage = "Connect from 127.0.0.1:34576 to 127.0.0.1:21200 (fe/TCP)"
    static let taggedRFC3164 = "<134>Dec  5 16:18:13 myhost mytag[6361]: Connect from 127.0.0.1:34576 to 127.0.0.1:21200 (fe/TCP)\n"
    static let taggedRFC5424 = "<134>1 2026-12-05T16:18:13.793811+00:00 myhost mytag 6361 - - Connect from 127.0.0.1:34576 to 127.0.0.1:21200 (fe/TCP)\n"
    // log 127.0.0.1:PORT len 2048 local0 (no format) with a hostname: rfc3164 with it.
    static let taggedUnspecified = "<134>Dec  5 16:18:13 myhost mytag[6361]: Connect from 127.0.0.1:34576 to 127.0.0.1:21200 (fe/TCP)\n"
    // log 127.0.0.1:PORT len 80 format timed local0
    static let taggedTimedLen80 = "<6>2026-12-05T16:18:13.793907+00:00 Connect from 127.0.0.1:34576 to 127.0.0.1:21\n"
    // log stdout len 80 format rfc3164 local0: 79 bytes, then "\n" (80 in all).
    static let taggedStdoutLen80 = "<134>Dec  5 16:18:13 myhost mytag[6361]: Connect from 127.0.0.1:34576 to 127.0.\n"
    // log ring@r1 len 80 local3, ring r1 { format rfc5424 ... server ... } (legacy log-proto): event + "\n" on TCP.
    static let taggedRingRFC5424 = "<158>1 2026-12-05T16:18:13.794006+00:00 myhost mytag 6361 - - Connect from 127.0.0.1:34576 to 127.0.0.1:21200 (fe/TCP)\n"

    // ring r1 { format rfc5424; maxlen 90; server ... log-proto octet-count }, log ring@r1 len 2048 local3
    // ring r2 { format rfc3164; server ... log-proto octet-count }, log ring@r2 len 80 local3
    // pid 8550, 16:18:51 UTC, frontend "fe_with_a_really_long_name_to_make_the_line_longer_than_eighty".
    static let ringPid: Int32 = 8550
    static let ringSecond: Int64 = 1_796_487_531
    static let ringMessage = "Connect from 127.0.0.1:57666 to 127.0.0.1:21200 (fe_with_a_really_long_name_to_make_the_line_longer_than_eighty/TCP)"
    static let ringOctetMaxlen90 = "90 <158>1 2026-12-05T16:18:51.489556+00:00 - haproxy 8550 - - Connect from 127.0.0.1:57666 to"
    static let ringOctetLen80 = "126 <158>Dec  5 16:18:51 localhost haproxy[8550]: Connect from 127.0.0.1:57666 to 127.0.0.1:21200 (fe_with_a_really_long_name_to_m"

    // TZ=Asia/Kolkata; pid 9036; 21:49:05 local = 16:19:05 UTC.
    static let indiaPid: Int32 = 9036
    static let indiaSecond: Int64 = 1_796_487_545
    static let indiaMessage = "Connect from 127.0.0.1:41960 to 127.0.0.1:21200 (fe/TCP)"
    static let indiaUnspecified = "<134>Dec  5 21:49:05 haproxy[9036]: Connect from 127.0.0.1:41960 to 127.0.0.1:21200 (fe/TCP)\n"
    static let indiaRFC5424 = "<134>1 2026-12-05T21:49:05.573553+05:30 - haproxy 9036 - - Connect from 127.0.0.1:41960 to 127.0.0.1:21200 (fe/TCP)\n"
    static let indiaISO = "2026-12-05T21:49:05.573578+05:30 Connect from 127.0.0.1:41960 to 127.0.0.1:21200 (fe/TCP)\n"
    // log /tmp/cap/u.sock len 2048 format rfc3164 local1 info, no hostname: "localhost".
    static let indiaUnixRFC3164 = "<142>Dec  5 21:49:05 localhost haproxy[9036]: Connect from 127.0.0.1:41960 to 127.0.0.1:21200 (fe/TCP)\n"
}

final class SyslogFrameTests: XCTestCase {
    typealias C = HAProxyCapture

    func framed(_ format: SyslogFormat, facility: LogFacility = .local0, level: LogLevel = .info,
                hostname: String = "", tag: String = "haproxy", pid: Int32 = C.pid,
                len: Int = 2048, transport: SyslogTransport = .datagram,
                second: Int64 = C.second, micros: Int32 = 0, offset: Int32 = 0,
                message: String = C.message, sd: String = "") -> String {
        let header = SyslogHeader(format: format, hostname: Array(hostname.utf8), tag: Array(tag.utf8), pid: pid)
        var framer = SyslogFramer(header: header, facility: facility, maxLength: len, transport: transport)
        var out: [UInt8] = []
        framer.frame(Array(message.utf8), level: level, time: SyslogTime(seconds: second, microseconds: micros, utcOffsetSeconds: offset),
                     structuredData: Array(sd.utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func testEachFormatAsHAProxySendsItOverUDP() {
        XCTAssertEqual(framed(.rfc3164), C.rfc3164)
        XCTAssertEqual(framed(.rfc5424, micros: 448_503), C.rfc5424)
        XCTAssertEqual(framed(.short), C.short)
        XCTAssertEqual(framed(.raw), C.raw)
        XCTAssertEqual(framed(.iso, micros: 448_740), C.iso)
        XCTAssertEqual(framed(.timed, micros: 448_767), C.timed)
        XCTAssertEqual(framed(.priority), C.priority)
        XCTAssertEqual(framed(.unspecified, facility: .local1), C.unixUnspecified)
    }

    /// One framer reused across seconds, levels and offsets (its header is
    /// kept between lines) writes what a fresh framer writes for each line.
    func testReusedFramerFollowsSecondLevelAndOffset() {
        for format in SyslogFormat.allCases {
            var framer = SyslogFramer(header: SyslogHeader(format: format, hostname: Array("h".utf8), pid: C.pid),
                                      facility: .local0, maxLength: 2048, transport: .datagram)
            let moments: [(Int64, LogLevel, Int32)] = [(C.second, .info, 0), (C.second, .info, 0), (C.second, .err, 0),
                                                       (C.second + 1, .err, 0), (C.second + 1, .err, 3600), (C.second + 61, .info, 0)]
            for (second, level, offset) in moments {
                var out: [UInt8] = []
                framer.frame(Array(C.message.utf8), level: level, time: SyslogTime(seconds: second, utcOffsetSeconds: offset),
                             into: &out)
                XCTAssertEqual(String(decoding: out, as: UTF8.self),
                               framed(format, level: level, hostname: "h", second: second, offset: offset), "\(format) \(second) \(level)")
            }
        }
    }

    func testHostnameAndTag() {
        let t = (hostname: "myhost", tag: "mytag", pid: C.taggedPid, second: C.taggedSecond, message: C.taggedMessage)
        XCTAssertEqual(framed(.rfc3164, hostname: t.hostname, tag: t.tag, pid: t.pid, second: t.second, message: t.message), C.taggedRFC3164)
        XCTAssertEqual(framed(.rfc5424, hostname: t.hostname, tag: t.tag, pid: t.pid, second: t.second, micros: 793_811, message: t.message), C.taggedRFC5424)
        XCTAssertEqual(framed(.unspecified, hostname: t.hostname, tag: t.tag, pid: t.pid, second: t.second, message: t.message), C.taggedUnspecified)
    }

    func testLocalTimeAndOffset() {
        let offset: Int32 = 19_800  // +05:30
        XCTAssertEqual(framed(.unspecified, pid: C.indiaPid, second: C.indiaSecond, offset: offset, message: C.indiaMessage), C.indiaUnspecified)
        XCTAssertEqual(framed(.rfc5424, pid: C.indiaPid, second: C.indiaSecond, micros: 573_553, offset: offset, message: C.indiaMessage), C.indiaRFC5424)
        XCTAssertEqual(framed(.iso, pid: C.indiaPid, second: C.indiaSecond, micros: 573_578, offset: offset, message: C.indiaMessage), C.indiaISO)
        XCTAssertEqual(framed(.rfc3164, facility: .local1, pid: C.indiaPid, second: C.indiaSecond, offset: offset, message: C.indiaMessage), C.indiaUnixRFC3164)
        // A negative offset, and a day below 10 padded with a space.
        XCTAssertEqual(framed(.iso, second: 0, micros: 7, offset: -18_000, message: "x"), "1969-12-31T19:00:00.000007-05:00 x\n")
        XCTAssertEqual(framed(.rfc3164, second: 0, message: "x"), "<134>Jan  1 00:00:00 localhost haproxy[5207]: x\n")
    }

    func testDatagramsKeepLenBytesThenANewline() {
        XCTAssertEqual(framed(.rfc3164, len: 80), C.rfc3164Len80)
        XCTAssertEqual(framed(.rfc5424, len: 80, micros: 448_838), C.rfc5424Len80)
        XCTAssertEqual(framed(.timed, hostname: "myhost", tag: "mytag", pid: C.taggedPid, len: 80, second: C.taggedSecond,
                              micros: 793_907, message: C.taggedMessage), C.taggedTimedLen80)
        XCTAssertEqual(C.rfc3164Len80.utf8.count, 81)
        // A header longer than len is cut too.
        XCTAssertEqual(framed(.rfc3164, len: 10), "<134>Dec  \n")
    }

    func testFileDescriptorsKeepLenMinusOneBytesThenANewline() {
        let line = framed(.rfc3164, hostname: "myhost", tag: "mytag", pid: C.taggedPid, len: 80, transport: .fileDescriptor,
                          second: C.taggedSecond, message: C.taggedMessage)
        XCTAssertEqual(line, C.taggedStdoutLen80)
        XCTAssertEqual(line.utf8.count, 80)
    }

    func testRingEventsAndTheirStreamFraming() {
        // ring r1: format rfc5424, maxlen 90; the logger's len 2048 leaves the line whole.
        let r1 = framed(.rfc5424, facility: .local3, pid: C.ringPid, len: 2048, transport: .ring(maxLength: 90),
                        second: C.ringSecond, micros: 489_556, message: C.ringMessage)
        var out: [UInt8] = []
        SyslogStreamFraming.octetCounting.append(Array(r1.utf8), into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), C.ringOctetMaxlen90)
        // ring r2: format rfc3164, big maxlen; the logger's len 80 cuts the line alone.
        let r2 = framed(.rfc3164, facility: .local3, pid: C.ringPid, len: 80, transport: .ring(maxLength: 65535),
                        second: C.ringSecond, message: C.ringMessage)
        out.removeAll()
        SyslogStreamFraming.octetCounting.append(Array(r2.utf8), into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), C.ringOctetLen80)
        // Legacy framing: the event then a newline.
        let r3 = framed(.rfc5424, facility: .local3, hostname: "myhost", tag: "mytag", pid: C.taggedPid, len: 80,
                        transport: .ring(maxLength: 2048), second: C.taggedSecond, micros: 794_006, message: C.taggedMessage)
        out.removeAll()
        SyslogStreamFraming.newline.append(Array(r3.utf8), into: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), C.taggedRingRFC5424)
    }

    func testStructuredDataTrailingNewlinesAndEmptyTag() {
        XCTAssertEqual(framed(.rfc5424, micros: 1, message: "hello", sd: "[exampleSDID@32473 iut=\"3\"]"),
                       "<134>1 2026-12-05T16:17:24.000001+00:00 - haproxy 5207 - [exampleSDID@32473 iut=\"3\"] hello\n")
        XCTAssertEqual(framed(.raw, message: "hello\n\n\0"), "hello\n")
        XCTAssertEqual(framed(.unspecified, tag: "", message: "m"), "<134>Dec  5 16:17:24 m\n")
        XCTAssertEqual(framed(.rfc5424, tag: "", pid: 1, message: "m"), "<134>1 2026-12-05T16:17:24.000000+00:00 - - 1 - - m\n")
    }

    func testFormatNames() {
        for f in SyslogFormat.allCases where f != .unspecified { XCTAssertEqual(SyslogFormat(name: f.name!), f) }
        XCTAssertNil(SyslogFormat(name: "rfc3165"))
    }

    func testCivilTimeAgreesWithKnownDates() {
        XCTAssertEqual(CivilTime(localSeconds: C.second), CivilTime(year: 2026, month: 12, day: 5, hour: 16, minute: 17, second: 24))
        XCTAssertEqual(CivilTime(localSeconds: 951_782_400), CivilTime(year: 2000, month: 2, day: 29, hour: 0, minute: 0, second: 0))
        XCTAssertEqual(CivilTime(localSeconds: -1), CivilTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59))
    }
}
