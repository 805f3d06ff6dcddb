/// `tcp-request connection ACTION [if|unless COND]` and `tcp-request session
/// ACTION [if|unless COND]` (manual 4.2): accept, reject, silent-drop,
/// set-var / set-var-fmt / unset-var, set-src / set-src-port / set-dst /
/// set-dst-port, the stick counter actions (track-sc*, sc-inc-gpc*,
/// sc-set-gpt*), and (connection only) expect-proxy layer4. The rest HAProxy
/// 2.6 has is refused at its word.
extension ParseSession {
    /// Which of the two layer-4/5 rule sets a line adds to.
    enum TCPLayerRuleSet: String {
        case connection, session
    }

    /// HAProxy 2.6's actions of these rule sets Fulcrum does not carry out yet.
    static let otherTCPLayerActions: Set<String> = [
        "expect-netscaler-cip", "capture", "sc-add-gpc", "set-mark", "set-tos", "lua",
    ]
    static let servedTCPLayerActions = ["accept", "reject", "silent-drop", "expect-proxy", "set-src", "set-src-port",
                                        "set-dst", "set-dst-port", "set-var", "set-var-fmt", "unset-var"]

    mutating func tcpLayerRule(_ words: [Word], set: TCPLayerRuleSet, draft index: Int, at: (Word) -> SourceLocation) {
        let draft = drafts[index]
        let rule = "tcp-request \(set.rawValue)"
        if draft.kind == .backend {
            alert(at(words[0]), "\(rule) is not allowed because backend \(draft.name ?? "") is not a frontend")
            return
        }
        guard words.count >= 3 else {
            alert(at(words[1]), "'\(rule)' expects an action such as 'accept', 'reject' or 'set-var'")
            return
        }
        // HAProxy runs every connection rule before any session rule,
        // whatever their order in the section, and says so.
        if set == .connection, !drafts[index].settings.tcpSession.isEmpty {
            warning(at(words[0]), "a 'tcp-request' rule placed after a 'tcp-request session' rule will still be processed before.")
        }
        let actionWord = words[2]
        let display = "\(rule) \(actionWord.text)"
        let action: TCPConnectionRules.Action
        let condition: RuleCondition?
        if Self.isVariableAction(actionWord.text) {
            guard let (args, c) = splitCondition(words, from: 3, display: display, draft: index, at: at),
                  let v = variableAction(actionWord, args, rule: rule, at: at) else { return }
            switch v {
            case .set(let n, let f): action = .setVar(n, f)
            case .setFormat(let n, let f): action = .setVarFormat(n, f)
            case .unset(let n): action = .unsetVar(n)
            }
            condition = c
        } else if Self.isStickAction(actionWord.text) {
            guard let (args, c) = splitCondition(words, from: 3, display: display, draft: index, at: at),
                  let a = stickAction(actionWord, args, display: display, at: at) else { return }
            action = .stick(a)
            condition = c
        } else if let field = ConnectionAddressField(rawValue: actionWord.text) {
            guard let (args, c) = splitCondition(words, from: 3, display: display, draft: index, at: at) else { return }
            guard let w = args.first else {
                alert(at(actionWord), "'\(display)' expects a sample expression as an argument")
                return
            }
            if args.count > 1 {
                alert(at(args[1]), "'\(display)' only accepts 'if' or 'unless', in \(draft.label) (got '\(args[1].text)')")
                return
            }
            switch LogFormatParsing.sample(w.text) {
            case .failure(let f):
                alert(at(w), "error detected while parsing '\(display)' rule : \(f.message)")
                return
            case .success(let fetch):
                guard registerMaps(fetch.converters, location: at(w)) else { return }
                action = .setAddress(field, fetch)
            }
            condition = c
        } else {
            var from = 3
            switch actionWord.text {
            case "accept": action = .accept
            case "reject": action = .reject
            case "silent-drop": action = .silentDrop
            case "expect-proxy":
                guard set == .connection else {
                    alert(at(actionWord), "'expect-proxy layer4' is not allowed in 'tcp-request session' rules in \(draft.label)")
                    return
                }
                guard words.count >= 4, words[3].text == "layer4" else {
                    alert(at(actionWord), "'tcp-request connection expect-proxy' only supports 'layer4'")
                    return
                }
                action = .expectProxy
                from = 4
            default:
                if Self.otherTCPLayerActions.contains(actionWord.text) {
                    alert(at(actionWord), "'\(display)' is not supported yet (in section '\(draft.kind.rawValue)')")
                } else {
                    alert(at(actionWord), "unknown action '\(actionWord.text)' for '\(rule)'"
                          + hint(actionWord.text, Self.servedTCPLayerActions + Array(Self.otherTCPLayerActions)))
                }
                return
            }
            guard let (args, c) = splitCondition(words, from: from, display: display, draft: index, at: at) else { return }
            if let extra = args.first {
                alert(at(extra), "'\(display)' only accepts 'if' or 'unless', in \(draft.label) (got '\(extra.text)')")
                return
            }
            condition = c
        }
        let line = TCPConnectionRules.Rule(location: at(words[0]), action: action, condition: condition)
        switch set {
        case .connection: drafts[index].settings.tcpConnection.rules.append(line)
        case .session: drafts[index].settings.tcpSession.rules.append(line)
        }
    }
}
