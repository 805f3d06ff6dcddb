import FulcrumLog

/// `mailers NAME` sections (`mailer NAME ADDR:PORT`, `timeout mail T`) and
/// proxies' `email-alert from|to|level|mailers|myhostname`, with HAProxy
/// 2.6's messages and its post-parse checks.
extension ParseSession {
    mutating func openMailers(_ words: [Word], at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        guard words.count >= 2, !words[1].text.isEmpty else {
            alert(loc, "missing name for mailers section.")
            current = .skipped("mailers")
            return
        }
        if let bad = ValueParsers.invalidNameCharacter(words[1].text) {
            alert(at(words[1]), "character '\(bad)' is not permitted in 'mailers' name '\(words[1].text)'.")
            current = .skipped("mailers")
            return
        }
        if let first = mailers.first(where: { $0.name == words[1].text }) {
            alert(loc, "mailers section '\(words[1].text)' has the same name as another mailers section declared at \(first.location).")
            current = .skipped("mailers")
            return
        }
        mailers.append(MailersSection(name: words[1].text, location: loc))
        current = .mailers(mailers.count - 1)
    }

    mutating func mailersKeyword(_ words: [Word], section m: Int, at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        switch keyword {
        case "mailer":
            guard words.count >= 3 else {
                alert(at(words[0]), "'mailer' expects <name> and <addr>[:<port>] as arguments.")
                return
            }
            let name = words[1].text
            if let bad = ValueParsers.invalidNameCharacter(name) {
                alert(at(words[1]), "character '\(bad)' is not permitted in server name '\(name)'.")
                return
            }
            if let first = mailers[m].mailers.first(where: { $0.name == name }) {
                alert(at(words[1]), "mailer '\(name)' has the same name as another mailer declared at \(first.location).")
                return
            }
            var text = words[2].text
            if text.hasPrefix("ipv4@") || text.hasPrefix("ipv6@") { text.removeFirst(5) }
            guard case .success(let (host, portText)) = ValueParsers.splitHostPort(text), !host.isEmpty else {
                alert(at(words[2]), "'mailer \(name)' : invalid address: '\(words[2].text)'")
                return
            }
            guard let portText else {
                alert(at(words[2]), "'mailer \(name)' : missing port specification in '\(words[2].text)'")
                return
            }
            switch ValueParsers.port(portText, for: "mailer") {
            case .failure(let f): alert(at(words[2]), "'mailer \(name)' : \(f.message)")
            case .success(let port):
                mailers[m].mailers.append(MailersSection.Mailer(name: name, host: host, port: port, location: at(words[0])))
            }
        case "timeout":
            guard words.count >= 2, words[1].text == "mail" else {
                alert(at(words[0]), "'timeout' expects 'mail' and <time> as arguments got '\(words.count > 1 ? words[1].text : "")'.")
                return
            }
            guard words.count >= 3 else {
                alert(at(words[0]), "'timeout mail' expects <time> as argument.")
                return
            }
            switch ValueParsers.milliseconds(words[2].text, for: "timeout mail") {
            case .failure(let f): alert(at(words[2]), f.message)
            case .success(let ms):
                guard ms > 0 else { alert(at(words[2]), "'timeout mail' expects a positive <time> argument."); return }
                mailers[m].timeoutMail = ms
            }
        default:
            alert(at(words[0]), "unknown keyword '\(keyword)' in 'mailers' section" + hint(keyword, ["mailer", "timeout"]))
        }
    }

    mutating func emailAlertKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 2 else {
            alert(at(words[0]), "email-alert: missing argument.")
            return
        }
        let what = words[1].text
        let known = ["from", "to", "level", "mailers", "myhostname"]
        guard known.contains(what) else {
            alert(at(words[1]), "email-alert: unknown argument '\(what)'." + hint(what, known))
            return
        }
        guard words.count >= 3 else {
            alert(at(words[1]), "email-alert: missing argument after '\(what)'.")
            return
        }
        let value = words[2].text
        switch what {
        case "from": drafts[index].settings.emailAlert.from = value
        case "to": drafts[index].settings.emailAlert.to = value
        case "myhostname": drafts[index].settings.emailAlert.myHostname = value
        case "mailers":
            drafts[index].settings.emailAlert.mailers = value
            drafts[index].settings.emailAlert.mailersLocation = at(words[0])
        default:
            guard let level = LogLevel(name: value) else {
                alert(at(words[2]), "unknown log level '\(value)' after 'level'")
                return
            }
            drafts[index].settings.emailAlert.level = level
        }
    }

    /// HAProxy's post-parse rule: any email-alert line needs all of from,
    /// mailers and to (else a warning and no mail); the mailers must exist.
    mutating func resolvedEmailAlert(_ draft: ProxyDraft) -> EmailAlert? {
        let d = draft.settings.emailAlert
        guard d.isSet else { return nil }
        guard let name = d.mailers, let from = d.from, let to = d.to else {
            warning(draft.location, "'email-alert' will be ignored for \(draft.kind == .defaults ? "defaults" : "backend") '\(draft.name ?? "")' (the presence any of 'email-alert from', 'email-alert level' 'email-alert mailers', 'email-alert myhostname', or 'email-alert to' requires each of 'email-alert from', 'email-alert mailers' and 'email-alert to' to be present).")
            return nil
        }
        guard mailers.contains(where: { $0.name == name }) else {
            alert(d.mailersLocation ?? draft.location, "Proxy '\(draft.name ?? "")': unable to find mailers '\(name)'.")
            return nil
        }
        var alert = EmailAlert(mailers: name, from: from, to: to)
        if let level = d.level { alert.level = level }
        alert.myHostname = d.myHostname
        return alert
    }

    /// HAProxy drops a mailers section no proxy uses, saying so.
    mutating func validatedMailers(_ configuration: Configuration) -> [MailersSection] {
        let used = Set(configuration.backends.compactMap { $0.emailAlert?.mailers })
        var kept: [MailersSection] = []
        for m in mailers {
            if used.contains(m.name) && !m.mailers.isEmpty { kept.append(m) } else {
                warning(m.location, "Removing incomplete section 'mailers \(m.name)'.")
            }
        }
        return kept
    }
}
