/// `option httpchk`, `option tcp-check`, `http-check` and `tcp-check`:
/// how a backend checks its servers.
extension ParseSession {
    /// `http-check` / `tcp-check` actions HAProxy has and Fulcrum does not serve yet.
    static let otherHTTPCheckActions: Set<String> = [
        "comment", "set-var", "set-var-fmt", "unset-var",
    ]
    static let otherTCPCheckActions: Set<String> = [
        "comment", "send-lf", "send-binary-lf", "set-var", "set-var-fmt", "unset-var",
    ]
    /// Options of `expect` rules that Fulcrum does not serve yet.
    static let otherExpectOptions: Set<String> = [
        "min-recv", "comment", "ok-status", "error-status", "tout-status", "on-success", "on-error", "status-code",
    ]

    // MARK: option httpchk / option tcp-check

    /// `option httpchk [[<method>] <uri> [<version>]]`.
    mutating func httpchkOption(_ args: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        if args.count > 3 {
            alert(at(args[3]), "unexpected argument '\(args[3].text)' for 'option httpchk'")
            return
        }
        if let empty = args.prefix(2).first(where: { $0.text.isEmpty }) {
            alert(at(empty), "'option httpchk' expects a non-empty method and URI")
            return
        }
        var request = HTTPCheckRequest()
        if args.count == 1 {
            request.uri = args[0].text
        } else if args.count >= 2 {
            request.method = args[0].text
            request.uri = args[1].text
        }
        if args.count == 3 {
            guard legacyVersion(args[2], into: &request, at: at) else { return }
        }
        adoptOwnHTTPCheckRuleset(index)
        drafts[index].settings.healthCheck.optionRequest = request
        drafts[index].settings.healthCheck.kind = .http
        drafts[index].settings.healthCheck.protocolCheck = nil
        drafts[index].settings.healthCheck.external = false
    }

    /// The version argument, and the headers and body that old configurations
    /// hide after it ("HTTP/1.1\r\nHost:\ www"), which HAProxy still accepts.
    private mutating func legacyVersion(_ word: Word, into request: inout HTTPCheckRequest,
                                        at: (Word) -> SourceLocation) -> Bool {
        let bytes = Array(word.text.utf8)
        let crlf: [UInt8] = [13, 10]
        func find(_ needle: [UInt8]) -> Int? {
            guard bytes.count >= needle.count else { return nil }
            return (0...(bytes.count - needle.count)).first { Array(bytes[$0..<$0 + needle.count]) == needle }
        }
        guard let firstCRLF = find(crlf) else {
            request.version = word.text
            return true
        }
        warning(at(word), "'option httpchk' : hiding headers or body at the end of the version string is deprecated. Please, consider to use 'http-check send' directive instead.")
        request.version = String(decoding: bytes[..<firstCRLF], as: UTF8.self)
        let bodyStart = find(crlf + crlf)
        var headerText = ""
        if bodyStart != firstCRLF {
            let end = bodyStart ?? bytes.count
            headerText = String(decoding: bytes[(firstCRLF + 2)..<end], as: UTF8.self)
        }
        if let bodyStart { request.body = String(decoding: bytes[(bodyStart + 4)...], as: UTF8.self) }
        for line in headerText.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                alert(at(word), "'option httpchk' : unable to parse the header line '\(line)' hidden in the version string (expected 'Name: value')")
                return false
            }
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            guard checkNoLogFormat(String(value), in: "option httpchk", at: at(word)) else { return false }
            request.headers.append(HTTPHeaderField(name: String(line[..<colon]), value: String(value)))
        }
        return true
    }

    /// `option tcp-check`: the section's `tcp-check` rules, or its defaults'.
    mutating func tcpCheckOption(_ args: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        if let extra = args.first {
            alert(at(extra), "unexpected argument '\(extra.text)' for 'option tcp-check'")
            return
        }
        drafts[index].settings.healthCheck.kind = .tcpCheck
        drafts[index].settings.healthCheck.protocolCheck = nil
        drafts[index].settings.healthCheck.external = false
    }

    /// From the first `option httpchk` or `http-check` rule of a section on,
    /// its HTTP check rules are its own: those of its defaults are dropped.
    /// An inherited `option httpchk` request line stays (HAProxy 2.6 would
    /// then send no request at all, which no configuration means).
    private mutating func adoptOwnHTTPCheckRuleset(_ index: Int) {
        guard !drafts[index].ownHTTPCheckRuleset else { return }
        drafts[index].ownHTTPCheckRuleset = true
        drafts[index].settings.healthCheck.send = nil
        drafts[index].settings.healthCheck.expect = nil
        drafts[index].settings.healthCheck.connect = nil
    }

    /// HAProxy reads header values as log-format strings, where '%' starts an
    /// expression; Fulcrum sends them as written, so it refuses '%'.
    private mutating func checkNoLogFormat(_ value: String, in keyword: String, at loc: SourceLocation) -> Bool {
        guard value.contains("%") else { return true }
        alert(loc, "log-format expressions ('%') in '\(keyword)' header values are not supported yet")
        return false
    }

    // MARK: http-check

    mutating func httpCheckKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 2 else {
            alert(at(words[0]), "'http-check' expects 'send' or 'expect'")
            return
        }
        let action = words[1]
        switch action.text {
        case "send": httpCheckSend(words, draft: index, at: at)
        case "expect": httpCheckExpect(words, draft: index, at: at)
        case "connect": httpCheckConnect(words, draft: index, at: at)
        case "send-state", "disable-on-404":
            if words.count > 2 {
                alert(at(words[2]), "'http-check \(action.text)' does not expect any argument.")
                return
            }
            if action.text == "send-state" { drafts[index].settings.healthCheck.sendState = true }
            else { drafts[index].settings.healthCheck.disableOn404 = true }
        case let other where Self.otherHTTPCheckActions.contains(other):
            alert(at(words[0]), "keyword 'http-check \(other)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
        default:
            let known = ["send", "expect", "connect", "send-state", "disable-on-404"] + Self.otherHTTPCheckActions.sorted()
            alert(at(action), "unknown 'http-check' action '\(action.text)'; expected one of "
                  + known.map { "'\($0)'" }.joined(separator: ", ") + hint(action.text, known))
        }
    }

    private mutating func httpCheckSend(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let display = "http-check send"
        var send = HTTPCheckRequestOverride(location: at(words[0]))
        var i = 2
        while i < words.count {
            let w = words[i]
            i += 1
            switch w.text {
            case "meth", "uri", "ver", "body":
                guard i < words.count, !words[i].text.isEmpty else {
                    alert(at(w), "'\(display)' : '\(w.text)' expects a string as argument")
                    return
                }
                let value = words[i].text
                i += 1
                switch w.text {
                case "meth": send.method = value
                case "uri": send.uri = value
                case "ver": send.version = value
                default: send.body = value
                }
            case "hdr":
                guard i + 1 < words.count, !words[i].text.isEmpty else {
                    alert(at(w), "'\(display)' : 'hdr' expects <name> and <value> as arguments")
                    return
                }
                let name = words[i], value = words[i + 1]
                i += 2
                if let bad = name.text.first(where: { $0 == ":" || $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }) {
                    alert(at(name), "'\(display)' : invalid character '\(bad)' in header name '\(name.text)'")
                    return
                }
                guard checkNoLogFormat(value.text, in: display, at: at(value)) else { return }
                send.headers.append(HTTPHeaderField(name: name.text, value: value.text))
            case "uri-lf", "body-lf", "comment":
                alert(at(w), "'\(w.text)' of '\(display)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
                return
            default:
                let known = ["meth", "uri", "ver", "hdr", "body", "uri-lf", "body-lf", "comment"]
                alert(at(w), "'\(display)' expects 'meth', 'uri', 'ver', 'hdr' or 'body' but got '\(w.text)' as argument"
                      + hint(w.text, known))
                return
            }
        }
        let draft = drafts[index]
        if draft.ownHTTPCheckRuleset, draft.settings.healthCheck.send != nil || draft.settings.healthCheck.expect != nil,
           let earlier = draft.firstHTTPCheckRule {
            alert(at(words[0]), "'\(display)' cannot follow the 'http-check' rule at \(earlier): a second request needs an 'http-check connect' rule before it")
            return
        }
        noteHTTPCheckRule(index, at: at(words[0]))
        drafts[index].settings.healthCheck.send = send
    }

    /// `http-check connect [default] [port N] [addr A] [ssl] [sni S] [alpn LIST]`:
    /// one, before the request (a second request needs a second connection,
    /// which Fulcrum's checks do not make yet).
    private mutating func httpCheckConnect(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let display = "http-check connect"
        let kindName = drafts[index].kind.rawValue
        let draft = drafts[index]
        if draft.ownHTTPCheckRuleset, let earlier = draft.firstHTTPCheckRule,
           draft.settings.healthCheck.connect != nil || draft.settings.healthCheck.send != nil || draft.settings.healthCheck.expect != nil {
            alert(at(words[0]), "'\(display)' after the 'http-check' rule at \(earlier): several connections in one check are not supported yet (in section '\(kindName)')")
            return
        }
        var connect = CheckConnect()
        var i = 2
        while i < words.count {
            let w = words[i]
            i += 1
            switch w.text {
            case "default": connect.useServerSettings = true
            case "ssl": connect.ssl = true
            case "port", "addr", "sni", "alpn":
                guard i < words.count else {
                    alert(at(w), "'\(display)' : '\(w.text)' expects an argument")
                    return
                }
                let value = words[i]
                i += 1
                switch w.text {
                case "port":
                    guard case .success(let p) = ValueParsers.integer(value.text, for: display), (1...65535).contains(p) else {
                        alert(at(value), "'\(display)' expects a valid TCP port (from range 1 to 65535), got '\(value.text)'")
                        return
                    }
                    connect.port = p
                case "addr":
                    var text = value.text
                    if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
                    guard ValueParsers.isIPLiteral(text) else {
                        alert(at(value), "'\(display)' : 'addr' expects an IPv4 or IPv6 address (got '\(value.text)')")
                        return
                    }
                    connect.address = text
                case "sni": connect.sni = value.text
                default: connect.alpn = value.text.split(separator: ",").map(String.init)
                }
            case "send-proxy", "via-socks4", "linger", "proto", "comment":
                alert(at(w), "'\(w.text)' of '\(display)' is not supported yet (in section '\(kindName)')")
                return
            default:
                let known = ["default", "port", "addr", "send-proxy", "via-socks4", "ssl", "sni", "alpn", "linger", "proto", "comment"]
                alert(at(w), "'\(display)' expects 'default', 'port', 'addr', 'ssl', 'sni' or 'alpn' but got '\(w.text)' as argument"
                      + hint(w.text, known))
                return
            }
        }
        noteHTTPCheckRule(index, at: at(words[0]))
        drafts[index].settings.healthCheck.connect = connect
    }

    private mutating func noteHTTPCheckRule(_ index: Int, at loc: SourceLocation) {
        adoptOwnHTTPCheckRuleset(index)
        if drafts[index].firstHTTPCheckRule == nil { drafts[index].firstHTTPCheckRule = loc }
    }

    private mutating func httpCheckExpect(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let display = "http-check expect"
        let matchers = ["status", "rstatus", "string", "rstring"]
        let others = ["hdr", "fhdr", "string-lf"]
        guard let (negated, name, pattern) = expectArguments(words, display: display, matchers: matchers, others: others,
                                                              draft: index, at: at) else { return }
        let matcher: HTTPCheckExpect.Matcher
        switch name {
        case "status":
            switch ValueParsers.statusRanges(pattern.text) {
            case .failure(let f): alert(at(pattern), "'\(display)' : \(f.message)"); return
            case .success(let ranges): matcher = .status(ranges)
            }
        case "rstatus", "rstring":
            if let error = ValueParsers.regexError(pattern.text) {
                alert(at(pattern), "'\(display)' : regex '\(pattern.text)' is invalid (\(error))")
                return
            }
            matcher = name == "rstatus" ? .rstatus(pattern.text) : .rstring(pattern.text)
        default:
            matcher = .string(pattern.text)
        }
        if drafts[index].ownHTTPCheckRuleset, drafts[index].settings.healthCheck.expect != nil {
            alert(at(words[0]), "several 'http-check expect' rules in one section are not supported yet (in section '\(drafts[index].kind.rawValue)')")
            return
        }
        noteHTTPCheckRule(index, at: at(words[0]))
        drafts[index].settings.healthCheck.expect = HTTPCheckExpect(negated: negated, matcher: matcher)
    }

    /// Reads `expect [!] <match> <pattern>` (words[0] is `http-check` or
    /// `tcp-check`); returns nil after reporting a problem.
    /// `others` are the matchers HAProxy has and Fulcrum does not serve yet.
    private mutating func expectArguments(_ words: [Word], display: String, matchers: [String], others: [String],
                                          draft index: Int, at: (Word) -> SourceLocation) -> (Bool, String, Word)? {
        var negated = false
        var matcher: String? = nil
        var pattern: Word? = nil
        var i = 2
        while i < words.count {
            let w = words[i]
            i += 1
            if matcher != nil {
                alert(at(w), "unexpected argument '\(w.text)' for '\(display)'")
                return nil
            }
            if w.text == "!" && !negated {
                negated = true
                continue
            }
            if Self.otherExpectOptions.contains(w.text) {
                alert(at(w), "'\(w.text)' of '\(display)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
                return nil
            }
            var name = w.text
            if name.hasPrefix("!") && !negated { negated = true; name.removeFirst() }
            if others.contains(name) {
                alert(at(w), "'\(display) \(name)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
                return nil
            }
            guard matchers.contains(name) else {
                let all = matchers + others
                alert(at(w), "'\(display)' expects [!] followed by "
                      + all.map { "'\($0)'" }.joined(separator: ", ") + " but got '\(w.text)'" + hint(name, all))
                return nil
            }
            guard i < words.count, !words[i].text.isEmpty else {
                alert(at(w), "'\(display)' : '\(name)' expects a <pattern> as argument")
                return nil
            }
            matcher = name
            pattern = words[i]
            i += 1
        }
        guard let matcher, let pattern else {
            alert(at(words[1]), "'\(display)' expects [!] <match> <pattern>")
            return nil
        }
        return (negated, matcher, pattern)
    }

    // MARK: tcp-check

    mutating func tcpCheckKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 2 else {
            alert(at(words[0]), "'tcp-check' expects 'connect', 'send', 'send-binary' or 'expect'")
            return
        }
        let action = words[1]
        let rule: TCPCheckRule
        switch action.text {
        case "connect":
            guard let r = tcpCheckConnect(words, draft: index, at: at) else { return }
            rule = r
        case "send", "send-binary":
            let display = "tcp-check \(action.text)"
            guard words.count >= 3, !words[2].text.isEmpty else {
                alert(at(action), "'\(display)' expects \(action.text == "send" ? "a string" : "a hexadecimal string") as argument")
                return
            }
            if words.count > 3 {
                if words[3].text == "comment" {
                    alert(at(words[3]), "'comment' of '\(display)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
                } else {
                    alert(at(words[3]), "unexpected argument '\(words[3].text)' for '\(display)'. Use quotes or backslashes if the data contains spaces.")
                }
                return
            }
            if action.text == "send" {
                rule = .send(words[2].text)
            } else {
                switch ValueParsers.hexBytes(words[2].text) {
                case .failure(let f): alert(at(words[2]), "'\(display)' : \(f.message)"); return
                case .success(let bytes): rule = .sendBinary(bytes)
                }
            }
        case "expect":
            let display = "tcp-check expect"
            let others = ["rbinary", "string-lf", "binary-lf"]
            guard let (negated, name, pattern) = expectArguments(words, display: display,
                                                                  matchers: ["string", "rstring", "binary"], others: others,
                                                                  draft: index, at: at) else { return }
            let matcher: TCPCheckMatcher
            switch name {
            case "string": matcher = .string(pattern.text)
            case "rstring":
                if let error = ValueParsers.regexError(pattern.text) {
                    alert(at(pattern), "'\(display)' : regex '\(pattern.text)' is invalid (\(error))")
                    return
                }
                matcher = .rstring(pattern.text)
            default:
                switch ValueParsers.hexBytes(pattern.text) {
                case .failure(let f): alert(at(pattern), "'\(display)' : \(f.message)"); return
                case .success(let bytes): matcher = .binary(bytes)
                }
            }
            rule = .expect(negated: negated, matcher: matcher)
        case let other where Self.otherTCPCheckActions.contains(other):
            alert(at(words[0]), "keyword 'tcp-check \(other)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
            return
        default:
            let known = ["connect", "send", "send-binary", "expect"] + Self.otherTCPCheckActions.sorted()
            alert(at(action), "unknown 'tcp-check' action '\(action.text)'; expected one of "
                  + known.map { "'\($0)'" }.joined(separator: ", ") + hint(action.text, known))
            return
        }
        // The first rule of a section replaces the rules of its defaults.
        if drafts[index].firstTCPCheckRule == nil {
            drafts[index].firstTCPCheckRule = at(words[0])
            drafts[index].settings.healthCheck.tcpRules = []
        }
        drafts[index].settings.healthCheck.tcpRules.append(rule)
    }

    /// `tcp-check connect [port N] [addr A]`.
    private mutating func tcpCheckConnect(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) -> TCPCheckRule? {
        let display = "tcp-check connect"
        let kindName = drafts[index].kind.rawValue
        var port: Int? = nil
        var address: String? = nil
        var i = 2
        while i < words.count {
            let w = words[i]
            i += 1
            switch w.text {
            case "port", "addr":
                guard i < words.count else {
                    alert(at(w), "'\(display)' : '\(w.text)' expects an argument")
                    return nil
                }
                let value = words[i]
                i += 1
                if w.text == "port" {
                    guard case .success(let p) = ValueParsers.integer(value.text, for: display), (1...65535).contains(p) else {
                        alert(at(value), "'\(display)' expects a valid TCP port (from range 1 to 65535), got '\(value.text)'")
                        return nil
                    }
                    port = p
                } else {
                    var text = value.text
                    if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
                    guard ValueParsers.isIPLiteral(text) else {
                        alert(at(value), "'\(display)' : 'addr' expects an IPv4 or IPv6 address (got '\(value.text)')")
                        return nil
                    }
                    address = text
                }
            case "default", "send-proxy", "via-socks4", "ssl", "sni", "alpn", "linger", "proto", "comment":
                alert(at(w), "'\(w.text)' of '\(display)' is not supported yet (in section '\(kindName)')")
                return nil
            default:
                let known = ["port", "addr", "default", "send-proxy", "via-socks4", "ssl", "sni", "alpn", "linger", "proto", "comment"]
                alert(at(w), "'\(display)' expects 'port' or 'addr' but got '\(w.text)' as argument" + hint(w.text, known))
                return nil
            }
        }
        // HAProxy: once a ruleset has a connect rule, it must start with one.
        if drafts[index].firstTCPCheckRule != nil, let first = drafts[index].settings.healthCheck.tcpRules.first {
            if case .connect = first {} else {
                alert(at(words[0]), "'\(display)' : the first 'tcp-check' rule (at \(drafts[index].firstTCPCheckRule!)) must also be a 'connect' when the ruleset has a 'connect' rule")
                return nil
            }
        }
        return .connect(port: port, address: address)
    }
}
