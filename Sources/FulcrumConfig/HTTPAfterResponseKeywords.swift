/// `http-after-response` (manual 4.2): rules on every response the proxy
/// sends, the server's and its own, with the actions HAProxy 2.6 allows there.
extension ParseSession {
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
            guard let v = variableAction(actionWord, args, rule: "http-after-response", at: at),
                  responseSamplesAvailable(v.responseAction, display: display, draft: index,
                                           at: at(args.first ?? actionWord)) else { return }
            action = v.responseAction
        } else {
            switch actionWord.text {
            case "allow":
                guard noArguments(args, display, at: at) else { return }
                action = .allow
            case "set-header", "add-header", "del-header", "replace-header", "replace-value":
                // The same arguments as http-response's.
                // Its first word kept: messages about the samples name this rule.
                let probe = words
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
