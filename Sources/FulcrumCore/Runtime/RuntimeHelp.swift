/// `help` and the answer to an unknown command, built as HAProxy 2.6's
/// cli_gen_usage_msg(): the keywords whose first words match exactly, or, for
/// a mistyped word, the closest keywords by a letter-transition fingerprint,
/// then always help/prompt/quit.
public enum RuntimeHelp {
    static let maxMatches = 5
    static let prefixWords = 5
    static let trailer =
        "  help [<command>]                        : list matching or all commands\n" +
        "  prompt                                  : toggle interactive mode with prompt\n" +
        "  quit                                    : disconnect\n"

    /// `help [words]` when `help` is true, else the message for the unknown command `words`.
    public static func usage(words: [String], help: Bool, master: Bool, table: [RuntimeKeyword] = RuntimeKeyword.all) -> String {
        let visible = table.filter { $0.visible(master: master) }
        let args = Array(words.prefix(64))
        func arg(_ i: Int) -> String { i < args.count ? args[i] : "" }

        // Number of leading words some keyword matches exactly.
        var length = 0
        for kw in visible {
            var idx = 0
            while idx < prefixWords, idx < kw.words.count, !arg(idx).isEmpty, kw.words[idx] == arg(idx) {
                idx += 1
                length = max(length, idx)
            }
        }

        var out: String
        if help { out = "The following commands are valid at this level:\n" }
        else if length == 0 && arg(0).isEmpty { out = "Unknown command. Please enter one of the following commands only:\n" }
        else { out = "Unknown command, but maybe one of the following ones is a better match:\n" }

        func matchesPrefix(_ kw: RuntimeKeyword) -> Bool {
            var idx = 0
            while idx < length {
                if idx >= kw.words.count || arg(idx).isEmpty || kw.words[idx] != arg(idx) { break }
                idx += 1
            }
            return idx == length
        }

        var matches: [(kw: RuntimeKeyword, dist: Int)] = []
        if !arg(length).isEmpty {
            for kw in visible where matchesPrefix(kw) {
                var typed = Fingerprint(), listed = Fingerprint()
                var totalLength = 0
                var i = length
                while i < prefixWords, !arg(i).isEmpty { typed.add(arg(i)); totalLength += arg(i).utf8.count; i += 1 }
                i = length
                while i < prefixWords, i < kw.words.count { listed.add(kw.words[i]); totalLength += kw.words[i].utf8.count; i += 1 }
                let dist = typed.distance(to: listed)
                let worst = matches.count < maxMatches ? Int.max : matches[maxMatches - 1].dist
                if dist < 5 * totalLength / 2 && dist < worst {
                    if matches.count == maxMatches { matches.removeLast() }
                    // Insert after entries of equal distance, as HAProxy's bubbling does.
                    let at = matches.firstIndex { $0.dist > dist } ?? matches.count
                    matches.insert((kw, dist), at: at)
                }
            }
        }

        var entries: [RuntimeKeyword] = []
        if let best = matches.first {
            for m in matches where m.dist <= 5 * best.dist / 2 { entries.append(m.kw) }
            // HAProxy stops at the first unlikely candidate; matches are sorted, so a filter is the same.
        } else {
            entries = visible.filter(matchesPrefix)
        }
        let lines = entries.map(\.usage).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        for line in lines { out += "  " + line + "\n" }
        return out + trailer
    }

    /// A 32×32 table of letter-to-letter transitions (HAProxy's word fingerprint).
    struct Fingerprint {
        var cells = [UInt8](repeating: 0, count: 1024)

        mutating func add(_ word: String) {
            var from = 28
            for c in word.utf8 {
                let to: Int
                switch c {
                case UInt8(ascii: "a")...UInt8(ascii: "z"): to = Int(c - UInt8(ascii: "a")) + 1
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): to = Int(c - UInt8(ascii: "A")) + 1
                case UInt8(ascii: "0")...UInt8(ascii: "9"): to = 27
                default: to = 28
                }
                cells[to] = 1
                cells[32 * from + to] &+= 1
                from = to
            }
            cells[32 * from + 28] &+= 1
        }

        func distance(to other: Fingerprint) -> Int {
            var d = 0
            for i in 0..<1024 { d += abs(Int(cells[i]) - Int(other.cells[i])) }
            return d
        }
    }
}
