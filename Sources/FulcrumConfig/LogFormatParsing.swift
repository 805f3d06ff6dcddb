/// HAProxy's log-format strings (manual 8.2.4) as header values, redirect
/// targets and dynamic backend names: literal text, `%[fetch(args)]`
/// samples and `%%`. Log variables (`%ci`), flags (`%{+Q}`) and converters
/// (`%[path,lower]`) are not served yet.
enum LogFormatParsing {
    /// Fetch names a sample may use → the name the model carries
    /// (HAProxy's aliases folded: `urlp` is `url_param`).
    static let servedFetches: [String: String] = [
        "path": "path", "url": "url", "base": "base", "query": "query", "method": "method",
        "req.ver": "req.ver", "src": "src", "src_port": "src_port", "dst": "dst", "dst_port": "dst_port",
        "hdr": "hdr", "req.hdr": "req.hdr", "req.fhdr": "req.fhdr", "hdr_cnt": "hdr_cnt", "req.hdr_cnt": "req.hdr_cnt",
        "url_param": "url_param", "urlp": "url_param", "cook": "cook", "req.cook": "req.cook",
    ]

    static func parse(_ text: String) -> Result<LogFormat, ParseFailure> {
        var parts: [LogFormat.Part] = []
        var literal = ""
        var i = text.startIndex
        func flush() { if !literal.isEmpty { parts.append(.literal(literal)); literal = "" } }
        while i < text.endIndex {
            let c = text[i]
            guard c == "%" else { literal.append(c); i = text.index(after: i); continue }
            let next = text.index(after: i)
            guard next < text.endIndex else {
                return .failure(ParseFailure("log-format string '\(text)' ends with a lone '%' (write '%%' for a literal '%')"))
            }
            switch text[next] {
            case "%":
                literal.append("%")
                i = text.index(after: next)
            case "[":
                let bodyStart = text.index(after: next)
                guard let close = text[bodyStart...].firstIndex(of: "]") else {
                    return .failure(ParseFailure("missing ']' after '%[' in log-format string '\(text)'"))
                }
                switch sample(String(text[bodyStart..<close])) {
                case .failure(let f): return .failure(f)
                case .success(let fetch):
                    flush()
                    parts.append(.sample(fetch))
                }
                i = text.index(after: close)
            case "{":
                return .failure(ParseFailure("log-format flags ('%{...}') are not supported yet (in '\(text)')"))
            default:
                let variable = text[next...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                return .failure(ParseFailure("log-format variable '%\(variable.isEmpty ? String(text[next]) : String(variable))' is not supported yet (use a '%[sample]' expression; in '\(text)')"))
            }
        }
        flush()
        return .success(LogFormat(text: text, parts: parts))
    }

    /// The inside of `%[...]`: one fetch with its arguments.
    static func sample(_ body: String) -> Result<SampleFetch, ParseFailure> {
        var depth = 0
        for c in body {
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 } else if c == ",", depth == 0 {
                return .failure(ParseFailure("sample converters are not supported yet (in '%[\(body)]')"))
            }
        }
        switch fetchCall(body) {
        case .failure(let f): return .failure(f)
        case .success(let (name, arguments)):
            guard let served = servedFetches[name] else {
                if ACLCriteria.notServed.contains(name) || ACLCriteria.table[name] != nil {
                    return .failure(ParseFailure("sample fetch '\(name)' is not supported yet in log-format strings"))
                }
                let known = Array(servedFetches.keys).sorted()
                let hint = Suggestion.closest(to: name, among: known).map { "; did you mean '\($0)'?" } ?? ""
                return .failure(ParseFailure("unknown sample fetch '\(name)' in '%[\(body)]'" + hint))
            }
            let needsName: Set<String> = ["url_param", "cook", "req.cook"]
            let noArgument: Set<String> = ["path", "url", "base", "query", "method", "req.ver", "src", "src_port", "dst", "dst_port"]
            if needsName.contains(served), arguments.first?.isEmpty ?? true {
                return .failure(ParseFailure("sample fetch '\(name)' expects a name as its argument (in '%[\(body)]')"))
            }
            if noArgument.contains(served), !arguments.isEmpty {
                return .failure(ParseFailure("sample fetch '\(name)' takes no argument (in '%[\(body)]')"))
            }
            return .success(SampleFetch(name: served, arguments: arguments))
        }
    }

    /// `name` or `name(a,b)`: the name and its comma-separated arguments.
    static func fetchCall(_ text: String) -> Result<(String, [String]), ParseFailure> {
        guard let open = text.firstIndex(of: "(") else {
            guard !text.isEmpty, !text.contains(")") else {
                return .failure(ParseFailure("invalid sample fetch '\(text)'"))
            }
            return .success((text, []))
        }
        guard text.hasSuffix(")"), open != text.startIndex else {
            return .failure(ParseFailure("missing ')' in sample fetch '\(text)'"))
        }
        let name = String(text[..<open])
        let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
        let arguments = inside.isEmpty ? [] : inside.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return .success((name, arguments))
    }
}

extension ParseSession {
    /// A log-format argument; reports at the word and returns nil when invalid.
    mutating func logFormat(_ word: Word, in display: String, at: (Word) -> SourceLocation) -> LogFormat? {
        switch LogFormatParsing.parse(word.text) {
        case .success(let f): return f
        case .failure(let f):
            alert(at(word), "'\(display)' : \(f.message)")
            return nil
        }
    }
}
