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
        var rows = Rows(width: (candidates.lazy.map(\.utf8.count).max() ?? 0) + 1)
        // Only a distance of 1 or 2 is a suggestion, and two lengths apart by
        // more than 2 are further than that: those are not measured (a long
        // wrong word, as fuzzing makes, costs a length test per candidate).
        for c in candidates where abs(c.utf8.count - w.count) <= 2 {
            let measured = c.utf8.withContiguousStorageIfAvailable { rows.distance(w, $0, limit: 2) }
            guard let d = measured ?? rows.distance(w, Array(c.utf8), limit: 2) else { continue }
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
        var rows = Rows(width: b.count + 1)
        return rows.distance(a, b, limit: Int.max)!
    }

    /// The three rows of the distance table, allocated once per lookup
    /// rather than per candidate: an unknown keyword is measured against
    /// every keyword of its section.
    struct Rows {
        var prev2: [Int], prev: [Int], cur: [Int]
        init(width: Int) {
            prev2 = [Int](repeating: 0, count: width); prev = prev2; cur = prev2
        }

        /// The distance, or nil as soon as a whole row exceeds `limit`
        /// (no later row can come back under it).
        mutating func distance<B: RandomAccessCollection>(_ a: [UInt8], _ b: B, limit: Int) -> Int? where B.Element == UInt8, B.Index == Int {
            if a.isEmpty { return b.count <= limit ? b.count : nil }
            if b.isEmpty { return a.count <= limit ? a.count : nil }
            let base = b.startIndex, n = b.count
            for j in 0...n { prev[j] = j }
            for i in 1...a.count {
                cur[0] = i
                var rowMin = i
                for j in 1...n {
                    let bj = b[base + j - 1]
                    let cost = a[i - 1] == bj ? 0 : 1
                    var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                    if i > 1, j > 1, a[i - 1] == b[base + j - 2], a[i - 2] == bj { v = min(v, prev2[j - 2] + 1) }
                    cur[j] = v
                    rowMin = min(rowMin, v)
                }
                if rowMin > limit { return nil }
                swap(&prev2, &prev); swap(&prev, &cur)
            }
            return prev[n] <= limit ? prev[n] : nil
        }
    }
}
