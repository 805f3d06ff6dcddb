/// "Did you mean" hints for misspelled keywords: a candidate one edit away,
/// two edits away for words of five letters or more (shorter words are too
/// easily two edits from anything), or the only candidate the word begins.
enum Suggestion {
    /// `closest` as the messages append it: "; did you mean 'X'?", or nothing.
    static func didYouMean(_ word: String, among candidates: [String]) -> String {
        closest(to: word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    static func closest(to word: String, among candidates: [String]) -> String? {
        let w = Array(word.lowercased().utf8)
        guard !w.isEmpty else { return nil }
        var best: (String, Int)? = nil
        // Only a distance of 1 or 2 is a suggestion, and two lengths apart by
        // more than 2 are further than that: those are not measured (a long
        // wrong word, as fuzzing makes, costs a length test per candidate).
        for c in candidates where abs(c.utf8.count - w.count) <= 2 {
            let d = distance(w, Array(c.utf8))
            if d == 1 || (d == 2 && w.count >= 5), best == nil || d < best!.1 { best = (c, d) }
        }
        if let best { return best.0 }
        if w.count >= 3 {
            let prefixed = candidates.filter { $0.lowercased().hasPrefix(word.lowercased()) }
            if prefixed.count == 1 { return prefixed[0] }
        }
        return nil
    }

    /// Levenshtein distance with adjacent transpositions counted as one edit.
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { v = min(v, prev2[j - 2] + 1) }
                cur[j] = v
            }
            prev2 = prev; prev = cur
        }
        return prev[b.count]
    }
}
