/// `server NAME ADDR[:PORT] [params]` and the parameters it shares with
/// `default-server`.
extension ParseSession {
    /// Server parameters Fulcrum serves now; HAProxy's others are "not supported yet".
    static let servedServerOptions: Set<String> = Set([
        "weight", "maxconn", "backup", "no-backup", "disabled", "enabled", "check", "no-check",
        "inter", "fastinter", "downinter", "rise", "fall", "port", "addr",
        "slowstart", "init-state", "observe", "error-limit", "on-error", "cookie", "pool-max-conn", "id",
        "on-marked-down", "on-marked-up", "send-proxy", "send-proxy-v2", "no-send-proxy", "no-send-proxy-v2",
        "source", "check-send-proxy", "proxy-v2-options", "send-proxy-v2-ssl", "send-proxy-v2-ssl-cn",
        "maxqueue", "minconn", "redir", "proto", "tfo", "no-tfo", "non-stick",
        "agent-check", "no-agent-check", "agent-port", "agent-inter", "agent-addr", "agent-send", "track",
        "socks4", "check-via-socks4",
    ]).union(serverResolutionOptions)

    mutating func serverKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let kindName = drafts[index].kind.rawValue
        guard words.count >= 3 else {
            alert(at(words[0]), "'server' expects <name> and <addr>[:<port>] as arguments")
            return
        }
        let nameWord = words[1], addressWord = words[2]
        if let bad = ValueParsers.invalidNameCharacter(nameWord.text) {
            alert(at(nameWord), "character '\(bad)' is not permitted in server name '\(nameWord.text)'")
        } else if nameWord.text.isEmpty {
            alert(at(nameWord), "server name must not be empty")
        }
        var params = drafts[index].settings.defaultServer
        let paramsOK = parseServerParams(words.dropFirst(3), into: &params, section: kindName,
                                         mode: drafts[index].settings.mode, at: at)
        if let unix = unixServerAddress(addressWord, at: at) {
            guard let unix = unix, paramsOK else { return }
            var server = Server(name: nameWord.text, location: at(words[0]), host: addressWord.text, port: nil, params: params)
            server.unix = unix
            drafts[index].servers.append(server)
            return
        }
        guard let (host, port) = serverAddress(addressWord, section: kindName, at: at), paramsOK else { return }
        guard agentHasPort(params, server: nameWord.text, at: at(words[0])) else { return }
        if params.track != nil && params.check {
            alert(at(words[0]), "'server \(drafts[index].name ?? "")/\(nameWord.text)' : unable to enable checks and tracking at the same time!")
            return
        }
        drafts[index].servers.append(Server(name: nameWord.text, location: at(words[0]), host: host, port: port, params: params))
    }

    /// `/path`, `unix@/path`, `abns@name`: nil when the word is none of them;
    /// `.some(nil)` when it is one but wrong (reported).
    private mutating func unixServerAddress(_ word: Word, at: (Word) -> SourceLocation) -> BindAddress?? {
        let text = word.text
        var result: Result<[BindAddress], ParseFailure>
        if text.hasPrefix("/") {
            result = Self.unixAddress(text, text: text)
        } else if text.hasPrefix("unix@") {
            result = Self.unixAddress(String(text.dropFirst(5)), text: text)
        } else if text.hasPrefix("abns@") {
            let name = String(text.dropFirst(5))
            result = name.isEmpty || name.utf8.count > 107
                ? .failure(ParseFailure("invalid abstract socket name in '\(text)'")) : .success([.abstract(name: name)])
        } else {
            return nil
        }
        switch result {
        case .success(let list): return .some(list.first)
        case .failure(let f): alert(at(word), f.message); return .some(nil)
        }
    }

    /// `host[:port]`; a missing port means "the port the client connected to".
    private mutating func serverAddress(_ word: Word, section: String, at: (Word) -> SourceLocation) -> (String, Int?)? {
        var text = word.text
        for p in ["ipv4@", "ipv6@"] where text.hasPrefix(p) { text.removeFirst(p.count) }
        if let at_ = text.firstIndex(of: "@") {
            alert(at(word), "address family '\(text[..<at_])@' is not supported yet for servers (in section '\(section)')")
            return nil
        }
        switch ValueParsers.splitHostPort(text) {
        case .failure(let f):
            alert(at(word), f.message)
            return nil
        case .success(let (host, portText)):
            guard !host.isEmpty else {
                alert(at(word), "missing address in '\(word.text)'")
                return nil
            }
            guard let portText else { return (host, nil) }
            if portText.hasPrefix("+") || portText.hasPrefix("-") {
                alert(at(word), "relative server ports ('\(portText)') are not supported yet (in section '\(section)')")
                return nil
            }
            switch ValueParsers.port(portText, for: "server") {
            case .failure(let f): alert(at(word), f.message); return nil
            case .success(let p): return (host, p)
            }
        }
    }

    /// Applies server/default-server parameters over `params`; returns false
    /// if any of them was wrong (all are reported).
    @discardableResult
    mutating func parseServerParams(_ words: ArraySlice<Word>, into params: inout ServerParams, section: String,
                                    mode: ProxyMode, defaultServer: Bool = false, at: (Word) -> SourceLocation) -> Bool {
        var ok = true
        var i = words.startIndex
        while i < words.endIndex {
            if Self.isTLSServerOption(words[i].text) {
                if !serverTLSOption(words, at: &i, into: &params.tls, at: at) { ok = false }
                continue
            }
            let w = words[i]
            let keyword = w.text
            i += 1
            guard Self.servedServerOptions.contains(keyword) else {
                ok = false
                if HAProxyKeywords.serverOptions.contains(keyword) {
                    alert(at(w), "server option '\(keyword)' is not supported yet (in section '\(section)')")
                    // Skip this option's argument too, so that it is not read as an option.
                    if i < words.endIndex, !HAProxyKeywords.serverOptions.contains(words[i].text) { i += 1 }
                } else {
                    alert(at(w), "unknown server option '\(keyword)' in '\(section)' section"
                          + hint(keyword, Array(HAProxyKeywords.serverOptions.union(Self.servedServerOptions))))
                    // Its arguments are unknown too: stop here rather than misreading them.
                    break
                }
                continue
            }
            if keyword == "proxy-v2-options" {
                guard i < words.endIndex else {
                    alert(at(w), "'proxy-v2-options' expects a comma-separated list of options")
                    ok = false
                    continue
                }
                if !proxyV2Options(words[i], into: &params.proxyV2Options, at: at) { ok = false }
                i += 1
                continue
            }
            if keyword == "source" {
                var j = i
                guard let binding = sourceArguments(words, from: &j, at: at) else { ok = false; break }
                params.source = binding
                i = j
                continue
            }
            switch keyword {
            case "backup": params.backup = true; continue
            case "non-stick": params.nonStick = true; continue
            case "no-backup": params.backup = false; continue
            case "disabled": params.disabled = true; continue
            case "enabled": params.disabled = false; continue
            case "check": params.check = true; continue
            case "no-check": params.check = false; continue
            case "send-proxy": params.sendProxy = 1; continue
            case "check-send-proxy": params.checkSendProxy = true; continue
            case "send-proxy-v2-ssl": params.sendProxy = 2; params.proxyV2Options.insert(.ssl); continue
            case "send-proxy-v2-ssl-cn": params.sendProxy = 2; params.proxyV2Options.formUnion([.ssl, .certCN]); continue
            case "send-proxy-v2": params.sendProxy = 2; continue
            case "no-send-proxy": if params.sendProxy == 1 { params.sendProxy = 0 }; continue
            case "no-send-proxy-v2": if params.sendProxy == 2 { params.sendProxy = 0 }; continue
            case "tfo": params.fastOpen = true; continue
            case "no-tfo": params.fastOpen = false; continue
            case "agent-check": params.agent.enabled = true; continue
            case "no-agent-check": params.agent.enabled = false; continue
            case "check-via-socks4": params.checkViaSocks4 = true; continue
            default: break
            }
            guard i < words.endIndex else {
                alert(at(w), "'\(keyword)' expects an argument")
                ok = false
                continue
            }
            let value = words[i]
            i += 1
            func fail(_ message: String) { alert(at(value), message); ok = false }
            switch keyword {
            case "redir":
                params.redirectPrefix = value.text
            case "socks4":
                if !socks4Option(keyword, value, into: &params, at: at) { ok = false }
            case "proto":
                if !muxProtocol(value, mode: mode, what: "server", section: section, at: at) { ok = false }
            case "id":
                if defaultServer { fail("'id' option is not accepted in default-server sections"); break }
                guard let n = Int(value.text) else { fail("'id' : expects an integer argument."); break }
                if n < 1 { fail("'id' : custom id has to be > 0.") } else { params.id = n }
            case "maxqueue", "minconn":
                switch ValueParsers.integer(value.text, for: keyword) {
                case .failure(let f): fail(f.message)
                case .success(let n): if keyword == "maxqueue" { params.maxqueue = n } else { params.minconn = n }
                }
            case "weight", "maxconn", "rise", "fall":
                switch ValueParsers.integer(value.text, for: keyword) {
                case .failure(let f): fail(f.message)
                case .success(let n):
                    switch keyword {
                    case "weight":
                        if n > 256 { fail("weight \(n) is not within 0 and 256") } else { params.weight = n }
                    case "maxconn": params.maxconn = n
                    case "rise":
                        if n < 1 { fail("'rise' has to be > 0") } else { params.rise = n }
                    default:
                        if n < 1 { fail("'fall' has to be > 0") } else { params.fall = n }
                    }
                }
            case "inter", "fastinter", "downinter":
                switch ValueParsers.milliseconds(value.text, for: keyword) {
                case .failure(let f): fail(f.message)
                case .success(let ms):
                    if ms == 0 { fail("'\(keyword)' has to be > 0"); break }
                    switch keyword {
                    case "inter": params.inter = ms
                    case "fastinter": params.fastinter = ms
                    default: params.downinter = ms
                    }
                }
            case "slowstart":
                switch ValueParsers.milliseconds(value.text, for: keyword) {
                case .failure(let f): fail(f.message)
                case .success(let ms): params.slowstart = ms == 0 ? nil : ms
                }
            case "cookie":
                guard !value.text.isEmpty else { fail("'cookie' expects a non-empty value"); break }
                params.cookie = value.text
            case "pool-max-conn":
                switch ValueParsers.signedInteger(value.text, for: keyword) {
                case .success(let n) where n >= -1: params.poolMaxConn = n
                default: fail("'pool-max-conn' expects -1 (unlimited) or a positive integer (got '\(value.text)')")
                }
            case "error-limit":
                switch ValueParsers.integer(value.text, for: keyword) {
                case .success(let n) where n > 0: params.errorLimit = n
                default: fail("'error-limit' has to be > 0 (got '\(value.text)')")
                }
            case "init-state":
                guard let state = InitState(rawValue: value.text) else {
                    let known = ["fully-up", "up", "down", "fully-down"]
                    fail("'init-state' expects one of 'fully-up', 'up', 'down' or 'fully-down' but got '\(value.text)'" + hint(value.text, known))
                    break
                }
                params.initState = state
            case "observe":
                switch value.text {
                case "none": params.observe = nil
                case "layer4": params.observe = .layer4
                case "layer7":
                    // HAProxy judges layer-7 errors only on HTTP traffic.
                    if mode == .http { params.observe = .layer7 } else { fail("'observe layer7' can only be used in http proxies") }
                default:
                    fail("'observe' expects one of 'none', 'layer4', 'layer7' but got '\(value.text)'" + hint(value.text, ["none", "layer4", "layer7"]))
                }
            case "on-marked-down":
                guard value.text == "shutdown-sessions" else {
                    fail("'on-marked-down' expects 'shutdown-sessions' but got '\(value.text)'.")
                    break
                }
                params.shutdownSessionsWhenDown = true
            case "on-marked-up":
                guard value.text == "shutdown-backup-sessions" else {
                    fail("'on-marked-up' expects 'shutdown-backup-sessions' but got '\(value.text)'.")
                    break
                }
                params.shutdownBackupSessionsWhenUp = true
            case "on-error":
                guard let action = OnErrorAction(rawValue: value.text) else {
                    let known = ["fastinter", "fail-check", "sudden-death", "mark-down"]
                    fail("'on-error' expects one of 'fastinter', 'fail-check', 'sudden-death' or 'mark-down' but got '\(value.text)'" + hint(value.text, known))
                    break
                }
                params.onError = action
            case _ where Self.serverResolutionOptions.contains(keyword):
                if let message = Self.serverResolutionOption(keyword, value.text, into: &params.resolution) { fail(message) }
            case "track":
                if defaultServer { fail("'track' option is not accepted in default-server sections"); break }
                params.track = value.text
            case "agent-port", "agent-inter", "agent-addr", "agent-send":
                if let message = agentOption(keyword, value.text, into: &params.agent) { fail(message) }
            case "port":
                switch ValueParsers.port(value.text, for: "port") {
                case .failure(let f): fail(f.message)
                case .success(let p): params.checkPort = p
                }
            default: // addr
                if value.text.isEmpty || value.text.contains("@") || value.text.hasPrefix("/") {
                    fail("'addr' expects an IPv4 or IPv6 address (got '\(value.text)')")
                } else {
                    params.checkAddr = value.text
                }
            }
        }
        return ok
    }
}
