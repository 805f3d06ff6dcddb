/// `stick-table type ... size N [expire T] [nopurge] [peers NAME] [srvkey
/// name|addr] [store DATA,...]` in a frontend, backend or listen section,
/// read as HAProxy 2.6's parse_stick_table reads it (its messages).
extension ParseSession {
    /// HAProxy's STKTABLE_MAX_DT_ARRAY_SIZE: `gpc(N)` and `gpt(N)` take 1...100.
    static let maxStickArraySize = 100

    mutating func stickTableKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let loc = at(words[0])
        guard let name = drafts[index].name else { return }
        if drafts[index].stickTable != nil {
            alert(loc, "Only one stick-table per proxy allowed.")
            return
        }
        switch Self.parseStickTable(words, from: 1, name: name, location: loc, at: at) {
        case .failure(let f): alert(f.location, f.message)
        case .success(let (table, warnings)):
            for w in warnings { warning(w.location, w.message) }
            drafts[index].stickTable = table
        }
    }

    struct StickTableIssue: Error { var location: SourceLocation; var message: String }

    /// The words after `stick-table` from `start`; the warnings are HAProxy's
    /// (a data type stored twice).
    static func parseStickTable(_ words: [Word], from start: Int, name: String, location: SourceLocation,
                                at: (Word) -> SourceLocation) -> Result<(StickTableDefinition, [StickTableIssue]), StickTableIssue> {
        let kw = words[0].text
        var keyType: StickKeyType? = nil
        var size = 0
        var expire: Int? = nil
        var noPurge = false
        var peers: String? = nil
        var serverKey = StickServerKey.name
        var data: [StickStoredData] = []
        var warnings: [StickTableIssue] = []
        func fail(_ w: Word, _ m: String) -> Result<(StickTableDefinition, [StickTableIssue]), StickTableIssue> {
            .failure(StickTableIssue(location: at(w), message: "\(kw): " + m))
        }
        var i = start
        while i < words.count {
            let w = words[i]
            switch w.text {
            case "size", "expire", "peers", "srvkey", "store":
                guard i + 1 < words.count, !words[i + 1].text.isEmpty else { return fail(w, "missing argument after '\(w.text)'.") }
                let v = words[i + 1]
                i += 2
                switch w.text {
                case "size":
                    guard let n = parseSize(v.text) else {
                        return fail(v, "unexpected character '\(badSizeCharacter(v.text))' in argument of 'size'.")
                    }
                    size = n
                case "expire":
                    switch ValueParsers.milliseconds(v.text, for: "expire") {
                    case .failure(let f): return fail(v, f.message)
                    case .success(let ms): expire = ms
                    }
                case "peers":
                    peers = v.text
                case "srvkey":
                    guard let k = StickServerKey(rawValue: v.text) else { return fail(v, "unknown server key type '\(v.text)'.") }
                    serverKey = k
                default:
                    switch parseStore(v.text) {
                    case .failure(let m): return fail(v, m.message)
                    case .success(let list):
                        for d in list {
                            if data.contains(where: { $0.type == d.type }) {
                                warnings.append(StickTableIssue(location: at(v), message: "\(kw): store option '\(d.type.name)' already enabled, ignored."))
                            } else {
                                data.append(d)
                            }
                        }
                    }
                    func has(_ t: StickDataType) -> Bool { data.contains { $0.type == t } }
                    if has(.gpt) && has(.gpt0) {
                        return fail(v, "simultaneous usage of 'gpt' and 'gpt0' in a same table is not permitted as 'gpt' overlaps 'gpt0'.")
                    }
                    if has(.gpc) && (has(.gpc0) || has(.gpc1)) {
                        return fail(v, "simultaneous usage of 'gpc' and 'gpc[0/1]' in a same table is not permitted as 'gpc' overlaps 'gpc[0/1]'.")
                    }
                    if has(.gpcRate) && (has(.gpc0Rate) || has(.gpc1Rate)) {
                        return fail(v, "simultaneous usage of 'gpc_rate' and 'gpc[0/1]_rate' in a same table is not permitted as 'gpc_rate' overlaps 'gpc[0/1]_rate'.")
                    }
                }
            case "nopurge":
                noPurge = true
                i += 1
            case "type":
                guard i + 1 < words.count else { return fail(w, "unknown type ''.") }
                let t = words[i + 1]
                i += 2
                var length: Int? = nil
                if (t.text == "string" || t.text == "binary"), i + 1 < words.count, words[i].text == "len" {
                    length = Int(words[i + 1].text) ?? 0
                    i += 2
                }
                switch t.text {
                case "ip", "ipv4": keyType = .ip
                case "ipv6": keyType = .ipv6
                case "integer": keyType = .integer
                // A string key keeps its terminating NUL: `len N` holds N characters.
                case "string": keyType = .string(length: length.map { $0 > 0 ? $0 + 1 : 32 } ?? 32)
                case "binary": keyType = .binary(length: length.map { $0 > 0 ? $0 : 32 } ?? 32)
                default: return fail(t, "unknown type '\(t.text)'.")
                }
            default:
                return fail(w, "unknown argument '\(w.text)'.")
            }
        }
        guard size > 0 else { return .failure(StickTableIssue(location: location, message: "\(kw): missing size.")) }
        guard let keyType else { return .failure(StickTableIssue(location: location, message: "\(kw): missing type.")) }
        var table = StickTableDefinition(name: name, location: location, keyType: keyType, size: size)
        table.expire = expire
        table.noPurge = noPurge
        table.peers = peers
        table.serverKey = serverKey
        table.data = data.sorted { $0.type < $1.type }
        return .success((table, warnings))
    }

    /// HAProxy's parse_size_err: a number and an optional k, m or g (×1024).
    static func parseSize(_ text: String) -> Int? {
        var digits = Substring(text)
        var scale = 1
        switch digits.last {
        case "k", "K": scale = 1 << 10; digits = digits.dropLast()
        case "m", "M": scale = 1 << 20; digits = digits.dropLast()
        case "g", "G": scale = 1 << 30; digits = digits.dropLast()
        default: break
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let n = UInt32(digits) else { return nil }
        let v = Int(n) * scale
        return v <= Int(UInt32.max) ? v : nil
    }

    private static func badSizeCharacter(_ text: String) -> Character {
        text.first { !$0.isNumber } ?? "?"
    }

    struct StoreIssue: Error { var message: String; init(_ m: String) { message = m } }

    /// `store`'s comma-separated list: `NAME`, `NAME(PERIOD)`, `gpc(N)`,
    /// `gpc_rate(N,PERIOD)` (commas inside parentheses belong to the argument).
    static func parseStore(_ text: String) -> Result<[StickStoredData], StoreIssue> {
        var items: [(name: String, argument: String?)] = []
        var name = "", argument: String? = nil
        var inParens = false
        for c in text {
            if inParens {
                if c == ")" { inParens = false } else { argument! += String(c) }
            } else if c == "(" {
                inParens = true
                argument = ""
            } else if c == "," {
                items.append((name, argument)); name = ""; argument = nil
            } else if argument == nil {
                name += String(c)
            }
        }
        if inParens { return .failure(StoreIssue("missing closing parenthesis after store option '\(name)'.")) }
        if !name.isEmpty || argument != nil { items.append((name, argument)) }
        var out: [StickStoredData] = []
        for (name, argument) in items {
            guard let type = StickDataType(name: name) else { return .failure(StoreIssue("unknown store option '\(name)'.")) }
            var period = 0, count = 1
            var args = argument.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? []
            if type.isArray {
                guard let first = args.first, !first.isEmpty else { return .failure(StoreIssue("missing argument to store option '\(name)'.")) }
                guard let n = Int(first), (1...maxStickArraySize).contains(n) else {
                    return .failure(StoreIssue("array size is out of allowed range (1-\(maxStickArraySize)) for store option '\(name)'."))
                }
                count = n
                args.removeFirst()
            }
            if type.takesPeriod {
                guard let p = args.first, !p.isEmpty else { return .failure(StoreIssue("missing argument to store option '\(name)'.")) }
                guard case .success(let ms) = ValueParsers.milliseconds(p, for: name), ms > 0 else {
                    return .failure(StoreIssue("error when processing store option '\(name)'."))
                }
                period = ms
                args.removeFirst()
            }
            guard args.isEmpty else { return .failure(StoreIssue("unexpected argument to store option '\(name)'.")) }
            out.append(StickStoredData(type, period: period, count: count))
        }
        return .success(out)
    }
}
