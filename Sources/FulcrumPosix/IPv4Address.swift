import Glibc

/// An IPv4 address as a number in host order (10.0.0.1 is 0x0A00_0001), so that
/// VRRP's "higher address wins" is a plain comparison and no sockaddr is needed
/// until a system call.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }
    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }
    /// From the 4 bytes of an in_addr / packet field (network order in memory).
    public init(networkOrder: UInt32) { value = UInt32(bigEndian: networkOrder) }
    /// Dotted quad only ("10.0.0.1"); no host names, no shorthand forms.
    public init?(_ text: String) {
        var a = in_addr()
        guard inet_pton(AF_INET, text, &a) == 1 else { return nil }
        self.init(networkOrder: a.s_addr)
    }
    /// Reads 4 bytes in network order, e.g. from a packet.
    public init(bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.init(networkOrder: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// The value as stored in an in_addr (s_addr).
    public var networkOrder: UInt32 { value.bigEndian }
    public var octets: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
    public var isMulticast: Bool { value >> 28 == 0xE }

    /// The VRRP multicast group (RFC 3768 and 5798), keepalived's default vrrp_mcast_group4.
    public static let vrrpMulticast = IPv4Address(224, 0, 0, 18)
    public static let any = IPv4Address(0)

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }
}
