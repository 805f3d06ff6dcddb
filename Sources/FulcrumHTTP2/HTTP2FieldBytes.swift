import FulcrumBytes

/// Byte comparisons of a decoded field list's ranges, written as plain
/// index loops over concrete types: the generic `elementsEqual` and
/// `allSatisfy` over slices allocate on every call where they are not
/// specialized (debug builds, where the allocation budgets are tested),
/// and these run for every field of every request.
enum HTTP2FieldBytes {
    /// `bytes[range]` is exactly `literal` (case-sensitive).
    @inline(__always)
    static func equals(_ bytes: [UInt8], _ range: Range<Int>, _ literal: StaticString) -> Bool {
        guard range.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        var i = range.lowerBound, j = 0
        while i < range.upperBound {
            if bytes[i] != p[j] { return false }
            i += 1; j += 1
        }
        return true
    }

    /// Every byte of `bytes[range]` is a tchar (RFC 9110 §5.6.2).
    static func isToken(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        while i < range.upperBound {
            if !ASCII.isToken(bytes[i]) { return false }
            i += 1
        }
        return true
    }

    /// `bytes[range]` can be an HTTP/1.1 request target: visible ASCII
    /// without '#' (a fragment is never sent), as FulcrumHTTP's request
    /// parser requires by default; no blank to split the request line at.
    static func isTarget(_ bytes: [UInt8], _ range: Range<Int>) -> Bool {
        var i = range.lowerBound
        while i < range.upperBound {
            let b = bytes[i]
            if b <= 0x20 || b >= 0x7F || b == 0x23 { return false }
            i += 1
        }
        return true
    }

    /// Case-insensitive equality of two ranges (Host against :authority).
    static func equalsIgnoringCase(_ bytes: [UInt8], _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        guard a.count == b.count else { return false }
        var i = a.lowerBound, j = b.lowerBound
        while i < a.upperBound {
            if ASCII.lower(bytes[i]) != ASCII.lower(bytes[j]) { return false }
            i += 1; j += 1
        }
        return true
    }
}
