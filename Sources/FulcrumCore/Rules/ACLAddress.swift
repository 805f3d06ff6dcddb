import FulcrumConfig

/// IP addresses and networks as ACL patterns and samples use them. Both
/// families are held as 16 bytes, IPv4 in its IPv4-mapped IPv6 form
/// (::ffff:a.b.c.d), so an IPv4 pattern matches an IPv4-mapped client and an
/// IPv6 pattern written in mapped form matches an IPv4 client, as in HAProxy.
public struct ACLNetwork: Equatable, Sendable {
    public var address: [UInt8]   // 16 bytes
    public var prefixLength: Int   // 0...128 over the 16 bytes

    /// Parses "a.b.c.d", "a.b.c.d/24", "a.b.c.d/255.255.0.0", "::1", "2001:db8::/32".
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let addr = ACLNetwork.parseAddress(String(first)) else { return nil }
        let isV4 = addr.isV4
        var prefix = isV4 ? 32 : 128
        if parts.count == 2 {
            let m = String(parts[1])
            if let n = Int(m) {
                guard n >= 0, n <= (isV4 ? 32 : 128) else { return nil }
                prefix = n
            } else if isV4, let v = IPLiteral.ipv4(m) {
                // Dotted mask: must be contiguous ones.
                let ones = v.leadingZeroBitCount == 0 ? (~v).leadingZeroBitCount : 0
                guard v == 0 || (v << UInt32(ones)) == 0 else { return nil }
                prefix = v == 0 ? 0 : ones
            } else { return nil }
        }
        self.address = addr.bytes16
        self.prefixLength = isV4 ? 96 + prefix : prefix
        // Clear host bits so comparisons only look at the network part.
        for i in 0..<16 {
            let keep = max(0, min(8, prefixLength - i * 8))
            address[i] &= keep == 8 ? 0xff : UInt8(truncatingIfNeeded: 0xff << (8 - keep))
        }
    }

    /// True when `address16` (16 bytes) lies in this network.
    public func contains(_ address16: [UInt8]) -> Bool {
        guard address16.count == 16 else { return false }
        var bits = prefixLength
        var i = 0
        while bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xff : UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if address16[i] & mask != address[i] { return false }
            bits -= 8; i += 1
        }
        return true
    }

    struct Parsed { var bytes16: [UInt8]; var isV4: Bool }

    /// Any textual address to 16 bytes (IPv4 mapped).
    static func parseAddress(_ s: String) -> Parsed? {
        if let v4 = parseIPv4(s) { return Parsed(bytes16: mapped(v4), isV4: true) }
        if let v6 = IPLiteral.ipv6(s) { return Parsed(bytes16: v6, isV4: false) }
        return nil
    }

    /// 4 or 16 raw bytes to the 16-byte form.
    public static func normalize(_ raw: [UInt8]) -> [UInt8]? {
        switch raw.count {
        case 4: return mapped(raw)
        case 16: return raw
        default: return nil
        }
    }

    static func mapped(_ v4: [UInt8]) -> [UInt8] { [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] + v4 }

    static func parseIPv4(_ s: String) -> [UInt8]? {
        IPLiteral.ipv4(s).map { [UInt8($0 >> 24), UInt8($0 >> 16 & 0xff), UInt8($0 >> 8 & 0xff), UInt8($0 & 0xff)] }
    }

    /// The text HAProxy prints for an address: dotted IPv4, RFC 5952 IPv6.
    public static func format(_ raw: [UInt8]) -> String {
        if raw.count == 4 { return raw.map(String.init).joined(separator: ".") }
        guard raw.count == 16 else { return "" }
        var words: [Int] = []
        for i in stride(from: 0, to: 16, by: 2) { words.append(Int(raw[i]) << 8 | Int(raw[i + 1])) }
        // Longest run of two or more zero words is written "::".
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if words[i] == 0 {
                var j = i
                while j < 8 && words[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        func hex(_ r: Range<Int>) -> String { r.map { String(words[$0], radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLen)..<8)
    }
}
