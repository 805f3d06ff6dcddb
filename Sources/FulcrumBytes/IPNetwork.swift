/// An address and a prefix length, as ACL patterns, `option forwardfor
/// except` and keepalived addresses write them: "a.b.c.d", "a.b.c.d/24",
/// "a.b.c.d/255.255.0.0", "::1", "2001:db8::/32". Held in the IPv6 form
/// (IPv4 mapped, prefix + 96), so an IPv4 network matches an IPv4-mapped
/// client and a network written in mapped form matches an IPv4 client, as
/// in HAProxy.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The network's address with its host bits cleared.
    public private(set) var address: IPv6Address
    /// 0...128 over the IPv6 form.
    public private(set) var prefixLength: Int
    /// Written as IPv4 (for the text form).
    public let isIPv4: Bool

    public init(_ address: IPAddress, prefixLength: Int) {
        isIPv4 = address.isIPv4
        self.prefixLength = isIPv4 ? 96 + min(32, max(0, prefixLength)) : min(128, max(0, prefixLength))
        self.address = address.mappedIPv6
        self.address = masked(self.address)
    }

    /// Parses the forms above; nil when the address, the length or the mask
    /// is invalid (a dotted mask must be contiguous ones).
    public init?<S: StringProtocol>(_ text: S) {
        let slash = text.firstIndex(of: "/")
        guard let address = IPAddress(text[text.startIndex..<(slash ?? text.endIndex)]) else { return nil }
        var prefix = address.isIPv4 ? 32 : 128
        if let slash {
            let m = text[text.index(after: slash)...]
            if !m.isEmpty, m.utf8.allSatisfy(ASCII.isDigit), m.utf8.count <= 3, let n = Int(m) {
                guard n <= prefix else { return nil }
                prefix = n
            } else if address.isIPv4, let mask = IPv4Address(m) {
                let v = mask.value
                let ones = (~v).leadingZeroBitCount
                guard ones == 32 || v << UInt32(ones) == 0 else { return nil }
                prefix = ones
            } else {
                return nil
            }
        }
        self.init(address, prefixLength: prefix)
    }

    @inlinable
    func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? ~0 : ~0 << UInt64(64 - bits) }

    func masked(_ a: IPv6Address) -> IPv6Address {
        IPv6Address(high: a.high & mask(prefixLength), low: a.low & mask(prefixLength - 64))
    }

    /// True when `a` lies in this network (IPv4 compared in mapped form).
    @inlinable
    public func contains(_ a: IPAddress) -> Bool {
        let v = a.mappedIPv6
        return v.high & mask(prefixLength) == address.high && v.low & mask(prefixLength - 64) == address.low
    }

    public var description: String {
        if isIPv4, let v4 = address.ipv4Mapped { return "\(v4)/\(prefixLength - 96)" }
        return "\(address)/\(prefixLength)"
    }
}
