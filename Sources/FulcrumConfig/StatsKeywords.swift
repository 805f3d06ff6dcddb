/// The global `stats` keywords: `stats socket` (the runtime API) and
/// `stats timeout`.
extension ParseSession {
    static let otherStatsKeywords: Set<String> = ["maxconn", "bind-process"]

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

    /// `stats socket ADDRESS [mode OCTAL] [level L] [user U] [group G]
    /// [uid N] [gid N] [expose-fd listeners]` (CLIBindSpec reads it).
    private mutating func statsSocket(_ words: [Word], at: (Word) -> SourceLocation) {
        guard words.count >= 3, !words[2].text.isEmpty else {
            alert(at(words[1]), "'stats socket' expects the path of a UNIX socket")
            return
        }
        let rest = Array(words[2...])
        switch CLIBindSpec.parse(rest.map(\.text), what: "'stats socket'") {
        case .failure(let f):
            let suffix = f.message.contains("not supported yet") ? " (in section 'global')" : ""
            alert(at(rest[min(f.word, rest.count - 1)]), f.message + suffix)
        case .success(let spec):
            global.statsSockets.append(StatsSocket(location: at(words[0]), spec: spec))
        }
    }
}
