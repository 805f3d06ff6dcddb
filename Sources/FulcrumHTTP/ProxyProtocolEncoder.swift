import FulcrumBytes

/// The PROXY header `server ... send-proxy` / `send-proxy-v2` sends first on
/// a new server connection, as HAProxy 2.6's make_proxy_line writes it: the
/// stream's source and destination (what the client's own PROXY header
/// carried, if any); TCP6 with v4-mapped addresses when the families
/// differ; "UNKNOWN" (v1) or a LOCAL command (v2) when either side has no
/// IP address (a unix client). Written into caller storage, no allocation.
public enum ProxyProtocolEncoder {
    /// Room enough for either form with an ALPN TLV (v1 is at most 107).
    public static let maximumLength = 16 + 36 + 3 + 255

    /// A v1 line; returns its length.
    public static func writeV1(source: IPAddress?, sourcePort: Int, destination: IPAddress?, destinationPort: Int,
                               into out: UnsafeMutableRawBufferPointer) -> Int {
        var n = 0
        func put(_ b: UInt8) { out[n] = b; n += 1 }
        func put(_ s: StaticString) { for i in 0..<s.utf8CodeUnitCount { put(s.utf8Start[i]) } }
        func put(_ a: IPAddress) { a.withText { for b in $0 { put(b) } } }
        func put(port p: Int) {
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0)
            var count = 0, v = p
            repeat {
                withUnsafeMutableBytes(of: &digits) { $0[count] = UInt8(0x30 + v % 10) }
                count += 1; v /= 10
            } while v > 0
            withUnsafeBytes(of: &digits) { d in for i in stride(from: count - 1, through: 0, by: -1) { put(d[i]) } }
        }
        guard let (src, dst, v6) = pair(source, destination) else {
            put("PROXY UNKNOWN\r\n")
            return n
        }
        put(v6 ? "PROXY TCP6 " : "PROXY TCP4 ")
        put(v6 ? mapped(src) : src); put(0x20); put(v6 ? mapped(dst) : dst); put(0x20)
        put(port: sourcePort); put(0x20); put(port: destinationPort)
        put("\r\n")
        return n
    }

    /// A v2 header (PROXY over TCP4/TCP6, else LOCAL), with an ALPN TLV when
    /// the client negotiated one; returns its length.
    public static func writeV2(source: IPAddress?, sourcePort: Int, destination: IPAddress?, destinationPort: Int,
                               alpn: UnsafeRawBufferPointer? = nil, into out: UnsafeMutableRawBufferPointer) -> Int {
        for (i, b) in ProxyProtocolHeader.v2Signature.enumerated() { out[i] = b }
        var n = 16
        func put16(_ v: Int) { out[n] = UInt8((v >> 8) & 0xFF); out[n + 1] = UInt8(v & 0xFF); n += 2 }
        func put(_ a: IPAddress, asV6: Bool) {
            switch a {
            case .v4(let v4) where !asV6:
                for shift in stride(from: 24, through: 0, by: -8) { out[n] = UInt8(truncatingIfNeeded: v4.value >> UInt32(shift)); n += 1 }
            default:
                let v6: IPv6Address
                switch a { case .v4(let v4): v6 = IPv6Address(mapping: v4); case .v6(let x): v6 = x }
                for i in 0..<8 { let w = v6.word(i); out[n] = UInt8(w >> 8); out[n + 1] = UInt8(w & 0xFF); n += 2 }
            }
        }
        if let (src, dst, v6) = pair(source, destination) {
            out[12] = 0x21
            out[13] = v6 ? 0x21 : 0x11
            put(src, asV6: v6); put(dst, asV6: v6)
            put16(sourcePort); put16(destinationPort)
        } else {
            out[12] = 0x20
            out[13] = 0x00
        }
        if let alpn, !alpn.isEmpty, alpn.count <= 255 {
            out[n] = 0x01; n += 1
            put16(alpn.count)
            for b in alpn { out[n] = b; n += 1 }
        }
        let length = n - 16
        out[14] = UInt8(length >> 8); out[15] = UInt8(length & 0xFF)
        return n
    }

    /// An IPv4 address as ::ffff:a.b.c.d, an IPv6 one as it is.
    static func mapped(_ a: IPAddress) -> IPAddress {
        if case .v4(let v4) = a { return .v6(IPv6Address(mapping: v4)) }
        return a
    }

    /// Both addresses, and whether they go as IPv6 (either is).
    static func pair(_ source: IPAddress?, _ destination: IPAddress?) -> (IPAddress, IPAddress, Bool)? {
        guard let source, let destination else { return nil }
        return (source, destination, !source.isIPv4 || !destination.isIPv4)
    }
}
