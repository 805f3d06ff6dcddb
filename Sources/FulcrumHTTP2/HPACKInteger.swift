/// HPACK's integer representation (RFC 7541 §5.1): a value that fits in
/// the N-bit prefix of the first byte is stored there; a larger one fills
/// the prefix with ones and continues in 7-bit groups, least significant
/// first, the high bit saying another group follows.
public enum HPACKInteger {
    /// The largest value decoded. Indexes and string lengths above this can
    /// only be attacks (a block is at most a few frames), and the bound
    /// keeps the shifts below from overflowing.
    public static let maximum = 1 << 28

    /// Decodes the integer starting at `index`, whose first byte keeps its
    /// value in the low `prefixBits` bits; `index` moves past it.
    @inlinable
    public static func decode(_ bytes: UnsafeRawBufferPointer, at index: inout Int, prefixBits: Int) throws(HPACKDecodingError) -> Int {
        guard index < bytes.count else { throw .truncated }
        let mask = (1 << prefixBits) - 1
        var value = Int(bytes[index]) & mask
        index += 1
        guard value == mask else { return value }
        var shift = 0
        while true {
            guard index < bytes.count else { throw .truncated }
            let b = bytes[index]
            index += 1
            value += Int(b & 0x7F) << shift
            guard value <= maximum else { throw .integerOverflow }
            if b & 0x80 == 0 { return value }
            shift += 7
            // Continuation bytes of zeros add nothing but could run forever.
            guard shift <= 28 else { throw .integerOverflow }
        }
    }

    /// Appends `value` with `flags` in the first byte's bits above the
    /// `prefixBits`-bit prefix.
    @inlinable
    public static func encode(_ value: Int, prefixBits: Int, flags: UInt8, into out: inout [UInt8]) {
        let mask = (1 << prefixBits) - 1
        if value < mask {
            out.append(flags | UInt8(value))
            return
        }
        out.append(flags | UInt8(mask))
        var rest = value - mask
        while rest >= 128 {
            out.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }
}
