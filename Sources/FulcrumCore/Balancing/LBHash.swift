import FulcrumConfig

/// The hash functions of `hash-type` and the `balance source` key, bit-exact
/// with HAProxy's so that a farm migrated from HAProxy keeps sending each
/// client to the same server.
public enum LBHash {
    /// Hashes `bytes` with `function`, then applies the avalanche modifier
    /// when `hash-type ... avalanche` asks for it.
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer, function: HashFunction, avalanche: Bool) -> UInt32 {
        let raw: UInt32
        switch function {
        case .sdbm: raw = sdbm(bytes)
        case .djb2: raw = djb2(bytes)
        case .wt6: raw = wt6(bytes)
        case .crc32: raw = crc32(bytes)
        }
        return avalanche ? self.avalanche(raw) : raw
    }

    /// sdbm: h = c + (h << 6) + (h << 16) - h. HAProxy's default function.
    @inlinable
    public static func sdbm(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt32 = 0
        for byte in bytes {
            h = UInt32(byte) &+ (h << 6) &+ (h << 16) &- h
        }
        return h
    }

    /// djb2: h = h * 33 + c, starting at 5381.
    @inlinable
    public static func djb2(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h: UInt32 = 5381
        for byte in bytes {
            h = (h << 5) &+ h &+ UInt32(byte)
        }
        return h
    }

    /// wt6: Willy Tarreau's two-lane hash with data-dependent rotations,
    /// designed for well-spread results on short, similar keys.
    @inlinable
    public static func wt6(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var h0: UInt32 = 0xa53c_965a
        var h1: UInt32 = 0x5ca6_953a
        var step0: UInt32 = 6
        var step1: UInt32 = 18
        for byte in bytes {
            let c = UInt32(byte)
            h0 = ~(h0 ^ c)
            h1 = ~(h1 &+ c)
            let rotated1 = rotateLeft(h1, step0)
            h1 = rotateLeft(h0, step1)
            h0 = rotated1
            let t = ((h0 >> 16) ^ h1) & 0xffff
            step0 = t & 0x1f
            step1 = t >> 11
        }
        return h0 ^ h1
    }

    /// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), bitwise: keys are
    /// short and a table would only cost cache lines.
    @inlinable
    public static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = ~0
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = (crc >> 1) ^ (0xedb8_8320 & (0 &- (crc & 1)))
            }
        }
        return ~crc
    }

    /// HAProxy's `full_hash`: Bob Jenkins' 6-shift 32-bit integer hash (every
    /// input bit affects every output bit, so nearby keys spread over the ring),
    /// then a multiplication by 3221225473 (0xC0000001), which HAProxy adds to
    /// spread values over the whole tree; without it ring points and keys land
    /// elsewhere than in HAProxy and a migrated farm moves its clients.
    @inlinable
    public static func avalanche(_ value: UInt32) -> UInt32 {
        var a = value
        a = (a &+ 0x7ed5_5d16) &+ (a << 12)
        a = (a ^ 0xc761_c23c) ^ (a >> 19)
        a = (a &+ 0x1656_67b1) &+ (a << 5)
        a = (a &+ 0xd3a2_646c) ^ (a << 9)
        a = (a &+ 0xfd70_46c5) &+ (a << 3)
        a = (a ^ 0xb55a_4f09) ^ (a >> 16)
        return a &* 3_221_225_473
    }

    /// `balance source` key of an IPv4 client. `ipv4` is the address as a
    /// number (127.0.0.1 is 0x7F000001), i.e. network order already converted.
    @inlinable
    public static func source(ipv4: UInt32, avalanche: Bool) -> UInt32 {
        avalanche ? self.avalanche(ipv4) : ipv4
    }

    /// `balance source` key of an IPv6 client: like HAProxy, the XOR of the
    /// address's four big-endian 32-bit words. `ipv6` holds the 16 address bytes
    /// in network order (e.g. `sin6_addr`).
    @inlinable
    public static func source(ipv6: UnsafeRawBufferPointer, avalanche: Bool) -> UInt32 {
        precondition(ipv6.count == 16, "an IPv6 address is 16 bytes")
        var h: UInt32 = 0
        var offset = 0
        while offset < 16 {
            var word: UInt32 = 0
            for k in 0..<4 { word = (word << 8) | UInt32(ipv6[offset + k]) }
            h ^= word
            offset += 4
        }
        return avalanche ? self.avalanche(h) : h
    }

    @inlinable
    static func rotateLeft(_ value: UInt32, _ count: UInt32) -> UInt32 {
        // Masking keeps a rotation by 0 (or 32) well defined, as in C's
        // (x << n) | (x >> (32 - n)) on the hardware HAProxy runs on.
        let n = count & 31
        return (value << n) | (value >> ((32 &- n) & 31))
    }
}
