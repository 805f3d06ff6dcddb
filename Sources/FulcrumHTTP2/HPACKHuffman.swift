/// Huffman coding of HPACK string literals (RFC 7541 §5.2) with the code
/// of Appendix B (`HPACKHuffmanCode`).
public enum HPACKHuffman {
    /// The encoded length of `bytes` in bytes, padding included: the
    /// encoder compares it with the raw length to pick the shorter form.
    @inlinable
    public static func encodedLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        var bits = 0
        for b in bytes { bits += Int(lengthTable[Int(b)]) }
        return (bits + 7) >> 3
    }

    /// Appends `bytes` encoded, padded to a byte with the most significant
    /// bits of EOS (ones).
    public static func encode(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let codes = HPACKHuffmanCode.codes, lengths = HPACKHuffmanCode.lengths
        var pending: UInt64 = 0, count = 0
        for b in bytes {
            let length = Int(lengths[Int(b)])
            pending = pending << UInt64(length) | UInt64(codes[Int(b)])
            count += length
            while count >= 8 {
                count -= 8
                out.append(UInt8(truncatingIfNeeded: pending >> UInt64(count)))
            }
        }
        if count > 0 {
            out.append(UInt8(truncatingIfNeeded: pending << UInt64(8 - count)) | UInt8(0xFF >> count))
        }
    }

    /// Appends the decoding of `bytes`. Refuses EOS in the string and
    /// padding that is longer than 7 bits or not all ones (§5.2): both mean
    /// a broken or hostile encoder.
    public static func decode(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) throws(HPACKDecodingError) {
        try HPACKHuffmanCode.transitions.withUnsafeBufferPointer { table throws(HPACKDecodingError) in
            var state = 0
            for b in bytes {
                let high = table[state << 4 | Int(b >> 4)]
                if high & (1 << 17) != 0 { throw .huffmanEOS }
                if high & (1 << 16) != 0 { out.append(UInt8(truncatingIfNeeded: high >> 8)) }
                let low = table[Int(high & 0xFF) << 4 | Int(b & 0x0F)]
                if low & (1 << 17) != 0 { throw .huffmanEOS }
                if low & (1 << 16) != 0 { out.append(UInt8(truncatingIfNeeded: low >> 8)) }
                state = Int(low & 0xFF)
            }
            guard HPACKHuffmanCode.accepting[state] else { throw .huffmanPadding }
        }
    }

    @usableFromInline static let lengthTable: [UInt8] = HPACKHuffmanCode.lengths
}
