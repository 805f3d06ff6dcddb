import XCTest
@testable import FulcrumNetlink

/// The bytes of the macvlan `use_vmac` makes and of its removal, as
/// `ip link add NAME link PARENT address MAC up type macvlan mode private` sends them.
final class LinkMessageTests: XCTestCase {
    private func u16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }

    func testMacvlanPrivateWithVirtualMAC() {
        let m = MacvlanLinkMessage(name: "vrrp.51", parentIndex: 2, mac: MacvlanLinkMessage.virtualRouterMAC(vrid: 51))
        XCTAssertEqual(m.mac, [0, 0, 0x5e, 0, 1, 0x33])
        let b = m.request(sequence: 3)
        XCTAssertEqual(Int(u16(b, 0)), b.count)
        XCTAssertEqual(u16(b, 4), 16)                      // RTM_NEWLINK
        XCTAssertEqual(u16(b, 6), 0x1 | 0x4 | 0x200 | 0x400)
        // ifinfomsg: family 0, pad, type 0, index 0, flags IFF_UP, change IFF_UP
        XCTAssertEqual(Array(b[16..<32]), [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0])
        XCTAssertEqual(Array(b[32...]), [
            12, 0, 3, 0, 0x76, 0x72, 0x72, 0x70, 0x2e, 0x35, 0x31, 0,  // IFLA_IFNAME "vrrp.51"
            8, 0, 5, 0, 2, 0, 0, 0,                                    // IFLA_LINK 2
            10, 0, 1, 0, 0, 0, 0x5e, 0, 1, 0x33, 0, 0,                 // IFLA_ADDRESS
            28, 0, 18, 0,                                              // IFLA_LINKINFO
            11, 0, 1, 0, 0x6d, 0x61, 0x63, 0x76, 0x6c, 0x61, 0x6e, 0,  //   IFLA_INFO_KIND "macvlan"
            12, 0, 2, 0,                                               //   IFLA_INFO_DATA
            8, 0, 1, 0, 1, 0, 0, 0,                                    //     IFLA_MACVLAN_MODE private
        ])
    }

    func testDelete() {
        let b = MacvlanLinkMessage.deleteRequest(index: 7, sequence: 4)
        XCTAssertEqual(u16(b, 4), 17)                      // RTM_DELLINK
        XCTAssertEqual(u16(b, 6), 0x1 | 0x4)
        XCTAssertEqual(Array(b[16..<32]), [0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(b.count, 32)
    }
}
