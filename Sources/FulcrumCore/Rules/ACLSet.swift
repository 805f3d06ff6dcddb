import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

/// One ACL line compiled: its fetch resolved, its converters compiled, its
/// patterns parsed for the match method (regexes built, networks and
/// integer ranges parsed, string patterns case-folded once). An ACL of a
/// configuration matches through its pattern references' indexes (its
/// `-f` files and its inline patterns, which the runtime API can change);
/// a predefined one, or one compiled without a store, through its own
/// patterns.
public final class CompiledACL: @unchecked Sendable {
    // @unchecked: the scratch buffer and the indexes belong to one worker's thread.
    public let definition: ACLDefinition
    let fetch: HTTPFetch
    /// `var(txn.x),lower`: converters applied to each sample before matching.
    let converters: [CompiledConverter]
    let patterns: ACLPatterns
    let indexes: [PatternIndex]
    /// Holds a converted sample's bytes (reused: no allocation per request).
    private var scratch: [UInt8] = []

    public init(_ d: ACLDefinition) throws {
        definition = d
        fetch = try HTTPFetch(d.fetch)
        converters = try d.fetch.converters.map(CompiledConverter.init)
        patterns = try ACLPatterns(d)
        var indexes: [PatternIndex] = []
        if let store = PatternStore.compiling, d.inlineReference != nil || !d.files.isEmpty {
            let user = "ACL '\(d.name)'"
            for (i, f) in d.files.enumerated() {
                let ignoreCase = i < d.filesIgnoringCase.count ? d.filesIgnoringCase[i] : d.ignoreCase
                guard let x = store.aclExpression(file: f, inlineReference: nil, method: d.method, ignoreCase: ignoreCase,
                                                  user: user, location: d.location) else {
                    throw HTTPRulesError("acl '\(d.name)' at \(d.location): pattern file '\(f)' is not loaded")
                }
                indexes.append(x)
            }
            if let id = d.inlineReference, let x = store.aclExpression(file: nil, inlineReference: id, method: d.method,
                                                                        ignoreCase: d.ignoreCase, user: user, location: d.location) {
                indexes.append(x)
            }
        } else if !d.files.isEmpty {
            throw HTTPRulesError("acl '\(d.name)' at \(d.location): pattern files need a pattern store")
        }
        // '-m found' and '-m bool' read no pattern: their own matcher answers.
        self.indexes = d.method == .found || d.method == .bool ? [] : indexes
        usesIndexes = !self.indexes.isEmpty
    }
    private let usesIndexes: Bool

    /// Evaluates the ACL: true when any sample of the fetch (converted)
    /// matches any pattern (`-m found`: when there is a sample at all).
    public func matches(_ context: HTTPRuleContext, acls: ACLSet?) -> Bool {
        // The closure captures the two references, not the context: a
        // captured context is copied (about fifteen retains) at every use.
        let variables = context.variables, stick = context.stick
        return SampleFetcher.forEach(fetch, context: context, acls: acls) { matches(sample: $0, variables: variables, stick: stick) }
    }

    /// One fetched sample, converted, against the patterns.
    func matches(sample: Sample, variables: RuleVariables? = nil, stick: StickTracker? = nil) -> Bool {
        guard !converters.isEmpty else { return test(sample) }
        scratch.removeAll(keepingCapacity: true)
        guard let v = SampleConversion.run(converters, on: sample, variables: variables, stick: stick, out: &scratch, mark: 0) else { return false }
        return test(SampleConversion.sample(v, out: scratch, mark: 0))
    }

    @inline(__always)
    private func test(_ sample: Sample) -> Bool {
        guard usesIndexes else { return patterns.matches(sample) }
        for x in indexes where x.matches(sample) { return true }
        return false
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
        "REQ_CONTENT": ("req.len", .int, ["gt", "0"]),
    ]
    /// Predefined names that need data this engine does not see.
    static let unsupportedPredefined: Set<String> = ["RDP_COOKIE", "WAIT_END"]

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
