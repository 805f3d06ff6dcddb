/// One word of keepalived.conf syntax, with where it starts.
struct KeepalivedToken: Equatable {
    var text: String
    var location: SourceLocation
    /// Written inside double quotes: never a brace, and kept whole.
    var quoted = false

    var isOpen: Bool { !quoted && text == "{" }
    var isClose: Bool { !quoted && text == "}" }
    var isBrace: Bool { isOpen || isClose }
}

/// Splits keepalived.conf text into words the way keepalived reads it:
/// whitespace separates words, `!` or `#` starting a word comments out the
/// rest of the line, `{` and `}` are words of their own, and a double-quoted
/// string is one word (without its quotes). A quote never spans lines.
/// A line whose first word is `@ID` applies only when the config id is ID,
/// one starting `@^ID` only when it is not (keepalived's conditional lines,
/// chosen with `-i`); the words after it keep their own columns.
enum KeepalivedTokenizer {
    static func tokenize(_ text: String, file: String, firstLine: Int = 1,
                         configID: String? = nil) -> (tokens: [KeepalivedToken], diagnostics: [Diagnostic]) {
        var tokens: [KeepalivedToken] = []
        var diagnostics: [Diagnostic] = []
        var lineNumber = firstLine - 1
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var (words, failure) = split(line, file: file, line: lineNumber)
            if let first = words.first, !first.quoted, first.text.hasPrefix("@") {
                var id = first.text.dropFirst()
                let inverted = id.hasPrefix("^")
                if inverted { id = id.dropFirst() }
                // keepalived drops a conditional line with nothing after its id.
                guard (configID == String(id)) != inverted, words.count > 1 else { continue }
                words.removeFirst()
            }
            tokens += words
            if let failure { diagnostics.append(failure) }
        }
        return (tokens, diagnostics)
    }

    static func split(_ line: Substring, file: String, line lineNumber: Int) -> ([KeepalivedToken], Diagnostic?) {
        let bytes = Array(line.utf8)
        var words: [KeepalivedToken] = []
        var i = 0
        func at(_ index: Int) -> SourceLocation { SourceLocation(file: file, line: lineNumber, column: index + 1) }
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0d || b == 0x0b || b == 0x0c }
        while i < bytes.count {
            let b = bytes[i]
            if isSpace(b) { i += 1; continue }
            if b == UInt8(ascii: "!") || b == UInt8(ascii: "#") { break }
            if b == UInt8(ascii: "{") || b == UInt8(ascii: "}") {
                words.append(KeepalivedToken(text: String(decoding: [b], as: UTF8.self), location: at(i)))
                i += 1
                continue
            }
            if b == UInt8(ascii: "\"") {
                let start = i
                i += 1
                let contentStart = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += 1 }
                if i == bytes.count {
                    return (words, Diagnostic(.alert, at(start), "unterminated quoted string"))
                }
                words.append(KeepalivedToken(text: String(decoding: bytes[contentStart..<i], as: UTF8.self), location: at(start), quoted: true))
                i += 1
                continue
            }
            let start = i
            while i < bytes.count, !isSpace(bytes[i]), bytes[i] != UInt8(ascii: "{"), bytes[i] != UInt8(ascii: "}"),
                  bytes[i] != UInt8(ascii: "\"") {
                i += 1
            }
            words.append(KeepalivedToken(text: String(decoding: bytes[start..<i], as: UTF8.self), location: at(start)))
        }
        return (words, nil)
    }

    /// A script line's argv, as keepalived builds it: several words are the
    /// arguments as they are; one quoted word holding spaces is split again
    /// on blanks, where single (or double) quotes keep an argument whole.
    /// nil when a quote inside the string is not closed.
    static func commandArguments(_ words: [KeepalivedToken]) -> [String]? {
        guard words.count == 1, words[0].quoted else { return words.map(\.text) }
        var args: [String] = []
        var current: [UInt8] = []
        var inWord = false
        var quote: UInt8? = nil
        for b in words[0].text.utf8 {
            if let q = quote {
                if b == q { quote = nil } else { current.append(b) }
            } else if b == UInt8(ascii: "'") || b == UInt8(ascii: "\"") {
                quote = b
                inWord = true
            } else if b == 0x20 || b == 0x09 {
                if inWord { args.append(String(decoding: current, as: UTF8.self)); current = []; inWord = false }
            } else {
                current.append(b)
                inWord = true
            }
        }
        if quote != nil { return nil }
        if inWord { args.append(String(decoding: current, as: UTF8.self)) }
        return args
    }
}

/// One statement of keepalived syntax: a keyword, the words after it on its
/// line, and, when a `{` follows (on the same or a later line), a block.
struct KeepalivedNode {
    var keyword: KeepalivedToken
    var arguments: [KeepalivedToken]
    var block: [KeepalivedNode]?
    /// Every word of the line, keyword included (value blocks list these).
    var words: [KeepalivedToken] { [keyword] + arguments }
}

/// Builds the statement tree from the words, reporting stray and missing braces.
struct KeepalivedTreeBuilder {
    let tokens: [KeepalivedToken]
    var index = 0
    var diagnostics: [Diagnostic] = []

    init(tokens: [KeepalivedToken]) { self.tokens = tokens }

    static func build(_ tokens: [KeepalivedToken]) -> (nodes: [KeepalivedNode], diagnostics: [Diagnostic]) {
        var builder = KeepalivedTreeBuilder(tokens: tokens)
        let nodes = builder.items(openedAt: nil)
        return (nodes, builder.diagnostics)
    }

    private mutating func items(openedAt open: SourceLocation?) -> [KeepalivedNode] {
        var nodes: [KeepalivedNode] = []
        while index < tokens.count {
            let token = tokens[index]
            index += 1
            if token.isClose {
                if open != nil { return nodes }
                diagnostics.append(Diagnostic(.alert, token.location, "unexpected '}' with no block open"))
                continue
            }
            if token.isOpen {
                diagnostics.append(Diagnostic(.alert, token.location, "unexpected '{' with no keyword before it"))
                _ = items(openedAt: token.location)
                continue
            }
            var arguments: [KeepalivedToken] = []
            // Words of an included file may share a line number with the includer's.
            while index < tokens.count, tokens[index].location.line == token.location.line,
                  tokens[index].location.file == token.location.file, !tokens[index].isBrace {
                arguments.append(tokens[index])
                index += 1
            }
            var node = KeepalivedNode(keyword: token, arguments: arguments, block: nil)
            if index < tokens.count, tokens[index].isOpen {
                let brace = tokens[index]
                index += 1
                node.block = items(openedAt: brace.location)
            }
            nodes.append(node)
        }
        if let open {
            diagnostics.append(Diagnostic(.alert, open, "missing '}' for the block opened here (end of file reached)"))
        }
        return nodes
    }
}
