/// Parsing of the stick counter actions (`track-sc*`, `sc-inc-gpc*`,
/// `sc-set-gpt*`) wherever a rule set takes them, with HAProxy 2.6's words.
extension ParseSession {
    /// HAProxy's MAX_SESS_STKCTR: counters 0, 1 and 2.
    static let stickCounters = 3

    static func isStickAction(_ text: String) -> Bool {
        text.hasPrefix("track-sc") || text.hasPrefix("sc-inc-gpc") || text.hasPrefix("sc-set-gpt")
    }

    /// The action of `actionWord` and its arguments (the condition already
    /// split off); nil after an alert.
    mutating func stickAction(_ actionWord: Word, _ args: [Word], display: String, at: (Word) -> SourceLocation) -> StickCounterAction? {
        // HAProxy reads `sc-inc-gpc0`, `sc-inc-gpc1` and `sc-set-gpt0` without
        // parentheses as counter 0.
        let text = ["sc-inc-gpc0", "sc-inc-gpc1", "sc-set-gpt0"].contains(actionWord.text) ? actionWord.text + "(0)" : actionWord.text
        func counter(_ s: Substring) -> Int? {
            guard let n = Int(s), (0..<Self.stickCounters).contains(n) else { return nil }
            return n
        }
        func extra(_ i: Int) -> Bool {
            guard i < args.count else { return false }
            alert(at(args[i]), "'\(display)' expects either 'if' or 'unless' followed by a condition but found '\(args[i].text)'")
            return true
        }
        if text.hasPrefix("track-sc") {
            guard let n = counter(text.dropFirst(8)) else {
                alert(at(actionWord), "'\(display)': invalid stick counter; expected a value between 0 and \(Self.stickCounters - 1)")
                return nil
            }
            guard let keyWord = args.first else {
                alert(at(actionWord), "'\(display)' expects a sample expression (the key) as an argument")
                return nil
            }
            var table: String? = nil
            if args.count > 1 {
                guard args[1].text == "table", args.count > 2 else {
                    alert(at(args[1]), "'\(display)' : unexpected argument '\(args[1].text)' (expected 'table' followed by a table name, 'if' or 'unless')")
                    return nil
                }
                table = args[2].text
                if extra(3) { return nil }
            }
            guard let key = stickSample(keyWord, display: display, at: at) else { return nil }
            return .track(counter: n, key: key, table: table)
        }
        // sc-inc-gpc0(N), sc-inc-gpc1(N), sc-inc-gpc(IDX,N), sc-set-gpt0(N), sc-set-gpt(IDX,N)
        guard let open = text.firstIndex(of: "("), text.hasSuffix(")") else {
            alert(at(actionWord), "'\(display)': missing stick counter, expected '\(text)(<sc-id>)'")
            return nil
        }
        let name = text[..<open]
        let inner = text[text.index(after: open)..<text.index(before: text.endIndex)].split(separator: ",", omittingEmptySubsequences: false)
        let legacy = name.hasSuffix("0") || name.hasSuffix("1")
        var index = 0
        let counterText: Substring
        if legacy {
            guard inner.count == 1 else {
                alert(at(actionWord), "'\(display)': expects exactly one stick counter id between parentheses")
                return nil
            }
            index = name.hasSuffix("1") ? 1 : 0
            counterText = inner[0]
        } else {
            guard inner.count == 2, let i = Int(inner[0]), (0..<Self.maxStickArraySize).contains(i) else {
                alert(at(actionWord), "'\(display)': expects a general purpose array index (0 to \(Self.maxStickArraySize - 1)) and a stick counter id between parentheses")
                return nil
            }
            index = i
            counterText = inner[1]
        }
        guard let n = counter(counterText) else {
            alert(at(actionWord), "'\(display)': invalid stick counter '\(counterText)'; expected a value between 0 and \(Self.stickCounters - 1)")
            return nil
        }
        switch name {
        case "sc-inc-gpc0", "sc-inc-gpc1", "sc-inc-gpc":
            if extra(0) { return nil }
            return .incrementGPC(counter: n, index: index, legacy: legacy)
        case "sc-set-gpt0", "sc-set-gpt":
            guard let w = args.first else {
                alert(at(actionWord), "'\(display)' expects an integer or a sample expression as an argument")
                return nil
            }
            if extra(1) { return nil }
            let value: SampleFetch
            if let i = Int(w.text) { value = SampleFetch(name: "int", arguments: [String(i)]) } else {
                guard let s = stickSample(w, display: display, at: at) else { return nil }
                value = s
            }
            return .setGPT(counter: n, index: index, legacy: legacy, value: value)
        default:
            alert(at(actionWord), "unknown stick counter action '\(name)'")
            return nil
        }
    }

    private mutating func stickSample(_ w: Word, display: String, at: (Word) -> SourceLocation) -> SampleFetch? {
        switch LogFormatParsing.sample(w.text) {
        case .failure(let f):
            alert(at(w), "error detected while parsing '\(display)' rule : \(f.message)")
            return nil
        case .success(let fetch):
            guard registerMaps(fetch.converters, location: at(w)) else { return nil }
            return fetch
        }
    }

    /// Every `track-sc*` names an existing table (its proxy's when it names
    /// none), as HAProxy checks after parsing.
    mutating func validateStickActions(_ configuration: Configuration) {
        for (c, location) in stickTableConverters where configuration.stickTable(named: c.table) == nil {
            alert(location, "unable to find table '\(c.table)' referenced in arg \(c.element == nil ? 1 : 2) of converter '\(c.name)'")
        }
        func check(_ http: HTTPProxySettings, proxy: String) {
            let request = http.requestRules.map { r -> (SourceLocation, StickCounterAction?) in
                if case .stick(let a) = r.action { return (r.location, a) } else { return (r.location, nil) }
            }
            let response = http.responseRules.map { r -> (SourceLocation, StickCounterAction?) in
                if case .stick(let a) = r.action { return (r.location, a) } else { return (r.location, nil) }
            }
            for (set, rules) in [("http-request", request), ("http-response", response)] {
                for (location, action) in rules {
                    guard case .track(_, _, let table) = action else { continue }
                    let name = table ?? proxy
                    if configuration.stickTable(named: name) == nil {
                        alert(location, table == nil
                              ? "'\(set) track-sc*' : proxy '\(proxy)' has no stick-table; add one or name another proxy's with 'table'"
                              : "'\(set) track-sc*' : unable to find table '\(name)'")
                    }
                }
            }
        }
        for f in configuration.frontends {
            check(f.http, proxy: f.name)
            for (set, rules) in [("connection", f.tcpConnection.rules), ("session", f.tcpSession.rules)] {
                for r in rules {
                    guard case .stick(.track(_, _, let table)) = r.action else { continue }
                    if configuration.stickTable(named: table ?? f.name) == nil {
                        alert(r.location, table == nil
                              ? "'tcp-request \(set) track-sc*' : proxy '\(f.name)' has no stick-table; add one or name another proxy's with 'table'"
                              : "'tcp-request \(set) track-sc*' : unable to find table '\(table!)'")
                    }
                }
            }
        }
        for b in configuration.backends where configuration.frontends.first(where: { $0.name == b.name }) == nil {
            check(b.http, proxy: b.name)
        }
        let content = configuration.frontends.map { ($0.name, $0.tcpContent) } + configuration.backends.map { ($0.name, $0.tcpContent) }
        for (proxy, rules) in content {
            for r in rules.rules {
                guard case .stick(.track(_, _, let table)) = r.action else { continue }
                if configuration.stickTable(named: table ?? proxy) == nil {
                    alert(r.location, "'tcp-request content track-sc*' : unable to find table '\(table ?? proxy)'")
                }
            }
        }
    }
}
