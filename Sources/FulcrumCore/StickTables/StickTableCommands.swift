import FulcrumConfig

/// `show table [NAME [data.TYPE OP VALUE]... [key KEY]]`, `clear table NAME
/// [data.TYPE OP VALUE | key KEY]`, `set table NAME key KEY [data.TYPE
/// VALUE]...`: HAProxy 2.6's answers, word for word (stick_table.c's
/// cli_parse_table_req and its dump functions).
public enum StickTableCommands {
    enum Action { case show, clear, set }

    /// The answer (without the CLI's closing empty line), or nil when the
    /// words are no table command.
    public static func answer(_ words: [String], level: Int, tables: StickTableSet?) -> String? {
        guard words.count >= 2, words[1] == "table" else { return nil }
        let action: Action
        switch words[0] {
        case "show": action = .show
        case "clear": action = .clear
        case "set": action = .set
        default: return nil
        }
        func arg(_ i: Int) -> String { i < words.count ? words[i] : "" }
        let operatorLevel = level >= RuntimeLevel.operator_.rawValue
        let definitions = tables?.definitions ?? []
        guard !arg(2).isEmpty else {
            guard action == .show else { return usage(action) }
            return definitions.indices.map { header(tables!, $0) }.joined()
        }
        guard let tables, let t = tables.index(named: arg(2)) else { return "No such table\n" }
        let def = definitions[t]
        if arg(3) == "key" {
            return keyed(action, words, tables, t, operatorLevel: operatorLevel)
        }
        var filters: [(StickDataType, String, Int64)] = []
        if arg(3).hasPrefix("data.") {
            guard action != .set else { return "content-based lookup is only supported with the \"show\" and \"clear\" actions\n" }
            var i = 3
            while arg(i).hasPrefix("data.") {
                // HAProxy 2.6 takes several filters and says which one is wrong.
                let entry = "Filter entry #\(filters.count + 1): "
                guard let type = StickDataType(name: String(arg(i).dropFirst(5))) else { return entry + "Unknown data type\n" }
                guard def.stored(type) != nil else { return entry + "Data type not stored in this table\n" }
                guard ["eq", "ne", "le", "ge", "lt", "gt"].contains(arg(i + 1)) else {
                    return entry + "Require and operator among \"eq\", \"ne\", \"le\", \"ge\", \"lt\", \"gt\"\n"
                }
                guard let v = Int64(arg(i + 2)) else { return entry + "Require a valid integer value to compare against\n" }
                filters.append((type, arg(i + 1), v))
                i += 3
            }
        } else if !arg(3).isEmpty {
            return usage(action)
        }
        switch action {
        case .show:
            var out = header(tables, t)
            guard operatorLevel else { return out + "# contents not dumped due to insufficient privileges\n" }
            tables.withTable(t) { st in
                let now = tables.clock()
                for i in sortedEntries(st, def, now: now) where matches(st, i, filters, now: now) {
                    out += entry(st, i, def, now: now)
                }
            }
            return out
        case .clear:
            guard operatorLevel else { return "Permission denied\n" }
            tables.withTable(t) { st in
                let now = tables.clock()
                var victims: [Int] = []
                st.forEach(now: now) { i in if st.references(i) == 0 && matches(st, i, filters, now: now) { victims.append(i) } }
                for i in victims { st.remove(i) }
            }
            return ""
        case .set:
            // HAProxy answers nothing to `set table NAME` without a key.
            return ""
        }
    }

    static func usage(_ a: Action) -> String {
        switch a {
        case .show: return "Optional argument only supports \"data.<store_data_type>\" <operator> <value> and key <key>\n"
        case .clear: return "Required arguments: <table> \"data.<store_data_type>\" <operator> <value> or <table> key <key>\n"
        case .set: return "Required arguments: <table> key <key> [data.<store_data_type> <value>]*\n"
        }
    }

    static func header(_ tables: StickTableSet, _ t: Int) -> String {
        let d = tables.definitions[t]
        let used = tables.withTable(t) { st in
            st.purgeExpired(now: tables.clock())
            return st.used
        }
        return "# table: \(d.name), type: \(d.keyType.keyword), size:\(d.size), used:\(used)\n"
    }

    static func keyed(_ action: Action, _ words: [String], _ tables: StickTableSet, _ t: Int, operatorLevel: Bool) -> String {
        let def = tables.definitions[t]
        guard words.count > 4, !words[4].isEmpty else { return "Key value expected\n" }
        if case .binary = def.keyType {
            switch action {
            case .show: return "Showing keys from tables of type other than ip, ipv6, string and integer is not supported\n"
            case .clear: return "Removing keys from tables of type other than ip, ipv6, string and integer is not supported\n"
            case .set: return "Inserting keys into tables of type other than ip, ipv6, string and integer is not supported\n"
            }
        }
        // HAProxy reads an ip key with inetaddr_host: what does not parse is 0.0.0.0.
        var text = words[4]
        if case .ip = def.keyType, StickKey.parse(text, .ip) == nil { text = "0.0.0.0" }
        guard let key = StickKey.parse(text, def.keyType) else { return "Invalid key\n" }
        guard operatorLevel else { return "Permission denied\n" }
        let now = tables.clock()
        return key.withUnsafeBytes { k in
            tables.withTable(t) { st -> String in
                switch action {
                case .show:
                    guard let i = st.find(k, now: now) else { return "" }
                    return header(def, st) + entry(st, i, def, now: now)
                case .clear:
                    guard let i = st.find(k, now: now) else { return "" }
                    guard st.references(i) == 0 else { return "Entry currently in use, cannot remove\n" }
                    st.remove(i)
                    return ""
                case .set:
                    // The entry is made first; each data pair is then checked
                    // and written in turn, the first bad one ending the command.
                    guard let i = st.findOrCreate(k, now: now) else { return "Unable to allocate a new entry\n" }
                    defer { st.touch(i, now: now) }
                    var a = 5
                    while a < words.count {
                        guard words[a].hasPrefix("data.") else { return "\"data.<type>\" followed by a value expected\n" }
                        guard let type = StickDataType(name: String(words[a].dropFirst(5))) else { return "Unknown data type\n" }
                        guard def.stored(type) != nil else { return "Data type not stored in this table\n" }
                        guard a + 1 < words.count, let v = Int64(words[a + 1]) else { return "Require a valid integer value to store\n" }
                        st.set(i, type, v, now: now)
                        a += 2
                    }
                    return ""
                }
            }
        }
    }

    /// The header while the table's lock is held.
    static func header(_ d: StickTableDefinition, _ st: SharedStickTable) -> String {
        "# table: \(d.name), type: \(d.keyType.keyword), size:\(d.size), used:\(st.used)\n"
    }

    static func sortedEntries(_ st: SharedStickTable, _ def: StickTableDefinition, now: UInt32) -> [Int] {
        var all: [Int] = []
        st.forEach(now: now) { all.append($0) }
        return all.sorted { StickKey.precedes(st.key($0), st.key($1), def.keyType) }
    }

    static func matches(_ st: SharedStickTable, _ i: Int, _ filters: [(StickDataType, String, Int64)], now: UInt32) -> Bool {
        for (type, op, v) in filters {
            guard let x = st.value(i, type, now: now) else { return false }
            let ok: Bool
            switch op {
            case "eq": ok = x == v
            case "ne": ok = x != v
            case "le": ok = x <= v
            case "ge": ok = x >= v
            case "lt": ok = x < v
            default: ok = x > v
            }
            if !ok { return false }
        }
        return true
    }

    /// One entry as HAProxy's table_dump_entry_to_buffer writes it.
    static func entry(_ st: SharedStickTable, _ i: Int, _ def: StickTableDefinition, now: UInt32) -> String {
        let address = UInt(bitPattern: st.entry(i))
        var out = "0x" + String(address, radix: 16) + ": key=" + StickKey.text(st.key(i), def.keyType)
        out += " use=\(st.references(i)) exp=\(st.remaining(i, now: now))"
        for d in def.data {
            let t = d.type
            if t.isArray {
                // gpc_rate(N,P) prints as gpc0_rate(P), gpc1_rate(P), ...
                let parts = t.name.split(separator: "_", maxSplits: 1)
                for e in 0..<d.count {
                    out += " \(parts[0])\(e)" + (parts.count > 1 ? "_\(parts[1])" : "")
                    if t.takesPeriod { out += "(\(d.period))" }
                    out += "=\(st.value(i, t, element: e, now: now) ?? 0)"
                }
                continue
            }
            out += " " + t.name
            if t.takesPeriod { out += "(\(d.period))" }
            if t == .serverKey { out += "=" + (st.serverKey(i) ?? "-"); continue }
            out += "=\(st.value(i, t, now: now) ?? 0)"
        }
        return out + "\n"
    }
}
