import FulcrumBytes

/// `resolvers NAME` sections: `nameserver`, `parse-resolv-conf`,
/// `accepted_payload_size`, `resolve_retries`, `timeout resolve|retry`,
/// `hold`. Messages are haproxy 2.6's (src/resolvers.c).
extension ParseSession {
    mutating func openResolvers(_ words: [Word], at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        guard words.count >= 2, !words[1].text.isEmpty else {
            alert(loc, "missing name for resolvers section.")
            current = .skipped("resolvers")
            return
        }
        let name = words[1].text
        if let bad = ValueParsers.invalidNameCharacter(name) {
            alert(at(words[1]), "character '\(bad)' is not permitted in 'resolvers' name '\(name)'.")
            current = .skipped("resolvers")
            return
        }
        if let previous = resolvers.first(where: { $0.name == name }) {
            alert(loc, "resolvers '\(name)' has same name as another resolvers (declared at \(previous.location.file):\(previous.location.line)).")
            current = .skipped("resolvers")
            return
        }
        resolvers.append(ResolversSection(name: name, location: loc))
        current = .resolvers(resolvers.count - 1)
    }

    mutating func resolversKeyword(_ words: [Word], section r: Int, at: (Word) -> SourceLocation) {
        let keyword = words[0].text
        let loc = at(words[0])
        let value = words.count >= 2 ? words[1] : nil
        switch keyword {
        case "nameserver":
            guard words.count >= 3 else {
                alert(loc, "'nameserver' expects <name> and <addr>[:<port>] as arguments.")
                return
            }
            nameserver(words[1].text, words[2], section: r, at: at)
        case "parse-resolv-conf":
            resolvers[r].parseResolvConf = true
            resolvers[r].parseResolvConfLocation = loc
        case "accepted_payload_size":
            guard let value, !value.text.isEmpty else { alert(loc, "'accepted_payload_size' expects <nb> as argument."); return }
            let n = Self.atol(value.text)
            guard n >= 12, n <= 65535 else {
                alert(loc, "'accepted_payload_size' must be between 12 and 65535 inclusive (was \(value.text)).")
                return
            }
            resolvers[r].acceptedPayloadSize = n
        case "resolve_retries":
            guard let value, !value.text.isEmpty else { alert(loc, "'resolve_retries' expects <nb> as argument."); return }
            resolvers[r].resolveRetries = Self.atol(value.text)
        case "timeout":
            guard let which = value, which.text == "retry" || which.text == "resolve" else {
                alert(loc, "'timeout' expects 'retry' or 'resolve' and <time> as arguments got '\(value?.text ?? "")'.")
                return
            }
            guard words.count >= 3, !words[2].text.isEmpty else {
                alert(loc, "'timeout \(which.text)' expects <time> as argument.")
                return
            }
            guard let ms = resolverTime(words[2].text, what: "timeout \(which.text)", at: loc) else { return }
            if which.text == "retry" { resolvers[r].timeoutRetry = ms } else { resolvers[r].timeoutResolve = ms }
        case "hold":
            guard words.count >= 3, !words[2].text.isEmpty else {
                alert(loc, "'hold' expects an <event> and a <time> as arguments.")
                alert(nil, "<event> can be either 'valid', 'nx', 'refused', 'timeout', or 'other'")
                return
            }
            let event = words[1].text
            guard ["valid", "nx", "refused", "timeout", "other", "obsolete"].contains(event) else {
                alert(loc, "'hold' unknown <event>: '\(event)', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'.")
                return
            }
            guard let ms = resolverTime(words[2].text, what: "hold", at: loc) else { return }
            switch event {
            case "valid": resolvers[r].hold.valid = ms
            case "nx": resolvers[r].hold.nx = ms
            case "refused": resolvers[r].hold.refused = ms
            case "timeout": resolvers[r].hold.timeout = ms
            case "other": resolvers[r].hold.other = ms
            default: resolvers[r].hold.obsolete = ms
            }
        default:
            alert(loc, "unknown keyword '\(keyword)' in 'resolvers' section"
                  + hint(keyword, ["nameserver", "parse-resolv-conf", "accepted_payload_size", "resolve_retries", "timeout", "hold"]))
        }
    }

    /// HAProxy's parse_time_err wording for a bad unit.
    private mutating func resolverTime(_ text: String, what: String, at loc: SourceLocation) -> Int? {
        switch ValueParsers.milliseconds(text, for: what) {
        case .success(let ms): return ms
        case .failure:
            let bad = text.first { !$0.isNumber } ?? " "
            alert(loc, "unexpected character '\(bad)' in argument to <\(what)>.")
            return nil
        }
    }

    private mutating func nameserver(_ name: String, _ word: Word, section r: Int, at: (Word) -> SourceLocation) {
        let loc = at(word)
        if let previous = resolvers[r].nameservers.first(where: { $0.name == name }) {
            alert(loc, "nameserver '\(name)' has same name as another nameserver (declared at \(previous.location.file):\(previous.location.line)).")
            return
        }
        var text = word.text
        var transport = Nameserver.Transport.udp
        for (prefix, t) in [("udp@", Nameserver.Transport.udp), ("udp4@", .udp), ("udp6@", .udp), ("ipv4@", .udp), ("ipv6@", .udp),
                            ("tcp@", .tcp), ("tcp4@", .tcp), ("tcp6@", .tcp)] where text.hasPrefix(prefix) {
            text.removeFirst(prefix.count)
            transport = t
        }
        guard case .success(let (host, portText)) = ValueParsers.splitHostPort(text) else {
            alert(loc, "'nameserver \(name)' : invalid address: '\(text)' in '\(word.text)'")
            return
        }
        guard let address = IPAddress(host) else {
            alert(loc, "'nameserver \(name)' : invalid address: '\(host)' in '\(word.text)'")
            return
        }
        guard let portText, !portText.isEmpty else {
            alert(loc, "'nameserver \(name)' : missing port specification in '\(word.text)'")
            return
        }
        if let bad = portText.first(where: { !$0.isNumber }) {
            alert(loc, "'nameserver \(name)' : invalid character '\(bad)' in port number '\(portText)' in '\(word.text)'")
            return
        }
        guard let port = Int(portText), port > 0, port < 65536 else {
            alert(loc, "'nameserver \(name)' : invalid port '\(portText)'")
            return
        }
        resolvers[r].nameservers.append(Nameserver(name: name, location: loc, transport: transport, address: address, port: port))
    }

    /// At the end: every server's `resolvers NAME` names a section; a
    /// section with no name server is warned about, as HAProxy does.
    mutating func validateResolvers(_ configuration: inout Configuration) {
        for section in resolvers where section.nameservers.isEmpty && !section.parseResolvConf {
            warning(nil, "resolvers '\(section.name)' [\(section.location.file):\(section.location.line)] has no nameservers configured!")
        }
        let names = Set(resolvers.map(\.name))
        for backend in configuration.backends {
            for server in backend.servers {
                if let wanted = server.params.resolution.resolvers, !names.contains(wanted) {
                    alert(nil, "proxy '\(backend.name)', server '\(server.name)': unable to find required resolvers '\(wanted)'")
                }
            }
        }
        configuration.resolvers = resolvers
    }
}
