import XCTest
import FulcrumBytes
@testable import FulcrumHTTP

/// What `send-proxy` / `send-proxy-v2` write (the bytes haproxy 2.6 writes
/// for the same endpoints are compared in SideBySideSendProxyTests), and
/// that the decoder reads them back.
final class ProxyProtocolEncoderTests: XCTestCase {
    private func v1(_ s: String?, _ sp: Int, _ d: String?, _ dp: Int) -> String {
        var buffer = [UInt8](repeating: 0, count: ProxyProtocolEncoder.maximumLength)
        let n = buffer.withUnsafeMutableBytes {
            ProxyProtocolEncoder.writeV1(source: s.flatMap(IPAddress.init), sourcePort: sp,
                                         destination: d.flatMap(IPAddress.init), destinationPort: dp, into: $0)
        }
        return String(decoding: buffer.prefix(n), as: UTF8.self)
    }

    private func v2(_ s: String?, _ sp: Int, _ d: String?, _ dp: Int, alpn: String? = nil,
                    extras: ProxyProtocolEncoder.V2Extras = .init()) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: ProxyProtocolEncoder.maximumLength)
        var e = extras
        if let alpn { e.alpn = Array(alpn.utf8)[...] }
        let n = buffer.withUnsafeMutableBytes { out in
            ProxyProtocolEncoder.writeV2(source: s.flatMap(IPAddress.init), sourcePort: sp,
                                         destination: d.flatMap(IPAddress.init), destinationPort: dp, extras: e, into: out)
        }
        return Array(buffer.prefix(n))
    }

    /// CRC32C first (its checksum over the whole header), then ALPN,
    /// AUTHORITY, UNIQUE_ID and SSL with its sub-TLVs, as HAProxy orders them;
    /// the decoder accepts the result (it checks the CRC).
    func testV2TLVs() {
        var e = ProxyProtocolEncoder.V2Extras()
        e.crc32c = true
        e.authority = Array("a.test".utf8)[...]
        e.uniqueID = [][...]
        var ssl = ProxyProtocolEncoder.V2Extras.SSL()
        ssl.client = 1
        ssl.version = Array("TLSv1.3".utf8)[...]
        ssl.cipher = Array("TLS_AES_256_GCM_SHA384".utf8)[...]
        e.ssl = ssl
        let bytes = v2("192.0.2.9", 1, "198.51.100.7", 2, alpn: "h2", extras: e)
        let tlvs = Array(bytes[28...])
        XCTAssertEqual(Array(tlvs[0..<3]), [0x03, 0, 4])
        XCTAssertEqual(Array(tlvs[7..<12]), [0x01, 0, 2, 0x68, 0x32])
        XCTAssertEqual(Array(tlvs[12..<15]), [0x02, 0, 6])
        XCTAssertEqual(Array(tlvs[21..<24]), [0x05, 0, 0], "an empty unique id")
        XCTAssertEqual(tlvs[24], 0x20)
        XCTAssertEqual(Array(tlvs[27..<32]), [1, 0, 0, 0, 0], "client SSL, verify 0")
        XCTAssertEqual(Array(tlvs[32..<35]), [0x21, 0, 7])
        let ssLength = Int(tlvs[25]) << 8 | Int(tlvs[26])
        XCTAssertEqual(ssLength, 5 + 3 + 7 + 3 + 22)
        XCTAssertEqual(bytes.count, 28 + 27 + ssLength)
        let decoded = bytes.withUnsafeBytes { ProxyProtocolHeader.decode($0) }
        XCTAssertEqual((try? decoded.get())?.length, bytes.count, "the CRC32C checks out")
    }

    func testV1() {
        XCTAssertEqual(v1("192.0.2.9", 40000, "198.51.100.7", 80), "PROXY TCP4 192.0.2.9 198.51.100.7 40000 80\r\n")
        XCTAssertEqual(v1("2001:db8::9", 1, "2001:db8::1", 65535), "PROXY TCP6 2001:db8::9 2001:db8::1 1 65535\r\n")
        XCTAssertEqual(v1("192.0.2.9", 0, "2001:db8::1", 443), "PROXY TCP6 ::ffff:192.0.2.9 2001:db8::1 0 443\r\n")
        XCTAssertEqual(v1(nil, 0, "198.51.100.7", 80), "PROXY UNKNOWN\r\n")
    }

    func testV2RoundTrips() {
        let bytes = v2("192.0.2.9", 40000, "198.51.100.7", 80)
        XCTAssertEqual(bytes, ProxyProtocolHeader.v2Signature + [0x21, 0x11, 0, 12, 192, 0, 2, 9, 198, 51, 100, 7, 0x9C, 0x40, 0, 80])
        let six = v2("2001:db8::9", 1, "192.0.2.1", 2, alpn: "h2")
        XCTAssertEqual(six.count, 16 + 36 + 5)
        let decoded = six.withUnsafeBytes { ProxyProtocolHeader.decode($0) }
        XCTAssertEqual(try? decoded.get(), ProxyProtocolHeader(version: 2, length: 57, source: IPAddress("2001:db8::9"),
                                                                sourcePort: 1, destination: IPAddress("::ffff:192.0.2.1"),
                                                                destinationPort: 2))
        XCTAssertEqual(v2(nil, 0, nil, 0), ProxyProtocolHeader.v2Signature + [0x20, 0x00, 0, 0])
    }
}
