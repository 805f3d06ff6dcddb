import FulcrumBytes

/// The converters a log line applies itself to the samples its record
/// answers (`src`, `dst`, captures...): the ones without arguments that turn
/// a string into a string (HAProxy's sample_conv_str2lower, _str2upper,
/// _bin2hex, _bin2base64). Every other converter, and every other sample,
/// goes through FulcrumCore's `SampleConversion`. Each works in place on what a sample appended to a buffer
/// (`out[start...]`) and only grows it, so a warm buffer needs no allocation
/// (base64 excepted: it copies its input once).
public enum LogSampleConverter: String, CaseIterable, Hashable, Sendable {
    case lower, upper, hex, base64

    public func apply(to out: inout [UInt8], from start: Int) {
        switch self {
        case .lower:
            for i in start..<out.count where out[i] &- 0x41 < 26 { out[i] |= 0x20 }
        case .upper:
            for i in start..<out.count where out[i] &- 0x61 < 26 { out[i] &= ~0x20 }
        case .hex:
            LogSampleConverter.hex(&out, from: start)
        case .base64:
            LogSampleConverter.base64(&out, from: start)
        }
    }

    /// The longest output for an input of `count` bytes (to size a value).
    public func maximumLength(forInput count: Int) -> Int {
        switch self {
        case .lower, .upper: return count
        case .hex: return count * 2
        case .base64: return (count + 2) / 3 * 4
        }
    }

    static let base64Digits: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Upper-case hexadecimal, two digits a byte, written from the end so the
    /// input is read before it is overwritten.
    public static func hex(_ out: inout [UInt8], from start: Int) {
        let n = out.count - start
        guard n > 0 else { return }
        for _ in 0..<n { out.append(0) }
        var read = start + n - 1
        var write = out.count - 1
        LogNumber.hexDigits.withUnsafeBufferPointer { digits in
            while read >= start {
                let c = out[read]
                out[write] = digits[Int(c & 0xF)]
                out[write - 1] = digits[Int(c >> 4)]
                write -= 2
                read -= 1
            }
        }
    }

    /// Standard base64 with padding. The input is copied out first: the
    /// output overlaps it in a different rhythm.
    public static func base64(_ out: inout [UInt8], from start: Int) {
        let input = Array(out[start...])
        out.removeSubrange(start...)
        var i = 0
        while i < input.count {
            let b0 = input[i]
            let b1: UInt8 = i + 1 < input.count ? input[i + 1] : 0
            let b2: UInt8 = i + 2 < input.count ? input[i + 2] : 0
            out.append(base64Digits[Int(b0 >> 2)])
            out.append(base64Digits[Int((b0 & 0x3) << 4 | b1 >> 4)])
            out.append(i + 1 < input.count ? base64Digits[Int((b1 & 0xF) << 2 | b2 >> 6)] : 0x3D)
            out.append(i + 2 < input.count ? base64Digits[Int(b2 & 0x3F)] : 0x3D)
            i += 3
        }
    }
}

extension LogSampleConverter {
    /// `hex` and `base64` read a sample's binary form, `lower` and `upper`
    /// its text: haproxy 2.6 writes `%[src,hex]` "7F000001" and
    /// `%[src_port,hex]` "000000000000C350" (its casts to binary: an IPv4
    /// address is 4 bytes, IPv6 16, an integer 8, big-endian).
    public var readsBinary: Bool { self == .hex || self == .base64 }

    /// An address's binary form (network order).
    public static func appendBinary(_ address: IPAddress, to out: inout [UInt8]) {
        switch address {
        case .v4(let a):
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: a.value >> UInt32(shift))) }
        case .v6(let a):
            for i in 0..<8 {
                let word = a.word(i)
                out.append(UInt8(truncatingIfNeeded: word >> 8))
                out.append(UInt8(truncatingIfNeeded: word))
            }
        }
    }

    /// An integer's binary form: 8 bytes, big-endian.
    public static func appendBinary(_ value: Int64, to out: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> Int64(shift))) }
    }
}
