/// `tcp-request content switch-mode http [proto h1] [if|unless COND]`
/// (manual 4.2): a mode tcp frontend's stream becomes an HTTP one at once
/// (the following content rules are not evaluated), then runs the
/// frontend's HTTP rules and `use_backend`, which HAProxy then neither
/// warns about nor ignores.
extension ParseSession {
    mutating func tcpSwitchModeRule(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let draft = drafts[index]
        let actionWord = words[2]
        guard draft.hasFrontendCapability else {
            alert(at(actionWord), "'tcp-request switch-mode' not allowed because \(draft.label) has no frontend capability")
            return
        }
        guard words.count >= 4, words[3].text == "http" else {
            alert(at(words.count >= 4 ? words[3] : actionWord),
                  "'tcp-request switch-mode' expects a valid mode (got '\(words.count >= 4 ? words[3].text : "")').")
            return
        }
        var from = 4
        if words.count > 4, words[4].text == "proto" {
            guard words.count > 5, ["h1", "h2"].contains(words[5].text) else {
                alert(at(words[4]), "'tcp-request switch-mode': 'proto' expects a valid MUX protocol, if specified (got '\(words.count > 5 ? words[5].text : "")')")
                return
            }
            if words[5].text == "h2" {
                alert(at(words[5]), "'tcp-request switch-mode http proto h2' is not supported yet (in section '\(draft.kind.rawValue)'): Fulcrum speaks HTTP/1")
                return
            }
            from = 6
        }
        let display = "tcp-request content switch-mode"
        guard let (args, condition) = splitCondition(words, from: from, display: display, draft: index, at: at) else { return }
        if let extra = args.first {
            alert(at(extra), "'\(display)' only accepts 'if' or 'unless', in \(draft.label) (got '\(extra.text)')")
            return
        }
        drafts[index].settings.tcpContent.rules.append(.init(location: at(words[0]), action: .switchModeHTTP, condition: condition))
    }
}
