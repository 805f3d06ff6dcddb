/// Numeric IP address literals, parsed one way for every reader: the HAProxy
/// keywords that take addresses, keepalived.conf, and the ACL networks and
/// samples of FulcrumCore.
public enum IPLiteral {
    /// A strict dotted quad (four decimal parts of one to three digits, 0...255),
    /// host order: 192.168.0.1 is 0xC0A8_0001.
    public static func ipv4<S: StringProtocol>(_ text: S) -> UInt32? {
        ipv4(bytes: text.utf8)
    }

    /// An IPv6 literal as its 16 bytes: eight groups of one to four hex digits,
    /// `::` at most once and for at least one group, a dotted-quad tail allowed.
    public static func ipv6<S: StringProtocol>(_ text: S) -> [UInt8]? {
        let b = Array(text.utf8)
        let colon = UInt8(ascii: ":")
        guard b.contains(colon) else { return nil }
        // Split at the first "::"; a second one leaves an empty group, which is refused.
        let gap = b.indices.dropLast().first { b[$0] == colon && b[$0 + 1] == colon }
        var words: [UInt16]
        if let gap {
            guard let head = groups(b[..<gap], ipv4Tail: false), let tail = groups(b[(gap + 2)...], ipv4Tail: true),
                  head.count + tail.count <= 7 else { return nil }
            words = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = groups(b[...], ipv4Tail: true), all.count == 8 else { return nil }
            words = all
        }
        return words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] }
    }

    private static func ipv4<C: Collection>(bytes: C) -> UInt32? where C.Element == UInt8 {
        var value: UInt32 = 0, part: UInt32 = 0, digits = 0, dots = 0
        for c in bytes {
            if c == UInt8(ascii: ".") {
                guard digits > 0, dots < 3 else { return nil }
                value = value << 8 | part
                part = 0; digits = 0; dots += 1
            } else {
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9"), digits < 3 else { return nil }
                part = part * 10 + UInt32(c - UInt8(ascii: "0"))
                digits += 1
                guard part <= 255 else { return nil }
            }
        }
        guard digits > 0, dots == 3 else { return nil }
        return value << 8 | part
    }

    /// Colon-separated hex groups; the last may be a dotted quad (two groups).
    private static func groups(_ s: ArraySlice<UInt8>, ipv4Tail: Bool) -> [UInt16]? {
        if s.isEmpty { return [] }
        let parts = s.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var out: [UInt16] = []
        for (i, part) in parts.enumerated() {
            if ipv4Tail, i == parts.count - 1, part.contains(UInt8(ascii: ".")) {
                guard let v4 = ipv4(bytes: part) else { return nil }
                out.append(UInt16(v4 >> 16)); out.append(UInt16(v4 & 0xffff))
                continue
            }
            guard (1...4).contains(part.count) else { return nil }
            var g: UInt16 = 0
            for c in part {
                guard let d = hexDigit(c) else { return nil }
                g = g << 4 | UInt16(d)
            }
            out.append(g)
        }
        return out
    }

    static func hexDigit(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
