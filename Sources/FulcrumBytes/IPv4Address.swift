/// An IPv4 address as a number in host order (10.0.0.1 is 0x0A00_0001): a
/// plain value (no heap), ordered as VRRP's "higher address wins" compares,
/// parsed from and written to ASCII without a String.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    @inlinable public init(_ value: UInt32) { self.value = value }
    @inlinable public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }
    /// From the value of an in_addr's s_addr (network order in memory).
    @inlinable public init(networkOrder: UInt32) { value = UInt32(bigEndian: networkOrder) }
    /// Reads 4 bytes in network order, e.g. from a packet or a sockaddr.
    @inlinable public init(networkBytes bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.init(networkOrder: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// A strict dotted quad: four decimal parts of one to three digits, each
    /// 0...255; no shorthand forms, no host names.
    public init?<S: StringProtocol>(_ text: S) { self.init(ascii: text.utf8) }

    /// The same, from ASCII bytes (a sample, a header value).
    public init?<C: Collection>(ascii bytes: C) where C.Element == UInt8 {
        guard let v = bytes.withContiguousBytes(IPv4Address.parse) else { return nil }
        self = v
    }

    @usableFromInline
    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> IPv4Address? {
        var value: UInt32 = 0, part: UInt32 = 0, digits = 0, dots = 0
        for c in b {
            if c == 0x2E {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | part
                part = 0; digits = 0; dots += 1
            } else {
                guard ASCII.isDigit(c), digits < 3 else { return nil }
                part = part * 10 + UInt32(c - 0x30)
                digits += 1
                guard part <= 255 else { return nil }
            }
        }
        guard digits > 0, dots == 3 else { return nil }
        return IPv4Address(value << 8 | part)
    }

    /// The value as stored in an in_addr (s_addr).
    @inlinable public var networkOrder: UInt32 { value.bigEndian }
    public var octets: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
    @inlinable public var isMulticast: Bool { value >> 28 == 0xE }

    public static let any = IPv4Address(0)
    /// 224.0.0.18, the group VRRP advertisements go to (RFC 3768 and 5798,
    /// keepalived's default vrrp_mcast_group4) unless unicast peers are configured.
    public static let vrrpMulticast = IPv4Address(224, 0, 0, 18)

    @inlinable public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }

    /// Longest text: "255.255.255.255".
    public static let maximumTextLength = 15

    /// Writes the dotted quad at `out` (at least `maximumTextLength` bytes); returns the count.
    @inlinable
    public func writeText(to out: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        for shift in stride(from: 24, through: 0, by: -8) {
            if shift != 24 { out[n] = 0x2E; n += 1 }
            n += DecimalText.write(Int64(value >> UInt32(shift) & 0xff), to: out + n)
        }
        return n
    }

    public var description: String {
        String(unsafeUninitializedCapacity: IPv4Address.maximumTextLength) { writeText(to: $0.baseAddress!) }
    }
}
