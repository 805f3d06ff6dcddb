import XCTest
import FulcrumBytes
@testable import FulcrumNetlink

/// The bytes of RTM_NEWROUTE / RTM_DELROUTE, as `ip route add` sends them
/// (struct rtmsg and attributes as linux/rtnetlink.h lays them out; the
/// namespace lab shows the kernel takes them).
final class RouteMessageTests: XCTestCase {
    private func u16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
    private func u32(_ b: [UInt8], _ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[at + $1]) << (8 * $1) } }

    func testAddWithGatewayDeviceMetricAndTable() {
        var m = RouteMessage(destination: IPv4Address(192, 168, 110, 0), prefixLength: 24)
        m.gateway = IPv4Address(192, 168, 200, 254)
        m.interfaceIndex = 3
        m.metric = 7
        m.table = 100
        let b = m.request(adding: true, sequence: 9)
        XCTAssertEqual(Int(u32(b, 0)), b.count)
        XCTAssertEqual(u16(b, 4), 24)                      // RTM_NEWROUTE
        XCTAssertEqual(u16(b, 6), 0x1 | 0x4 | 0x200 | 0x400) // REQUEST|ACK|EXCL|CREATE
        XCTAssertEqual(u32(b, 8), 9)
        // rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags
        XCTAssertEqual(Array(b[16..<24]), [2, 24, 0, 0, 100, 18, 0, 1])
        XCTAssertEqual(u32(b, 24), 0)
        // attributes: RTA_TABLE, RTA_DST, RTA_GATEWAY, RTA_OIF, RTA_PRIORITY
        XCTAssertEqual(Array(b[28...]), [
            8, 0, 15, 0, 100, 0, 0, 0,
            8, 0, 1, 0, 192, 168, 110, 0,
            8, 0, 5, 0, 192, 168, 200, 254,
            8, 0, 4, 0, 3, 0, 0, 0,
            8, 0, 6, 0, 7, 0, 0, 0,
        ])
    }

    func testDeviceRouteIsLinkScopeAndDeleteIsAnyScope() {
        var m = RouteMessage(destination: IPv4Address(10, 9, 0, 0), prefixLength: 16)
        m.interfaceIndex = 2
        XCTAssertEqual(m.request(adding: true, sequence: 1)[22], 253)
        let del = m.request(adding: false, sequence: 2)
        XCTAssertEqual(u16(del, 4), 25)                    // RTM_DELROUTE
        XCTAssertEqual(u16(del, 6), 0x1 | 0x4)
        XCTAssertEqual(del[22], 255)
    }

    func testBlackholeDefaultRouteInLargeTableHasNoDestination() {
        var m = RouteMessage(destination: IPv4Address(0), prefixLength: 0)
        m.type = 6
        m.table = 1000
        let b = m.request(adding: true, sequence: 1)
        XCTAssertEqual(Array(b[16..<24]), [2, 0, 0, 0, 252, 18, 0, 6])
        XCTAssertEqual(Array(b[28...]), [8, 0, 15, 0, 0xe8, 0x03, 0, 0])
    }

    func testSourceMetricsAndMultipath() {
        var m = RouteMessage(destination: IPv4Address(192, 168, 113, 0), prefixLength: 24)
        m.source = IPv4Address(192, 168, 100, 1)
        m.mtu = 1400
        m.nextHops = [.init(gateway: IPv4Address(192, 168, 100, 252), interfaceIndex: 4),
                      .init(gateway: IPv4Address(192, 168, 100, 253), weight: 3, onlink: true)]
        let b = m.request(adding: true, sequence: 1)
        XCTAssertEqual(b[22], 0, "a gateway route is global scope")
        XCTAssertEqual(Array(b[28...]), [
            8, 0, 15, 0, 254, 0, 0, 0,
            8, 0, 1, 0, 192, 168, 113, 0,
            8, 0, 7, 0, 192, 168, 100, 1,
            12, 0, 8, 0, 8, 0, 2, 0, 0x78, 0x05, 0, 0,         // RTA_METRICS { RTAX_MTU 1400 }
            36, 0, 9, 0,                                       // RTA_MULTIPATH
            16, 0, 0, 0, 4, 0, 0, 0, 8, 0, 5, 0, 192, 168, 100, 252,
            16, 0, 4, 2, 0, 0, 0, 0, 8, 0, 5, 0, 192, 168, 100, 253,
        ])
    }
}
