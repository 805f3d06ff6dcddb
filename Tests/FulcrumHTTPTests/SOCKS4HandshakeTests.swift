import XCTest
import FulcrumBytes
@testable import FulcrumHTTP

/// The SOCKS4 CONNECT bytes HAProxy 2.6 sends (VN 4, CD 1, port, IPv4,
/// "HAProxy\0") and how it judges the proxy's 8-byte reply (code 90 only).
final class SOCKS4HandshakeTests: XCTestCase {
    private func request(_ ip: IPAddress?, _ port: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0xEE, count: 20)
        let n = out.withUnsafeMutableBytes { SOCKS4Handshake.writeRequest(destination: ip, port: port, into: $0) }
        XCTAssertEqual(n, 16)
        return Array(out[0..<n])
    }

    func testRequestCarriesPortAddressAndHAProxysUserID() {
        XCTAssertEqual(request(IPAddress("192.0.2.7"), 8443),
                       [4, 1, 0x20, 0xFB, 192, 0, 2, 7] + Array("HAProxy".utf8) + [0])
    }

    func testIPv6DestinationIsSentAsZeroAddress() {
        XCTAssertEqual(Array(request(IPAddress("::1"), 80)[2..<8]), [0, 80, 0, 0, 0, 0])
    }

    private func judge(_ bytes: [UInt8]) -> SOCKS4Handshake.Reply {
        bytes.withUnsafeBytes { SOCKS4Handshake.reply($0) }
    }

    func testReplyNeedsEightBytesAndOnlyCode90Grants() {
        XCTAssertEqual(judge([]), .needMore)
        XCTAssertEqual(judge([0, 90, 0, 0, 0, 0, 0]), .needMore)
        XCTAssertEqual(judge([0, 90, 0, 0, 0, 0, 0, 0]), .granted)
        // HAProxy ignores the version byte and what follows the reply.
        XCTAssertEqual(judge([4, 90, 1, 2, 3, 4, 5, 6, 0x48, 0x54]), .granted)
        XCTAssertEqual(judge([0, 91, 0, 0, 0, 0, 0, 0]), .denied(code: 91))
        XCTAssertEqual(judge([0, 92, 0, 0, 0, 0, 0, 0]), .denied(code: 92))
        XCTAssertEqual(SOCKS4Handshake.deniedMessage, "SOCKS4 Proxy deny the request")
    }
}
