/// `tcp-request inspect-delay TIMEOUT` and `tcp-request content accept|reject
/// [if|unless COND]` (manual 4.2): the content inspection mode tcp proxies
/// need to route on a ClientHello's SNI without terminating TLS. The
/// `connection` and `session` rule sets are read by TCPLayerRuleKeywords.
extension ParseSession {
    /// HAProxy 2.6's `tcp-request content` actions Fulcrum does not carry out yet.
    static let otherTCPContentActions: Set<String> = [
        "capture", "do-resolve", "expect-netscaler-cip", "lua", "sc-add-gpc", "send-spoe-group", "set-bandwidth-limit", "set-dst",
        "set-dst-port", "set-log-level", "set-mark", "set-nice", "set-priority-class", "set-priority-offset",
        "set-src", "set-src-port", "set-tos", "silent-drop",
        "track-sc0", "track-sc1", "track-sc2", "use-service",
    ]

    mutating func tcpRequestKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 2 else {
            alert(at(words[0]), "'tcp-request' expects 'inspect-delay', 'content', 'connection' or 'session'")
            return
        }
        let which = words[1]
        switch which.text {
        case "inspect-delay":
            if let delay = inspectDelay(words, display: "tcp-request inspect-delay", at: at) {
                drafts[index].settings.tcpContent.inspectDelay = delay
            }
        case "content":
            tcpContentRule(words, draft: index, at: at)
        case "connection":
            tcpLayerRule(words, set: .connection, draft: index, at: at)
        case "session":
            tcpLayerRule(words, set: .session, draft: index, at: at)
        default:
            let expected = ["inspect-delay", "content", "connection", "session"]
            alert(at(which), "unknown 'tcp-request' rule set '\(which.text)'; expected 'inspect-delay', 'content', 'connection' or 'session'"
                  + hint(which.text, expected))
        }
    }

    private mutating func tcpContentRule(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let kindName = drafts[index].kind.rawValue
        guard words.count >= 3 else {
            alert(at(words[1]), "'tcp-request content' expects an action such as 'accept' or 'reject'")
            return
        }
        let actionWord = words[2]
        if actionWord.text == "switch-mode" {
            tcpSwitchModeRule(words, draft: index, at: at)
            return
        }
        if Self.isVariableAction(actionWord.text) {
            if let rule = tcpVariableRule(words, rule: "tcp-request content", draft: index, at: at) {
                drafts[index].settings.tcpContent.rules.append(rule)
            }
            return
        }
        if Self.isStickAction(actionWord.text) {
            let display = "tcp-request content \(actionWord.text)"
            guard let (args, condition) = splitCondition(words, from: 3, display: display, draft: index, at: at),
                  let a = stickAction(actionWord, args, display: display, at: at) else { return }
            drafts[index].settings.tcpContent.rules.append(.init(location: at(words[0]), action: .stick(a), condition: condition))
            return
        }
        guard let action = TCPContentRules.Action(rawValue: actionWord.text) else {
            if Self.otherTCPContentActions.contains(actionWord.text) {
                alert(at(actionWord), "'tcp-request content \(actionWord.text)' is not supported yet (in section '\(kindName)')")
            } else {
                alert(at(actionWord), "unknown action '\(actionWord.text)' for 'tcp-request content'"
                      + hint(actionWord.text, ["accept", "reject", "set-var", "set-var-fmt", "unset-var", "switch-mode"] + Array(Self.otherTCPContentActions)))
            }
            return
        }
        let display = "tcp-request content \(action.rawValue)"
        guard let (args, condition) = splitCondition(words, from: 3, display: display, draft: index, at: at) else { return }
        if let extra = args.first {
            alert(at(extra), "unexpected argument '\(extra.text)' for '\(display)' (expected 'if' or 'unless')")
            return
        }
        drafts[index].settings.tcpContent.rules.append(.init(location: at(words[0]), action: action, condition: condition))
    }

    /// A `set-var` / `set-var-fmt` / `unset-var` rule of `rule` (`tcp-request
    /// content`, `tcp-response content`); nil after an alert.
    mutating func tcpVariableRule(_ words: [Word], rule: String, draft index: Int,
                                  at: (Word) -> SourceLocation) -> TCPContentRules.Rule? {
        let actionWord = words[2]
        guard let (args, condition) = splitCondition(words, from: 3, display: "\(rule) \(actionWord.text)", draft: index, at: at),
              let v = variableAction(actionWord, args, rule: rule, at: at) else { return nil }
        let action: TCPContentRules.Action
        switch v {
        case .set(let n, let f): action = .setVar(n, f)
        case .setFormat(let n, let f): action = .setVarFormat(n, f)
        case .unset(let n): action = .unsetVar(n)
        }
        return .init(location: at(words[0]), action: action, condition: condition)
    }

    /// `tcp-request|tcp-response inspect-delay TIMEOUT`: the delay in ms (nil
    /// for 0: no waiting), or nothing after an alert.
    mutating func inspectDelay(_ words: [Word], display: String, at: (Word) -> SourceLocation) -> Int?? {
        guard words.count >= 3 else {
            alert(at(words[1]), "'\(display)' expects a timeout such as 5s or 500ms")
            return .none
        }
        if words.count > 3 {
            alert(at(words[3]), "unexpected argument '\(words[3].text)' for '\(display)'")
            return .none
        }
        switch ValueParsers.milliseconds(words[2].text, for: display) {
        case .failure(let f):
            alert(at(words[2]), f.message)
            return .none
        case .success(let ms):
            return .some(ms == 0 ? nil : ms)
        }
    }

    /// Checks that need the whole section: content rules of a mode http
    /// proxy (HAProxy runs them before the HTTP parser; Fulcrum does not
    /// yet), and dynamic `use_backend` names in mode tcp.
    mutating func validateTCPContent(_ drafts: [ProxyDraft]) {
        for draft in drafts where draft.kind != .defaults && draft.settings.mode == .http {
            if let first = draft.settings.tcpContent.rules.first {
                alert(first.location, "'tcp-request content' rules in a mode http \(draft.label) are not supported yet")
            }
            if let first = draft.settings.tcpResponse.rules.first {
                alert(first.location, "'tcp-response content' rules in a mode http \(draft.label) are not supported yet")
            }
        }
        for draft in drafts where draft.kind != .defaults && draft.settings.mode == .tcp {
            for rule in draft.settings.http.useBackends where !rule.backend.isConstant {
                alert(rule.location, "a 'use_backend' name built from samples ('\(rule.backend.text)') in a mode tcp \(draft.label) is not supported yet")
            }
        }
    }
}
