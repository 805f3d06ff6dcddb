/// `option external-check`, `external-check command|path` (proxies) and the
/// global `external-check [preserve-env]` / `insecure-fork-wanted`, with
/// HAProxy 2.6's messages, and its post-parse checks of them.
extension ParseSession {
    mutating func externalCheckOption(_ words: [Word], enable: Bool, draft index: Int, at: (Word) -> SourceLocation) {
        if let extra = words.dropFirst(2).first {
            alert(at(extra), "unexpected argument '\(extra.text)' for 'option external-check'")
            return
        }
        guard enable else {
            alert(at(words[1]), "negation/default is not supported for option 'external-check'")
            return
        }
        drafts[index].settings.healthCheck.external = true
        drafts[index].settings.healthCheck.kind = .tcpConnect
        drafts[index].settings.healthCheck.protocolCheck = nil
    }

    mutating func externalCheckKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count > 1 else {
            alert(at(words[0]), "missing argument after 'external-check'.")
            return
        }
        let what = words[1].text
        guard what == "command" || what == "path" else {
            alert(at(words[1]), "external-check: unknown argument '\(what)'." + hint(what, ["command", "path"]))
            return
        }
        guard words.count > 2 else {
            alert(at(words[1]), "missing argument after '\(what)'.")
            return
        }
        if let extra = words.dropFirst(3).first {
            alert(at(extra), "'external-check \(what)' cannot handle unexpected argument '\(extra.text)'.")
            return
        }
        if what == "command" {
            drafts[index].settings.healthCheck.externalSettings.command = words[2].text
        } else {
            drafts[index].settings.healthCheck.externalSettings.path = words[2].text
        }
    }

    mutating func externalCheckGlobalKeyword(_ words: [Word], at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        if keyword == "insecure-fork-wanted" {
            for extra in words.dropFirst() { alert(at(extra), "'\(keyword)' cannot handle unexpected argument '\(extra.text)'.") }
            global.externalCheck.insecureForkWanted = true
            return
        }
        if words.count > 1 {
            guard words[1].text == "preserve-env" else {
                alert(at(words[1]), "'external-check' only supports 'preserve-env' as an argument, found '\(words[1].text)'.")
                return
            }
            for extra in words.dropFirst(2) { alert(at(extra), "'external-check' cannot handle unexpected argument '\(extra.text)'.") }
            global.externalCheck.preserveEnvironment = true
        }
        global.externalCheck.enabled = true
    }

    /// HAProxy's checks once everything is read: the global switch is
    /// required, `insecure-fork-wanted` only warned about, and a checked
    /// server needs a command.
    mutating func validateExternalCheck(_ check: HealthCheckConfig, draft: ProxyDraft) {
        guard let external = check.external else { return }
        let name = draft.name ?? ""
        if !global.externalCheck.enabled {
            alert(draft.location, "Proxy '\(name)' : 'option external-check' unable to find required 'global.external-check'.")
        }
        if !global.externalCheck.insecureForkWanted {
            warning(draft.location, "Proxy '\(name)' : 'insecure-fork-wanted' not enabled in the global section, 'option external-check' will likely fail.")
        }
        if global.externalCheck.enabled, external.command == nil, draft.servers.contains(where: { $0.params.check }) {
            alert(draft.location, "Proxy '\(name)' : 'option external-check' unable to find required 'external-check command'.")
        }
    }
}
