import FulcrumBytes
import FulcrumConfig

/// The patterns of one ACL line compiled for its match method, and the
/// match itself on a typed sample: the sample is cast to the type the
/// method expects (HAProxy's pattern.c: `ip` wants an address, `int` and
/// `bool` an integer, the string methods bytes) and a sample that does not
/// cast matches nothing. String patterns are lower-cased once with `-i`;
/// the sample is folded byte by byte as it is compared, never copied.
struct ACLPatterns: @unchecked Sendable {
    // @unchecked: Regex values are immutable after construction and only read.
    let method: MatchMethod
    let ignoreCase: Bool
    let strings: [[UInt8]]
    let regexes: [Regex<AnyRegexOutput>]
    let ints: [ClosedRange<Int64>]
    let networks: [IPNetwork]

    init(_ d: ACLDefinition) throws {
        method = d.method
        ignoreCase = d.ignoreCase
        var strings: [[UInt8]] = [], regexes: [Regex<AnyRegexOutput>] = []
        var ints: [ClosedRange<Int64>] = [], networks: [IPNetwork] = []
        switch d.method {
        case .str, .beg, .end, .sub, .dir, .dom:
            strings = d.patterns.map { p in
                var b = Array(p.utf8)
                if d.ignoreCase { b = b.map(ASCII.lower) }
                if d.method == .dir || d.method == .dom {
                    // HAProxy strips the pattern's own delimiters before searching.
                    let delims = ACLPatterns.delimiters(d.method)
                    while let f = b.first, delims.contains(f) { b.removeFirst() }
                    while let l = b.last, delims.contains(l) { b.removeLast() }
                }
                return b
            }
        case .reg:
            for p in d.patterns {
                do {
                    var r = try Regex(p)
                    if d.ignoreCase { r = r.ignoresCase() }
                    regexes.append(r)
                } catch {
                    throw HTTPRulesError("acl '\(d.name)' at \(d.location): invalid regex '\(p)': \(error)")
                }
            }
        case .int, .len:
            ints = try ACLPatterns.parseIntPatterns(d.patterns, acl: d)
        case .ip:
            for p in d.patterns {
                guard let n = IPNetwork(p) else {
                    throw HTTPRulesError("acl '\(d.name)' at \(d.location): '\(p)' is not an IP address or network")
                }
                networks.append(n)
            }
        case .found, .bool:
            guard d.patterns.isEmpty else {
                throw HTTPRulesError("acl '\(d.name)' at \(d.location): '-m \(d.method.rawValue)' takes no pattern")
            }
        }
        self.strings = strings; self.regexes = regexes; self.ints = ints; self.networks = networks
    }

    /// True when the sample matches one of the patterns.
    func matches(_ sample: Sample) -> Bool {
        switch method {
        case .found: return true
        case .bool: return sample.boolean ?? false
        case .int:
            guard let n = sample.integer else { return false }
            return ints.contains { $0.contains(n) }
        case .len:
            let n = Int64(sample.byteCount)
            return ints.contains { $0.contains(n) }
        case .ip:
            guard let a = sample.address else { return false }
            return networks.contains { $0.contains(a) }
        case .reg:
            // Swift's Regex reads Strings: the one matcher that copies the sample.
            let text = sample.text
            return regexes.contains { (try? $0.firstMatch(in: text)) != nil }
        case .str, .beg, .end, .sub, .dir, .dom:
            return sample.withBytes { v in strings.contains { matches(v, $0) } }
        }
    }

    func matches(_ v: UnsafeBufferPointer<UInt8>, _ p: [UInt8]) -> Bool {
        switch method {
        case .str: return v.count == p.count && equal(v, at: 0, p)
        case .beg: return v.count >= p.count && equal(v, at: 0, p)
        case .end: return v.count >= p.count && equal(v, at: v.count - p.count, p)
        case .sub: return find(p, in: v, from: 0) != nil
        case .dir, .dom: return matchWord(v, p, ACLPatterns.delimiters(method))
        default: return false
        }
    }

    /// `p` stands in `v` at `offset` (case folded on `v`'s side with `-i`).
    @inline(__always)
    func equal(_ v: UnsafeBufferPointer<UInt8>, at offset: Int, _ p: [UInt8]) -> Bool {
        var i = offset
        for c in p {
            if (ignoreCase ? ASCII.lower(v[i]) : v[i]) != c { return false }
            i += 1
        }
        return true
    }

    func find(_ p: [UInt8], in v: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var i = from
        while i + p.count <= v.count {
            if equal(v, at: i, p) { return i }
            i += 1
        }
        return nil
    }

    /// HAProxy's match_word: the pattern appears bounded by a delimiter or
    /// the ends of the value.
    func matchWord(_ v: UnsafeBufferPointer<UInt8>, _ p: [UInt8], _ delims: [UInt8]) -> Bool {
        if p.isEmpty { return true }
        var from = 0
        while let i = find(p, in: v, from: from) {
            let end = i + p.count
            if (i == 0 || delims.contains(v[i - 1])) && (end == v.count || delims.contains(v[end])) { return true }
            from = i + 1
        }
        return false
    }

    static let directoryDelimiters = Array("/".utf8), domainDelimiters = Array("/?.:".utf8)
    static func delimiters(_ m: MatchMethod) -> [UInt8] { m == .dir ? directoryDelimiters : domainDelimiters }

    /// Integer patterns: "N", "a:b", ":b", "a:", and an operator (eq, ge, gt,
    /// le, lt) that applies to every pattern after it, alone or as "ge 10".
    static func parseIntPatterns(_ patterns: [String], acl d: ACLDefinition) throws -> [ClosedRange<Int64>] {
        var op: String? = nil
        var out: [ClosedRange<Int64>] = []
        let tokens = patterns.flatMap { $0.split(separator: " ").map(String.init) }
        for t in tokens {
            if ["eq", "ge", "gt", "le", "lt"].contains(t) { op = t; continue }
            func num(_ s: Substring) throws -> Int64 {
                guard let v = Int64(s) else { throw HTTPRulesError("acl '\(d.name)' at \(d.location): '\(t)' is not an integer") }
                return v
            }
            if let colon = t.firstIndex(of: ":") {
                guard op == nil || op == "eq" else {
                    throw HTTPRulesError("acl '\(d.name)' at \(d.location): operator '\(op!)' cannot apply to the range '\(t)'")
                }
                let lo = t[..<colon].isEmpty ? Int64.min : try num(t[..<colon])
                let hi = t[t.index(after: colon)...].isEmpty ? Int64.max : try num(t[t.index(after: colon)...])
                guard lo <= hi else { throw HTTPRulesError("acl '\(d.name)' at \(d.location): empty range '\(t)'") }
                out.append(lo...hi)
                continue
            }
            let v = try num(t[...])
            switch op {
            case "ge": out.append(v...Int64.max)
            case "gt": out.append((v == Int64.max ? v : v + 1)...Int64.max)
            case "le": out.append(Int64.min...v)
            case "lt": out.append(Int64.min...(v == Int64.min ? v : v - 1))
            default: out.append(v...v)
            }
        }
        if op != nil && out.isEmpty {
            throw HTTPRulesError("acl '\(d.name)' at \(d.location): operator '\(op!)' without a value")
        }
        return out
    }
}
