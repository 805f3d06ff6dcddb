/// The variable actions shared by `http-request`, `http-response`,
/// `http-after-response` and `tcp-request content`: `set-var(NAME) EXPR`,
/// `set-var-fmt(NAME) FMT`, `unset-var(NAME)`; and `http-after-response`
/// itself (manual 4.2).
extension ParseSession {
    /// A variable action as read from its words.
    enum VariableAction {
        case set(VariableName, SampleFetch)
        case setFormat(VariableName, LogFormat)
        case unset(VariableName)
    }

    /// Whether `word` is `set-var(...)`, `set-var-fmt(...)` or `unset-var(...)`.
    static func isVariableAction(_ word: String) -> Bool {
        word.hasPrefix("set-var(") || word.hasPrefix("set-var-fmt(") || word.hasPrefix("unset-var(")
    }

    /// Reads a variable action; `args` are the words after the action up to
    /// `if`/`unless`. Reports at the word and returns nil when invalid.
    mutating func variableAction(_ actionWord: Word, _ args: [Word], rule: String, at: (Word) -> SourceLocation) -> VariableAction? {
        let text = actionWord.text
        let display = "\(rule) \(text)"
        guard let open = text.firstIndex(of: "("), text.hasSuffix(")") else {
            alert(at(actionWord), "error detected while parsing '\(display)' rule : missing ')' after the variable name")
            return nil
        }
        let kind = String(text[..<open])
        let nameText = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        let name: VariableName
        switch kind == "unset-var" ? VariableName.parse(nameText) : VariableName.parseTarget(nameText) {
        case .failure(let f):
            alert(at(actionWord), "error detected while parsing '\(display)' rule : \(f.message)")
            return nil
        case .success(let n): name = n
        }
        func extra(_ i: Int) -> Bool {
            guard i < args.count else { return false }
            alert(at(args[i]), "'\(display)' expects either 'if' or 'unless' followed by a condition but found '\(args[i].text)'")
            return true
        }
        switch kind {
        case "unset-var":
            if extra(0) { return nil }
            return .unset(name)
        case "set-var-fmt":
            if extra(1) { return nil }
            guard let w = args.first else { return .setFormat(name, LogFormat(text: "", parts: [])) }
            guard let f = logFormat(w, in: display, at: at) else { return nil }
            return .setFormat(name, f)
        default:
            guard let w = args.first else {
                alert(at(actionWord), "error detected while parsing '\(display)' rule : missing fetch method")
                return nil
            }
            if extra(1) { return nil }
            switch LogFormatParsing.sample(w.text) {
            case .failure(let f):
                alert(at(w), "error detected while parsing '\(display)' rule : \(f.message)")
                return nil
            case .success(let fetch): return .set(name, fetch)
            }
        }
    }

    // MARK: http-after-response

    static let otherAfterResponseActions: Set<String> = [
        "capture", "ot-group", "del-acl", "del-map", "replace-uri", "sc-add-gpc", "sc-inc-gpc", "sc-inc-gpc0", "sc-inc-gpc1",
        "sc-set-gpt", "sc-set-gpt0", "set-log-level", "set-map", "set-timeout", "strict-mode",
    ]

    mutating func httpAfterResponseKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let kindName = drafts[index].kind.rawValue
        // HAProxy 2.6's list, word for word.
        let expects = "'http-after-response' expects 'ot-group', 'add-header', 'allow', 'capture', 'del-header', 'replace-header', 'replace-value', 'set-header', 'set-status', 'strict-mode', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', but got"
        guard words.count >= 2 else {
            alert(at(words[0]), "\(expects) '' (missing argument).")
            return
        }
        let actionWord = words[1]
        let display = "http-after-response \(actionWord.text)"
        guard let (args, condition) = splitCondition(words, from: 2, display: display, draft: index, at: at) else { return }
        let action: HTTPResponseAction
        if Self.isVariableAction(actionWord.text) {
            guard let v = variableAction(actionWord, args, rule: "http-after-response", at: at) else { return }
            action = v.responseAction
        } else {
            switch actionWord.text {
            case "allow":
                guard noArguments(args, display, at: at) else { return }
                action = .allow
            case "set-header", "add-header", "del-header", "replace-header", "replace-value":
                // The same arguments as http-response's.
                var probe = words
                probe[0] = Word(text: "http-response", column: words[0].column)
                let before = drafts[index].settings.http.responseRules.count
                httpResponseKeyword(probe, draft: index, at: at)
                guard drafts[index].settings.http.responseRules.count > before else { return }
                let rule = drafts[index].settings.http.responseRules.removeLast()
                action = rule.action
            case "set-status":
                guard let a = setStatusAction(args, action: actionWord, display: display, at: at) else { return }
                action = a
            case let other where Self.otherAfterResponseActions.contains(other):
                alert(at(actionWord), "'http-after-response \(other)' is not supported yet (in section '\(kindName)')")
                return
            default:
                alert(at(actionWord), "\(expects) '\(actionWord.text)'.")
                return
            }
        }
        let loc = at(words[0])
        drafts[index].settings.http.afterResponseRules.append(HTTPResponseRule(location: loc, action: action, condition: condition))
        noteHTTPKeyword("http-after-response", index, loc)
    }

    /// `set-status CODE [reason TEXT]`.
    mutating func setStatusAction(_ args: [Word], action: Word, display: String, at: (Word) -> SourceLocation) -> HTTPResponseAction? {
        guard let first = args.first else {
            alert(at(action), "error detected while parsing '\(display)' rule : expects 1 argument: <status>; or 3 arguments: <status> reason <fmt>.")
            return nil
        }
        guard let code = Int(first.text), (100...999).contains(code) else {
            alert(at(first), "error detected while parsing '\(display)' rule : expects an integer status code between 100 and 999.")
            return nil
        }
        var reason: String? = nil
        if args.count > 1 {
            guard args[1].text == "reason", args.count == 3 else {
                alert(at(args[1]), "'\(display)' expects either 'if' or 'unless' followed by a condition but found '\(args[1].text)'")
                return nil
            }
            reason = args[2].text
        }
        return .setStatus(code, reason: reason)
    }
}

extension ParseSession {
    /// `set-src|set-src-port|set-dst|set-dst-port EXPR`.
    mutating func setAddressAction(_ actionWord: Word, _ args: [Word], display: String, at: (Word) -> SourceLocation) -> HTTPRequestAction? {
        guard let w = args.first else {
            alert(at(actionWord), "'\(display)' expects a sample expression as an argument")
            return nil
        }
        if args.count > 1 {
            alert(at(args[1]), "'\(display)' expects either 'if' or 'unless' followed by a condition but found '\(args[1].text)'")
            return nil
        }
        switch LogFormatParsing.sample(w.text) {
        case .failure(let f):
            alert(at(w), "error detected while parsing '\(display)' rule : \(f.message)")
            return nil
        case .success(let fetch):
            return .setAddress(ConnectionAddressField(rawValue: actionWord.text)!, fetch)
        }
    }

    /// `normalize-uri NORMALIZER [full|strict]` (HAProxy 2.6's list).
    mutating func normalizeURIAction(_ actionWord: Word, _ args: [Word], display: String, at: (Word) -> SourceLocation) -> URINormalizer? {
        guard global.exposeExperimentalDirectives else {
            alert(at(actionWord), "'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'")
            return nil
        }
        let names = ["fragment-encode", "fragment-strip", "path-merge-slashes", "path-strip-dot", "path-strip-dotdot",
                     "percent-decode-unreserved", "percent-to-uppercase", "query-sort-by-name"]
        guard let w = args.first else {
            alert(at(actionWord), "'\(display)' expects a normalizer name (\(names.joined(separator: ", ")))")
            return nil
        }
        let option = args.count > 1 ? args[1] : nil
        func noOption() -> Bool {
            guard let option else { return true }
            alert(at(option), "'\(display) \(w.text)' : unexpected argument '\(option.text)'")
            return false
        }
        func flag(_ name: String) -> Bool? {
            guard let option else { return false }
            guard option.text == name, args.count == 2 else {
                alert(at(option), "'\(display) \(w.text)' : unexpected argument '\(option.text)' (expected '\(name)')")
                return nil
            }
            return true
        }
        switch w.text {
        case "fragment-encode": return noOption() ? .fragmentEncode : nil
        case "fragment-strip": return noOption() ? .fragmentStrip : nil
        case "path-merge-slashes": return noOption() ? .pathMergeSlashes : nil
        case "path-strip-dot": return noOption() ? .pathStripDot : nil
        case "query-sort-by-name": return noOption() ? .querySortByName : nil
        case "path-strip-dotdot": return flag("full").map { .pathStripDotDot(full: $0) }
        case "percent-decode-unreserved": return flag("strict").map { .percentDecodeUnreserved(strict: $0) }
        case "percent-to-uppercase": return flag("strict").map { .percentToUppercase(strict: $0) }
        default:
            alert(at(w), "'\(display)' : unknown normalizer '\(w.text)'" + hint(w.text, names))
            return nil
        }
    }
}

extension ParseSession.VariableAction {
    var responseAction: HTTPResponseAction {
        switch self {
        case .set(let n, let f): return .setVar(n, f)
        case .setFormat(let n, let f): return .setVarFormat(n, f)
        case .unset(let n): return .unsetVar(n)
        }
    }

    var requestAction: HTTPRequestAction {
        switch self {
        case .set(let n, let f): return .setVar(n, f)
        case .setFormat(let n, let f): return .setVarFormat(n, f)
        case .unset(let n): return .unsetVar(n)
        }
    }
}
