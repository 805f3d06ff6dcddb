import FulcrumBytes

/// The PROXY header `server ... send-proxy` / `send-proxy-v2` sends first on
/// a new server connection, as HAProxy 2.6's make_proxy_line writes it: the
/// stream's source and destination (what the client's own PROXY header
/// carried, if any); TCP6 with v4-mapped addresses when the families
/// differ; "UNKNOWN" (v1) or a LOCAL command (v2) when either side has no
/// IP address (a unix client). Written into caller storage, no allocation.
public enum ProxyProtocolEncoder {
    /// The TLVs after a v2 header's addresses, in HAProxy's order: CRC32C,
    /// ALPN, AUTHORITY, UNIQUE_ID, SSL (client flags, verify result, then
    /// the version, CN and cipher sub-TLVs). Slices of storage the caller
    /// already holds; nothing is copied out.
    public struct V2Extras {
        public var crc32c = false
        public var alpn: ArraySlice<UInt8>? = nil
        public var authority: ArraySlice<UInt8>? = nil
        /// nil: no UNIQUE_ID TLV; empty: one of length 0 (no unique-id-format).
        public var uniqueID: ArraySlice<UInt8>? = nil
        public var ssl: SSL? = nil
        public init() {}

        public struct SSL {
            /// PP2_CLIENT_SSL (1), PP2_CLIENT_CERT_CONN (2), PP2_CLIENT_CERT_SESS (4).
            public var client: UInt8 = 0
            public var verify: UInt32 = 0
            public var version: ArraySlice<UInt8>? = nil
            public var commonName: ArraySlice<UInt8>? = nil
            public var cipher: ArraySlice<UInt8>? = nil
            public init() {}
        }
    }

    /// Room enough for either form with every TLV at its largest served size.
    public static let maximumLength = 16 + 36 + 7 + 3 * 255 + 3 + 128 + 8 + 3 * (3 + 255)

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
                               extras: V2Extras = V2Extras(), into out: UnsafeMutableRawBufferPointer) -> Int {
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
        func tlv(_ type: UInt8, _ value: ArraySlice<UInt8>) {
            let v = value.prefix(255)
            out[n] = type; n += 1
            put16(v.count)
            for b in v { out[n] = b; n += 1 }
        }
        var crcAt = -1
        if extras.crc32c { crcAt = n + 3; tlv(0x03, zeroCRC[...]) }
        if let alpn = extras.alpn { tlv(0x01, alpn) }
        if let authority = extras.authority { tlv(0x02, authority) }
        if let id = extras.uniqueID { tlv(0x05, id.prefix(128)) }
        if let ssl = extras.ssl {
            let start = n
            out[n] = 0x20; n += 3   // length written below
            out[n] = ssl.client; n += 1
            for shift in stride(from: 24, through: 0, by: -8) { out[n] = UInt8(truncatingIfNeeded: ssl.verify >> UInt32(shift)); n += 1 }
            if let v = ssl.version { tlv(0x21, v) }
            if let cn = ssl.commonName { tlv(0x22, cn) }
            if let c = ssl.cipher { tlv(0x23, c) }
            let length = n - start - 3
            out[start + 1] = UInt8(length >> 8); out[start + 2] = UInt8(length & 0xFF)
        }
        let length = n - 16
        out[14] = UInt8(length >> 8); out[15] = UInt8(length & 0xFF)
        if crcAt >= 0 {
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(out), count: n)
            out[crcAt] = UInt8(truncatingIfNeeded: crc >> 24); out[crcAt + 1] = UInt8(truncatingIfNeeded: crc >> 16)
            out[crcAt + 2] = UInt8(truncatingIfNeeded: crc >> 8); out[crcAt + 3] = UInt8(truncatingIfNeeded: crc)
        }
        return n
    }

    static let zeroCRC: [UInt8] = [0, 0, 0, 0]

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
