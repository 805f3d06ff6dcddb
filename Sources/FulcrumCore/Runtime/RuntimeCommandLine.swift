/// Splitting of a CLI input line the way HAProxy's CLI does it: commands are
/// separated by `;`, words by spaces or tabs, and a backslash makes the next
/// character literal (so `\;` and `\ ` stay inside a word).
public enum RuntimeCommandLine {
    /// HAProxy's MAX_CLI_ARGS: further words are not looked at.
    public static let maxWords = 64

    /// The commands of one line, each already split into words; empty
    /// commands (`;;`, a blank line) are dropped.
    public static func commands(_ line: String) -> [[String]] {
        var result: [[String]] = []
        var current: [String] = []
        var word = ""
        var inWord = false
        var escaped = false
        func endWord() {
            if inWord, current.count < maxWords { current.append(word) }
            word = ""; inWord = false
        }
        func endCommand() {
            endWord()
            if !current.isEmpty { result.append(current) }
            current = []
        }
        for ch in line {
            if escaped { word.append(ch); inWord = true; escaped = false; continue }
            switch ch {
            case "\\": escaped = true; inWord = true
            case " ", "\t": endWord()
            case ";": endCommand()
            case "\r", "\n": endCommand()
            default: word.append(ch); inWord = true
            }
        }
        endCommand()
        return result
    }

    /// The words of a single command (`;` is an ordinary separator too: only
    /// the first command is returned).
    public static func words(_ line: String) -> [String] { commands(line).first ?? [] }

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
