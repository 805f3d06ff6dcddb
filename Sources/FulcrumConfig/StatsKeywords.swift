/// The global `stats` keywords: `stats socket` (the runtime API) and
/// `stats timeout`.
extension ParseSession {
    static let otherStatsKeywords: Set<String> = ["maxconn", "bind-process"]
    /// Options of `stats socket` that Fulcrum serves; the other `bind`
    /// options are "not supported yet" there.
    static let servedStatsSocketOptions: Set<String> = ["mode", "level", "expose-fd"]
    /// Address prefixes of sockets other than UNIX stream sockets.
    static let otherSocketFamilies = ["ipv4@", "ipv6@", "tcp@", "tcp4@", "tcp6@", "abns@", "fd@", "sockpair@",
                                      "udp@", "udp4@", "udp6@", "uxdg@", "quic4@", "quic6@"]

    mutating func statsKeyword(_ words: [Word], at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        let known = ["socket", "timeout"] + Self.otherStatsKeywords.sorted()
        guard words.count >= 2 else {
            alert(loc, "'stats' expects one of " + known.map { "'\($0)'" }.joined(separator: ", "))
            return
        }
        let sub = words[1].text
        switch sub {
        case "socket": statsSocket(words, at: at)
        case "timeout":
            if let previous = globalLocations["stats timeout"] {
                warning(loc, "'stats timeout' already specified at \(previous); the last value is used")
            }
            globalLocations["stats timeout"] = loc
            guard words.count >= 3 else {
                alert(at(words[1]), "'stats timeout' expects a time value such as 30s")
                return
            }
            if words.count > 3 {
                alert(at(words[3]), "unexpected argument '\(words[3].text)' for 'stats timeout'")
                return
            }
            switch ValueParsers.milliseconds(words[2].text, for: "stats timeout") {
            case .failure(let f): alert(at(words[2]), f.message)
            case .success(0): alert(at(words[2]), "'stats timeout' expects a positive value")
            case .success(let ms): global.statsTimeout = ms
            }
        case let other where Self.otherStatsKeywords.contains(other):
            alert(loc, "keyword 'stats \(other)' is not supported yet (in section 'global')")
        default:
            alert(at(words[1]), "unknown keyword 'stats \(sub)' in 'global' section" + hint(sub, known))
        }
    }

    /// `stats socket <path> [mode <octal>] [level <level>] [expose-fd listeners]`.
    private mutating func statsSocket(_ words: [Word], at: (Word) -> SourceLocation) {
        guard words.count >= 3, !words[2].text.isEmpty else {
            alert(at(words[1]), "'stats socket' expects the path of a UNIX socket")
            return
        }
        let addressWord = words[2]
        var path = addressWord.text
        if path.hasPrefix("unix@") {
            path.removeFirst("unix@".count)
        } else if let family = Self.otherSocketFamilies.first(where: { path.hasPrefix($0) }) {
            alert(at(addressWord), "'stats socket' on '\(family)' addresses is not supported yet (in section 'global'): use a UNIX socket path")
            return
        } else if !path.hasPrefix("/") {
            if path.contains(":") {
                alert(at(addressWord), "'stats socket' on TCP addresses is not supported yet (in section 'global'): use a UNIX socket path")
            } else {
                alert(at(addressWord), "'stats socket' expects an absolute path to a UNIX socket (got '\(path)')")
            }
            return
        }
        guard !path.isEmpty else {
            alert(at(addressWord), "'stats socket' expects the path of a UNIX socket")
            return
        }
        var socket = StatsSocket(location: at(words[0]), path: path)
        var i = 3
        while i < words.count {
            let w = words[i]
            i += 1
            guard Self.servedStatsSocketOptions.contains(w.text) else {
                if HAProxyKeywords.bindOptions.contains(w.text) {
                    alert(at(w), "bind option '\(w.text)' is not supported yet on 'stats socket' (in section 'global')")
                } else {
                    alert(at(w), "unknown keyword '\(w.text)' on 'stats socket'"
                          + hint(w.text, Array(HAProxyKeywords.bindOptions.union(Self.servedStatsSocketOptions))))
                }
                return
            }
            let value = i < words.count ? words[i] : nil
            i += 1
            switch w.text {
            case "mode":
                guard let value, let mode = ValueParsers.octalMode(value.text) else {
                    alert(value.map(at) ?? at(w), "'stats socket' : 'mode' expects an octal mode such as 600 (got '\(value?.text ?? "")')")
                    return
                }
                socket.mode = mode
            case "level":
                guard let value, let level = StatsSocket.Level(rawValue: value.text) else {
                    alert(value.map(at) ?? at(w), "'stats socket' : 'level' only supports 'user', 'operator', and 'admin' (got '\(value?.text ?? "")')"
                          + hint(value?.text ?? "", ["user", "operator", "admin"]))
                    return
                }
                socket.level = level
            default: // expose-fd
                guard let value, value.text == "listeners" else {
                    alert(value.map(at) ?? at(w), "'stats socket' : 'expose-fd' only supports 'listeners' (got '\(value?.text ?? "")')")
                    return
                }
                // `_getsocks` hands the listening sockets to `-x` (a
                // successor that is not a reload of this master).
                socket.expose = true
            }
        }
        global.statsSockets.append(socket)
    }
}
