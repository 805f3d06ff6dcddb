/// HAProxy 2.6's log-format grammar (manual 8.2.6, `parse_logformat_string`):
/// literal text, `%%`, `%var`, `%{flags}var`, `%[sample]`, `%{flags}[sample]`
/// and `%o` setting the default flags of what follows. One parser for log
/// lines, `unique-id-format`, header values and redirects, so they accept and
/// refuse the same strings HAProxy does.
public enum LogFormatParser {
    public struct Options: Hashable, Sendable {
        /// Unescaped spaces become merged separators (`log-format`,
        /// `log-format-sd`, `error-log-format`, `unique-id-format`); header
        /// values keep every space.
        public var mergeSpaces: Bool
        /// The flags every element starts with: `.mandatory` for log lines
        /// (absent text is "-"), none for header values.
        public var defaultFlags: LogFlags

        /// Samples are written as HAProxy writes them in HTTP contexts
        /// (LOG_OPT_HTTP): no quotes and no "-", whatever their flags.
        public var bareSamples: Bool

        public init(mergeSpaces: Bool, defaultFlags: LogFlags, bareSamples: Bool = false) {
            self.mergeSpaces = mergeSpaces; self.defaultFlags = defaultFlags; self.bareSamples = bareSamples
        }
        /// `log-format`, `log-format-sd`, `error-log-format`.
        public static let logLine = Options(mergeSpaces: true, defaultFlags: .mandatory)
        /// `unique-id-format`: spaces merge, but an absent sample is nothing
        /// (haproxy 2.6 made "x y\"b\"" of `%[var(txn.nope)]x  y%{+Q}[var(txn.nope)]%{+Q}b`).
        public static let uniqueID = Options(mergeSpaces: true, defaultFlags: [], bareSamples: true)
        /// Header values, redirect targets, `use_backend` names.
        public static let value = Options(mergeSpaces: false, defaultFlags: [], bareSamples: true)
    }

    public static func parse(_ text: String, options: Options = .logLine) -> Result<[LogFormatElement], LogFormatError> {
        let bytes = Array(text.utf8)
        var elements: [LogFormatElement] = []
        var literal: [UInt8] = []
        var defaults = options.defaultFlags
        func flush() {
            if !literal.isEmpty { elements.append(.literal(literal)); literal = [] }
        }
        func separator() {
            flush()
            // A line never starts with a space, and a run of them is one.
            if let last = elements.last, last != .separator { elements.append(.separator) }
        }
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == ASCIIByte.space, options.mergeSpaces { separator(); i += 1; continue }
            guard c == ASCIIByte.percent else { literal.append(c); i += 1; continue }
            i += 1
            guard i < bytes.count else { return .failure(LogFormatError("truncated line after '%'")) }
            var flags = defaults
            var argumentText: String?
            let next = bytes[i]
            if next == ASCIIByte.percent {
                literal.append(ASCIIByte.percent); i += 1; continue
            }
            if next == ASCIIByte.openBrace {
                let start = i + 1
                guard let close = bytes[start...].firstIndex(of: ASCIIByte.closeBrace) else {
                    return .failure(LogFormatError("truncated line after '\(string(start..<bytes.count))'"))
                }
                argumentText = string(start..<close)
                flags = applying(argumentText!, to: flags)
                i = close + 1
                guard i < bytes.count, bytes[i] == ASCIIByte.openBracket || ASCIIByte.isAlphanumeric(bytes[i]) else {
                    return .failure(LogFormatError("parse argument modifier without variable name near '%{\(argumentText!)}'"))
                }
            } else if ASCIIByte.isDigit(next) || next == ASCIIByte.space || next == ASCIIByte.tab {
                let shown = String(decoding: [next], as: UTF8.self)
                return .failure(LogFormatError("unexpected variable name near '\(shown)' at position \(i) line : '\(text)'. Maybe you want to write a single '%', use the syntax '%%'"))
            } else if next != ASCIIByte.openBracket && !ASCIIByte.isAlpha(next) {
                // HAProxy drops a '%' that starts nothing and keeps what follows as text.
                continue
            }

            if bytes[i] == ASCIIByte.openBracket {
                let start = i + 1
                guard let close = closingBracket(bytes, from: start) else {
                    return .failure(LogFormatError("missing ']' after '\(string(start..<bytes.count))'"))
                }
                switch sampleExpression(string(start..<close)) {
                case .failure(let e): return .failure(e)
                case .success(let expression):
                    flush()
                    elements.append(.sample(expression, options.bareSamples ? flags.subtracting([.quote, .mandatory]) : flags))
                }
                i = close + 1
                continue
            }

            let start = i
            while i < bytes.count, ASCIIByte.isAlphanumeric(bytes[i]) { i += 1 }
            let name = string(start..<i)
            if name == "o" {
                defaults = flags
                continue
            }
            guard let variable = LogVariable(name: name) else {
                return .failure(LogFormatError("no such format variable '\(name)'. If you wanted to emit the '%' character verbatim, you need to use '%%'"))
            }
            flush()
            elements.append(.variable(variable, flags))
        }
        flush()
        return .success(elements)
    }

    /// `+Q,-M`: each item adds or removes one flag; names HAProxy does not
    /// know, and items without a sign, are ignored as it ignores them.
    static func applying(_ arguments: String, to flags: LogFlags) -> LogFlags {
        var result = flags
        for item in arguments.split(separator: ",") {
            guard let sign = item.first, sign == "+" || sign == "-",
                  let flag = LogFlags(letter: item.dropFirst()) else { continue }
            if sign == "+" { result.insert(flag) } else { result.remove(flag) }
        }
        return result
    }

    /// The ']' closing a sample expression: the first one outside parentheses.
    static func closingBracket(_ bytes: [UInt8], from start: Int) -> Int? {
        var depth = 0
        var i = start
        while i < bytes.count {
            switch bytes[i] {
            case ASCIIByte.openParen: depth += 1
            case ASCIIByte.closeParen: depth = max(0, depth - 1)
            case ASCIIByte.closeBracket where depth == 0: return i
            default: break
            }
            i += 1
        }
        return nil
    }

    /// The inside of `%[...]`: a fetch, then converters, split on the commas
    /// outside parentheses.
    public static func sampleExpression(_ text: String) -> Result<LogSampleExpression, LogFormatError> {
        var calls: [LogSampleCall] = []
        var depth = 0
        var current = ""
        func take() -> LogFormatError? {
            switch call(current) {
            case .failure(let e): return e
            case .success(let c): calls.append(c); current = ""; return nil
            }
        }
        for ch in text {
            if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1 }
            if ch == ",", depth == 0 {
                if let e = take() { return .failure(wrap(text, e)) }
            } else {
                current.append(ch)
            }
        }
        if let e = take() { return .failure(wrap(text, e)) }
        return .success(LogSampleExpression(text: text, fetch: calls[0], converters: Array(calls.dropFirst())))
    }

    private static func wrap(_ text: String, _ e: LogFormatError) -> LogFormatError {
        LogFormatError("failed to parse sample expression <\(text)> : \(e.message)")
    }

    /// `name` or `name(a,b)`.
    static func call(_ text: String) -> Result<LogSampleCall, LogFormatError> {
        guard let open = text.firstIndex(of: "(") else {
            guard !text.isEmpty else { return .failure(LogFormatError("missing fetch method")) }
            guard !text.contains(")") else { return .failure(LogFormatError("syntax error in '\(text)'")) }
            return .success(LogSampleCall(name: text))
        }
        guard text.hasSuffix(")"), open != text.startIndex else {
            return .failure(LogFormatError("missing closing ')' after arguments to '\(text[..<open])'"))
        }
        let name = String(text[..<open])
        let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
        let arguments = inside.isEmpty ? [] : inside.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return .success(LogSampleCall(name: name, arguments: arguments))
    }
}

/// The few ASCII bytes the parser and renderer compare against.
enum ASCIIByte {
    static let tab: UInt8 = 0x09
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let hash: UInt8 = 0x23
    static let percent: UInt8 = 0x25
    static let openParen: UInt8 = 0x28
    static let closeParen: UInt8 = 0x29
    static let plus: UInt8 = 0x2B
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let colon: UInt8 = 0x3A
    static let question: UInt8 = 0x3F
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let openBrace: UInt8 = 0x7B
    static let pipe: UInt8 = 0x7C
    static let closeBrace: UInt8 = 0x7D
    static let tilde: UInt8 = 0x7E

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }
    @inline(__always) static func isAlpha(_ c: UInt8) -> Bool { (c | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isAlphanumeric(_ c: UInt8) -> Bool { isDigit(c) || isAlpha(c) }
}
