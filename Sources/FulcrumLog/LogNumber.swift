import FulcrumBytes

/// Numbers as a log line writes them: decimal (HAProxy's ltoa_o) or, with
/// the `X` flag, upper-case hexadecimal of a fixed minimum width (its
/// "%04X" / "%02X"), appended without a String.
enum LogNumber {
    @inline(__always)
    static func appendDecimal<S: LogByteSink>(_ value: Int64, to out: inout S) {
        out.putDecimal(value)
    }

    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// `value` (taken as unsigned 32 bits, as HAProxy's casts do) in
    /// hexadecimal, at least `width` digits.
    static func appendHex<S: LogByteSink>(_ value: UInt32, minimumWidth width: Int, to out: inout S) {
        var digits = 8
        while digits > width, (value >> UInt32((digits - 1) * 4)) & 0xF == 0 { digits -= 1 }
        hexDigits.withUnsafeBufferPointer { hex in
            var shift = (digits - 1) * 4
            while shift >= 0 {
                out.put(hex[Int((value >> UInt32(shift)) & 0xF)])
                shift -= 4
            }
        }
    }

    /// One byte as two hexadecimal digits (escapes, hexadecimal addresses).
    @inline(__always)
    static func appendHexByte<S: LogByteSink>(_ byte: UInt8, to out: inout S) {
        hexDigits.withUnsafeBufferPointer { hex in
            out.put(hex[Int(byte >> 4)])
            out.put(hex[Int(byte & 0xF)])
        }
    }
}
