/// Routing and rewriting rules of `mode http`: `use_backend`, `redirect`,
/// `http-request` and `http-response` (manual section 4.2).
extension ParseSession {
    /// The status codes HAProxy has built-in error pages for: the only ones
    /// `errorfile` and `deny_status` accept.
    static let errorStatuses: Set<Int> = [200, 400, 401, 403, 404, 405, 407, 408, 410, 413, 425, 429, 500, 501, 502, 503, 504]

    static let otherHTTPRequestActions: Set<String> = [
        "disable-l7-retry", "do-resolve",
        "replace-path", "replace-pathq", "replace-uri", "sc-add-gpc", "send-spoe-group", "set-bandwidth-limit",
        "set-mark", "set-nice", "set-pathq",
        "set-priority-class", "set-priority-offset", "set-timeout", "set-tos",
        "strict-mode", "wait-for-handshake",
    ]
    static let otherHTTPResponseActions: Set<String> = [
        "redirect", "return", "sc-add-gpc", "send-spoe-group", "set-bandwidth-limit",
        "set-mark", "set-nice", "set-timeout", "set-tos",
        "silent-drop", "strict-mode",
    ]

    // MARK: use_backend

    mutating func useBackendKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let display = "use_backend"
        guard let (args, condition) = splitCondition(words, from: 1, display: display, draft: index, at: at) else { return }
        guard let target = args.first, !target.text.isEmpty else {
            alert(at(words[0]), "'use_backend' expects a backend name as an argument")
            return
        }
        if args.count > 1 {
            alert(at(args[1]), "unexpected argument '\(args[1].text)' for 'use_backend' (expected 'if' or 'unless')")
            return
        }
        // HAProxy resolves dynamic backend names after parsing: their map files are numbered last.
        deferPatternReferences = true
        let parsed = logFormat(target, in: display, at: at)
        deferPatternReferences = false
        guard let name = parsed else { return }
        let loc = at(words[0])
        drafts[index].settings.http.useBackends.append(UseBackendRule(location: loc, backend: name, condition: condition))
        if drafts[index].firstUseBackend == nil { drafts[index].firstUseBackend = loc }
        noteHTTPKeyword("use_backend", index, loc)
    }

    // MARK: redirect

    mutating func redirectKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard let rule = redirectRule(words, from: 1, display: "redirect", draft: index, at: at) else { return }
        let loc = at(words[0])
        if let first = drafts[index].firstUseBackend {
            warning(loc, "a 'redirect' rule placed after a 'use_backend' rule (at \(first)) will still be processed before.")
        }
        drafts[index].settings.http.redirects.append(rule)
        if drafts[index].firstRedirect == nil { drafts[index].firstRedirect = loc }
        noteHTTPKeyword("redirect", index, loc)
    }

    /// `location|prefix|scheme VALUE [code N] [drop-query] [append-slash] [if|unless ...]`
    /// from words[start].
    mutating func redirectRule(_ words: [Word], from start: Int, display: String, draft index: Int,
                               at: (Word) -> SourceLocation) -> RedirectRule? {
        guard let (args, condition) = splitCondition(words, from: start, display: display, draft: index, at: at) else { return nil }
        guard args.count >= 2, let kind = RedirectRule.Kind(rawValue: args[0].text) else {
            let w = args.first ?? words[start - 1]
            alert(at(w), "'\(display)' expects 'location', 'prefix' or 'scheme' followed by a value"
                  + (args.first.flatMap { RedirectRule.Kind(rawValue: $0.text) == nil ? hint($0.text, ["location", "prefix", "scheme"]) : nil } ?? ""))
            return nil
        }
        guard let value = logFormat(args[1], in: display, at: at) else { return nil }
        var rule = RedirectRule(kind: kind, value: value)
        rule.condition = condition
        var i = 2
        while i < args.count {
            let w = args[i]
            i += 1
            switch w.text {
            case "code":
                guard i < args.count else {
                    alert(at(w), "'\(display)' : 'code' expects an HTTP status code")
                    return nil
                }
                let c = args[i]
                i += 1
                guard let code = Int(c.text), [301, 302, 303, 307, 308].contains(code) else {
                    alert(at(c), "'\(display)' : 'code': unsupported HTTP code '\(c.text)' (must be one of 301, 302, 303, 307 or 308)")
                    return nil
                }
                rule.code = code
            case "drop-query": rule.dropQuery = true
            case "append-slash": rule.appendSlash = true
            case "set-cookie", "clear-cookie", "ignore-empty":
                alert(at(w), "'\(w.text)' of '\(display)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
                return nil
            default:
                let known = ["code", "drop-query", "append-slash", "set-cookie", "clear-cookie"]
                alert(at(w), "'\(display)' : unexpected argument '\(w.text)'; expected 'code', 'drop-query', 'append-slash', 'if' or 'unless'" + hint(w.text, known))
                return nil
            }
        }
        return rule
    }

    // MARK: http-request / http-response

    mutating func httpRequestKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let kindName = drafts[index].kind.rawValue
        guard words.count >= 2 else {
            alert(at(words[0]), "'http-request' expects an action such as 'set-header', 'deny' or 'redirect'")
            return
        }
        let actionWord = words[1]
        let display = "http-request \(actionWord.text)"
        let loc = at(words[0])
        if actionWord.text == "redirect" {
            guard let rule = redirectRule(words, from: 2, display: display, draft: index, at: at) else { return }
            appendRequestRule(HTTPRequestRule(location: loc, action: .redirect(rule), condition: rule.condition), index)
            return
        }
        // The action first, then the condition, as HAProxy reads them (RuleConditionOrder).
        let (args, conditionAt) = actionWords(words, from: 2)
        if Self.isVariableAction(actionWord.text) {
            guard let v = variableAction(actionWord, args, rule: "http-request", at: at),
                  let condition = condition(words, at: conditionAt, display: display, draft: index, at: at) else { return }
            appendRequestRule(HTTPRequestRule(location: loc, action: v.requestAction, condition: condition), index)
            return
        }
        if PatternFileAction.Kind.of(actionWord.text) != nil {
            guard let a = patternFileAction(actionWord, args, rule: "http-request", at: at),
                  let condition = condition(words, at: conditionAt, display: display, draft: index, at: at) else { return }
            appendRequestRule(HTTPRequestRule(location: loc, action: .patternFile(a), condition: condition), index)
            return
        }
        if Self.isStickAction(actionWord.text) {
            guard let a = stickAction(actionWord, args, display: display, at: at),
                  let condition = condition(words, at: conditionAt, display: display, draft: index, at: at) else { return }
            appendRequestRule(HTTPRequestRule(location: loc, action: .stick(a), condition: condition), index)
            return
        }
        let action: HTTPRequestAction
        switch actionWord.text {
        case "set-src", "set-src-port", "set-dst", "set-dst-port":
            guard let a = setAddressAction(actionWord, args, display: display, at: at) else { return }
            action = a
        case "silent-drop", "reject":
            guard noArguments(args, display, at: at) else { return }
            action = actionWord.text == "reject" ? .reject : .silentDrop
        case "tarpit":
            guard let status = denyStatus(args, display: display, index, at: at) else { return }
            action = .tarpit(status: args.isEmpty ? 500 : status)
        case "normalize-uri":
            guard let n = normalizeURIAction(actionWord, args, display: display, at: at) else { return }
            action = .normalizeURI(n)
        case "allow":
            guard noArguments(args, display, at: at) else { return }
            action = .allow
        case "deny":
            guard let status = denyStatus(args, display: display, index, at: at) else { return }
            action = .deny(status: status)
        case "auth":
            guard let realm = authRealm(args, display: display, at: at) else { return }
            action = .auth(realm: realm)
        case "return":
            guard let a = returnAction(args, display: display, index, at: at) else { return }
            action = a
        case "set-header", "add-header":
            guard let (name, value) = headerAndValue(args, action: actionWord, display: display, at: at) else { return }
            action = actionWord.text == "set-header" ? .setHeader(name: name, value: value) : .addHeader(name: name, value: value)
        case "del-header":
            guard let name = headerOnly(args, action: actionWord, display: display, index, at: at) else { return }
            action = .delHeader(name: name)
        case "early-hint":
            guard let (name, value) = headerAndValue(args, action: actionWord, display: display, at: at) else { return }
            action = .earlyHint(name: name, value: value)
        case "replace-header", "replace-value":
            guard let (name, regex, replacement) = headerRegexReplacement(args, action: actionWord, display: display, at: at) else { return }
            action = actionWord.text == "replace-header"
                ? .replaceHeader(name: name, regex: regex, replacement: replacement)
                : .replaceValue(name: name, regex: regex, replacement: replacement)
        case "set-path", "set-query", "set-uri", "set-method":
            guard args.count == 1 else {
                alert(at(args.count > 1 ? args[1] : actionWord),
                      args.isEmpty ? "'\(display)' expects a log-format string as an argument" : "unexpected argument '\(args[1].text)' for '\(display)'")
                return
            }
            guard let value = logFormat(args[0], in: display, at: at) else { return }
            switch actionWord.text {
            case "set-path": action = .setPath(value)
            case "set-query": action = .setQuery(value)
            case "set-uri": action = .setURI(value)
            default: action = .setMethod(value)
            }
        case "capture":
            guard let a = httpRequestCapture(args, action: actionWord, draft: index, at: at) else { return }
            action = a
        case "set-log-level":
            guard let level = setLogLevelArgument(args, action: actionWord, display: display, draft: index, at: at) else { return }
            action = .setLogLevel(level)
        case "use-service":
            guard let service = useService(args, action: actionWord, draft: index, at: at) else { return }
            action = .useService(service)
        case "cache-use":
            guard let name = cacheName(args, action: actionWord, display: display, draft: index, at: at) else { return }
            action = .cacheUse(name)
        case "wait-for-body":
            guard let w = waitForBody(args, display: display, at: at, action: actionWord) else { return }
            action = .waitForBody(w)
        case let other where Self.otherHTTPRequestActions.contains(other) || other.hasPrefix("lua."):
            alert(at(actionWord), "'http-request \(other)' is not supported yet (in section '\(kindName)')")
            return
        default:
            let served = ["allow", "deny", "auth", "return", "redirect", "set-header", "add-header", "del-header", "early-hint",
                          "replace-header", "replace-value", "set-path", "set-query", "set-uri", "set-method",
                          "capture", "set-log-level", "use-service", "set-var", "set-var-fmt", "unset-var",
                          "set-src", "set-src-port", "set-dst", "set-dst-port", "silent-drop", "reject", "tarpit", "normalize-uri",
                          "cache-use", "set-map", "del-map", "add-acl", "del-acl", "wait-for-body"]
            alert(at(actionWord), "unknown 'http-request' action '\(actionWord.text)'"
                  + hint(actionWord.text, served + Self.otherHTTPRequestActions))
            return
        }
        guard let condition = condition(words, at: conditionAt, display: display, draft: index, at: at) else { return }
        appendRequestRule(HTTPRequestRule(location: loc, action: action, condition: condition), index)
    }

    private mutating func appendRequestRule(_ rule: HTTPRequestRule, _ index: Int) {
        if let first = drafts[index].firstRedirect ?? drafts[index].firstUseBackend {
            let which = drafts[index].firstRedirect != nil ? "redirect" : "use_backend"
            warning(rule.location, "a 'http-request' rule placed after a '\(which)' rule (at \(first)) will still be processed before.")
        }
        drafts[index].settings.http.requestRules.append(rule)
        noteHTTPKeyword("http-request", index, rule.location)
    }

    mutating func httpResponseKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let kindName = drafts[index].kind.rawValue
        guard words.count >= 2 else {
            alert(at(words[0]), "'http-response' expects an action such as 'set-header' or 'del-header'")
            return
        }
        let actionWord = words[1]
        let display = "http-response \(actionWord.text)"
        let (args, conditionAt) = actionWords(words, from: 2)
        let action: HTTPResponseAction
        if Self.isVariableAction(actionWord.text) {
            guard let v = variableAction(actionWord, args, rule: "http-response", at: at),
                  responseSamplesAvailable(v.responseAction, display: display, draft: index, at: at(args.first ?? actionWord)),
                  let condition = condition(words, at: conditionAt, display: display, draft: index, at: at) else { return }
            let loc = at(words[0])
            drafts[index].settings.http.responseRules.append(HTTPResponseRule(location: loc, action: v.responseAction, condition: condition))
            noteHTTPKeyword("http-response", index, loc)
            return
        }
        if PatternFileAction.Kind.of(actionWord.text) != nil {
            guard let a = patternFileAction(actionWord, args, rule: "http-response", at: at),
                  let condition = condition(words, at: conditionAt, display: display, draft: index, at: at) else { return }
            let loc = at(words[0])
            drafts[index].settings.http.responseRules.append(HTTPResponseRule(location: loc, action: .patternFile(a), condition: condition))
            noteHTTPKeyword("http-response", index, loc)
            return
        }
        if Self.isStickAction(actionWord.text) {
            guard let a = stickAction(actionWord, args, display: display, at: at),
                  responseSamplesAvailable(.stick(a), display: display, draft: index, at: at(args.first ?? actionWord)),
                  let condition = condition(words, at: conditionAt, display: display, draft: index, at: at) else { return }
            let loc = at(words[0])
            drafts[index].settings.http.responseRules.append(HTTPResponseRule(location: loc, action: .stick(a), condition: condition))
            noteHTTPKeyword("http-response", index, loc)
            return
        }
        switch actionWord.text {
        case "set-status":
            guard let a = setStatusAction(args, action: actionWord, display: display, at: at) else { return }
            action = a
        case "allow":
            guard noArguments(args, display, at: at) else { return }
            action = .allow
        case "deny":
            guard let status = denyStatus(args, display: display, index, at: at) else { return }
            action = .deny(status: status == 403 && args.isEmpty ? 502 : status)
        case "set-header", "add-header":
            guard let (name, value) = headerAndValue(args, action: actionWord, display: display, at: at) else { return }
            action = actionWord.text == "set-header" ? .setHeader(name: name, value: value) : .addHeader(name: name, value: value)
        case "del-header":
            guard let name = headerOnly(args, action: actionWord, display: display, index, at: at) else { return }
            action = .delHeader(name: name)
        case "replace-header", "replace-value":
            guard let (name, regex, replacement) = headerRegexReplacement(args, action: actionWord, display: display, at: at) else { return }
            action = actionWord.text == "replace-header"
                ? .replaceHeader(name: name, regex: regex, replacement: replacement)
                : .replaceValue(name: name, regex: regex, replacement: replacement)
        case "capture":
            guard let a = httpResponseCapture(args, action: actionWord, draft: index, at: at) else { return }
            action = a
        case "set-log-level":
            guard let level = setLogLevelArgument(args, action: actionWord, display: display, draft: index, at: at) else { return }
            action = .setLogLevel(level)
        case "cache-store":
            guard let name = cacheName(args, action: actionWord, display: display, draft: index, at: at) else { return }
            action = .cacheStore(name)
        case "wait-for-body":
            guard let w = waitForBody(args, display: display, at: at, action: actionWord) else { return }
            action = .waitForBody(w)
        case let other where Self.otherHTTPResponseActions.contains(other) || other.hasPrefix("lua."):
            alert(at(actionWord), "'http-response \(other)' is not supported yet (in section '\(kindName)')")
            return
        default:
            let served = ["allow", "deny", "set-header", "add-header", "del-header", "replace-header", "replace-value",
                          "capture", "set-log-level", "set-status", "set-var", "set-var-fmt", "unset-var", "cache-store",
                          "set-map", "del-map", "add-acl", "del-acl", "sc-inc-gpc", "sc-inc-gpc0", "sc-inc-gpc1",
                          "sc-set-gpt", "sc-set-gpt0", "track-sc0", "track-sc1", "track-sc2", "wait-for-body"]
            alert(at(actionWord), "unknown 'http-response' action '\(actionWord.text)'"
                  + hint(actionWord.text, served + Self.otherHTTPResponseActions))
            return
        }
        // `words[0]` is `http-after-response` when that rule borrows these actions.
        guard responseSamplesAvailable(action, display: "\(words[0].text) \(actionWord.text)", draft: index,
                                       at: at(args.first ?? actionWord)),
              let condition = condition(words, at: conditionAt, display: display, draft: index, at: at) else { return }
        let loc = at(words[0])
        drafts[index].settings.http.responseRules.append(HTTPResponseRule(location: loc, action: action, condition: condition))
        noteHTTPKeyword("http-response", index, loc)
    }

    // MARK: Action arguments

    mutating func noArguments(_ args: [Word], _ display: String, at: (Word) -> SourceLocation) -> Bool {
        guard let extra = args.first else { return true }
        alert(at(extra), "unexpected argument '\(extra.text)' for '\(display)' (expected 'if' or 'unless')")
        return false
    }

    /// `auth [realm NAME]`: the realm (`.some(nil)` for none), nil after an error.
    mutating func authRealm(_ args: [Word], display: String, at: (Word) -> SourceLocation) -> String?? {
        guard let first = args.first else { return .some(nil) }
        guard first.text == "realm", args.count == 2 else {
            alert(at(first), "'\(display)' expects 'realm <name>' or nothing but got '\(first.text)'")
            return nil
        }
        return .some(args[1].text)
    }

    /// `deny [deny_status N]`; HAProxy's default is 403 (502 for responses, set by the caller).
    mutating func denyStatus(_ args: [Word], display: String, _ index: Int, at: (Word) -> SourceLocation) -> Int? {
        guard let first = args.first else { return 403 }
        guard first.text == "deny_status" else {
            if ["content-type", "string", "lf-string", "file", "lf-file", "errorfile", "errorfiles", "hdr", "default-errorfiles", "status"].contains(first.text) {
                alert(at(first), "'\(first.text)' of '\(display)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
            } else {
                alert(at(first), "unexpected argument '\(first.text)' for '\(display)' (expected 'deny_status', 'if' or 'unless')")
            }
            return nil
        }
        guard args.count >= 2 else {
            alert(at(first), "'\(display)' : 'deny_status' expects a status code")
            return nil
        }
        if args.count > 2 {
            alert(at(args[2]), "'\(args[2].text)' of '\(display)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
            return nil
        }
        guard let status = Int(args[1].text), Self.errorStatuses.contains(status) else {
            alert(at(args[1]), "'\(display)' : status code '\(args[1].text)' has no default error page; expected one of "
                  + Self.errorStatuses.sorted().map(String.init).joined(separator: ", "))
            return nil
        }
        return status
    }

    /// `return [status N] [content-type T] [string S|lf-string S|file F] [hdr N V]...`
    private mutating func returnAction(_ args: [Word], display: String, _ index: Int, at: (Word) -> SourceLocation) -> HTTPRequestAction? {
        var status = 200
        var contentType: String? = nil
        var body = ResponseBody.none
        var bodyWord: Word? = nil
        var headers: [(name: String, value: LogFormat)] = []
        var i = 0
        while i < args.count {
            let w = args[i]
            i += 1
            switch w.text {
            case "status", "content-type", "string", "lf-string", "file":
                guard i < args.count else {
                    alert(at(w), "'\(display)' : '\(w.text)' expects an argument")
                    return nil
                }
                let v = args[i]
                i += 1
                switch w.text {
                case "status":
                    guard let s = Int(v.text), (200...599).contains(s) else {
                        alert(at(v), "'\(display)' : unexpected status code '\(v.text)' (expected 200 to 599)")
                        return nil
                    }
                    status = s
                case "content-type": contentType = v.text
                default:
                    if bodyWord != nil {
                        alert(at(w), "'\(display)' : only one of 'string', 'lf-string' and 'file' may be given")
                        return nil
                    }
                    bodyWord = w
                    if w.text == "file" {
                        body = .file(path: v.text)
                    } else if w.text == "string" {
                        body = .string(LogFormat(text: v.text, parts: v.text.isEmpty ? [] : [.literal(v.text)]))
                    } else {
                        guard let f = logFormat(v, in: display, at: at) else { return nil }
                        body = .string(f)
                    }
                }
            case "hdr":
                guard i + 1 < args.count else {
                    alert(at(w), "'\(display)' : 'hdr' expects <name> and <value>")
                    return nil
                }
                let n = args[i], v = args[i + 1]
                i += 2
                guard validHeaderName(n, display: display, at: at), let value = logFormat(v, in: display, at: at) else { return nil }
                headers.append((n.text, value))
            case "errorfile", "errorfiles", "lf-file", "default-errorfiles":
                alert(at(w), "'\(w.text)' of '\(display)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
                return nil
            default:
                let known = ["status", "content-type", "string", "lf-string", "file", "hdr"]
                alert(at(w), "'\(display)' : unexpected argument '\(w.text)'" + hint(w.text, known))
                return nil
            }
        }
        if let bodyWord, contentType == nil {
            alert(at(bodyWord), "'\(display)' : a content type must be defined when a payload is configured")
            return nil
        }
        return .returnResponse(status: status, contentType: contentType, body: body, headers: headers)
    }

    private mutating func validHeaderName(_ w: Word, display: String, at: (Word) -> SourceLocation) -> Bool {
        let tchar = Set("!#$%&'*+-.^_`|~")
        if w.text.isEmpty || w.text.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || tchar.contains($0))) }) {
            alert(at(w), "'\(display)' : invalid header name '\(w.text)'")
            return false
        }
        return true
    }

    private mutating func headerAndValue(_ args: [Word], action: Word, display: String, at: (Word) -> SourceLocation) -> (String, LogFormat)? {
        guard args.count >= 2 else {
            alert(at(args.first ?? action), "'\(display)' expects <name> and <fmt> as arguments")
            return nil
        }
        if args.count > 2 {
            alert(at(args[2]), "unexpected argument '\(args[2].text)' for '\(display)'. Use quotes if the value contains spaces.")
            return nil
        }
        guard validHeaderName(args[0], display: display, at: at), let value = logFormat(args[1], in: display, at: at) else { return nil }
        return (args[0].text, value)
    }

    private mutating func headerOnly(_ args: [Word], action: Word, display: String, _ index: Int, at: (Word) -> SourceLocation) -> String? {
        guard let name = args.first else {
            alert(at(action), "'\(display)' expects a header name as an argument")
            return nil
        }
        if args.count > 1 {
            if args[1].text == "-m" {
                alert(at(args[1]), "'-m' of '\(display)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
            } else {
                alert(at(args[1]), "unexpected argument '\(args[1].text)' for '\(display)'")
            }
            return nil
        }
        guard validHeaderName(name, display: display, at: at) else { return nil }
        return name.text
    }

    private mutating func headerRegexReplacement(_ args: [Word], action: Word, display: String, at: (Word) -> SourceLocation) -> (String, String, LogFormat)? {
        guard args.count == 3 else {
            if args.count > 3 {
                alert(at(args[3]), "unexpected argument '\(args[3].text)' for '\(display)'")
            } else {
                alert(at(action), "'\(display)' expects <name>, <regex> and <replace-fmt> as arguments")
            }
            return nil
        }
        guard validHeaderName(args[0], display: display, at: at) else { return nil }
        if let error = ValueParsers.regexError(args[1].text) {
            alert(at(args[1]), "'\(display)' : regex '\(args[1].text)' is invalid (\(error))")
            return nil
        }
        guard let replacement = logFormat(args[2], in: display, at: at) else { return nil }
        return (args[0].text, args[1].text, replacement)
    }
}
