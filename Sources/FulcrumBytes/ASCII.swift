/// Byte classes of ASCII text as the protocols and the configuration read it
/// (RFC 5234 core rules, RFC 9110 §5.6 tokens): switch- and range-based, so
/// classifying a byte needs no table and no String.
public enum ASCII {
    public static let cr: UInt8 = 13, lf: UInt8 = 10, sp: UInt8 = 32, ht: UInt8 = 9, colon: UInt8 = 58

    @inlinable @inline(__always)
    public static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    @inlinable @inline(__always)
    public static func isAlpha(_ c: UInt8) -> Bool { (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }

    /// SP or HTAB (RFC 5234 WSP): the blanks HTTP and HAProxy trim around values.
    @inlinable @inline(__always)
    public static func isSPHT(_ c: UInt8) -> Bool { c == sp || c == ht }

    @inlinable @inline(__always)
    public static func isCRLF(_ c: UInt8) -> Bool { c == cr || c == lf }

    /// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
    ///         "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    @inlinable @inline(__always)
    public static func isToken(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }

    /// The value of a hexadecimal digit (either case), nil for any other byte.
    @inlinable @inline(__always)
    public static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// ASCII lower case of one byte; other bytes unchanged.
    @inlinable @inline(__always)
    public static func lower(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }

    /// ASCII upper case of one byte; other bytes unchanged.
    @inlinable @inline(__always)
    public static func upper(_ c: UInt8) -> UInt8 { (c >= 0x61 && c <= 0x7A) ? c & 0xDF : c }
}
