import FulcrumConfig

/// The converters log-format samples serve (`%[path,lower]`), applied in
/// place to the bytes a sample appended to a value: each works on
/// `out[start...]` and only grows the array, so a value still costs one
/// allocation (HAProxy's sample_conv_str2lower, _str2upper, _bin2hex,
/// _bin2base64).
enum SampleConverting {
    static func apply(_ converter: SampleConverter, to out: inout [UInt8], from start: Int) {
        switch converter {
        case .lower:
            for i in start..<out.count where out[i] &- 0x41 < 26 { out[i] |= 0x20 }
        case .upper:
            for i in start..<out.count where out[i] &- 0x61 < 26 { out[i] &= ~0x20 }
        case .hex:
            hex(&out, from: start)
        case .base64:
            base64(&out, from: start)
        }
    }

    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
    static let base64Digits: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Upper-case hexadecimal, two digits a byte, written from the end so the
    /// input is read before it is overwritten.
    static func hex(_ out: inout [UInt8], from start: Int) {
        let n = out.count - start
        guard n > 0 else { return }
        for _ in 0..<n { out.append(0) }
        var read = start + n - 1
        var write = out.count - 1
        while read >= start {
            let c = out[read]
            out[write] = hexDigits[Int(c & 0xF)]
            out[write - 1] = hexDigits[Int(c >> 4)]
            write -= 2
            read -= 1
        }
    }

    /// Standard base64 with padding. The input is copied out first (the
    /// output overlaps it in a different rhythm); a converter is rare.
    static func base64(_ out: inout [UInt8], from start: Int) {
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
