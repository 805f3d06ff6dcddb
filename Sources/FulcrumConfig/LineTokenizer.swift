import FulcrumBytes

/// One word of a configuration line after quote removal, escapes and
/// environment expansion, with the 1-based column where it started so that
/// diagnostics can point at it.
struct Word: Equatable, Sendable {
    var text: String
    var column: Int
}

/// Splits one line into words the way HAProxy's `parse_line` does: `#` starts a
/// comment, backslash escapes, weak ("...") and strong ('...') quoting, and
/// `$VAR` / `${VAR}` / `${VAR-default}` / `${VAR[*]}` expansion inside double
/// quotes, as HAProxy does. Outside quotes only the braced `${VAR}` form is
/// expanded (so `bind fd@${FD}` works): HAProxy would keep it literal, but no
/// working configuration relies on a literal unquoted `${`. A bare unquoted
/// `$name` stays literal, so crypt hashes like `$6$rounds=...` keep their meaning.
struct LineTokenizer {
    struct Failure: Equatable, Sendable {
        var column: Int
        var message: String
    }

    var environment: [String: String]
    /// Values of the pseudo-variables `.FILE`, `.LINE`, `.SECTION`.
    var pseudoVariables: [String: String]

    func split(_ line: String) -> (words: [Word], failure: Failure?) {
        let bytes = Array(line.utf8)
        var words: [Word] = []
        var current: [UInt8] = []
        // A word exists once any literal byte or quote was seen; an unquoted
        // variable that expands to nothing does not create a word on its own.
        var hasWord = false
        var wordColumn = 0
        var quote: UInt8? = nil       // '"' or '\'' while inside quotes
        var quoteColumn = 0
        var i = 0

        func finishWord() {
            if hasWord { words.append(Word(text: String(decoding: current, as: UTF8.self), column: wordColumn)) }
            current.removeAll(keepingCapacity: true)
            hasWord = false
        }
        func startWordIfNeeded(at index: Int) {
            if !hasWord && current.isEmpty { wordColumn = index + 1 }
        }

        while i < bytes.count {
            let c = bytes[i]
            if quote == UInt8(ascii: "'") {
                if c == UInt8(ascii: "'") { quote = nil } else { current.append(c) }
                i += 1
                continue
            }
            if quote == nil {
                if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\r") || c == UInt8(ascii: "\n") {
                    finishWord(); i += 1; continue
                }
                if c == UInt8(ascii: "#") { break }
                if c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
                    startWordIfNeeded(at: i)
                    hasWord = true
                    quote = c; quoteColumn = i + 1; i += 1
                    continue
                }
            } else if c == UInt8(ascii: "\"") {
                quote = nil; i += 1; continue
            }
            if c == UInt8(ascii: "\\") {
                startWordIfNeeded(at: i)
                hasWord = true
                guard i + 1 < bytes.count else { current.append(c); i += 1; continue }
                let n = bytes[i + 1]
                switch n {
                case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\\"), UInt8(ascii: "#"),
                     UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "$"):
                    current.append(n); i += 2
                case UInt8(ascii: "n"): current.append(10); i += 2
                case UInt8(ascii: "r"): current.append(13); i += 2
                case UInt8(ascii: "t"): current.append(9); i += 2
                case UInt8(ascii: "x"):
                    if i + 3 < bytes.count, let h = ASCII.hexValue(bytes[i + 2]), let l = ASCII.hexValue(bytes[i + 3]) {
                        current.append(h << 4 | l); i += 4
                    } else {
                        return (words, Failure(column: i + 1, message: "invalid '\\x' escape sequence: two hexadecimal digits expected"))
                    }
                default:
                    // HAProxy keeps unknown escape sequences as written.
                    current.append(c); current.append(n); i += 2
                }
                continue
            }
            if c == UInt8(ascii: "$"), i + 1 < bytes.count,
               bytes[i + 1] == UInt8(ascii: "{") || (quote != nil && isNameStart(bytes[i + 1])) {
                startWordIfNeeded(at: i)
                if quote != nil { hasWord = true }
                let start = i
                var name: [UInt8] = []
                var fallback: [UInt8]? = nil
                var splitWords = false
                if bytes[i + 1] == UInt8(ascii: "{") {
                    var j = i + 2
                    while j < bytes.count, isNameByte(bytes[j]) || (j == i + 2 && bytes[j] == UInt8(ascii: ".")) {
                        name.append(bytes[j]); j += 1
                    }
                    if j + 2 < bytes.count, bytes[j] == UInt8(ascii: "["), bytes[j + 1] == UInt8(ascii: "*"), bytes[j + 2] == UInt8(ascii: "]") {
                        splitWords = true; j += 3
                    }
                    if j < bytes.count, bytes[j] == UInt8(ascii: "-") {
                        var d: [UInt8] = []
                        j += 1
                        while j < bytes.count, bytes[j] != UInt8(ascii: "}") { d.append(bytes[j]); j += 1 }
                        fallback = d
                    }
                    guard j < bytes.count, bytes[j] == UInt8(ascii: "}"), !name.isEmpty else {
                        return (words, Failure(column: start + 1, message: "unmatched brace in environment variable name"))
                    }
                    i = j + 1
                } else {
                    var j = i + 1
                    while j < bytes.count, isNameByte(bytes[j]) || (j == i + 1 && bytes[j] == UInt8(ascii: ".")) {
                        name.append(bytes[j]); j += 1
                    }
                    i = j
                }
                let key = String(decoding: name, as: UTF8.self)
                let value: String
                if let v = key.hasPrefix(".") ? pseudoVariables[key] : environment[key] {
                    value = v
                } else if let fallback {
                    value = String(decoding: fallback, as: UTF8.self)
                } else {
                    value = ""
                }
                if splitWords {
                    let parts = value.split(separator: " ", omittingEmptySubsequences: true)
                    for (k, part) in parts.enumerated() {
                        if k > 0 { finishWord(); wordColumn = start + 1 }
                        current.append(contentsOf: Array(part.utf8)); hasWord = true
                    }
                } else if !value.isEmpty {
                    current.append(contentsOf: Array(value.utf8)); hasWord = true
                }
                continue
            }
            startWordIfNeeded(at: i)
            hasWord = true
            current.append(c)
            i += 1
        }
        if let q = quote {
            let kind = q == UInt8(ascii: "'") ? "single" : "double"
            return (words, Failure(column: quoteColumn, message: "unmatched \(kind) quote"))
        }
        finishWord()
        return (words, nil)
    }

    private func isNameStart(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_") || b == UInt8(ascii: ".")
    }
    private func isNameByte(_ b: UInt8) -> Bool {
        isNameStart(b) && b != UInt8(ascii: ".") || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }
}
