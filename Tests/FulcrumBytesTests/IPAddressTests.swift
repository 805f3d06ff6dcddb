import XCTest
import FulcrumBytes

final class IPAddressTests: XCTestCase {
    func testIPv4Literals() {
        XCTAssertEqual(IPv4Address("10.1.2.3")?.value, 0x0A01_0203)
        XCTAssertEqual(IPv4Address(ascii: Array("192.168.0.1".utf8)[...]), IPv4Address(192, 168, 0, 1))
        for bad in ["10.1.2", "10.1.2.256", "10.0.0.1.", "10.0..1", "1.2.3.4.5", "1.2.3.0004", "", "a.b.c.d", " 1.2.3.4"] {
            XCTAssertNil(IPv4Address(bad), bad)
        }
        XCTAssertEqual(IPv4Address(255, 255, 255, 255).description, "255.255.255.255")
        XCTAssertEqual(IPv4Address(10, 0, 0, 1).description, "10.0.0.1")
        XCTAssertEqual(IPv4Address(networkOrder: IPv4Address(1, 2, 3, 4).networkOrder), IPv4Address(1, 2, 3, 4))
        XCTAssertTrue(IPv4Address(224, 0, 0, 18).isMulticast)
        XCTAssertLessThan(IPv4Address(10, 0, 0, 1), IPv4Address(10, 0, 0, 2))
    }

    func testIPv6Literals() {
        XCTAssertEqual(IPv6Address("::1")?.bytes, Array(repeating: 0, count: 15) + [1])
        XCTAssertEqual(IPv6Address("fe80::")?.bytes, [0xfe, 0x80] + Array(repeating: 0, count: 14))
        XCTAssertEqual(IPv6Address("::ffff:10.0.0.1")?.ipv4Mapped, IPv4Address(10, 0, 0, 1))
        XCTAssertEqual(IPv6Address("1:2:3:4:5:6:10.0.0.1").map { Array($0.bytes.suffix(4)) }, [10, 0, 0, 1])
        XCTAssertEqual(IPv6Address("::"), IPv6Address(high: 0, low: 0))
        XCTAssertEqual(IPv6Address("2001:DB8::1"), IPv6Address("2001:db8:0:0:0:0:0:1"))
        for bad in ["1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6::10.0.0.1", "1:::2", "10.0.0.1::1", "+1::", "12345::",
                    ":1", "1:", "1:2:3:4:5:6:7:8:9", "1.2.3.4", "", ":"] {
            XCTAssertNil(IPv6Address(bad), bad)
        }
    }

    /// inet_ntop's text, which HAProxy prints for an IPv6 sample.
    func testIPv6Text() {
        let cases = [
            "2001:db8:0:0:1:0:0:1": "2001:db8::1:0:0:1", "::1": "::1", "::": "::", "1::": "1::",
            "::ffff:192.168.1.10": "::ffff:192.168.1.10", "::1.2.3.4": "::1.2.3.4",
            "fe80:0:0:0:0:0:0:a": "fe80::a", "1:0:0:2:0:0:0:3": "1:0:0:2::3", "1:2:3:4:5:6:7:8": "1:2:3:4:5:6:7:8",
            "1:0:2:3:4:5:6:7": "1:0:2:3:4:5:6:7", "abcd:ef01::": "abcd:ef01::",
        ]
        for (input, text) in cases { XCTAssertEqual(IPv6Address(input)?.description, text, input) }
    }

    func testEitherFamily() {
        XCTAssertEqual(IPAddress("127.0.0.1"), .v4(IPv4Address(127, 0, 0, 1)))
        XCTAssertEqual(IPAddress("::1")?.isIPv4, false)
        XCTAssertNil(IPAddress("localhost"))
        let v4: [UInt8] = [192, 0, 2, 7]
        XCTAssertEqual(v4.withUnsafeBytes { IPAddress(networkBytes: $0) }, IPAddress("192.0.2.7"))
        let v6 = IPv6Address("2001:db8::7")!.bytes
        XCTAssertEqual(v6.withUnsafeBytes { IPAddress(networkBytes: $0) }?.description, "2001:db8::7")
        XCTAssertNil([UInt8](repeating: 0, count: 5).withUnsafeBytes { IPAddress(networkBytes: $0) })
        var out: [UInt8] = Array("for=".utf8)
        IPAddress("10.9.8.7")!.appendText(to: &out)
        XCTAssertEqual(String(decoding: out, as: UTF8.self), "for=10.9.8.7")
        XCTAssertEqual(IPAddress("10.9.8.7")!.mappedIPv6, IPv6Address("::ffff:10.9.8.7"))
    }

    func testNetworks() {
        let lan = IPNetwork("192.168.0.0/16")!
        XCTAssertTrue(lan.contains(IPAddress("192.168.1.10")!))
        XCTAssertFalse(lan.contains(IPAddress("192.169.1.10")!))
        XCTAssertTrue(lan.contains(IPAddress("::ffff:192.168.1.10")!), "an IPv4-mapped client is in an IPv4 network")
        XCTAssertTrue(IPNetwork("::ffff:10.0.0.0/104")!.contains(IPAddress("10.1.1.1")!))
        XCTAssertTrue(IPNetwork("192.168.1.0/255.255.255.0")!.contains(IPAddress("192.168.1.99")!))
        XCTAssertNil(IPNetwork("192.168.1.0/255.0.255.0"), "a mask must be contiguous ones")
        XCTAssertTrue(IPNetwork("0.0.0.0/0.0.0.0")!.contains(IPAddress("8.8.8.8")!))
        XCTAssertTrue(IPNetwork("10.0.0.1")!.contains(IPAddress("10.0.0.1")!))
        XCTAssertFalse(IPNetwork("10.0.0.1")!.contains(IPAddress("10.0.0.2")!))
        XCTAssertTrue(IPNetwork("2001:db8::/32")!.contains(IPAddress("2001:db8:0:1::5")!))
        XCTAssertFalse(IPNetwork("2001:db8::/32")!.contains(IPAddress("2001:db9::5")!))
        XCTAssertTrue(IPNetwork("2001:db8::/64")!.contains(IPAddress("2001:db8::7")!))
        XCTAssertFalse(IPNetwork("2001:db8::/65")!.contains(IPAddress("2001:db8:0:0:8000::")!))
        XCTAssertFalse(IPNetwork("192.168.0.0/16")!.contains(IPAddress("2001:db8::1")!))
        XCTAssertTrue(IPNetwork("::/0")!.contains(IPAddress("1.2.3.4")!))
        for bad in ["10.0.0.0/33", "::/129", "not-an-ip", "10.0.0.0/", "10.0.0.0/x", "::1/255.0.0.0"] {
            XCTAssertNil(IPNetwork(bad), bad)
        }
        XCTAssertEqual(IPNetwork("10.1.2.3/8")!.description, "10.0.0.0/8")
        XCTAssertEqual(IPNetwork("2001:db8::1/32")!.description, "2001:db8::/32")
    }
}
