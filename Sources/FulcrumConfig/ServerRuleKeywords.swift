/// `use-server NAME if|unless COND`, `force-persist if|unless COND` and
/// `ignore-persist if|unless COND` (manual 4.2), with HAProxy's messages.
extension ParseSession {
    static let serverRuleKeywords: Set<String> = ["use-server", "force-persist", "ignore-persist"]

    mutating func serverRuleKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let requiresCondition = "'\(keyword)' requires either 'if' or 'unless' followed by a condition."
        let first = keyword == "use-server" ? 2 : 1
        if keyword == "use-server" && words.count < 2 {
            alert(at(words[0]), "'use-server' expects a server name.")
            return
        }
        guard words.count > first, words[first].text == "if" || words[first].text == "unless" else {
            alert(at(words[0]), requiresCondition)
            return
        }
        guard let condition = ruleCondition(words[first...], display: keyword, draft: index, at: at) else { return }
        if keyword == "use-server" {
            let name = words[1].text
            if name.contains("%[") {
                alert(at(words[1]), "a 'use-server' name built from samples ('\(name)') is not supported yet (in section '\(drafts[index].kind.rawValue)')")
                return
            }
            drafts[index].settings.serverRules.useServer.append(.init(location: at(words[0]), server: name, condition: condition))
        } else {
            let kind = ServerRules.PersistKind(rawValue: keyword)!
            drafts[index].settings.serverRules.persist.append(.init(location: at(words[0]), kind: kind, condition: condition))
        }
    }

    /// Every `use-server` names a server of its backend.
    mutating func validateServerRules(_ backend: Backend, label: String) {
        let names = Set(backend.servers.map(\.name))
        for rule in backend.serverRules.useServer where !names.contains(rule.server) {
            alert(rule.location, "\(label) : unable to find server '\(rule.server)' referenced in a 'use-server' rule."
                  + hint(rule.server, Array(names)))
        }
    }
}
