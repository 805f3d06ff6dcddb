/// `tcp-request session accept|reject|track-sc*|sc-inc-gpc*|sc-set-gpt*
/// [if|unless COND]` (manual 4.2): rules on the session, once the PROXY
/// header (if any) was read; their stick counters live as long as the
/// connection, as `tcp-request connection`'s do.
extension ParseSession {
    /// HAProxy 2.6's `tcp-request session` actions Fulcrum does not carry out yet.
    static let otherTCPSessionActions: Set<String> = [
        "attach-srv", "sc-add-gpc", "set-dst", "set-dst-port", "set-mark", "set-src", "set-src-port", "set-tos",
        "set-var", "set-var-fmt", "unset-var", "silent-drop",
    ]

    mutating func tcpSessionRule(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let draft = drafts[index]
        if draft.kind == .backend {
            alert(at(words[0]), "tcp-request session is not allowed because backend \(draft.name ?? "") is not a frontend")
            return
        }
        guard words.count >= 3 else {
            alert(at(words[1]), "'tcp-request session' expects an action such as 'accept', 'reject' or 'track-sc0'")
            return
        }
        let actionWord = words[2]
        let display = "tcp-request session \(actionWord.text)"
        guard ["accept", "reject"].contains(actionWord.text) || Self.isStickAction(actionWord.text) else {
            if Self.otherTCPSessionActions.contains(actionWord.text) {
                alert(at(actionWord), "'\(display)' is not supported yet (in section '\(draft.kind.rawValue)')")
            } else {
                alert(at(actionWord), "unknown action '\(actionWord.text)' for 'tcp-request session'"
                      + hint(actionWord.text, ["accept", "reject", "track-sc0", "track-sc1", "track-sc2"]))
            }
            return
        }
        guard let (args, condition) = splitCondition(words, from: 3, display: display, draft: index, at: at) else { return }
        let action: TCPConnectionRules.Action
        if Self.isStickAction(actionWord.text) {
            guard let a = stickAction(actionWord, args, display: display, at: at) else { return }
            action = .stick(a)
        } else {
            if let extra = args.first {
                alert(at(extra), "unexpected argument '\(extra.text)' for '\(display)' (expected 'if' or 'unless')")
                return
            }
            action = actionWord.text == "accept" ? .accept : .reject
        }
        drafts[index].settings.tcpSession.rules.append(.init(location: at(words[0]), action: action, condition: condition))
    }
}
