import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

/// `http-request normalize-uri` (HAProxy 2.6, uri_normalizer.c): each
/// normalizer rewrites one part of the request target, with the examples
/// of the manual as its contract. Runs only when a rule asks for it.
public enum URINormalization {
    public enum Result: Equatable { case unchanged, changed([UInt8]), invalid }

    public static func apply(_ n: URINormalizer, to t: ArraySlice<UInt8>) -> Result {
        let target = HTTPTarget(t)
        let out: [UInt8]?
        switch n {
        case .pathMergeSlashes:
            out = replacing(t, target.path, with: mergeSlashes(t[target.path]))
        case .pathStripDot:
            out = replacing(t, target.path, with: stripDots(t[target.path], dotdot: false, full: false))
        case .pathStripDotDot(let full):
            out = replacing(t, target.path, with: stripDots(t[target.path], dotdot: true, full: full))
        case .percentDecodeUnreserved(let strict):
            guard let v = percent(t[target.pathAndQuery], decode: true, strict: strict) else { return .invalid }
            out = replacing(t, target.pathAndQuery, with: v)
        case .percentToUppercase(let strict):
            guard let v = percent(t[target.pathAndQuery], decode: false, strict: strict) else { return .invalid }
            out = replacing(t, target.pathAndQuery, with: v)
        case .querySortByName:
            guard let q = target.query else { return .unchanged }
            out = replacing(t, q, with: sortQuery(t[q]))
        case .fragmentStrip:
            guard let h = t.firstIndex(of: UInt8(ascii: "#")) else { return .unchanged }
            out = Array(t[..<h])
        case .fragmentEncode:
            guard t.contains(UInt8(ascii: "#")) else { return .unchanged }
            var v: [UInt8] = []
            for c in t { if c == UInt8(ascii: "#") { v.append(contentsOf: Array("%23".utf8)) } else { v.append(c) } }
            out = v
        }
        guard let out, !out.elementsEqual(t) else { return .unchanged }
        return .changed(out)
    }

    static func replacing(_ t: ArraySlice<UInt8>, _ r: Range<Int>, with part: [UInt8]) -> [UInt8]? {
        var v: [UInt8] = []
        v.reserveCapacity(t.count - r.count + part.count)
        v.append(contentsOf: t[..<r.lowerBound]); v.append(contentsOf: part); v.append(contentsOf: t[r.upperBound...])
        return v
    }

    static func mergeSlashes(_ p: ArraySlice<UInt8>) -> [UInt8] {
        var v: [UInt8] = []
        for c in p where !(c == 0x2F && v.last == 0x2F) { v.append(c) }
        return v
    }

    /// `.` segments removed; with `dotdot`, `..` segments remove the one
    /// before them (kept at the start unless `full`).
    static func stripDots(_ p: ArraySlice<UInt8>, dotdot: Bool, full: Bool) -> [UInt8] {
        guard p.first == 0x2F else { return Array(p) }
        let segments = p.dropFirst().split(separator: 0x2F, omittingEmptySubsequences: false)
        var kept: [ArraySlice<UInt8>] = []
        let dot: [UInt8] = [0x2E], dots: [UInt8] = [0x2E, 0x2E]
        for (i, seg) in segments.enumerated() {
            let last = i == segments.count - 1
            if !dotdot, seg.elementsEqual(dot) {
                if last { kept.append([][...]) }
                continue
            }
            if dotdot, seg.elementsEqual(dots) {
                if let previous = kept.last, !previous.elementsEqual(dots) {
                    kept.removeLast()
                } else if !full {
                    kept.append(seg)
                    continue
                }
                if last { kept.append([][...]) }
                continue
            }
            kept.append(seg)
        }
        var v: [UInt8] = [0x2F]
        for (i, seg) in kept.enumerated() {
            if i > 0 { v.append(0x2F) }
            v.append(contentsOf: seg)
        }
        return v
    }

    /// Percent escapes: unreserved ones decoded, or hex digits upper-cased;
    /// a bad escape is kept, or refused when `strict` (nil).
    static func percent(_ p: ArraySlice<UInt8>, decode: Bool, strict: Bool) -> [UInt8]? {
        var v: [UInt8] = []
        var i = p.startIndex
        while i < p.endIndex {
            let c = p[i]
            guard c == 0x25 else { v.append(c); i += 1; continue }
            guard i + 2 < p.endIndex, let h = ASCII.hexValue(p[i + 1]), let l = ASCII.hexValue(p[i + 2]) else {
                if strict { return nil }
                v.append(c); i += 1
                continue
            }
            let decoded = h << 4 | l
            if decode {
                if ASCII.isAlpha(decoded) || ASCII.isDigit(decoded) || decoded == 0x2D || decoded == 0x2E || decoded == 0x5F || decoded == 0x7E {
                    v.append(decoded)
                } else {
                    v.append(contentsOf: p[i..<(i + 3)])
                }
            } else {
                v.append(0x25); v.append(ASCII.upper(p[i + 1])); v.append(ASCII.upper(p[i + 2]))
            }
            i += 3
        }
        return v
    }

    /// Parameters sorted by name, equal names keeping their order.
    static func sortQuery(_ q: ArraySlice<UInt8>) -> [UInt8] {
        let params = q.split(separator: 0x26, omittingEmptySubsequences: false)
        func name(_ p: ArraySlice<UInt8>) -> ArraySlice<UInt8> { p.firstIndex(of: 0x3D).map { p[..<$0] } ?? p }
        let sorted = params.enumerated().sorted { a, b in
            let na = name(a.element), nb = name(b.element)
            if na.elementsEqual(nb) { return a.offset < b.offset }
            return na.lexicographicallyPrecedes(nb)
        }
        var v: [UInt8] = []
        for (i, p) in sorted.enumerated() {
            if i > 0 { v.append(0x26) }
            v.append(contentsOf: p.element)
        }
        return v
    }
}
