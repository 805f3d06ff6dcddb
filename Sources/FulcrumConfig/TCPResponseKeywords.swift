/// `tcp-response inspect-delay TIMEOUT` and `tcp-response content ACTION
/// [if|unless COND]` (manual 4.2): accept, reject, close, silent-drop,
/// set-var / set-var-fmt / unset-var, sc-inc-gpc* / sc-set-gpt*,
/// set-log-level, set-mark and set-tos. A mode tcp backend holds the
/// server's first bytes until its rules accept them, read with `res.len`,
/// `res.payload` and `res.payload_lv`. The model is TCPContentRules, as for
/// `tcp-request content`.
extension ParseSession {
    /// HAProxy 2.6's other `tcp-response content` actions, not carried out yet.
    static let otherTCPResponseActions: Set<String> = ["send-spoe-group", "set-bandwidth-limit", "set-nice"]
    static let servedTCPResponseActions = ["accept", "reject", "close", "silent-drop", "set-var", "set-var-fmt", "unset-var",
                                           "sc-inc-gpc", "sc-inc-gpc0", "sc-inc-gpc1", "sc-set-gpt", "sc-set-gpt0",
                                           "set-log-level", "set-mark", "set-tos"]

    mutating func tcpResponseKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 2 else {
            alert(at(words[0]), "'tcp-response' expects 'inspect-delay' or 'content'")
            return
        }
        let which = words[1]
        switch which.text {
        case "inspect-delay":
            if let delay = inspectDelay(words, display: "tcp-response inspect-delay", at: at) {
                drafts[index].settings.tcpResponse.inspectDelay = delay
            }
        case "content":
            tcpResponseContentRule(words, draft: index, at: at)
        default:
            alert(at(which), "unknown 'tcp-response' rule set '\(which.text)'; expected 'inspect-delay' or 'content'"
                  + hint(which.text, ["inspect-delay", "content"]))
        }
    }

    private mutating func tcpResponseContentRule(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 3 else {
            alert(at(words[1]), "'tcp-response content' expects an action such as 'accept', 'reject' or 'close'")
            return
        }
        let actionWord = words[2]
        if Self.isVariableAction(actionWord.text) {
            if let rule = tcpVariableRule(words, rule: "tcp-response content", draft: index, at: at) {
                drafts[index].settings.tcpResponse.rules.append(rule)
            }
            return
        }
        let display = "tcp-response content \(actionWord.text)"
        let text = actionWord.text
        let served = ["accept", "reject", "close", "silent-drop", "set-log-level"].contains(text)
            || Self.isClientSocketAction(text) || (Self.isStickAction(text) && !text.hasPrefix("track-sc"))
        guard served else {
            let stem = String(text.prefix { $0 != "(" })
            if Self.otherTCPResponseActions.contains(stem) || stem.hasPrefix("lua.") {
                alert(at(actionWord), "'tcp-response content \(stem)' is not supported yet (in section '\(drafts[index].kind.rawValue)')")
            } else {
                alert(at(actionWord), "unknown action '\(text)' for 'tcp-response content'"
                      + hint(text, Self.servedTCPResponseActions + Array(Self.otherTCPResponseActions)))
            }
            return
        }
        guard let (args, condition) = splitCondition(words, from: 3, display: display, draft: index, at: at) else { return }
        let action: TCPContentRules.Action
        if Self.isStickAction(text) {
            guard let a = stickAction(actionWord, args, display: display, at: at) else { return }
            action = .stick(a)
        } else if Self.isClientSocketAction(text) {
            guard let o = clientSocketOption(actionWord, args, display: display, at: at) else { return }
            action = .setClientSocket(o)
        } else if text == "set-log-level" {
            guard let level = setLogLevelArgument(args, action: actionWord, display: display, draft: index, at: at) else { return }
            action = .setLogLevel(level)
        } else {
            if let extra = args.first {
                alert(at(extra), "unexpected argument '\(extra.text)' for '\(display)' (expected 'if' or 'unless')")
                return
            }
            switch text {
            case "accept": action = .accept
            case "reject": action = .reject
            case "close": action = .close
            default: action = .silentDrop
            }
        }
        drafts[index].settings.tcpResponse.rules.append(.init(location: at(words[0]), action: action, condition: condition))
    }
}
