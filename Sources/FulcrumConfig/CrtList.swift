/// A `crt-list` file (HAProxy 2.6 manual 5.1): one certificate per line,
/// `crtfile [[ssl options] [sni filters]]`. Parsed from its text so the
/// parser stays pure; `TLSFiles` reads the file through its injected reader.
public struct CrtList: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        /// The certificate path as written, `crt-base` applied when relative.
        public var path: String
        public var line: Int
        /// The bracketed options; nil when the line has none.
        public var settings: TLSCertificateSettings?
        /// SNI filters: names (`*.` wildcards) the certificate is chosen
        /// for, `!` excluding one; empty: the certificate's own names.
        public var filters: [String]
        /// The words between the brackets, as written (`show ssl crt-list`).
        public var optionWords: [String] = []
    }
    public var path: String
    public var entries: [Entry] = []

    /// Longest line HAProxy reads (its CRT_LINESIZE buffer, less the NUL).
    static let lineLimit = 65535

    /// Keywords allowed between brackets (HAProxy 2.6's crt-list keywords),
    /// with the number of arguments each takes.
    static let keywords: [String: Int] = [
        "allow-0rtt": 0, "alpn": 1, "ca-file": 1, "ca-verify-file": 1, "ciphers": 1, "ciphersuites": 1,
        "crl-file": 1, "curves": 1, "ecdhe": 1, "no-ca-names": 0, "npn": 1, "ssl-min-ver": 1,
        "ssl-max-ver": 1, "verify": 1,
    ]

    /// An error or warning in HAProxy's words (the list's file:line inside
    /// the text when HAProxy names it).
    public struct Message: Equatable, Sendable {
        public var isError: Bool
        public var text: String
    }

    /// Parses the list's text. On an error, the entries before it are kept
    /// and parsing stops, as HAProxy does.
    public static func parse(_ text: String, path: String, crtBase: String?, caBase: String?) -> (CrtList, [Message]) {
        var list = CrtList(path: path)
        var messages: [Message] = []
        var lineNumber = 0
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // A final newline does not start another line.
        if text.hasSuffix("\n") { lines.removeLast() }
        for raw in lines {
            lineNumber += 1
            if raw.utf8.count > lineLimit {
                messages.append(Message(isError: true, text: "parsing [\(path):\(lineNumber)]: line too long, limit is \(lineLimit) characters"))
                break
            }
            if raw.contains("\0") {
                messages.append(Message(isError: true, text: "parsing [\(path):\(lineNumber)]: Stray NUL character at position \(raw.utf8.firstIndex(of: 0).map { raw.utf8.distance(from: raw.utf8.startIndex, to: $0) + 1 } ?? 0)."))
                break
            }
            // Only a line starting with '#' is a comment.
            if raw.hasPrefix("#") || raw.isEmpty || raw.hasPrefix("\r") { continue }
            switch parseLine(raw, path: path, line: lineNumber, crtBase: crtBase, caBase: caBase) {
            case .empty: continue
            case .failure(let text):
                messages.append(Message(isError: true, text: text))
                return (list, messages)
            case .entry(let entry, let warning):
                if let warning { messages.append(Message(isError: false, text: warning)) }
                list.entries.append(entry)
            }
        }
        return (list, messages)
    }

    enum LineResult {
        case empty
        case entry(Entry, warning: String?)
        case failure(String)
    }

    /// One line: words split on blanks; `[` and `]` are separators that mark
    /// where the options begin and end (HAProxy's crtlist_parse_line).
    static func parseLine(_ raw: Substring, path: String, line: Int, crtBase: String?, caBase: String?) -> LineResult {
        func failure(_ s: String) -> LineResult { .failure("parsing [\(path):\(line)]: \(s)") }
        var args: [String] = []
        var current = ""
        var inWord = false
        var open = 0, close = 0   // index in args where '[' / ']' were seen (0: not seen)
        func endWord() {
            if inWord { args.append(current); current = ""; inWord = false }
        }
        for ch in raw {
            if ch == " " || ch == "\t" || ch == "\r" || ch == "\u{0B}" || ch == "\u{0C}" {
                endWord()
            } else if ch == "[" {
                endWord()
                if open != 0 { return failure("too many '['") }
                if args.isEmpty { return failure("file must start with a cert") }
                open = args.count
            } else if ch == "]" {
                endWord()
                if close != 0 { return failure("too many ']'") }
                if open == 0 { return failure("missing '['") }
                close = args.count
            } else {
                current.append(ch)
                inWord = true
            }
        }
        endWord()
        guard let first = args.first else { return .empty }
        var warning: String? = nil
        var settings: TLSCertificateSettings? = nil
        if open != 0 {
            if open > 1 { warning = "parsing [\(path):\(line)]: malformated line, filters can't be between filename and options!" }
            settings = TLSCertificateSettings()
        }
        var i = open != 0 ? open : 1
        while i < close {
            let keyword = args[i]
            guard let count = keywords[keyword] else { return failure("unknown ssl keyword \(keyword)") }
            if i + 1 + count > close { return failure("ssl args out of '[]' for \(keyword)") }
            var options = settings ?? TLSCertificateSettings()
            let value: String? = count > 0 ? args[i + 1] : nil
            if let error = TLSOptionParsing.applyCertificateOption(keyword, value: value, to: &options, caBase: caBase) {
                return .failure(error)
            }
            settings = options
            i += 1 + count
        }
        let entryPath = first.hasPrefix("/") || crtBase == nil ? first : crtBase! + "/" + first
        let filters = Array(args[Swift.min(i, args.count)...])
        let words = open != 0 ? Array(args[open..<Swift.max(open, close)]) : []
        return .entry(Entry(path: entryPath, line: line, settings: settings, filters: filters, optionWords: words), warning: warning)
    }
}
