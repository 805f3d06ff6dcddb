import FulcrumBytes
import FulcrumConfig

/// The byte-level work of the text converters, written after HAProxy 2.6's
/// sample.c so that results match it byte for byte: `field`, `word`,
/// `url_dec`, `json`, `regsub`.
enum SampleCodecs {
    /// `field(index,delimiters,count)`: the range of the field(s), or nil
    /// when the field does not exist (HAProxy: no sample).
    static func field(_ s: ArraySlice<UInt8>, index: Int, delimiters: [UInt8], count: Int) -> Range<Int>? {
        var count = count
        var field: Int
        var start: Int, end: Int
        if index < 0 {
            field = -1
            start = s.endIndex; end = s.endIndex
            while start > s.startIndex {
                if delimiters.contains(s[start - 1]) {
                    if field == index {
                        if count == 1 { return start..<end }
                        if count > 1 { count -= 1 }
                    } else {
                        end = start - 1
                        field -= 1
                    }
                }
                start -= 1
            }
        } else {
            field = 1
            start = s.startIndex; end = s.startIndex
            while end < s.endIndex {
                if delimiters.contains(s[end]) {
                    if field == index {
                        if count == 1 { return start..<end }
                        if count > 1 { count -= 1 }
                    } else {
                        start = end + 1
                        field += 1
                    }
                }
                end += 1
            }
        }
        guard field == index else { return nil }
        return start..<end
    }

    /// `word(index,delimiters,count)`: like `field`, but runs of delimiters
    /// count as one and leading/trailing ones are skipped.
    static func word(_ s: ArraySlice<UInt8>, index: Int, delimiters: [UInt8], count: Int) -> Range<Int>? {
        var count = count
        var word = 0
        var inWord = false
        var start: Int, end: Int
        if index < 0 {
            start = s.endIndex; end = s.endIndex
            while start > s.startIndex {
                let isSep = delimiters.contains(s[start - 1])
                if !inWord {
                    if !isSep {
                        if word != index { word -= 1; end = start }
                        inWord = true
                    }
                } else if isSep {
                    if word == index {
                        if count == 1 { return start..<end }
                        if count > 1 { count -= 1 }
                    }
                    inWord = false
                }
                start -= 1
            }
        } else {
            start = s.startIndex; end = s.startIndex
            while end < s.endIndex {
                let isSep = delimiters.contains(s[end])
                if !inWord {
                    if !isSep {
                        if word != index { word += 1; start = end }
                        inWord = true
                    }
                } else if isSep {
                    if word == index {
                        if count == 1 { return start..<end }
                        if count > 1 { count -= 1 }
                    }
                    inWord = false
                }
                end += 1
            }
        }
        guard word == index else { return nil }
        return start..<end
    }

    /// `%XX` decoded in place (the output only shrinks); `+` is a space with
    /// `inForm`. A bad escape fails, as HAProxy's url_decode.
    static func urlDecode(_ out: inout [UInt8], from mark: Int, inForm: Bool) -> Bool {
        var r = mark, w = mark
        let n = out.count
        while r < n {
            var c = out[r]
            if c == UInt8(ascii: "%") {
                guard r + 2 < n, let h = ASCII.hexValue(out[r + 1]), let l = ASCII.hexValue(out[r + 2]) else { return false }
                c = h << 4 | l
                r += 3
            } else {
                if c == UInt8(ascii: "+") && inForm { c = 0x20 }
                r += 1
            }
            out[w] = c
            w += 1
        }
        out.removeSubrange(w...)
        return true
    }

    /// JSON string escaping as HAProxy's json converter: `"`, `\`, `/` and the
    /// C escapes, `\u00XX` for anything else not printable; with a UTF-8
    /// input mode, code points are decoded first (invalid sequences fail
    /// with utf8/utf8p, are skipped with utf8s/utf8ps).
    static func json(_ out: inout [UInt8], from mark: Int, input: SampleConverter.JSONInput) -> Bool {
        let source = Array(out[mark...])
        out.removeSubrange(mark...)
        let digits = Array("0123456789abcdef".utf8)
        var i = 0
        while i < source.count {
            var c = UInt32(source[i])
            var length = 1
            if input != .ascii, c >= 0x80 {
                if let (cp, n) = utf8(source, at: i) {
                    c = cp; length = n
                } else if input == .utf8s || input == .utf8ps {
                    i += 1
                    continue
                } else {
                    return false
                }
            }
            i += length
            switch c {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x2F: out.append(0x5C); out.append(0x2F)
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x20...0x7E: out.append(UInt8(c))
            default:
                let u = UInt16(truncatingIfNeeded: c)
                out.append(0x5C); out.append(UInt8(ascii: "u"))
                for shift in stride(from: 12, through: 0, by: -4) { out.append(digits[Int(u >> UInt16(shift) & 0xF)]) }
            }
        }
        return true
    }

    /// One UTF-8 sequence at `i`: its code point and length; nil if invalid.
    static func utf8(_ b: [UInt8], at i: Int) -> (UInt32, Int)? {
        let c = b[i]
        let n: Int, initial: UInt32
        switch c {
        case 0xC2...0xDF: n = 2; initial = UInt32(c & 0x1F)
        case 0xE0...0xEF: n = 3; initial = UInt32(c & 0x0F)
        case 0xF0...0xF4: n = 4; initial = UInt32(c & 0x07)
        default: return nil
        }
        guard i + n <= b.count else { return nil }
        var cp = initial
        for k in 1..<n {
            let x = b[i + k]
            guard x & 0xC0 == 0x80 else { return nil }
            cp = cp << 6 | UInt32(x & 0x3F)
        }
        return (cp, n)
    }

    /// `regsub`: the first (or, `global`, every) match replaced by
    /// `replacement`, where `\N` is the Nth group of the match.
    static func regsub(_ out: inout [UInt8], from mark: Int, regex: Regex<AnyRegexOutput>,
                       replacement: [UInt8], global: Bool) {
        let text = String(decoding: out[mark...], as: UTF8.self)
        var result: [UInt8] = []
        var position = text.startIndex
        var searchFrom = text.startIndex
        while searchFrom <= text.endIndex, let m = try? regex.firstMatch(in: text[searchFrom...]) {
            result.append(contentsOf: text[position..<m.range.lowerBound].utf8)
            var k = 0
            while k < replacement.count {
                let ch = replacement[k]
                if ch == 0x5C, k + 1 < replacement.count, ASCII.isDigit(replacement[k + 1]) {
                    let group = Int(replacement[k + 1] - 48)
                    if group < m.output.count, let sub = m.output[group].substring { result.append(contentsOf: sub.utf8) }
                    k += 2
                } else {
                    result.append(ch)
                    k += 1
                }
            }
            position = m.range.upperBound
            guard global else { break }
            if m.range.isEmpty {
                guard m.range.upperBound < text.endIndex else { break }
                searchFrom = text.index(after: m.range.upperBound)
                result.append(contentsOf: text[position..<searchFrom].utf8)
                position = searchFrom
            } else {
                searchFrom = m.range.upperBound
            }
        }
        result.append(contentsOf: text[position...].utf8)
        out.removeSubrange(mark...)
        out.append(contentsOf: result)
    }
}

/// XXH64 (Yann Collet's xxHash, 64-bit), as HAProxy's `xxh64` converter.
enum XXH64 {
    static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    @inline(__always) static func rotl(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 - r)) }
    @inline(__always) static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotl(acc &+ input &* p2, 31) &* p1
    }
    @inline(__always) static func merge(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        (acc ^ round(0, val)) &* p1 &+ p4
    }

    static func hash(_ b: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let n = b.count
        func u64(_ i: Int) -> UInt64 { UInt64(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt64.self)) }
        func u32(_ i: Int) -> UInt64 { UInt64(UInt32(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt32.self))) }
        var i = 0
        var h: UInt64
        if n >= 32 {
            var v1 = seed &+ p1 &+ p2, v2 = seed &+ p2, v3 = seed, v4 = seed &- p1
            while i + 32 <= n {
                v1 = round(v1, u64(i)); v2 = round(v2, u64(i + 8)); v3 = round(v3, u64(i + 16)); v4 = round(v4, u64(i + 24))
                i += 32
            }
            h = rotl(v1, 1) &+ rotl(v2, 7) &+ rotl(v3, 12) &+ rotl(v4, 18)
            h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4)
        } else {
            h = seed &+ p5
        }
        h = h &+ UInt64(n)
        while i + 8 <= n {
            h ^= round(0, u64(i))
            h = rotl(h, 27) &* p1 &+ p4
            i += 8
        }
        if i + 4 <= n {
            h ^= u32(i) &* p1
            h = rotl(h, 23) &* p2 &+ p3
            i += 4
        }
        while i < n {
            h ^= UInt64(b[i]) &* p5
            h = rotl(h, 11) &* p1
            i += 1
        }
        h ^= h >> 33; h = h &* p2
        h ^= h >> 29; h = h &* p3
        h ^= h >> 32
        return h
    }
}
