/// SHA-1 (FIPS 180-4), for HAProxy's cache key: the cache hashes the request's
/// "https://" + Host + URI with SHA-1 and `show cache` prints the digest's
/// first 32 bits, so the same request gets the same number here. Streaming,
/// no allocation.
public struct SHA1 {
    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0)
    private var block = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
    private var used = 0
    private var length: UInt64 = 0

    public init() {}

    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        for b in bytes { append(b) }
        length &+= UInt64(bytes.count)
    }

    private mutating func append(_ b: UInt8) {
        withUnsafeMutableBytes(of: &block) { $0[used] = b }
        used += 1
        if used == 64 { compress(); used = 0 }
    }

    /// The 20-byte digest, written to `out` (which must hold 20 bytes).
    public mutating func finish(into out: UnsafeMutableRawBufferPointer) {
        let bits = length &* 8
        append(0x80)
        while used != 56 { append(0) }
        for i in (0..<8).reversed() { append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
        func put(_ i: Int, _ w: UInt32) {
            out[i * 4] = UInt8(w >> 24); out[i * 4 + 1] = UInt8(truncatingIfNeeded: w >> 16)
            out[i * 4 + 2] = UInt8(truncatingIfNeeded: w >> 8); out[i * 4 + 3] = UInt8(truncatingIfNeeded: w)
        }
        put(0, h.0); put(1, h.1); put(2, h.2); put(3, h.3); put(4, h.4)
    }

    private mutating func compress() {
        let block = self.block
        var (a, b, c, d, e) = h
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            withUnsafeBytes(of: block) { p in
                for i in 0..<16 {
                    w[i] = UInt32(p[i * 4]) << 24 | UInt32(p[i * 4 + 1]) << 16 | UInt32(p[i * 4 + 2]) << 8 | UInt32(p[i * 4 + 3])
                }
            }
            for i in 16..<80 { let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]; w[i] = x << 1 | x >> 31 }
            for i in 0..<80 {
                let f: UInt32, k: UInt32
                switch i {
                case 0..<20: f = (b & c) | (~b & d); k = 0x5A82_7999
                case 20..<40: f = b ^ c ^ d; k = 0x6ED9_EBA1
                case 40..<60: f = (b & c) | (b & d) | (c & d); k = 0x8F1B_BCDC
                default: f = b ^ c ^ d; k = 0xCA62_C1D6
                }
                let t = (a << 5 | a >> 27) &+ f &+ e &+ k &+ w[i]
                e = d; d = c; c = b << 30 | b >> 2; b = a; a = t
            }
        }
        h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e)
    }
}
