import Glibc
import XCTest

/// Tests of the logging harness itself (LogCollector, SyslogLine,
/// LogLineComparison), so a failing log comparison points at a proxy and
/// not at the scaffolding.
final class LogHarnessTests: XCTestCase {
    private static let httplog = "127.0.0.1:58564 [06/Dec/2026:00:41:19.038] fe be/s1 0/0/0/3/3 200 167 - - ---- "
        + "1/1/0/0/0 0/0 {site} \"GET /a HTTP/1.1\""

    func testSyslogLineParsesEveryHeaderLayout() throws {
        let rfc3164 = try SyslogLine("<134>Dec  6 00:41:19 haproxy[18873]: \(Self.httplog)\n")
        XCTAssertEqual(rfc3164.facilityName, "local0")
        XCTAssertEqual(rfc3164.severityName, "info")
        XCTAssertEqual(rfc3164.tag, "haproxy")
        XCTAssertEqual(rfc3164.pid, "18873")
        XCTAssertNil(rfc3164.hostname)
        XCTAssertEqual(rfc3164.message, Self.httplog)
        let named = try SyslogLine("<129>Dec 16 00:41:19 lb-1 fulcrum[7]: Server be/s1 is DOWN")
        XCTAssertEqual(named.hostname, "lb-1")
        XCTAssertEqual(named.severityName, "alert")
        XCTAssertEqual(named.message, "Server be/s1 is DOWN")
        let rfc5424 = try SyslogLine("<142>1 2026-12-06T00:42:17.540677+00:00 myhost haproxy 20206 - - \(Self.httplog)\n",
                                     format: .rfc5424)
        XCTAssertEqual([rfc5424.facilityName, rfc5424.hostname, rfc5424.tag, rfc5424.pid, rfc5424.structuredData],
                       ["local1", "myhost", "haproxy", "20206", "-"])
        XCTAssertEqual(rfc5424.message, Self.httplog)
        let short = try SyslogLine("<6>\(Self.httplog)\n", format: .short)
        XCTAssertEqual(short.severityName, "info")
        XCTAssertNil(short.facility)
        XCTAssertEqual(try SyslogLine("<6>2026-12-06T00:42:17.540706+00:00 x y", format: .timed).message, "x y")
        XCTAssertEqual(try SyslogLine("2026-12-06T00:42:17.540706+00:00 x y", format: .iso).message, "x y")
        XCTAssertEqual(try SyslogLine("<182>x", format: .priority).facilityName, "local6")
        XCTAssertEqual(try SyslogLine("x y\n", format: .raw).message, "x y")
        XCTAssertThrowsError(try SyslogLine("no priority here"))
        XCTAssertEqual(SyslogLine.priority("local0", "emerg"), 128)
    }

    func testComparisonIgnoresOnlyWhatLegitimatelyDiffers() throws {
        let haproxy = try SyslogLine("<134>Dec  6 00:41:19 haproxy[18873]: \(Self.httplog)")
        let same = try SyslogLine("<134>Dec  6 00:41:20 fulcrum[99]: 127.0.0.1:40000 [06/Dec/2026:00:41:20.001] fe be/s1 "
                                  + "0/0/1/5/6 200 167 - - ---- 1/1/0/0/0 0/0 {site} \"GET /a HTTP/1.1\"")
        let comparison = LogLineComparison(.httplog)
        XCTAssertEqual(comparison.differences(fulcrum: same, haproxy: haproxy), [])
        for (original, changed) in [("200 167", "200 168"), ("0/0/1/5/6 200", "0/-1/1/5/6 200"), ("be/s1", "be/s2"),
                                    ("{site}", "{Site}"), ("GET /a HTTP/1.1", "<BADREQ>")] {
            let line = try SyslogLine(same.raw.replacingOccurrences(of: original, with: changed))
            XCTAssertEqual(comparison.differences(fulcrum: line, haproxy: haproxy).count, 1, changed)
        }
        let slow = try SyslogLine(same.raw.replacingOccurrences(of: "0/0/1/5/6", with: "0/0/1/5/900"))
        XCTAssertEqual(comparison.differences(fulcrum: slow, haproxy: haproxy).count, 1, "a timer out of bounds")
        let otherTag = try SyslogLine(same.raw.replacingOccurrences(of: "fulcrum[", with: "mytag["))
        XCTAssertEqual(comparison.differences(fulcrum: otherTag, haproxy: haproxy).count, 1, "a tag not the program's")
        let otherLevel = try SyslogLine(same.raw.replacingOccurrences(of: "<134>", with: "<131>"))
        XCTAssertEqual(comparison.differences(fulcrum: otherLevel, haproxy: haproxy).count, 1, "the priority")
        XCTAssertEqual(LogLineComparison.fields(of: "a \"b c\" [d e] {f g} "), ["a", "\"b c\"", "[d e]", "{f g}", ""])
    }

    func testCollectorReceivesEveryTransportAndFraming() throws {
        let collector = try startLogCollector()
        let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(udp) }
        var address = LoopbackSocket.address(port: collector.udpPort)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(udp, "<134>udp\n", 9, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        XCTAssertEqual(sent, 9)
        let unix = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(unix) }
        try UnixSocketAddress.with(collector.unixPath) { address, length in
            XCTAssertEqual(sendto(unix, "<134>unix", 9, 0, address, length), 9)
        }
        let tcp = try TCPClient.connect(port: collector.tcpPort)
        defer { tcp.close() }
        try tcp.send("<134>newline framed\n11 <134>o cted<134>second\n")
        XCTAssertEqual(collector.waitForLines(count: 5).count, 5, "\(collector.lines())")
        XCTAssertEqual(collector.lines(from: .udp), ["<134>udp\n"])
        XCTAssertEqual(collector.lines(from: .unixDatagram), ["<134>unix"])
        XCTAssertEqual(collector.lines(from: .tcp), ["<134>newline framed", "<134>o cted", "<134>second"])
        XCTAssertEqual(collector.messages(from: .tcp).map(\.framing), ["newline", "octet-counted", "newline"])
    }
}
