/// Decimal integers written as ASCII into caller-provided memory: what a
/// sample cast (int → string) and an address's text need without a String.
public enum DecimalText {
    /// Room enough for any Int64 with its sign.
    public static let maximumLength = 20

    /// Writes `value` at `out` (at least `maximumLength` bytes); returns the count.
    @inlinable
    public static func write(_ value: Int64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        // Timers, statuses and counts are mostly below 10,000: no scratch.
        if value >= 0 && value < 10_000 {
            var rest = UInt16(truncatingIfNeeded: value)
            let n = rest >= 1000 ? 4 : rest >= 100 ? 3 : rest >= 10 ? 2 : 1
            var i = n
            repeat {
                i &-= 1
                out[i] = UInt8(truncatingIfNeeded: rest % 10) &+ 0x30
                rest /= 10
            } while i > 0
            return n
        }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, reversed digits
        return withUnsafeMutableBytes(of: &digits) { scratch in
            var n = 0
            repeat {
                scratch[n] = UInt8(truncatingIfNeeded: magnitude % 10) + 0x30
                magnitude /= 10
                n += 1
            } while magnitude > 0
            var k = 0
            if value < 0 { out[0] = 0x2D; k = 1 }
            for i in 0..<n { out[k + i] = scratch[n - 1 - i] }
            return k + n
        }
    }

    /// Appends `value` in decimal to `out`.
    @inlinable
    public static func append(_ value: Int64, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maximumLength) { buf in
            let n = write(value, to: buf.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(start: buf.baseAddress!, count: n))
        }
    }
}
