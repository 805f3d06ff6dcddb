/// Byte classes of RFC 9110 §5.6 used by the parsers; switch-based so that
/// classification needs no table lookup through an Array.
@usableFromInline
enum HTTPBytes {
    static let cr: UInt8 = 13, lf: UInt8 = 10, sp: UInt8 = 32, ht: UInt8 = 9, colon: UInt8 = 58

    /// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
    ///         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    @inline(__always)
    static func isToken(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }

    @inline(__always) static func isSPHT(_ c: UInt8) -> Bool { c == sp || c == ht }
    @inline(__always) static func isCRLF(_ c: UInt8) -> Bool { c == cr || c == lf }
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    /// HAProxy's HTTP_IS_VER_TOKEN: the only bytes it lets into a version.
    @inline(__always)
    static func isVersionByte(_ c: UInt8) -> Bool {
        switch c {
        case 0x48, 0x54, 0x50, 0x2F, 0x2E, 0x30...0x39: return true  // H T P / . digits
        default: return false
        }
    }

    @inline(__always)
    static func hexValue(_ c: UInt8) -> Int {
        switch c {
        case 0x30...0x39: return Int(c - 0x30)
        case 0x41...0x46: return Int(c - 0x41 + 10)
        case 0x61...0x66: return Int(c - 0x61 + 10)
        default: return -1
        }
    }

    /// Case-insensitive equality of raw[range] with an ASCII lowercase literal.
    @inline(__always)
    static func equalsLowercase(_ raw: [UInt8], _ range: Range<Int>, _ lower: StaticString) -> Bool {
        guard range.count == lower.utf8CodeUnitCount else { return false }
        let p = lower.utf8Start
        var j = 0
        for i in range {
            if HTTPHead.lower(raw[i]) != p[j] { return false }
            j += 1
        }
        return true
    }
}
