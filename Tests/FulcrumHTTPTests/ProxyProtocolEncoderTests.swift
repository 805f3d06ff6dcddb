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

    private func v2(_ s: String?, _ sp: Int, _ d: String?, _ dp: Int, alpn: String? = nil) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: ProxyProtocolEncoder.maximumLength)
        let alpnBytes = alpn.map { Array($0.utf8) } ?? []
        let n = buffer.withUnsafeMutableBytes { out in
            alpnBytes.withUnsafeBytes { a in
                ProxyProtocolEncoder.writeV2(source: s.flatMap(IPAddress.init), sourcePort: sp,
                                             destination: d.flatMap(IPAddress.init), destinationPort: dp,
                                             alpn: alpn == nil ? nil : a, into: out)
            }
        }
        return Array(buffer.prefix(n))
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
