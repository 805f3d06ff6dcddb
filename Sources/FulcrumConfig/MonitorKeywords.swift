/// `monitor-uri`, `monitor fail` and the removed `monitor-net`, with HAProxy
/// 2.6's messages (cfgparse-listen.c).
extension ParseSession {
    static let monitorKeywords: Set<String> = ["monitor-uri", "monitor", "monitor-net"]

    mutating func monitorKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let loc = at(words[0])
        let draft = drafts[index]
        switch keyword {
        case "monitor-net":
            // Removed in 2.0; HAProxy names its replacement with the given network.
            let network = words.count > 1 ? words[1].text : ""
            alert(loc, "'monitor-net' doesn't exist anymore. Please use 'http-request return status 200 if { src \(network) }' instead.")
        case "monitor-uri":
            if !draft.hasFrontendCapability {
                warning(loc, "'monitor-uri' ignored because \(draft.haproxyLabel) has no frontend capability.")
            }
            if words.count > 2 {
                alert(at(words[2]), "'monitor-uri' cannot handle unexpected argument '\(words[2].text)'.")
                return
            }
            guard words.count == 2, !words[1].text.isEmpty else {
                alert(loc, "'monitor-uri' expects an URI.")
                return
            }
            guard draft.hasFrontendCapability else { return }
            drafts[index].settings.http.monitorURI = words[1].text
            noteHTTPKeyword("monitor-uri", index, loc)
        default:
            monitorFailKeyword(words, draft: index, at: at)
        }
    }

    /// `monitor fail if|unless COND`.
    private mutating func monitorFailKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        let draft = drafts[index]
        if draft.kind == .defaults {
            alert(loc, "'monitor' not allowed in 'defaults' section.")
            return
        }
        let ignored = !draft.hasFrontendCapability
        if ignored {
            warning(loc, "'monitor' ignored because \(draft.haproxyLabel) has no frontend capability.")
        }
        guard words.count > 1, words[1].text == "fail" else {
            alert(words.count > 1 ? at(words[1]) : loc, "'monitor' only supports 'fail'.")
            return
        }
        guard words.count > 2, words[2].text == "if" || words[2].text == "unless" else {
            alert(words.count > 2 ? at(words[2]) : at(words[1]),
                  "'monitor fail' requires either 'if' or 'unless' followed by a condition.")
            return
        }
        if let earlier = misplacedMonitorRule(draft) {
            warning(loc, "a 'monitor fail' rule placed after \(earlier) rule will still be processed before.")
        }
        guard let condition = ruleCondition(words[2...], display: "monitor fail", draft: index, at: at) else { return }
        guard !ignored else { return }
        drafts[index].settings.http.monitorFail.append(condition)
    }

    /// HAProxy's warnif_misplaced_monitor(): the first kind of rule already in
    /// the section that runs after `monitor fail` although written before it.
    private func misplacedMonitorRule(_ draft: ProxyDraft) -> String? {
        if !draft.settings.http.requestRules.isEmpty { return "an 'http-request'" }
        if draft.firstRedirect != nil { return "a 'redirect'" }
        if draft.firstUseBackend != nil { return "a 'use_backend'" }
        return nil
    }
}
