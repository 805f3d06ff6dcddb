import XCTest
import FulcrumBytes
@testable import FulcrumHTTP

/// Every v1 and v2 form of the PROXY header `accept-proxy` reads, and each
/// way one is refused, with the error HAProxy's conn_recv_proxy gives.
final class ProxyProtocolHeaderTests: XCTestCase {
    private func decode(_ bytes: [UInt8]) -> Result<ProxyProtocolHeader, ProxyProtocolError> {
        bytes.withUnsafeBytes { ProxyProtocolHeader.decode($0) }
    }
    private func decode(_ text: String) -> Result<ProxyProtocolHeader, ProxyProtocolError> { decode(Array(text.utf8)) }

    private func header(_ r: Result<ProxyProtocolHeader, ProxyProtocolError>, file: StaticString = #filePath,
                        line: UInt = #line) -> ProxyProtocolHeader? {
        switch r {
        case .success(let h): return h
        case .failure(let e): XCTFail("refused: \(e)", file: file, line: line); return nil
        }
    }
    private func error(_ r: Result<ProxyProtocolHeader, ProxyProtocolError>) -> ProxyProtocolError? {
        if case .failure(let e) = r { return e }
        return nil
    }

    /// A v2 header: signature, version 2 + command, family, length, body.
    private func v2(command: UInt8 = 0x1, family: UInt8, body: [UInt8]) -> [UInt8] {
        ProxyProtocolHeader.v2Signature + [0x20 | command, family, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }
    private let v4Body: [UInt8] = [192, 0, 2, 9, 198, 51, 100, 7, 0x30, 0x39, 0x00, 0x50]   // :12345 → :80

    // MARK: v1

    func testV1TCP4() {
        let text = "PROXY TCP4 192.0.2.9 198.51.100.7 12345 80\r\n"
        guard let h = header(decode(text + "GET / HTTP/1.1\r\n")) else { return }
        XCTAssertEqual(h, ProxyProtocolHeader(version: 1, length: text.utf8.count, source: IPAddress("192.0.2.9"),
                                              sourcePort: 12345, destination: IPAddress("198.51.100.7"), destinationPort: 80))
    }

    func testV1TCP6() {
        let text = "PROXY TCP6 2001:db8::9 2001:db8::1:7 65535 443\r\n"
        guard let h = header(decode(text)) else { return }
        XCTAssertEqual(h.source, IPAddress("2001:db8::9"))
        XCTAssertEqual(h.destination, IPAddress("2001:db8::1:7"))
        XCTAssertEqual(h.sourcePort, 65535)
        XCTAssertEqual(h.destinationPort, 443)
        XCTAssertEqual(h.length, text.utf8.count)
    }

    func testV1LongestLineIsAccepted() {
        let text = "PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"
        XCTAssertEqual(text.utf8.count, 104)
        XCTAssertEqual(header(decode(text))?.length, 104)
    }

    func testV1UnknownKeepsTheConnectionAddresses() {
        guard let h = header(decode("PROXY UNKNOWN\r\nrest")) else { return }
        XCTAssertEqual(h, ProxyProtocolHeader(version: 1, length: 15))
        // HAProxy takes "UNKNOWN\r\n" only.
        XCTAssertEqual(error(decode("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")), .badProtocol)
    }

    func testV1Refusals() {
        XCTAssertEqual(error(decode("PROXY UDP4 192.0.2.9 198.51.100.7 1 2\r\n")), .badProtocol)
        XCTAssertEqual(error(decode("PROXY TCP4 192.0.2.9  198.51.100.7 1 2\r\n")), .badHeader, "two spaces")
        XCTAssertEqual(error(decode("PROXY TCP4 192.0.2.9 198.51.100.7 1\r\n")), .badHeader, "a field missing")
        XCTAssertEqual(error(decode("PROXY TCP4 192.0.2.9 198.51.100.7 1 2 3\r\n")), .badHeader, "a field too many")
        XCTAssertEqual(error(decode("PROXY TCP4 192.0.2.999 198.51.100.7 1 2\r\n")), .badHeader)
        XCTAssertEqual(error(decode("PROXY TCP4 2001:db8::1 198.51.100.7 1 2\r\n")), .badHeader, "v6 in TCP4")
        XCTAssertEqual(error(decode("PROXY TCP6 192.0.2.9 2001:db8::1 1 2\r\n")), .badHeader, "v4 in TCP6")
        XCTAssertEqual(error(decode("PROXY TCP4 192.0.2.9 198.51.100.7 65536 2\r\n")), .badHeader, "port")
        XCTAssertEqual(error(decode("PROXY TCP4 192.0.2.9 198.51.100.7 -1 2\r\n")), .badHeader)
        XCTAssertEqual(error(decode("PROXY TCP4 192.0.2.9 198.51.100.7 1 2\n")), .badHeader, "LF without CR")
    }

    func testV1Truncated() {
        XCTAssertEqual(error(decode("PROXY TCP4 192.0.2.9 198.51.100.7 123")), .truncated)
        XCTAssertEqual(error(decode("PROX")), .truncated)
        XCTAssertEqual(error(decode("PROXY ")), .truncated)
    }

    func testV1TooLong() {
        let long = "PROXY TCP6 " + String(repeating: "f", count: 120) + "\r\n"
        XCTAssertEqual(error(decode(long)), .badHeader)
    }

    // MARK: v2

    func testV2TCP4() {
        let bytes = v2(family: 0x11, body: v4Body)
        guard let h = header(decode(bytes + Array("GET".utf8))) else { return }
        XCTAssertEqual(h, ProxyProtocolHeader(version: 2, length: 28, source: IPAddress("192.0.2.9"), sourcePort: 12345,
                                              destination: IPAddress("198.51.100.7"), destinationPort: 80))
    }

    func testV2TCP6() {
        var body: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [9]
        body += [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [7]
        body += [0x01, 0xBB, 0x00, 0x50]
        guard let h = header(decode(v2(family: 0x21, body: body))) else { return }
        XCTAssertEqual(h.source, IPAddress("2001:db8::9"))
        XCTAssertEqual(h.destination, IPAddress("2001:db8::7"))
        XCTAssertEqual(h.sourcePort, 443)
        XCTAssertEqual(h.destinationPort, 80)
        XCTAssertEqual(h.length, 52)
    }

    func testV2LocalKeepsTheConnectionAddresses() {
        let bytes = v2(command: 0x0, family: 0x00, body: [])
        XCTAssertEqual(header(decode(bytes)), ProxyProtocolHeader(version: 2, length: 16))
        // LOCAL with an address block (a health check's): skipped whole.
        XCTAssertEqual(header(decode(v2(command: 0x0, family: 0x11, body: v4Body)))?.length, 28)
        XCTAssertNil(header(decode(v2(command: 0x0, family: 0x11, body: v4Body)))?.source)
    }

    func testV2OtherFamiliesKeepTheConnectionAddresses() {
        let unix = v2(family: 0x31, body: Array(repeating: 0x41, count: 216))
        XCTAssertEqual(header(decode(unix)), ProxyProtocolHeader(version: 2, length: 232))
        XCTAssertEqual(header(decode(v2(family: 0x12, body: v4Body)))?.source, nil, "UDP over IPv4")
    }

    func testV2TLVsAreSkipped() {
        let alpn: [UInt8] = [0x01, 0x00, 0x02] + Array("h2".utf8)
        let authority: [UInt8] = [0x02, 0x00, 0x0B] + Array("example.com".utf8)
        let noop: [UInt8] = [0x04, 0x00, 0x03, 0, 0, 0]
        let ssl: [UInt8] = [0x20, 0x00, 0x05, 0x01, 0, 0, 0, 0]
        let bytes = v2(family: 0x11, body: v4Body + alpn + authority + noop + ssl)
        guard let h = header(decode(bytes + [0x16, 0x03, 0x01])) else { return }
        XCTAssertEqual(h.length, bytes.count)
        XCTAssertEqual(h.source, IPAddress("192.0.2.9"))
    }

    func testV2CRC32C() {
        var bytes = v2(family: 0x11, body: v4Body + [0x03, 0x00, 0x04, 0, 0, 0, 0])
        let crc = bytes.withUnsafeBytes { CRC32C.checksum($0, count: $0.count) }
        bytes.replaceSubrange(31..<35, with: [UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8(crc & 0xFF)])
        XCTAssertEqual(header(decode(bytes))?.length, 35)
        bytes[20] ^= 1   // the destination changed in transit
        XCTAssertEqual(error(decode(bytes)), .badHeader)
        // The reference value of CRC-32C("123456789").
        XCTAssertEqual(Array("123456789".utf8).withUnsafeBytes { CRC32C.checksum($0, count: 9) }, 0xE306_9283)
    }

    func testV2Refusals() {
        var badSignature = v2(family: 0x11, body: v4Body)
        badSignature[7] = 0x52
        XCTAssertEqual(error(decode(badSignature)), .notHeader)
        var version1 = v2(family: 0x11, body: v4Body)
        version1[12] = 0x11
        XCTAssertEqual(error(decode(version1)), .notHeader, "version other than 2")
        XCTAssertEqual(error(decode(v2(command: 0x2, family: 0x11, body: v4Body))), .badHeader, "command 2")
        XCTAssertEqual(error(decode(v2(family: 0x11, body: Array(v4Body.prefix(8))))), .badHeader, "short address block")
        XCTAssertEqual(error(decode(v2(family: 0x21, body: v4Body))), .badHeader, "IPv4 block for TCP6")
        XCTAssertEqual(error(decode(v2(family: 0x11, body: v4Body + [0x04, 0x00]))), .badHeader, "a cut TLV header")
        XCTAssertEqual(error(decode(v2(family: 0x11, body: v4Body + [0x04, 0x00, 0x09, 1]))), .badHeader, "a TLV past the end")
        XCTAssertEqual(error(decode(v2(family: 0x11, body: v4Body + [0x03, 0x00, 0x02, 0, 0]))), .badHeader, "CRC32C of 2 bytes")
        let longAuthority: [UInt8] = [0x02, 0x01, 0x00] + Array(repeating: 0x61, count: 256)
        XCTAssertEqual(error(decode(v2(family: 0x11, body: v4Body + longAuthority))), .badHeader, "authority over 255")
        XCTAssertEqual(error(decode(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))), .notHeader)
    }

    func testV2Truncated() {
        let bytes = v2(family: 0x11, body: v4Body)
        XCTAssertEqual(error(decode(Array(bytes.prefix(27)))), .truncated)
        XCTAssertEqual(error(decode(Array(bytes.prefix(15)))), .truncated)
        // A length announcing more than arrived (up to 64 KiB) is a cut header too.
        let announcing100 = ProxyProtocolHeader.v2Signature + [0x21, 0x11, 0x00, 100] + v4Body
        XCTAssertEqual(error(decode(announcing100)), .truncated)
    }

    /// HAProxy has set the session's addresses when a v2 header's TLVs
    /// fail: its log line names the carried client.
    func testAddressesTakenBeforeABadTLV() {
        var h = ProxyProtocolHeader(version: 0, length: 0)
        let bad = v2(family: 0x11, body: v4Body + [0x04, 0x00, 0x09, 1])
        let e = bad.withUnsafeBytes { ProxyProtocolHeader.decode($0, into: &h) }
        XCTAssertEqual(e, .badHeader)
        XCTAssertEqual(h.source, IPAddress("192.0.2.9"))
        XCTAssertEqual(h.sourcePort, 12345)
        let notHeader = Array("GET / HTTP/1.1\r\n\r\n".utf8)
        XCTAssertEqual(notHeader.withUnsafeBytes { ProxyProtocolHeader.decode($0, into: &h) }, .notHeader)
        XCTAssertNil(h.source)
    }

    func testEmptyAndHAProxyMessages() {
        XCTAssertEqual(error(decode([UInt8]())), .empty)
        XCTAssertEqual(ProxyProtocolError.notHeader.message,
                       "Received something which does not look like a PROXY protocol header")
        XCTAssertTrue(ProxyProtocolError.empty.isNull)
        XCTAssertFalse(ProxyProtocolError.badHeader.isNull)
    }
}
