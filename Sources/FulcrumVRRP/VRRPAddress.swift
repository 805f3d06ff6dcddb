/// An IPv4 address as VRRP carries it: a primary source address, an advert's destination, or
/// a virtual address in the advert's list. Held in host byte order so that comparing two values
/// orders them as keepalived does when equal priorities are broken by the higher source address.
public struct VRRPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The address in host byte order: 10.0.0.1 is 0x0A00_0001.
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses a dotted quad ("192.168.1.10"); nil for anything else.
    public init?(_ text: Substring) {
        var result: UInt32 = 0
        var octets = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= 3, let octet = UInt8(part) else { return nil }
            result = result << 8 | UInt32(octet)
            octets += 1
        }
        guard octets == 4 else { return nil }
        value = result
    }

    public init?(_ text: String) { self.init(Substring(text)) }

    /// 224.0.0.18, the group VRRP advertisements go to unless unicast peers are configured.
    public static let multicastGroup = VRRPAddress(224, 0, 0, 18)

    /// True for 224.0.0.0/4: keepalived drops an advert whose destination kind (multicast or
    /// unicast) is not the one the instance uses.
    public var isMulticast: Bool { value >> 28 == 0xE }

    public static func < (lhs: VRRPAddress, rhs: VRRPAddress) -> Bool { lhs.value < rhs.value }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }
}
