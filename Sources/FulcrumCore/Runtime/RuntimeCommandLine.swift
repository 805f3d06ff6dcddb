/// Splitting of a CLI input line the way HAProxy's CLI does it: commands are
/// separated by `;`, words by spaces or tabs, and a backslash makes the next
/// character literal (so `\;` and `\ ` stay inside a word).
public enum RuntimeCommandLine {
    /// HAProxy's MAX_CLI_ARGS: further words are not looked at.
    public static let maxWords = 64

    /// The commands of one line, each already split into words; empty
    /// commands (`;;`, a blank line) are dropped.
    public static func commands(_ line: String) -> [[String]] { split(line, firstOnly: false) }

    /// The words of a single command (`;` is an ordinary separator too: only
    /// the first command is returned).
    public static func words(_ line: String) -> [String] { split(line, firstOnly: true).first ?? [] }

    /// Splits over the UTF-8 bytes: every separator is ASCII, which no byte
    /// of a multi-byte character can be, and a bulk load (`set table` a
    /// million times) is answered at the speed of this loop. A word without
    /// a backslash is one slice of the line, decoded once.
    private static func split(_ line: String, firstOnly: Bool) -> [[String]] {
        var line = line
        return line.withUTF8 { bytes -> [[String]] in
            var result: [[String]] = []
            var current: [String] = []
            var escapedWord: [UInt8]? = nil
            var start = -1
            var escaped = false
            func endWord(_ end: Int) {
                if start >= 0, current.count < maxWords {
                    if var e = escapedWord {
                        e.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<end]))
                        current.append(String(decoding: e, as: UTF8.self))
                    } else {
                        current.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                    }
                }
                start = -1; escapedWord = nil
            }
            for i in 0..<bytes.count {
                let b = bytes[i]
                if escaped {
                    escaped = false
                    // The escaped byte starts the word's next literal run.
                    start = i
                    continue
                }
                switch b {
                case UInt8(ascii: "\\"):
                    // What the word holds so far, without the backslash.
                    var e = escapedWord ?? []
                    if start >= 0 { e.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i])) }
                    escapedWord = e
                    escaped = true
                    start = i + 1
                case UInt8(ascii: " "), UInt8(ascii: "\t"):
                    endWord(i)
                case UInt8(ascii: ";"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                    endWord(i)
                    if !current.isEmpty {
                        result.append(current)
                        if firstOnly { return result }
                    }
                    current = []
                default:
                    if start < 0 { start = i }
                }
            }
            endWord(bytes.count)
            if !current.isEmpty { result.append(current) }
            return result
        }
    }

    /// `word` written so that `words` reads it back as one word: a backslash
    /// before each byte it would split or unescape at.
    public static func escaped(_ word: String) -> String {
        guard word.utf8.contains(where: { Self.special($0) }) else { return word }
        var out: [UInt8] = []
        out.reserveCapacity(word.utf8.count + 4)
        for b in word.utf8 {
            if Self.special(b) { out.append(UInt8(ascii: "\\")) }
            out.append(b)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func special(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "\\") || b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: ";")
            || b == UInt8(ascii: "\r") || b == UInt8(ascii: "\n")
    }

    /// C's atoi(): optional blanks and sign, then digits; 0 when none.
    public static func atoi(_ s: String) -> Int {
        var it = s.utf8.makeIterator()
        var c = it.next()
        while let ch = c, ch == 0x20 || (ch >= 0x09 && ch <= 0x0D) { c = it.next() }
        var negative = false
        if let ch = c, ch == UInt8(ascii: "-") || ch == UInt8(ascii: "+") { negative = ch == UInt8(ascii: "-"); c = it.next() }
        var value = 0
        while let ch = c, ch >= 0x30, ch <= 0x39 {
            value = value &* 10 &+ Int(ch - 0x30)
            if value > Int(Int32.max) { value = Int(Int32.max) }
            c = it.next()
        }
        return negative ? -value : value
    }
}
