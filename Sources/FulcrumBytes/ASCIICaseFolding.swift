/// Comparisons that fold ASCII case (HTTP field names, tokens, `-i` ACL
/// patterns): byte by byte, nothing lowered into a copy.
extension ASCII {
    /// `a` and `b` are equal ignoring ASCII case.
    @inlinable
    public static func equalsIgnoringCase<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard a.count == b.count else { return false }
        var j = b.startIndex
        for c in a {
            if lower(c) != lower(b[j]) { return false }
            j = b.index(after: j)
        }
        return true
    }

    /// `s` starts with `prefix`, ignoring ASCII case.
    @inlinable
    public static func hasPrefixIgnoringCase<A: Collection, B: Collection>(_ s: A, _ prefix: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard s.count >= prefix.count else { return false }
        var i = s.startIndex
        for c in prefix {
            if lower(s[i]) != lower(c) { return false }
            i = s.index(after: i)
        }
        return true
    }

    /// `raw[range]` equals `lowercase`, a literal already in lower case (only
    /// the received side is folded): the parsers' field-name test.
    @inlinable @inline(__always)
    public static func equalsLowercase(_ raw: [UInt8], _ range: Range<Int>, _ lowercase: StaticString) -> Bool {
        guard range.count == lowercase.utf8CodeUnitCount else { return false }
        let p = lowercase.utf8Start
        var j = 0
        for i in range {
            if lower(raw[i]) != p[j] { return false }
            j += 1
        }
        return true
    }
}
