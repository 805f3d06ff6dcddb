import FulcrumBytes
import FulcrumConfig

/// HAProxy 2.6's runtime API over pattern references (management 9.3):
/// `show|get|add|del|set|clear|prepare|commit map|acl`, with its
/// arguments, answers and messages word for word (checked side by side
/// with haproxy 2.6). HAProxy asks no level for them, nor does this.
extension PatternStore {
    public struct Reply: Equatable, Sendable {
        /// The answer, without the CLI's closing empty line.
        public var text: String
        /// True when entries or versions changed: the command must reach
        /// every process holding a copy of the store.
        public var changed: Bool
    }

    /// Runs `words` (and a `<<` payload); nil when it is no pattern command.
    public func run(_ words: [String], payload: String? = nil) -> Reply? {
        guard words.count >= 2, words[1] == "map" || words[1] == "acl" else { return nil }
        let map = words[1] == "map"
        let args = Array(words.dropFirst(2))
        switch words[0] {
        case "show": return Reply(text: show(args, map: map), changed: false)
        case "get": return Reply(text: get(args, map: map), changed: false)
        case "add": return add(args, map: map, payload: payload)
        case "set" where map: return set(args)
        case "del": return delete(args, map: map)
        case "clear": return clear(args, map: map)
        case "prepare": return prepare(args, map: map)
        case "commit": return commit(args, map: map)
        default: return nil
        }
    }

    static func unknown(_ map: Bool) -> String {
        map ? "Unknown map identifier. Please use #<id> or <file>.\n" : "Unknown ACL identifier. Please use #<id> or <file>.\n"
    }

    /// A leading `@VERSION` argument (atoi, as HAProxy reads it).
    static func version(_ args: inout [String]) -> UInt32? {
        guard let first = args.first, first.hasPrefix("@") else { return nil }
        args.removeFirst()
        return UInt32(truncatingIfNeeded: RuntimeCommandLine.atoi(String(first.dropFirst())))
    }

    /// The reference, if it is of the command's kind (map or ACL).
    func typed(_ name: String, map: Bool) -> PatternReference? {
        guard let r = reference(name), map ? r.isMap : r.isACL else { return nil }
        return r
    }

    func show(_ arguments: [String], map: Bool) -> String {
        var args = arguments
        let v = Self.version(&args)
        guard let name = args.first, !name.isEmpty else {
            var out = "# id (file) description\n"
            for r in references where map ? r.isMap : r.isACL {
                out += "\(r.id) (\(r.fileName ?? "")) \(r.display). curr_ver=\(r.currentVersion) next_ver=\(r.nextVersion) entry_cnt=\(r.entryCount)\n"
            }
            return out
        }
        guard let r = typed(name, map: map) else { return Self.unknown(map) }
        var out = ""
        for e in r.entries(version: v) {
            out += "0x" + String(e.id, radix: 16) + " " + e.key
            // An entry with a value shows it, whichever command lists it.
            if let v = e.value { out += " " + v }
            out += "\n"
        }
        return out
    }

    func get(_ args: [String], map: Bool) -> String {
        guard args.count >= 2, !args[0].isEmpty, !args[1].isEmpty else {
            return map ? "Missing map identifier and/or key.\n" : "Missing ACL identifier and/or key.\n"
        }
        guard let r = reference(args[0]) else { return Self.unknown(map) }
        var out = ""
        for x in r.expressions {
            out += "type=\(x.methodName), case=\(x.ignoreCase ? "insensitive" : "sensitive")"
            guard let sample = Self.sample(args[1], for: x.method), let position = x.match(sample) else {
                out += map ? ", found=no\n" : ", match=no\n"
                continue
            }
            let e = x.entry(at: position)
            out += map ? ", found=yes" : ", match=yes"
            out += x.usesTree ? ", idx=tree" : ", idx=list"
            out += map ? ", key=\"\(e.key)\"" : ", pattern=\"\(e.key)\""
            if map {
                if x.output != nil, let value = e.value {
                    out += ", value=\"\(value)\", type=\"\(Self.typeName(x.value(at: position)))\""
                } else {
                    out += ", value=none"
                }
            }
            out += "\n"
        }
        return out
    }

    /// The CLI's text as the sample type a method reads.
    static func sample(_ text: String, for method: MatchMethod) -> Sample? {
        switch method {
        case .int: return Int64(text).map { .integer($0) }
        case .ip: return IPAddress(text).map { .address($0) }
        default: return .bytes(Array(text.utf8)[...])
        }
    }

    /// HAProxy's name of a value's sample type (smp_to_type).
    static func typeName(_ s: Sample) -> String {
        switch s {
        case .integer: return "sint"
        case .address(let a): return a.isIPv4 ? "ipv4" : "ipv6"
        case .bool: return "bool"
        case .bytes: return "str"
        }
    }

    func add(_ arguments: [String], map: Bool, payload: String?) -> Reply {
        var args = arguments
        let v = Self.version(&args)
        func arg(_ i: Int) -> String { i < args.count ? args[i] : "" }
        if map {
            if (payload == nil && (arg(0).isEmpty || arg(1).isEmpty || arg(2).isEmpty)) || (payload != nil && arg(0).isEmpty) {
                return Reply(text: "'add map' expects three parameters (map identifier, key and value) or one parameter (map identifier) and a payload\n", changed: false)
            }
        } else if arg(0).isEmpty || (payload == nil && arg(1).isEmpty) {
            return Reply(text: "'add acl' expects two parameters: ACL identifier and pattern.\n", changed: false)
        }
        guard let r = reference(arg(0)) else { return Reply(text: Self.unknown(map), changed: false) }
        if !map && r.isMap {
            return Reply(text: "This ACL is shared with a map containing samples. You must use the command 'add map' to add values.\n", changed: false)
        }
        if let v, v > r.nextVersion {
            return Reply(text: "Version number in the future, please use 'prepare \(map ? "map" : "acl")' before.\n", changed: false)
        }
        guard let payload else {
            let value: String? = map ? arg(2) : nil
            if let p = r.problem(key: arg(1), value: value) { return Reply(text: p + ".\n", changed: false) }
            r.append(key: arg(1), value: value, version: v)
            return Reply(text: "", changed: true)
        }
        var changed = false
        var rest = Substring(payload)
        while !rest.isEmpty {
            let keyEnd = rest.firstIndex { $0 == " " || $0 == "\t" } ?? rest.endIndex
            let key = String(rest[..<keyEnd])
            if keyEnd == rest.endIndex && map {
                return Reply(text: "Missing value for key '\(key)'.\n", changed: changed)
            }
            rest = keyEnd == rest.endIndex ? rest[keyEnd...] : rest[rest.index(after: keyEnd)...]
            while let f = rest.first, f == " " || f == "\t" { rest = rest.dropFirst() }
            let valueEnd = rest.firstIndex(of: "\n") ?? rest.endIndex
            let value = String(rest[..<valueEnd])
            rest = valueEnd == rest.endIndex ? rest[valueEnd...] : rest[rest.index(after: valueEnd)...]
            let stored: String? = map ? value : nil
            if let p = r.problem(key: key, value: stored) { return Reply(text: p + ".\n", changed: changed) }
            r.append(key: key, value: stored, version: v)
            changed = true
        }
        return Reply(text: "", changed: changed)
    }

    /// `#0x...`: an entry id; nil when malformed.
    static func entryID(_ text: String) -> UInt64? {
        guard text.hasPrefix("#0x") else { return nil }
        return UInt64(text.dropFirst(3), radix: 16)
    }

    func set(_ args: [String]) -> Reply {
        guard args.count >= 3, !args[0].isEmpty, !args[1].isEmpty, !args[2].isEmpty else {
            return Reply(text: "'set map' expects three parameters: map identifier, key and value.\n", changed: false)
        }
        guard let r = reference(args[0]) else { return Reply(text: Self.unknown(true), changed: false) }
        for x in r.expressions where x.output != nil {
            if let output = x.output, PatternIndex.sample(args[2], output) == nil {
                return Reply(text: "unable to parse '\(args[2])'.\n", changed: false)
            }
        }
        if args[1].hasPrefix("#0x") {
            guard let id = Self.entryID(args[1]) else { return Reply(text: "Malformed identifier. Please use #<id> or <file>.\n", changed: false) }
            guard r.set(id: id, value: args[2]) else { return Reply(text: "key or pattern not found.\n", changed: false) }
            return Reply(text: "", changed: true)
        }
        guard r.set(key: args[1], value: args[2]) else { return Reply(text: "entry not found.\n", changed: false) }
        return Reply(text: "", changed: true)
    }

    func delete(_ args: [String], map: Bool) -> Reply {
        guard args.count >= 2, !args[0].isEmpty, !args[1].isEmpty else {
            return Reply(text: "This command expects two parameters: \(map ? "map" : "ACL") identifier and key.\n", changed: false)
        }
        guard let r = typed(args[0], map: map) else { return Reply(text: Self.unknown(true), changed: false) }
        if args[1].hasPrefix("#0x") {
            guard let id = Self.entryID(args[1]) else { return Reply(text: "Malformed identifier. Please use #<id> or <file>.\n", changed: false) }
            guard r.delete(id: id) else { return Reply(text: "Key not found.\n", changed: false) }
            return Reply(text: "", changed: true)
        }
        guard r.delete(key: args[1]) else { return Reply(text: "Key not found.\n", changed: false) }
        return Reply(text: "", changed: true)
    }

    func clear(_ arguments: [String], map: Bool) -> Reply {
        var args = arguments
        let v = Self.version(&args)
        guard let name = args.first, !name.isEmpty else {
            return Reply(text: map ? "Missing map identifier.\n" : "Missing ACL identifier.\n", changed: false)
        }
        guard let r = typed(name, map: map) else { return Reply(text: Self.unknown(map), changed: false) }
        r.clear(version: v ?? r.currentVersion)
        return Reply(text: "", changed: true)
    }

    func prepare(_ args: [String], map: Bool) -> Reply {
        guard let name = args.first, let r = typed(name, map: map) else { return Reply(text: Self.unknown(map), changed: false) }
        return Reply(text: "New version created: \(r.prepare())\n", changed: true)
    }

    func commit(_ arguments: [String], map: Bool) -> Reply {
        var args = arguments
        guard let v = Self.version(&args) else { return Reply(text: "Missing version number.\n", changed: false) }
        guard let name = args.first, let r = typed(name, map: map) else { return Reply(text: Self.unknown(map), changed: false) }
        guard r.commit(v) else { return Reply(text: "Version number out of range.\n", changed: false) }
        return Reply(text: "", changed: true)
    }
}
