/// Deterministic, non-repeating-looking bytes for large transfers, so a test
/// can check a transfer byte for byte (a shifted, dropped or duplicated chunk
/// changes the bytes at its position) without storing the expected data.
enum TestPattern {
    /// The byte at `offset` of the stream.
    @inline(__always)
    static func byte(at offset: Int) -> UInt8 {
        // Mixes the offset's low and high bits so that 256-byte, 4 KiB and
        // 64 KiB periods all differ.
        let x = UInt64(truncatingIfNeeded: offset) &* 0x9E37_79B9_7F4A_7C15
        return UInt8(truncatingIfNeeded: (x >> 56) ^ (x >> 29) ^ UInt64(truncatingIfNeeded: offset >> 8))
    }

    /// `count` bytes of the stream starting at `offset`.
    static func bytes(count: Int, from offset: Int = 0) -> [UInt8] {
        (0..<count).map { byte(at: offset + $0) }
    }

    /// Index of the first byte of `received` that differs from the stream
    /// starting at `offset`, or nil if all match.
    static func firstMismatch<C: Collection>(in received: C, from offset: Int = 0) -> Int? where C.Element == UInt8 {
        var index = 0
        for value in received {
            if value != byte(at: offset + index) { return offset + index }
            index += 1
        }
        return nil
    }
}
