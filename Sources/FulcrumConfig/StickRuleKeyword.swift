/// `stick on|match|store-request|store-response` (HAProxy 2.6's
/// cfgparse-listen "stick", its messages), and the check that each names
/// a table, which then stores `server_id` and `server_key` as HAProxy adds
/// them to a table stick rules use.
extension ParseSession {
    mutating func stickKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        let kw = words[0].text
        guard let proxy = drafts[index].name else { return }
        guard words.count > 1, let kind = StickRule.Kind(rawValue: words[1].text) else {
            alert(at(words.count > 1 ? words[1] : words[0]), "'\(kw)': unknown keyword '\(words.count > 1 ? words[1].text : "")'.")
            return
        }
        guard words.count > 2, !["table", "if", "unless"].contains(words[2].text) else {
            alert(at(words[1]), "'\(kw)': missing fetch method.")
            return
        }
        let display = "stick \(kind.rawValue)"
        guard let (args, condition) = splitCondition(words, from: 2, display: display, draft: index, at: at) else { return }
        var table = proxy
        if args.count > 1 {
            guard args[1].text == "table", args.count == 3 else {
                alert(at(args[1]), "'\(kw)': unknown keyword '\(args[1].text)'.")
                return
            }
            table = args[2].text
        }
        let fetch: SampleFetch
        switch LogFormatParsing.sample(args[0].text) {
        case .failure(let f):
            alert(at(args[0]), "'\(kw)': \(f.message)")
            return
        case .success(let f):
            guard registerMaps(f.converters, location: at(args[0])) else { return }
            fetch = f
        }
        drafts[index].settings.stickRules.append(StickRule(location: at(words[0]), kind: kind, pattern: fetch, table: table,
                                                           condition: condition))
    }

    /// Every stick rule's table exists; those tables store `server_id` and
    /// `server_key` (added when the definition does not list them).
    mutating func validateStickRules(_ configuration: inout Configuration) {
        for b in configuration.backends {
            for r in b.stickRules {
                guard let t = configuration.stickTable(named: r.table) else {
                    alert(r.location, "Proxy '\(b.name)': unable to find stick-table '\(r.table)'.")
                    continue
                }
                for type in [StickDataType.serverID, .serverKey] where configuration.stickTables[t].stored(type) == nil {
                    configuration.stickTables[t].data.append(StickStoredData(type))
                    configuration.stickTables[t].data.sort { $0.type < $1.type }
                }
            }
        }
    }
}
