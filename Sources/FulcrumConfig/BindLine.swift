/// `bind ADDR[,ADDR...] [options]`: every address and port range expands
/// into one BindAddress per (host, port).
extension ParseSession {
    static let servedBindOptions: Set<String> = [
        "name", "backlog", "maxconn", "mode", "uid", "gid", "user", "group",
        "defer-accept", "tfo", "v4v6", "v6only", "mss", "interface", "proto",
    ]
    /// Served options that take no argument.
    static let servedBindFlags: Set<String> = ["accept-proxy", "transparent"]

    mutating func bindKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let kindName = drafts[index].kind.rawValue
        guard words.count >= 2, !words[1].text.isEmpty else {
            alert(at(words[0]), "'bind' expects [<addr>]:<port>[,...] as an argument")
            return
        }
        let specWord = words[1]
        var ok = true
        var addresses: [BindAddress] = []
        for part in specWord.text.split(separator: ",", omittingEmptySubsequences: false) {
            switch Self.bindAddresses(String(part), section: kindName) {
            case .failure(let f): alert(at(specWord), f.message); ok = false
            case .success(let list): addresses += list
            }
        }
        var bind = Bind(location: at(words[0]), spec: specWord.text, addresses: addresses)
        var i = 2
        while i < words.count {
            if Self.isTLSBindOption(words[i].text) {
                if !bindTLSOption(words, at: &i, into: &bind.tls, at: at) { ok = false }
                continue
            }
            let w = words[i]
            i += 1
            if Self.servedBindFlags.contains(w.text) {
                if w.text == "accept-proxy" { bind.acceptProxy = true } else { bind.transparent = true }
                continue
            }
            guard Self.servedBindOptions.contains(w.text) else {
                ok = false
                if HAProxyKeywords.bindOptions.contains(w.text) {
                    alert(at(w), TLSRefusedReasons.byKeyword[w.text] ?? "bind option '\(w.text)' is not supported yet (in section '\(kindName)')")
                    if i < words.count, !HAProxyKeywords.bindOptions.contains(words[i].text) { i += 1 }
                } else {
                    alert(at(w), "unknown bind option '\(w.text)' in '\(kindName)' section"
                          + hint(w.text, Array(HAProxyKeywords.bindOptions)))
                    // Its arguments are unknown too: stop here rather than misreading them.
                    break
                }
                continue
            }
            switch w.text {
            case "defer-accept": bind.socket.deferAccept = true; continue
            case "tfo": bind.socket.fastOpen = true; continue
            case "v4v6": bind.socket.v6Only = false; continue
            case "v6only": bind.socket.v6Only = true; continue
            default: break
            }
            guard i < words.count else {
                alert(at(w), "bind option '\(w.text)' expects an argument")
                ok = false
                continue
            }
            let value = words[i]
            i += 1
            switch w.text {
            case "name":
                bind.name = value.text
                continue
            case "mode":
                // Octal, as chmod takes it.
                guard let m = UInt32(value.text, radix: 8), m <= 0o7777 else {
                    alert(at(value), "'mode' : unknown mode '\(value.text)' (expected an octal mode such as 600)")
                    ok = false
                    continue
                }
                bind.unixMode = m
                continue
            case "uid", "gid":
                guard let n = UInt32(value.text) else {
                    alert(at(value), "'\(w.text)' : expects a numeric id, got '\(value.text)'")
                    ok = false
                    continue
                }
                if w.text == "uid" { bind.unixUID = n } else { bind.unixGID = n }
                continue
            case "user":
                bind.unixUser = value.text
                continue
            case "group":
                bind.unixGroup = value.text
                continue
            case "proto":
                if !muxProtocol(value, mode: drafts[index].settings.mode, what: "bind \(specWord.text)", section: kindName, at: at) {
                    ok = false
                }
                continue
            default:
                break
            }
            if w.text == "interface" {
                if value.text.isEmpty || value.text.utf8.count >= 16 {
                    alert(at(value), "'interface' : invalid interface name '\(value.text)'"); ok = false
                } else {
                    bind.socket.interface = value.text
                }
                continue
            }
            if w.text == "mss" {
                switch ValueParsers.signedInteger(value.text, for: "mss") {
                case .success(let n) where n > 0 && n <= 65535: bind.socket.mss = n
                case .success(let n) where n < 0 && n >= -65535:
                    alert(at(value), "a negative 'mss' (MTU minus the value) is not supported yet (in section '\(kindName)')"); ok = false
                default:
                    alert(at(value), "'mss' : expects an MSS with and absolute value between 1 and 65535"); ok = false
                }
                continue
            }
            switch ValueParsers.integer(value.text, for: w.text) {
            case .failure(let f): alert(at(value), f.message); ok = false
            case .success(let n):
                if w.text == "backlog" {
                    if n < 1 { alert(at(value), "'backlog' has to be > 0"); ok = false } else { bind.backlog = n }
                } else {
                    bind.maxconn = n
                }
            }
        }
        let unixOptions = bind.unixMode != nil || bind.unixUID != nil || bind.unixGID != nil
            || bind.unixUser != nil || bind.unixGroup != nil
        if ok, unixOptions, bind.addresses.contains(where: { if case .unix = $0 { return false }; return true }) {
            alert(at(words[0]), "bind options 'mode', 'uid', 'gid', 'user' and 'group' apply to UNIX socket paths only (in section '\(kindName)')")
            ok = false
        }
        if ok { drafts[index].binds.append(bind) }
    }

    /// A UNIX socket path: it must fit sun_path (108 bytes with its NUL).
    static func unixAddress(_ path: String, text: String) -> Result<[BindAddress], ParseFailure> {
        guard path.utf8.count <= 107 else {
            return .failure(ParseFailure("socket path '\(path)' too long (max 107) in bind address '\(text)'"))
        }
        return .success([.unix(path: path)])
    }

    /// One comma-separated element of a bind spec.
    static func bindAddresses(_ text: String, section: String) -> Result<[BindAddress], ParseFailure> {
        var rest = text
        var family = ""
        if let atSign = rest.firstIndex(of: "@") {
            family = String(rest[..<atSign])
            rest = String(rest[rest.index(after: atSign)...])
            switch family {
            case "ipv4", "ipv6", "tcp", "tcp4", "tcp6": break
            case "fd":
                guard !rest.isEmpty, case .success(let fd) = ValueParsers.integer(rest, for: "fd@"), fd <= Int(Int32.max) else {
                    return .failure(ParseFailure("invalid file descriptor 'fd@\(rest)' in bind address (expected fd@<number>)"))
                }
                return .success([.inheritedFD(Int32(fd))])
            case "unix":
                guard !rest.isEmpty else { return .failure(ParseFailure("missing path in bind address '\(text)'")) }
                return unixAddress(rest, text: text)
            case "abns":
                guard !rest.isEmpty else { return .failure(ParseFailure("missing name in bind address '\(text)'")) }
                // sun_path less its leading NUL.
                guard rest.utf8.count <= 107 else {
                    return .failure(ParseFailure("abstract socket name too long in bind address '\(text)'"))
                }
                return .success([.abstract(name: rest)])
            case "sockpair", "udp", "udp4", "udp6", "quic4", "quic6", "uxst", "uxdg":
                return .failure(ParseFailure("address family '\(family)@' is not supported yet (in section '\(section)')"))
            default:
                return .failure(ParseFailure("unknown address family '\(family)@' in bind address '\(text)'"))
            }
        }
        if rest.hasPrefix("/") { return unixAddress(rest, text: text) }
        guard case .success(let (hostText, portText)) = ValueParsers.splitHostPort(rest) else {
            return .failure(ParseFailure("invalid bind address '\(text)'"))
        }
        guard let portText, !portText.isEmpty else {
            return .failure(ParseFailure("missing port number in bind address '\(text)'"))
        }
        var host = hostText
        if host.isEmpty || host == "*" { host = family == "ipv6" || family == "tcp6" ? "::" : "0.0.0.0" }
        var low = portText, high = portText
        if let dash = portText.firstIndex(of: "-") {
            low = String(portText[..<dash])
            high = String(portText[portText.index(after: dash)...])
        }
        guard case .success(let first) = ValueParsers.port(low, for: "bind"),
              case .success(let last) = ValueParsers.port(high, for: "bind") else {
            return .failure(ParseFailure("invalid port '\(portText)' in bind address '\(text)' (expected 1-65535 or a range such as 8000-8002)"))
        }
        guard first <= last else {
            return .failure(ParseFailure("invalid port range '\(portText)' in bind address '\(text)': the first port is above the last"))
        }
        return .success((first...last).map { BindAddress.inet(host: host, port: $0) })
    }
}
