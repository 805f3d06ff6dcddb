/// The variable actions shared by `http-request`, `http-response`,
/// `http-after-response` and `tcp-request content`: `set-var(NAME) EXPR`,
/// `set-var-fmt(NAME) FMT`, `unset-var(NAME)` (manual 4.2).
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
            case .success(let fetch):
                guard registerMaps(fetch.converters, location: at(w)) else { return nil }
                return .set(name, fetch)
            }
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
