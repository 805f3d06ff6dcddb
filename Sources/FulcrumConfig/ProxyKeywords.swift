/// Keywords of defaults, frontend, backend and listen sections.
extension ParseSession {
    static let servedProxyKeywords: Set<String> = [
        "mode", "default_backend", "balance", "hash-type", "server", "default-server", "maxconn", "rate-limit",
        "timeout", "retries", "option", "bind", "http-check", "tcp-check",
        "acl", "use_backend", "redirect", "http-request", "http-response", "http-after-response",
        "cookie", "compression", "http-send-name-header", "errorfile", "errorfiles", "errorloc", "errorloc302", "errorloc303", "http-error", "http-reuse", "retry-on", "stats", "id", "tcp-request", "tcp-response",
        "source", "load-server-state-from-file", "server-state-file-name", "server-template", "stick-table", "stick",
        "use-server", "force-persist", "ignore-persist", "dynamic-cookie-key", "external-check", "email-alert",
    ]
    /// Keywords a named defaults section may hold in HAProxy, whose
    /// inheritance Fulcrum does not serve yet.
    static let namedDefaultsRuleKeywords: Set<String> = ["acl", "http-request", "http-response", "http-after-response", "tcp-request",
                                                         "tcp-response"]
    static let servedOptions = Set<String>(["redispatch", "allbackups", "httpchk", "tcp-check", "socket-stats",
                                            "transparent", "external-check"]).union(httpOptions).union(protocolCheckOptions)
    static let httpOptions: Set<String> = [
        "http-server-close", "httpclose", "http-keep-alive", "forwardfor", "originalto", "accept-invalid-http-request",
    ]
    static let servedTimeouts: Set<String> = [
        "connect", "client", "server", "queue", "tunnel", "client-fin", "server-fin", "check",
        "http-request", "http-keep-alive", "tarpit",
    ]

    /// Whether a keyword whose matrix entry is `sections` may appear in `draft`.
    /// What an unknown proxy keyword is compared with, per section kind (a
    /// `+` when named): the keywords HAProxy allows there, and Fulcrum's.
    /// Made once: a configuration full of unknown words (fuzzing) asks often.
    static let suggestedProxyKeywords: [String: [String]] = {
        var out: [String: [String]] = [:]
        for (kind, named) in [(SectionKind.defaults, false), (.defaults, true), (.frontend, true), (.listen, true), (.backend, true)] {
            // Table entries can be two words ("timeout connect"): the first is suggested.
            let known = HAProxyKeywords.proxy.filter { allowed($0.value, kind: kind, named: named) }
                .map { String($0.key.split(separator: " ").first ?? Substring($0.key)) }
            let all = Array(Set(known).union(servedProxyKeywords))
            out["\(kind)" + (named ? "+" : "")] = all
            if kind != .defaults { out["\(kind)"] = all }
        }
        return out
    }()

    static func allowed(_ sections: String, in draft: ProxyDraft) -> Bool {
        allowed(sections, kind: draft.kind, named: draft.name != nil)
    }

    static func allowed(_ sections: String, kind: SectionKind, named: Bool) -> Bool {
        switch kind {
        case .defaults: return sections.contains("d") || (sections.contains("D") && named)
        case .frontend: return sections.contains("f")
        case .listen: return sections.contains("l")
        case .backend: return sections.contains("b")
        case .global: return false
        }
    }

    /// Reports a served keyword used where HAProxy's matrix does not allow it.
    /// Returns true when the line must not be applied.
    mutating func rejectedByCapability(_ display: String, sections: String, draft index: Int, at loc: SourceLocation) -> Bool {
        let draft = drafts[index]
        guard !Self.allowed(sections, in: draft) else { return false }
        switch draft.kind {
        case .defaults:
            alert(loc, "'\(display)' is not allowed in 'defaults' section")
        case .frontend where display == "server" || display == "default-server":
            alert(loc, "'\(display)' not allowed because \(draft.label) has no backend capability")
        case .frontend:
            warning(loc, "'\(display)' ignored because \(draft.label) has no backend capability")
        case .backend where display == "bind":
            alert(loc, "'bind' not allowed because \(draft.label) has no frontend capability")
        case .backend where display == "maxconn":
            warning(loc, "'maxconn' ignored because \(draft.label) has no frontend capability. Maybe you want 'fullconn' instead ?")
        case .backend:
            warning(loc, "'\(display)' ignored because \(draft.label) has no frontend capability")
        default:
            alert(loc, "'\(display)' is not allowed in '\(draft.kind.rawValue)' section")
        }
        return true
    }

    mutating func proxyKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        var words = words
        let kindName = drafts[index].kind.rawValue
        let loc = at(words[0])
        // "no option X" / "default option X"
        var prefix: String? = nil
        if (words[0].text == "no" || words[0].text == "default"), words.count > 1 {
            prefix = words[0].text
            words.removeFirst()
        }
        let keyword = words[0].text
        if prefix == "no", keyword == "log" {
            proxyLoggingKeyword(words, negated: true, draft: index, at: at)
            return
        }
        if let prefix, Self.proxyLoggingKeywords.contains(keyword) {
            // HAProxy refuses these too (only `no log` and the options take a prefix).
            alert(loc, "'\(prefix) \(keyword)' is not allowed: negation/default apply to options and 'no log' only")
            return
        }
        if prefix == nil, Self.proxyLoggingKeywords.contains(keyword) {
            // Logging keywords check where they may appear themselves (HAProxy's own messages).
            proxyLoggingKeyword(words, negated: false, draft: index, at: at)
            return
        }
        if let prefix, keyword != "option" {
            if HAProxyKeywords.proxy[keyword] != nil {
                alert(loc, "keyword '\(prefix) \(keyword)' is not supported yet (in section '\(kindName)')")
            } else {
                alert(loc, "unknown keyword '\(prefix) \(keyword)' in '\(kindName)' section")
            }
            return
        }
        if let removed = RemovedKeywords.proxy[keyword] {
            alert(loc, removed)
            return
        }
        if Self.monitorKeywords.contains(keyword) {
            monitorKeyword(words, draft: index, at: at)
            return
        }
        guard Self.servedProxyKeywords.contains(keyword) || Self.connectionKeywords.contains(keyword) else {
            if HAProxyKeywords.proxy[keyword] != nil {
                alert(loc, "keyword '\(keyword)' is not supported yet (in section '\(kindName)')")
            } else {
                let candidates = Self.suggestedProxyKeywords["\(drafts[index].kind)" + (drafts[index].name != nil ? "+" : "")] ?? []
                alert(loc, "unknown keyword '\(keyword)' in '\(kindName)' section" + hint(keyword, candidates))
            }
            return
        }
        if keyword == "option" {
            optionKeyword(words, prefix: prefix, draft: index, at: at)
            return
        }
        if keyword == "timeout" {
            timeoutKeyword(words, draft: index, at: at)
            return
        }
        if rejectedByCapability(keyword, sections: HAProxyKeywords.proxy[keyword] ?? "", draft: index, at: loc) { return }
        if drafts[index].kind == .defaults, Self.namedDefaultsRuleKeywords.contains(keyword) {
            alert(loc, "keyword '\(keyword)' in a named defaults section is not supported yet (in section '\(kindName)')")
            return
        }
        switch keyword {
        case "bind": bindKeyword(words, draft: index, at: at)
        case "server": serverKeyword(words, draft: index, at: at)
        case "server-template": serverTemplateKeyword(words, draft: index, at: at)
        case "default-server":
            var params = drafts[index].settings.defaultServer
            parseServerParams(words.dropFirst(), into: &params, section: kindName, mode: drafts[index].settings.mode,
                              defaultServer: true, at: at)
            drafts[index].settings.defaultServer = params
        case "mode": modeKeyword(words, draft: index, at: at)
        case "balance": balanceKeyword(words, draft: index, at: at)
        case "hash-type": hashTypeKeyword(words, draft: index, at: at)
        case "http-check": httpCheckKeyword(words, draft: index, at: at)
        case "tcp-check": tcpCheckKeyword(words, draft: index, at: at)
        case "acl": aclKeyword(words, draft: index, at: at)
        case "use_backend": useBackendKeyword(words, draft: index, at: at)
        case "redirect": redirectKeyword(words, draft: index, at: at)
        case "http-request": httpRequestKeyword(words, draft: index, at: at)
        case "http-response": httpResponseKeyword(words, draft: index, at: at)
        case "http-after-response": httpAfterResponseKeyword(words, draft: index, at: at)
        case "cookie": cookieKeyword(words, draft: index, at: at)
        case "compression": compressionKeyword(words, draft: index, at: at)
        case "errorfile": errorfileKeyword(words, draft: index, at: at)
        case "errorfiles": errorfilesKeyword(words, draft: index, at: at)
        case "http-send-name-header":
            guard words.count >= 2, !words[1].text.isEmpty else {
                alert(at(words[0]), "'http-send-name-header' requires a header string.")
                return
            }
            for extra in words.dropFirst(2) { alert(at(extra), "unexpected argument '\(extra.text)' for 'http-send-name-header'") }
            drafts[index].settings.http.sendNameHeader = words[1].text
        case "errorloc", "errorloc302", "errorloc303": errorlocKeyword(words, draft: index, at: at)
        case "http-error": httpErrorKeyword(words, draft: index, at: at)
        case "http-reuse": httpReuseKeyword(words, draft: index, at: at)
        case "retry-on": retryOnKeyword(words, draft: index, at: at)
        case "stats": statsPageKeyword(words, draft: index, at: at)
        case "tcp-request": tcpRequestKeyword(words, draft: index, at: at)
        case "tcp-response": tcpResponseKeyword(words, draft: index, at: at)
        case "stick-table": stickTableKeyword(words, draft: index, at: at)
        case "stick": stickKeyword(words, draft: index, at: at)
        case "source": sourceKeyword(words, draft: index, at: at)
        case "external-check": externalCheckKeyword(words, draft: index, at: at)
        case "email-alert": emailAlertKeyword(words, draft: index, at: at)
        case _ where Self.serverRuleKeywords.contains(keyword): serverRuleKeyword(words, draft: index, at: at)
        case "dynamic-cookie-key":
            guard let value = singleArgument(words, at: at, expecting: "<secret key>") else { return }
            drafts[index].settings.http.dynamicCookieKey = value.text
        case "load-server-state-from-file":
            guard let value = singleArgument(words, at: at, expecting: "'global', 'local' or 'none'") else { return }
            guard let mode = ServerStateLoad(rawValue: value.text) else {
                alert(at(value), "'\(keyword)' expects 'global', 'local' or 'none'. Got '\(value.text)'")
                return
            }
            drafts[index].settings.serverStateLoad = mode
        case "server-state-file-name":
            for extra in words.dropFirst(2) { alert(at(extra), "'\(keyword)' cannot handle unexpected argument '\(extra.text)'.") }
            // No argument or `use-backend-name`: the backend's own name (resolved per backend).
            let name = words.count > 1 && words[1].text != "use-backend-name" ? words[1].text : nil
            drafts[index].settings.serverStateFileName = .some(name)
        case _ where Self.connectionKeywords.contains(keyword): connectionKeyword(words, draft: index, at: at)
        case "default_backend":
            guard let value = singleArgument(words, at: at, expecting: "<backend name>") else { return }
            drafts[index].settings.defaultBackend = value.text
            drafts[index].settings.defaultBackendLocation = at(value)
            drafts[index].ownDefaultBackend = true
        case "id":
            guard words.count >= 2, let n = Int(words[1].text) else {
                alert(at(words[0]), "'id' expects an integer argument.")
                return
            }
            guard n > 0 else {
                alert(at(words[1]), "custom id has to be > 0.")
                return
            }
            drafts[index].id = (n, at(words[0]))
        case "rate-limit":
            // HAProxy's texts, its doubled "expects" included.
            guard words.count > 1, words[1].text == "sessions" else {
                alert(at(words.count > 1 ? words[1] : words[0]), "'rate-limit' only supports 'sessions' (got '\(words.count > 1 ? words[1].text : "")')")
                return
            }
            guard words.count > 2 else {
                alert(at(words[1]), "'rate-limit sessions' expects expects an integer value (in sessions/second)")
                return
            }
            guard let n = UInt32(words[2].text) else {
                alert(at(words[2]), "'rate-limit sessions' : unexpected character in integer value '\(words[2].text)'")
                return
            }
            for extra in words.dropFirst(3) { alert(at(extra), "unexpected argument '\(extra.text)' for 'rate-limit sessions'") }
            drafts[index].settings.rateLimitSessions = n > 0 ? Int(n) : nil
        case "maxconn", "retries":
            guard let value = singleArgument(words, at: at, expecting: "an integer") else { return }
            switch ValueParsers.integer(value.text, for: keyword) {
            case .failure(let f): alert(at(value), f.message)
            case .success(let n):
                if keyword == "maxconn" { drafts[index].settings.maxconn = n } else { drafts[index].settings.retries = n }
            }
        default:
            break
        }
    }

    /// The one argument of a keyword; reports a missing or extra argument.
    mutating func singleArgument(_ words: [Word], at: (Word) -> SourceLocation, expecting what: String) -> Word? {
        guard words.count >= 2 else {
            alert(at(words[0]), "'\(words[0].text)' expects \(what) as an argument")
            return nil
        }
        if words.count > 2 {
            alert(at(words[2]), "unexpected argument '\(words[2].text)' for '\(words[0].text)'")
            return nil
        }
        return words[1]
    }

    private mutating func optionKeyword(_ words: [Word], prefix: String?, draft index: Int, at: (Word) -> SourceLocation) {
        let kindName = drafts[index].kind.rawValue
        guard words.count >= 2 else {
            alert(at(words[0]), "'option' expects an option name")
            return
        }
        let name = words[1].text
        let display = (prefix.map { $0 + " " } ?? "") + "option " + name
        if let removed = RemovedKeywords.options[name] {
            alert(at(words[1]), removed)
            return
        }
        guard let sections = HAProxyKeywords.options[name] else {
            alert(at(words[1]), "unknown option '\(name)' in '\(kindName)' section" + hint(name, Array(HAProxyKeywords.options.keys)))
            return
        }
        if Self.loggingOptions.contains(name) {
            loggingOption(words, prefix: prefix, draft: index, at: at)
            return
        }
        guard Self.servedOptions.contains(name) || Self.connectionOptions.contains(name) else {
            alert(at(words[0]), "keyword '\(display)' is not supported yet (in section '\(kindName)')")
            return
        }
        if rejectedByCapability("option " + name, sections: sections, draft: index, at: at(words[0])) { return }
        let args = Array(words.dropFirst(2))
        let enable = prefix == nil
        if Self.connectionOptions.contains(name) {
            connectionOption(name, args: args, enable: enable, display: display, draft: index, at: at)
            return
        }
        if Self.httpOptions.contains(name) {
            httpOption(name, args: args, enable: enable, prefix: prefix, draft: index, at: at)
            return
        }
        if Self.protocolCheckOptions.contains(name) {
            guard enable else {
                alert(at(words[1]), "negation/default is not supported for option '\(name)'")
                return
            }
            protocolCheckOption(words[1], args, draft: index, at: at)
            return
        }
        if name == "external-check" {
            externalCheckOption(words, enable: enable, draft: index, at: at)
            return
        }
        if name == "httpchk" || name == "tcp-check" {
            guard enable else {
                alert(at(words[1]), "negation/default is not supported for option '\(name)'")
                return
            }
            if name == "httpchk" {
                httpchkOption(args, draft: index, at: at)
            } else {
                tcpCheckOption(args, draft: index, at: at)
            }
            return
        }
        if !enable || name == "allbackups" || name == "transparent", let extra = args.first {
            alert(at(extra), "unexpected argument '\(extra.text)' for '\(display)'")
            return
        }
        switch name {
        case "redispatch":
            var interval: Int? = enable ? -1 : nil
            if let a = args.first {
                if args.count > 1 { alert(at(args[1]), "unexpected argument '\(args[1].text)' for 'option redispatch'"); return }
                switch ValueParsers.signedInteger(a.text, for: "option redispatch") {
                case .failure(let f): alert(at(a), f.message); return
                case .success(let v): interval = v == 0 ? nil : v
                }
            }
            drafts[index].settings.redispatch = interval
        case "socket-stats":
            drafts[index].settings.socketStats = enable
        case "transparent":
            drafts[index].settings.transparent = enable
        default:
            drafts[index].settings.allBackups = enable
        }
    }

    private mutating func timeoutKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let kindName = drafts[index].kind.rawValue
        guard words.count >= 2 else {
            alert(at(words[0]), "'timeout' expects a timeout name and a value")
            return
        }
        let name = words[1].text
        guard let sections = HAProxyKeywords.timeouts[name] else {
            alert(at(words[1]), "unknown timeout '\(name)' in '\(kindName)' section" + hint(name, Array(HAProxyKeywords.timeouts.keys)))
            return
        }
        guard Self.servedTimeouts.contains(name) else {
            alert(at(words[0]), "keyword 'timeout \(name)' is not supported yet (in section '\(kindName)')")
            return
        }
        let display = "timeout " + name
        guard words.count >= 3 else {
            alert(at(words[1]), "'\(display)' expects a time value such as 5s or 500ms")
            return
        }
        if words.count > 3 {
            alert(at(words[3]), "unexpected argument '\(words[3].text)' for '\(display)'")
            return
        }
        let draft = drafts[index]
        if !Self.allowed(sections, in: draft) {
            let missing = draft.kind == .backend ? "frontend" : "backend"
            warning(at(words[0]), "'\(display)' will be ignored because \(draft.label) has no \(missing) capability")
            return
        }
        switch ValueParsers.milliseconds(words[2].text, for: display) {
        case .failure(let f): alert(at(words[2]), f.message)
        case .success(let ms):
            let value: Int? = ms == 0 ? nil : ms
            switch name {
            case "connect": drafts[index].settings.timeouts.connect = value
            case "client": drafts[index].settings.timeouts.client = value
            case "server": drafts[index].settings.timeouts.server = value
            case "queue": drafts[index].settings.timeouts.queue = value
            case "tunnel": drafts[index].settings.timeouts.tunnel = value
            case "client-fin": drafts[index].settings.timeouts.clientFin = value
            case "server-fin": drafts[index].settings.timeouts.serverFin = value
            case "http-request": drafts[index].settings.timeouts.httpRequest = value
            case "http-keep-alive": drafts[index].settings.timeouts.httpKeepAlive = value
            case "tarpit": drafts[index].settings.timeouts.tarpit = value
            default: drafts[index].settings.timeouts.check = value
            }
        }
    }

    private mutating func modeKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard let value = singleArgument(words, at: at, expecting: "'tcp' or 'http'") else { return }
        drafts[index].modeLocation = at(value)
        switch value.text {
        case "tcp":
            drafts[index].settings.mode = .tcp
        case "http":
            drafts[index].settings.mode = .http
        case "health":
            alert(at(value), "mode 'health' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
        default:
            alert(at(value), "unknown proxy mode '\(value.text)'; expected 'tcp' or 'http'" + hint(value.text, ["tcp", "http"]))
        }
    }

    static let servedBalance = ["roundrobin", "static-rr", "leastconn", "first", "source", "random", "uri", "url_param", "hdr"]
    static let otherBalance = ["rdp-cookie", "hash"]

    private mutating func balanceKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 2 else {
            alert(at(words[0]), "'balance' expects an algorithm name")
            return
        }
        let value = words[1]
        var name = value.text
        var argument: String? = nil
        if let open = name.firstIndex(of: "("), name.hasSuffix(")") {
            argument = String(name[name.index(after: open)..<name.index(before: name.endIndex)])
            name = String(name[..<open])
        }
        if Self.otherBalance.contains(name) {
            alert(at(value), "balance algorithm '\(name)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
            return
        }
        guard Self.servedBalance.contains(name) else {
            alert(at(value), "unknown balance algorithm '\(value.text)'" + hint(name, Self.servedBalance + Self.otherBalance))
            return
        }
        if ["uri", "url_param", "hdr"].contains(name) {
            httpBalance(name, argument: argument, words, draft: index, at: at)
            return
        }
        if words.count > 2 {
            alert(at(words[2]), "unexpected argument '\(words[2].text)' for 'balance \(name)'")
            return
        }
        if argument != nil && name != "random" {
            alert(at(value), "balance algorithm '\(name)' takes no argument")
            return
        }
        switch name {
        case "roundrobin": drafts[index].settings.balance = .roundRobin
        case "static-rr": drafts[index].settings.balance = .staticRoundRobin
        case "leastconn": drafts[index].settings.balance = .leastConn
        case "first": drafts[index].settings.balance = .first
        case "source": drafts[index].settings.balance = .source
        default:
            var draws = 2
            if let argument {
                guard case .success(let n) = ValueParsers.integer(argument, for: "balance random"), n >= 1 else {
                    alert(at(value), "'balance random(<draws>)' expects a positive integer (got '\(argument)')")
                    return
                }
                draws = n
            }
            drafts[index].settings.balance = .random(draws: draws)
        }
    }

    private mutating func hashTypeKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 2 else {
            alert(at(words[0]), "'hash-type' expects 'map-based' or 'consistent'")
            return
        }
        var hashType = HashType()
        guard let method = HashType.Method(rawValue: words[1].text) else {
            alert(at(words[1]), "unknown hash-type method '\(words[1].text)'; expected 'map-based' or 'consistent'"
                  + hint(words[1].text, ["map-based", "consistent"]))
            return
        }
        hashType.method = method
        // HAProxy: `hash-type consistent` without a function means sdbm with the
        // avalanche modifier (spreads sequential keys such as IPs over the ring).
        if method == .consistent && words.count == 2 { hashType.avalanche = true }
        var rest = Array(words.dropFirst(2))
        if let f = rest.first, f.text != "avalanche" {
            guard let function = HashFunction(rawValue: f.text) else {
                alert(at(f), "unknown hash function '\(f.text)'; expected 'sdbm', 'djb2', 'wt6' or 'crc32'"
                      + hint(f.text, ["sdbm", "djb2", "wt6", "crc32", "avalanche"]))
                return
            }
            hashType.function = function
            rest.removeFirst()
        }
        if let m = rest.first {
            guard m.text == "avalanche" else {
                alert(at(m), "unknown hash modifier '\(m.text)'; expected 'avalanche'")
                return
            }
            hashType.avalanche = true
            rest.removeFirst()
        }
        if let extra = rest.first {
            alert(at(extra), "unexpected argument '\(extra.text)' for 'hash-type'")
            return
        }
        drafts[index].settings.hashType = hashType
    }
}
