/// Splitting of list-valued header fields the way HAProxy's http_find_header does
/// when it iterates values: on commas outside quoted strings, blanks trimmed.
enum HeaderValueList {
    static func elements(_ value: [UInt8]) -> [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var start = 0
        var i = 0
        var quoted = false
        while i < value.count {
            let c = value[i]
            if quoted {
                if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { quoted = false }
            } else if c == UInt8(ascii: "\"") {
                quoted = true
            } else if c == UInt8(ascii: ",") {
                out.append(trimmed(value[start..<i]))
                start = i + 1
            }
            i += 1
        }
        out.append(trimmed(value[start..<value.count]))
        return out
    }

    static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var lo = s.startIndex, hi = s.endIndex
        while lo < hi, s[lo] == 0x20 || s[lo] == 0x09 { lo += 1 }
        while hi > lo, s[hi - 1] == 0x20 || s[hi - 1] == 0x09 { hi -= 1 }
        return s[lo..<hi]
    }

    /// RFC 7230 tchar.
    static func isTokenByte(_ c: UInt8) -> Bool {
        switch c {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }

    static func lower(_ c: UInt8) -> UInt8 { (c >= 0x41 && c <= 0x5A) ? c | 0x20 : c }

    static func equalsIgnoringCase<S: Collection>(_ a: S, _ b: String) -> Bool where S.Element == UInt8 {
        a.count == b.utf8.count && zip(a, b.utf8).allSatisfy { lower($0) == lower($1) }
    }

    static func hasPrefixIgnoringCase(_ s: String, _ prefix: String) -> Bool {
        s.utf8.count >= prefix.utf8.count && zip(s.utf8, prefix.utf8).allSatisfy { lower($0) == lower($1) }
    }

    /// HAProxy's word_match: the element is the word (any case) followed only by blanks.
    static func elementIsWord(_ element: ArraySlice<UInt8>, _ word: String) -> Bool {
        equalsIgnoringCase(trimmed(element), word)
    }
}
