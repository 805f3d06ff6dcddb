import FulcrumBytes
import FulcrumLog

/// `acl NAME CRITERION [flags] PATTERNS...`, anonymous `{ CRITERION ... }`
/// ACLs and `if|unless` conditions (manual section 7).
extension ParseSession {
    static let matchMethods: Set<String> = ["str", "beg", "end", "sub", "reg", "found", "len", "dir", "dom", "int", "ip", "bool"]
    static let intOperators: Set<String> = ["eq", "ge", "gt", "le", "lt"]

    mutating func aclKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 3 else {
            alert(at(words[0]), "'acl' expects <name> and a criterion, then patterns, as arguments")
            return
        }
        let name = words[1]
        if name.text.isEmpty || name.text.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0))) }) {
            alert(at(name), "ACL name '\(name.text)' contains an invalid character (letters, digits, '-', '_', '.' and ':' are allowed)")
            return
        }
        if ACLCriteria.predefined[name.text] != nil || ACLCriteria.predefinedNotServed.contains(name.text) {
            alert(at(name), "ACL name '\(name.text)' is the name of a predefined ACL")
            return
        }
        guard let acl = aclBody(name: name.text, words[2...], location: at(words[0]), draft: index, at: at) else { return }
        drafts[index].settings.http.acls.append(acl)
        noteHTTPKeyword("acl", index, at(words[0]))
    }

    /// The criterion, flags and patterns of an ACL (named or anonymous).
    mutating func aclBody(name: String, _ words: ArraySlice<Word>, location: SourceLocation, draft index: Int,
                          at: (Word) -> SourceLocation) -> ACLDefinition? {
        let kindName = drafts[index].kind.rawValue
        let criterionWord = words[words.startIndex]
        // `req.hdr(host),lower,map_str(FILE)`: a fetch and its converters.
        guard let (fetchText, converters) = criterionConverters(criterionWord, at: at) else { return nil }
        let keyword: String, arguments: [String]
        switch LogFormatParsing.fetchCall(fetchText) {
        case .failure(let f): alert(at(criterionWord), f.message); return nil
        case .success(let (n, a)): keyword = n; arguments = a
        }
        if let refusal = StickFetchNames.refusal(keyword, arguments: arguments) {
            alert(at(criterionWord), refusal + " in ACL expression '\(fetchText)'")
            return nil
        }
        guard let criterion = ACLCriteria.table[keyword] else {
            if ACLCriteria.notServed.contains(keyword) {
                alert(at(criterionWord), "ACL criterion '\(keyword)' is not supported yet (in section '\(kindName)')")
            } else {
                let hint = self.hint(keyword, Array(ACLCriteria.table.keys))
                alert(at(criterionWord), "unknown ACL criterion '\(keyword)'" + hint)
            }
            return nil
        }
        switch criterion.argument {
        case .none where !arguments.isEmpty:
            alert(at(criterionWord), "ACL criterion '\(keyword)' takes no argument")
            return nil
        case .requiredName, .userlist:
            guard let first = arguments.first, !first.isEmpty else {
                let what = criterion.argument == .userlist ? "the name of a userlist" : "a name"
                alert(at(criterionWord), "ACL criterion '\(keyword)' expects \(what) as its argument, as in '\(keyword)(<name>)'")
                return nil
            }
            if criterion.argument == .userlist {
                if arguments.count > 1 {
                    alert(at(criterionWord), "ACL criterion '\(keyword)' takes only the name of a userlist")
                    return nil
                }
                drafts[index].userlistReferences.append((first, at(criterionWord)))
            }
        case .offsets(let least, let most):
            guard offsetArguments(keyword, arguments, least: least, most: most, at: at(criterionWord)) else { return nil }
        default:
            break
        }
        if criterion.fetch == "var" {
            switch arguments.first.map(VariableName.parse) {
            case .failure(let f)?: alert(at(criterionWord), f.message); return nil
            case nil: alert(at(criterionWord), "ACL criterion 'var' expects a variable name as its argument, as in 'var(txn.name)'"); return nil
            default: break
            }
        }
        // HAProxy matches a converted sample by its type when no '-m' says otherwise.
        var acl = ACLDefinition(name: name, location: location,
                                fetch: SampleFetch(name: criterion.fetch, arguments: arguments, converters: converters),
                                method: converters.last.flatMap(Self.outputMethod) ?? criterion.method)
        // Flags, up to the first word that is not one (or "--").
        var i = words.index(after: words.startIndex)
        var explicitEnd = false
        var explicitMethod = false
        var mapFiles = false
        flags: while i < words.endIndex, words[i].text.hasPrefix("-"), words[i].text.count > 1 {
            let flag = words[i]
            i += 1
            switch flag.text {
            case "--":
                explicitEnd = true
                break flags
            case "-i": acl.ignoreCase = true
            case "-n":
                // Fulcrum never resolves host names in patterns, which is what -n asks for.
                break
            case "-f":
                guard i < words.endIndex, !words[i].text.isEmpty else {
                    alert(at(flag), "error detected while parsing ACL '\(name)' : missing file name after '-f'")
                    return nil
                }
                let file = words[i]
                i += 1
                if let problem = patternReferences.useFile(file.text, map: mapFiles, location: location, user: "ACL '\(name)'",
                                                           deferred: false, byACL: true) {
                    alert(at(file), "error detected while parsing ACL '\(name)' : \(problem)")
                    return nil
                }
                acl.files.append(file.text)
                acl.filesIgnoringCase.append(acl.ignoreCase)
            case "-m":
                if !acl.files.isEmpty {
                    alert(at(flag), "error detected while parsing ACL '\(name)' : '-m' must only be specified before patterns and files in parsing ACL expression.")
                    return nil
                }
                guard i < words.endIndex else {
                    alert(at(flag), "'-m' expects a match method such as 'str', 'beg' or 'reg'")
                    return nil
                }
                let m = words[i]
                i += 1
                if m.text == "bin" {
                    alert(at(m), "match method 'bin' is not supported yet (in section '\(kindName)')")
                    return nil
                }
                guard Self.matchMethods.contains(m.text), let method = MatchMethod(rawValue: m.text) else {
                    alert(at(m), "unknown match method '\(m.text)' for '-m'" + hint(m.text, Array(Self.matchMethods)))
                    return nil
                }
                acl.method = method
                explicitMethod = true
            case "-M":
                // The files that follow are map files (two columns): the ACL matches their keys.
                mapFiles = true
            case "-u":
                alert(at(flag), "ACL flag '\(flag.text)' is not supported yet (in section '\(kindName)')")
                return nil
            default:
                // HAProxy takes an unknown "-x" as the first pattern only after "--".
                alert(at(flag), "unknown ACL flag '\(flag.text)'; expected '-i', '-n', '-m', '-f' or '--'")
                return nil
            }
        }
        if !explicitMethod, criterion.fetch == "var" && converters.isEmpty || converters.last.map({ Self.outputMethod($0) == nil }) == true {
            let type = converters.isEmpty ? "var" : (converters.last.map { Self.outputType($0) } ?? "any")
            alert(at(criterionWord), "matching method must be specified first (using '-m') when using a sample fetch of this type ('\(type)')")
            return nil
        }
        if case .offsets = criterion.argument, !explicitMethod {
            alert(at(criterionWord), "ACL criterion '\(keyword)' matches with 'bin' by default, which is not supported yet: give a method with '-m' (in section '\(kindName)')")
            return nil
        }
        var patternWords = Array(words[i...])
        if criterion.fetch == "req.ssl_ver", !explicitMethod {
            guard let versions = dottedVersions(patternWords, at: at) else { return nil }
            patternWords = versions
        }
        guard let patterns = aclPatterns(patternWords, method: acl.method, at: at) else { return nil }
        acl.patterns = patterns
        acl.inlineReference = patternReferences.inline(criterion: keyword, patterns: patterns, location: location)
        if patterns.isEmpty, acl.files.isEmpty, !explicitEnd, acl.method != .found, acl.method != .bool {
            warning(at(criterionWord), "no pattern to match against was provided for '\(keyword)', so this ACL will never match. Add '--' if this is intended, or use '-m found' to match on existence.")
        }
        if !patterns.isEmpty, acl.method == .found {
            warning(at(patternWords[0]), "'-m found' ignores its patterns")
        }
        return acl
    }

    /// Splits a criterion written with converters into its fetch and the
    /// converters (their map files registered); nil after reporting.
    private mutating func criterionConverters(_ w: Word, at: (Word) -> SourceLocation) -> (String, [SampleConverter])? {
        // `var(txn.x),lower`: a comma outside parentheses starts the converters.
        var depth = 0
        guard let comma = w.text.firstIndex(where: { c in
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            return c == "," && depth == 0
        }) else { return (w.text, []) }
        let expression: LogSampleExpression
        switch LogFormatParser.sampleExpression(w.text) {
        case .failure(let e): alert(at(w), e.message); return nil
        case .success(let e): expression = e
        }
        var converters: [SampleConverter] = []
        for c in expression.converters {
            switch SampleConverterParsing.parse(c) {
            case .failure(let f):
                alert(at(w), "failed to parse sample expression <\(w.text)> : \(f.message)")
                return nil
            case .success(let converter): converters.append(converter)
            }
        }
        guard registerMaps(converters, location: at(w)) else { return nil }
        return (String(w.text[..<comma]), converters)
    }

    /// The match method HAProxy defaults to for a converter's output type;
    /// nil where it has none Fulcrum serves (bin, or the input's own type).
    static func outputMethod(_ c: SampleConverter) -> MatchMethod? {
        switch c {
        case .b64dec, .bytes, .setVar, .unsetVar: return nil
        case .hash, .xxh64, .length, .strcmp, .arithmetic, .neg, .cpl: return .int
        case .not, .bool, .odd, .even: return .bool
        case .ipmask: return .ip
        case .map(let m): return m.output == .int ? .int : m.output == .ip ? .ip : .str
        case .stickTable(let t): return t.fetchSuffix == nil ? .bool : .int
        default: return .str
        }
    }

    static func outputType(_ c: SampleConverter) -> String {
        switch c {
        case .b64dec, .bytes: return "bin"
        default: return "any"
        }
    }

    /// `req.ssl_ver` patterns are versions, as HAProxy's pat_parse_dotted_ver
    /// reads them: "MAJOR[.MINOR]" is MAJOR × 65536 + MINOR, what the fetch
    /// returns ("3.1", TLS 1.0, is 196609), in ranges and after operators
    /// too; rewritten to the integers the int matcher compares.
    private mutating func dottedVersions(_ words: [Word], at: (Word) -> SourceLocation) -> [Word]? {
        var out: [Word] = []
        for w in words {
            if Self.intOperators.contains(w.text) { out.append(w); continue }
            var sides: [String] = []
            for side in w.text.split(separator: ":", omittingEmptySubsequences: false) {
                if side.isEmpty { sides.append(""); continue }
                let parts = side.split(separator: ".", omittingEmptySubsequences: false)
                guard parts.count <= 2, let major = Int(parts[0]), major >= 0,
                      let minor = parts.count == 2 ? Int(parts[1]) : 0, minor >= 0, minor < 65536 else {
                    alert(at(w), "'\(w.text)' is not a version such as 3.1 (in 'req.ssl_ver')")
                    return nil
                }
                sides.append(String(major << 16 | minor))
            }
            out.append(Word(text: sides.joined(separator: ":"), column: w.column))
        }
        return out
    }

    /// `req.payload(OFFSET,LENGTH)` / `req.payload_lv(OFFSET1,LENGTH1[,OFFSET2])`:
    /// HAProxy's argument checks (offsets and lengths not negative, a length
    /// field of 1 to 4 bytes; OFFSET2 may be signed, relative to the field).
    private mutating func offsetArguments(_ keyword: String, _ args: [String], least: Int, most: Int,
                                          at loc: SourceLocation) -> Bool {
        guard (least...most).contains(args.count) else {
            let shape = most == 2 ? "(<offset>,<length>)" : "(<offset1>,<length1>[,<offset2>])"
            alert(loc, "ACL criterion '\(keyword)' expects \(shape) as its arguments")
            return false
        }
        for (i, a) in args.enumerated() {
            let signed = i == 2 && (a.hasPrefix("+") || a.hasPrefix("-"))
            guard let v = Int(signed && a.hasPrefix("+") ? String(a.dropFirst()) : a), signed || v >= 0 else {
                alert(loc, "ACL criterion '\(keyword)': '\(a)' is not a valid offset or length")
                return false
            }
            if most == 3 && i == 1 && !(1...4).contains(v) {
                alert(loc, "ACL criterion '\(keyword)': the length field is 1 to 4 bytes (got \(a))")
                return false
            }
        }
        return true
    }

    /// Checks patterns against their match method; int and len patterns
    /// keep an operator with its value ("lt 5").
    private mutating func aclPatterns(_ words: [Word], method: MatchMethod, at: (Word) -> SourceLocation) -> [String]? {
        var patterns: [String] = []
        var i = 0
        while i < words.count {
            let w = words[i]
            i += 1
            switch method {
            case .int, .len:
                var text = w.text
                var valueWord = w
                if Self.intOperators.contains(w.text) {
                    guard i < words.count else {
                        alert(at(w), "operator '\(w.text)' expects an integer after it")
                        return nil
                    }
                    valueWord = words[i]
                    i += 1
                    guard case .success = ValueParsers.integer(valueWord.text, for: "") else {
                        alert(at(valueWord), "'\(valueWord.text)' is not an integer (after operator '\(w.text)')")
                        return nil
                    }
                    text = w.text + " " + valueWord.text
                } else {
                    let bounds = w.text.split(separator: ":", omittingEmptySubsequences: false)
                    let valid = bounds.count <= 2 && bounds.allSatisfy { b in b.isEmpty || b.allSatisfy { $0.isASCII && $0.isNumber } }
                        && !(bounds.count == 2 && bounds[0].isEmpty && bounds[1].isEmpty) && !w.text.isEmpty
                    guard valid else {
                        alert(at(w), "'\(w.text)' is not an integer pattern (expected N, N:M, or an operator eq, ge, gt, le, lt and N)")
                        return nil
                    }
                }
                patterns.append(text)
            case .ip:
                guard Self.isIPPattern(w.text) else {
                    alert(at(w), "'\(w.text)' is not an IP address or network (host names in ACL patterns are not supported yet)")
                    return nil
                }
                patterns.append(w.text)
            case .reg:
                if let error = ValueParsers.regexError(w.text) {
                    alert(at(w), "regex '\(w.text)' is invalid (\(error))")
                    return nil
                }
                patterns.append(w.text)
            default:
                patterns.append(w.text)
            }
        }
        return patterns
    }

    /// `10.0.0.1`, `10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `::1`, `2001:db8::/32`.
    static func isIPPattern(_ text: String) -> Bool { IPNetwork(text) != nil }

    // MARK: Conditions

    /// Splits `ACTION ARGS... [if|unless COND]` into the words before the
    /// condition and the parsed condition. Returns nil after reporting a problem.
    mutating func splitCondition(_ words: [Word], from start: Int, display: String, draft index: Int,
                                 at: (Word) -> SourceLocation) -> (args: [Word], condition: RuleCondition?)? {
        guard let c = words[start...].firstIndex(where: { $0.text == "if" || $0.text == "unless" }) else {
            return (Array(words[start...]), nil)
        }
        guard let condition = ruleCondition(words[c...], display: display, draft: index, at: at) else { return nil }
        return (Array(words[start..<c]), condition)
    }

    /// `if|unless TERMS` (words[start] is `if` or `unless`).
    mutating func ruleCondition(_ words: ArraySlice<Word>, display: String, draft index: Int,
                                at: (Word) -> SourceLocation) -> RuleCondition? {
        let head = words[words.startIndex]
        let unless = head.text == "unless"
        var groups: [[ConditionTerm]] = []
        var group: [ConditionTerm] = []
        var negate = false
        var i = words.index(after: words.startIndex)
        func fail(_ w: Word, _ message: String) -> RuleCondition? {
            alert(at(w), "error in the condition of '\(display)' : \(message)")
            return nil
        }
        guard i < words.endIndex else { return fail(head, "missing condition after '\(head.text)'") }
        while i < words.endIndex {
            let w = words[i]
            i += 1
            var text = w.text
            // `!{ ... }`: HAProxy reads the '!' glued to the brace as a negation.
            if text == "!{" {
                if negate { return fail(w, "'!' used twice") }
                negate = true
                text = "{"
            }
            switch text {
            case "||", "or":
                if negate || group.isEmpty { return fail(w, "missing ACL before '\(w.text)'") }
                groups.append(group); group = []
            case "!":
                if negate { return fail(w, "'!' used twice") }
                negate = true
            case "{":
                guard let close = words[i...].firstIndex(where: { $0.text == "}" }) else {
                    return fail(w, "missing closing '}' in condition")
                }
                guard close > i else { return fail(w, "empty anonymous ACL '{ }'") }
                let text = words[i..<close].map(\.text).joined(separator: " ")
                guard let acl = aclBody(name: text, words[i..<close], location: at(words[i]), draft: index, at: at) else { return nil }
                group.append(ConditionTerm(negated: negate, reference: .anonymous(acl)))
                negate = false
                i = close + 1
            case "}":
                return fail(w, "unexpected '}' without a matching '{'")
            case "if", "unless":
                return fail(w, "unexpected '\(w.text)' inside a condition")
            default:
                var name = w.text
                if name.hasPrefix("!") {
                    if negate { return fail(w, "'!' used twice") }
                    negate = true
                    name.removeFirst()
                }
                if ACLCriteria.predefinedNotServed.contains(name) {
                    alert(at(w), "predefined ACL '\(name)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
                    return nil
                }
                guard ACLCriteria.predefined[name] != nil || drafts[index].settings.http.acls.contains(where: { $0.name == name }) else {
                    let known = Set(drafts[index].settings.http.acls.map(\.name)).union(ACLCriteria.predefined.keys)
                    return fail(w, "no such ACL : '\(name)'" + hint(name, Array(known)))
                }
                group.append(ConditionTerm(negated: negate, reference: .named(name)))
                negate = false
            }
        }
        if negate || group.isEmpty { return fail(words[words.endIndex - 1], "the condition ends without an ACL") }
        groups.append(group)
        return RuleCondition(unless: unless, groups: groups)
    }

    /// Remembers the first use of an HTTP-only keyword in this section.
    mutating func noteHTTPKeyword(_ keyword: String, _ index: Int, _ loc: SourceLocation) {
        if drafts[index].httpKeywordLocations[keyword] == nil { drafts[index].httpKeywordLocations[keyword] = loc }
    }
}
