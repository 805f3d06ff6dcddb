/// `server-template PREFIX N|A-B FQDN[:PORT] [params]`: N servers named
/// PREFIX1..PREFIXN (or PREFIXA..PREFIXB), each a `server` line of its own
/// on the same FQDN, whose slots the resolver fills (manual 4.2).
extension ParseSession {
    mutating func serverTemplateKeyword(_ words: [Word], draft index: Int, at: (Word) -> SourceLocation) {
        guard words.count >= 4 else {
            alert(at(words[0]), "'server-template' expects <prefix> <nb | range> <addr>[:<port>] as arguments.")
            return
        }
        guard let range = Self.templateRange(words[2].text) else {
            alert(at(words[0]), "Wrong server-template number or range arg '\(words[2].text)'.")
            return
        }
        for n in range {
            var line = words
            line[1] = Word(text: words[1].text + String(n), column: words[1].column)
            line.remove(at: 2)
            let before = drafts[index].servers.count
            serverKeyword(line, draft: index, at: at)
            // One line's mistakes are reported once, not once per slot.
            if drafts[index].servers.count == before { return }
        }
    }

    /// `N` (1...N) or `A-B` with 0 < A <= B, as haproxy 2.6's parser reads them.
    static func templateRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { return nil }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count else { return nil }
        if numbers.count == 1 { return numbers[0] >= 1 ? 1...numbers[0] : nil }
        return numbers[0] >= 1 && numbers[0] <= numbers[1] ? numbers[0]...numbers[1] : nil
    }
}
