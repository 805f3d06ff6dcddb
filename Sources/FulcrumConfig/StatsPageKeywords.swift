/// A proxy's `stats` keywords (the HTTP statistics page), with HAProxy 2.6's
/// wording for each mistake. The global `stats socket|timeout` lines are
/// `StatsKeywords`.
extension ParseSession {
    static let statsPageKeywords = ["admin", "uri", "realm", "auth", "scope", "enable", "hide-version",
                                    "show-node", "show-desc", "show-legends", "show-modules", "refresh", "http-request"]

    mutating func statsPageKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        let kind = drafts[index].kind
        // A section's own first `stats` line leaves its defaults' page (HAProxy detaches, it does not copy).
        if kind != .defaults && !drafts[index].ownStatsPage {
            drafts[index].ownStatsPage = true
            drafts[index].settings.statsPage = nil
        }
        let expects = "expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'."
        guard words.count >= 2, !words[1].text.isEmpty else {
            alert(loc, "missing keyword in 'stats', " + expects)
            return
        }
        let sub = words[1].text
        let argument = words.count > 2 ? words[2] : nil
        var page = drafts[index].settings.statsPage ?? StatsPage(location: loc)
        switch sub {
        case "admin":
            guard kind != .defaults else { alert(loc, "'stats admin' not allowed in 'defaults' section."); return }
            guard let argument, argument.text == "if" || argument.text == "unless" else {
                alert(loc, "'stats admin' requires either 'if' or 'unless' followed by a condition.")
                return
            }
            guard let condition = ruleCondition(words[2...], display: "stats admin", draft: index, at: at) else { return }
            page.adminRules.append(condition)
        case "uri", "realm", "auth", "scope":
            guard let argument, !argument.text.isEmpty else {
                let needs = ["uri": "an URI prefix", "realm": "an realm name", "auth": "a user:password account", "scope": "a proxy name"]
                alert(loc, "'\(sub)' needs \(needs[sub]!).")
                return
            }
            if !extraArguments(words, from: 3, at: at) { return }
            switch sub {
            case "uri": page.uri = argument.text
            case "realm": page.realm = argument.text
            case "scope": page.scopes.append(argument.text)
            default:
                // HAProxy: the password is what follows the first colon (empty without one).
                let text = argument.text
                if let colon = text.firstIndex(of: ":") {
                    page.accounts.append(.init(user: String(text[..<colon]), password: String(text[text.index(after: colon)...])))
                } else {
                    page.accounts.append(.init(user: text, password: ""))
                }
            }
        case "refresh":
            guard let argument else {
                alert(loc, "'stats refresh' expects a time value such as 10s")
                return
            }
            if !extraArguments(words, from: 3, at: at) { return }
            guard let seconds = refreshSeconds(argument, at: at) else { return }
            page.refreshSeconds = seconds
        case "http-request":
            guard kind != .defaults else { alert(loc, "'stats' not allowed in 'defaults' section."); return }
            guard let rule = statsRequestRule(words, draft: index, at: at) else { return }
            if let last = page.requestRules.last, last.condition == nil {
                warning(loc, "previous 'stats' action has no condition attached, further entries are NOOP.")
            }
            page.requestRules.append(rule)
        case "enable", "hide-version", "show-legends", "show-modules":
            if !extraArguments(words, from: 2, at: at) { return }
            switch sub {
            case "hide-version": page.hideVersion = true
            case "show-legends": page.showLegends = true
            case "show-modules": page.showModules = true
            default: break
            }
        case "show-node":
            if !extraArguments(words, from: 3, at: at) { return }
            if let name = argument?.text {
                let valid = !name.isEmpty && name.unicodeScalars.allSatisfy {
                    ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" || $0 == "."
                }
                guard valid else {
                    alert(loc, "'stats show-node' invalid node name - should be a stringwith digits(0-9), letters(A-Z, a-z), hyphen(-) or underscode(_).")
                    return
                }
            }
            page.node = argument?.text ?? ""
        case "show-desc":
            let text = words.dropFirst(2).map(\.text).joined(separator: " ")
            if text.isEmpty && global.description == nil {
                // HAProxy leaves the page untouched then (not even enabled by this line).
                warning(loc, "'show-desc' requires a parameter or 'desc' to be set in the global section.")
                return
            }
            page.description = text
        default:
            alert(at(words[1]), "unknown stats parameter '\(sub)', " + expects + hint(sub, Self.statsPageKeywords))
            return
        }
        drafts[index].settings.statsPage = page
    }

    /// HAProxy reads no more words after these `stats` keywords; Fulcrum says so instead of dropping them silently.
    private mutating func extraArguments(_ words: [Word], from start: Int, at: (Word) -> SourceLocation) -> Bool {
        guard words.count > start else { return true }
        alert(at(words[start]), "unexpected argument '\(words[start].text)' for 'stats \(words[1].text)'")
        return false
    }

    /// `stats refresh T`: seconds when no unit is given (HAProxy's TIME_UNIT_S).
    private mutating func refreshSeconds(_ word: Word, at: (Word) -> SourceLocation) -> Int? {
        let text = word.text
        let bare = !text.isEmpty && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
        switch ValueParsers.milliseconds(bare ? text + "s" : text, for: "stats refresh") {
        case .failure:
            if let bad = text.first(where: { !$0.isNumber }), text.first?.isNumber == true,
               !["us", "ms", "s", "m", "h", "d"].contains(String(text.drop(while: { $0.isNumber }))) {
                alert(at(word), "unexpected character '\(bad)' in argument to stats refresh interval.")
            } else if text.first?.isNumber != true {
                alert(at(word), "unexpected character '\(text.first.map(String.init) ?? "")' in argument to stats refresh interval.")
            } else {
                alert(at(word), "timer overflow in argument <\(text)> to stats refresh interval, maximum value is 2147483647 s (~68 years).")
            }
            return nil
        case .success(let ms):
            // HAProxy truncates to whole seconds (500ms is no refresh at all).
            if ms / 1000 > Int(Int32.max) {
                alert(at(word), "timer overflow in argument <\(text)> to stats refresh interval, maximum value is 2147483647 s (~68 years).")
                return nil
            }
            return ms / 1000
        }
    }

    /// `stats http-request allow|deny|auth [realm R] [if|unless COND]`: the
    /// actions HAProxy's stats applet acts on.
    private mutating func statsRequestRule(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) -> HTTPRequestRule? {
        guard words.count >= 3 else {
            alert(at(words[1]), "'stats http-request' expects 'allow', 'deny' or 'auth'")
            return nil
        }
        let actionWord = words[2]
        let display = "stats http-request \(actionWord.text)"
        guard let (args, condition) = splitCondition(words, from: 3, display: display, draft: index, at: at) else { return nil }
        let action: HTTPRequestAction
        switch actionWord.text {
        case "allow":
            guard noArguments(args, display, at: at) else { return nil }
            action = .allow
        case "deny":
            guard let status = denyStatus(args, display: display, index, at: at) else { return nil }
            action = .deny(status: status)
        case "auth":
            guard let realm = authRealm(args, display: display, at: at) else { return nil }
            action = .auth(realm: realm)
        default:
            alert(at(actionWord), "'stats http-request \(actionWord.text)' is not supported yet: the statistics page serves 'allow', 'deny' and 'auth'")
            return nil
        }
        return HTTPRequestRule(location: at(words[0]), action: action, condition: condition)
    }
}
