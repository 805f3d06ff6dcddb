import XCTest
import FulcrumBytes
@testable import FulcrumNetlink

/// The bytes of RTM_NEWRULE / RTM_DELRULE, as `ip rule add` sends them.
final class RuleMessageTests: XCTestCase {
    private func u16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }

    func testFromTableWithPriority() {
        var m = RuleMessage(priority: 16384)
        m.source = .init(IPv4Address(192, 168, 100, 0), 24)
        m.table = 1
        let b = m.request(adding: true, sequence: 5)
        XCTAssertEqual(u16(b, 4), 32)                      // RTM_NEWRULE
        XCTAssertEqual(u16(b, 6), 0x1 | 0x4 | 0x200 | 0x400)
        // fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action, flags
        XCTAssertEqual(Array(b[16..<28]), [2, 0, 24, 0, 1, 0, 0, 1, 0, 0, 0, 0])
        XCTAssertEqual(Array(b[28...]), [
            8, 0, 6, 0, 0x00, 0x40, 0, 0,                  // FRA_PRIORITY 16384
            8, 0, 15, 0, 1, 0, 0, 0,                       // FRA_TABLE 1
            8, 0, 2, 0, 192, 168, 100, 0,                  // FRA_SRC
        ])
    }

    func testInvertedBlackholeWithInterfacesAndMark() {
        var m = RuleMessage(priority: 100)
        m.action = 6
        m.invert = true
        m.destination = .init(IPv4Address(10, 0, 0, 0), 8)
        m.inputInterface = "eth0"
        m.outputInterface = "vrf1"
        m.fwmark = 0x10
        m.fwmask = 0xff
        let b = m.request(adding: false, sequence: 1)
        XCTAssertEqual(u16(b, 4), 33)                      // RTM_DELRULE
        XCTAssertEqual(Array(b[16..<28]), [2, 8, 0, 0, 0, 0, 0, 6, 2, 0, 0, 0])
        XCTAssertEqual(Array(b[28...]), [
            8, 0, 6, 0, 100, 0, 0, 0,
            8, 0, 1, 0, 10, 0, 0, 0,                       // FRA_DST
            9, 0, 3, 0, 0x65, 0x74, 0x68, 0x30, 0, 0, 0, 0, // FRA_IIFNAME "eth0"
            9, 0, 17, 0, 0x76, 0x72, 0x66, 0x31, 0, 0, 0, 0, // FRA_OIFNAME "vrf1"
            8, 0, 10, 0, 0x10, 0, 0, 0,
            8, 0, 16, 0, 0xff, 0, 0, 0,
        ])
    }
}
