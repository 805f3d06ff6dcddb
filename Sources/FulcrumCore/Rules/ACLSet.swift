import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

/// One ACL line compiled: its fetch resolved, regexes built, IP and integer
/// patterns parsed, case folding applied to string patterns once.
public final class CompiledACL: @unchecked Sendable {
    // @unchecked: Regex values are immutable after construction and only read.
    public let definition: ACLDefinition
    let fetch: HTTPFetch
    let method: MatchMethod
    let ignoreCase: Bool
    let strings: [[UInt8]]
    let regexes: [Regex<AnyRegexOutput>]
    let ints: [ClosedRange<Int64>]
    let networks: [IPNetwork]

    public init(_ d: ACLDefinition) throws {
        definition = d
        fetch = try HTTPFetch(d.fetch)
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
                    let delims = CompiledACL.delimiters(d.method)
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
            ints = try CompiledACL.parseIntPatterns(d.patterns, acl: d)
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

    static func delimiters(_ m: MatchMethod) -> [UInt8] {
        m == .dir ? [UInt8(ascii: "/")] : [UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "."), UInt8(ascii: ":")]
    }

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

    /// Evaluates the ACL: true when any fetched value matches any pattern.
    public func matches(_ context: HTTPRuleContext, acls: ACLSet?) -> Bool {
        let values = SampleFetcher.values(fetch, context: context, acls: acls)
        if method == .found { return !values.isEmpty }
        for v in values where matches(value: v) { return true }
        return false
    }

    func matches(value: String) -> Bool {
        switch method {
        case .found: return true
        case .bool: return CompiledACL.toInt(value).map { $0 != 0 } ?? false
        case .int:
            guard let n = CompiledACL.toInt(value) else { return false }
            return ints.contains { $0.contains(n) }
        case .len:
            let n = Int64(value.utf8.count)
            return ints.contains { $0.contains(n) }
        case .ip:
            guard let a = IPAddress(value) else { return false }
            return networks.contains { $0.contains(a) }
        case .reg:
            return regexes.contains { (try? $0.firstMatch(in: value)) != nil }
        case .str, .beg, .end, .sub, .dir, .dom:
            var v = Array(value.utf8)
            if ignoreCase { v = v.map(ASCII.lower) }
            for p in strings where CompiledACL.match(method, v, p) { return true }
            return false
        }
    }

    static func match(_ m: MatchMethod, _ v: [UInt8], _ p: [UInt8]) -> Bool {
        switch m {
        case .str: return v == p
        case .beg: return v.starts(with: p)
        case .end: return v.count >= p.count && v[(v.count - p.count)...].elementsEqual(p)
        case .sub: return p.isEmpty || find(p, in: v, from: 0) != nil
        case .dir, .dom: return matchWord(v, p, delimiters(m))
        default: return false
        }
    }

    static func find(_ p: [UInt8], in v: [UInt8], from: Int) -> Int? {
        guard p.count <= v.count else { return nil }
        var i = from
        while i + p.count <= v.count {
            if v[i..<(i + p.count)].elementsEqual(p) { return i }
            i += 1
        }
        return nil
    }

    /// HAProxy's match_word: the pattern appears bounded by a delimiter or
    /// the ends of the value.
    static func matchWord(_ v: [UInt8], _ p: [UInt8], _ delims: [UInt8]) -> Bool {
        if p.isEmpty { return true }
        var from = 0
        while let i = find(p, in: v, from: from) {
            let before = i == 0 || delims.contains(v[i - 1])
            let end = i + p.count
            let after = end == v.count || delims.contains(v[end])
            if before && after { return true }
            from = i + 1
        }
        return false
    }

    /// HAProxy's str→int conversion: optional sign then leading digits; nil for an empty string.
    static func toInt(_ s: String) -> Int64? {
        var it = s.utf8.makeIterator()
        guard var c = it.next() else { return nil }
        var neg = false
        if c == UInt8(ascii: "-") || c == UInt8(ascii: "+") {
            neg = c == UInt8(ascii: "-")
            guard let n = it.next() else { return 0 }
            c = n
        }
        var v: Int64 = 0
        while c >= 48 && c <= 57 {
            v = v &* 10 &+ Int64(c - 48)
            guard let n = it.next() else { break }
            c = n
        }
        return neg ? -v : v
    }
}

/// A condition compiled against an ACL set: OR of AND groups of (possibly
/// negated) terms, each term an OR of ACL lines.
public struct ACLCondition: Sendable {
    public struct Term: Sendable {
        public var negated: Bool
        public var acls: [CompiledACL]
    }
    public var unless: Bool
    public var groups: [[Term]]
}

/// The compiled ACLs of one proxy, built when the worker starts: named ACLs
/// (several lines with one name are OR-ed), HAProxy's predefined ACLs, and
/// the userlists `http_auth` refers to.
public final class ACLSet: @unchecked Sendable {
    // @unchecked: the anonymous cache is only filled by `compile` at load time
    // and by the single-threaded worker's convenience path.
    public let named: [String: [CompiledACL]]
    public let userlists: [String: Userlist]
    public let crypt: (String, String) -> String?
    private var anonymous: [CompiledACL] = []

    /// Predefined ACLs of HAProxy 2.6 (name → criterion, patterns).
    static let predefined: [String: (fetch: String, method: MatchMethod, patterns: [String])] = [
        "TRUE": ("always_true", .bool, []),
        "FALSE": ("always_false", .bool, []),
        "HTTP": ("req.proto_http", .bool, []),
        "HTTP_1.0": ("req.ver", .str, ["1.0"]),
        "HTTP_1.1": ("req.ver", .str, ["1.1"]),
        "HTTP_2.0": ("req.ver", .str, ["2.0"]),
        "HTTP_CONTENT": ("hdr_val", .int, ["gt", "0"]),
        "HTTP_URL_ABS": ("url", .reg, ["^[^/:]*://"]),
        "HTTP_URL_SLASH": ("url", .beg, ["/"]),
        "HTTP_URL_STAR": ("url", .str, ["*"]),
        "LOCALHOST": ("src", .ip, ["127.0.0.1/8", "::1"]),
        "METH_CONNECT": ("method", .str, ["CONNECT"]),
        "METH_DELETE": ("method", .str, ["DELETE"]),
        "METH_GET": ("method", .str, ["GET", "HEAD"]),
        "METH_HEAD": ("method", .str, ["HEAD"]),
        "METH_OPTIONS": ("method", .str, ["OPTIONS"]),
        "METH_POST": ("method", .str, ["POST"]),
        "METH_PUT": ("method", .str, ["PUT"]),
        "METH_TRACE": ("method", .str, ["TRACE"]),
    ]
    /// Predefined names that need data this engine does not see.
    static let unsupportedPredefined: Set<String> = ["RDP_COOKIE", "REQ_CONTENT", "WAIT_END"]

    public init(_ acls: [ACLDefinition], userlists: [Userlist], crypt: @escaping (String, String) -> String?) throws {
        var named: [String: [CompiledACL]] = [:]
        for (name, p) in ACLSet.predefined {
            var d = ACLDefinition(name: name, location: SourceLocation(file: "<predefined>", line: 0),
                                  fetch: SampleFetch(name: p.fetch, arguments: p.fetch == "hdr_val" ? ["content-length"] : []),
                                  method: p.method)
            d.patterns = p.patterns
            named[name] = [try CompiledACL(d)]
        }
        var userDefined = Set<String>()
        var lists: [String: Userlist] = [:]
        for u in userlists { lists[u.name] = u }
        for a in acls {
            // A user ACL with a predefined name replaces it, as HAProxy looks user ACLs up first.
            if userDefined.insert(a.name).inserted { named[a.name] = [] }
            let c = try CompiledACL(a)
            try ACLSet.checkUserlist(c, lists)
            named[a.name, default: []].append(c)
        }
        self.named = named
        self.userlists = lists
        self.crypt = crypt
    }

    static func checkUserlist(_ c: CompiledACL, _ lists: [String: Userlist]) throws {
        switch c.fetch {
        case .httpAuth(let u), .httpAuthGroup(let u):
            guard lists[u] != nil else {
                throw HTTPRulesError("acl '\(c.definition.name)' at \(c.definition.location): unknown userlist '\(u)'")
            }
        default: break
        }
    }

    /// Resolves every term of a condition (named ACLs must exist; anonymous
    /// ones are compiled here). Call at load time.
    public func compile(_ condition: RuleCondition?) throws -> ACLCondition? {
        guard let condition else { return nil }
        var groups: [[ACLCondition.Term]] = []
        for g in condition.groups {
            var terms: [ACLCondition.Term] = []
            for t in g {
                switch t.reference {
                case .named(let name):
                    if let list = named[name] {
                        terms.append(.init(negated: t.negated, acls: list))
                    } else if ACLSet.unsupportedPredefined.contains(name) {
                        throw HTTPRulesError("predefined ACL '\(name)' is not supported")
                    } else {
                        throw HTTPRulesError("unknown ACL '\(name)'")
                    }
                case .anonymous(let d):
                    terms.append(.init(negated: t.negated, acls: [try anonymousACL(d)]))
                }
            }
            groups.append(terms)
        }
        return ACLCondition(unless: condition.unless, groups: groups)
    }

    func anonymousACL(_ d: ACLDefinition) throws -> CompiledACL {
        if let c = anonymous.first(where: { $0.definition == d }) { return c }
        let c = try CompiledACL(d)
        try ACLSet.checkUserlist(c, userlists)
        anonymous.append(c)
        return c
    }
}
