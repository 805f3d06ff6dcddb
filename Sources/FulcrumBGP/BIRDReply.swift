/// BIRD's control-socket protocol (birdc speaks it): every reply line is a
/// four-digit code and a separator, '-' when more lines follow and ' ' on the
/// last; a line starting with a space continues the previous code. Codes
/// below 8000 are answers, 8xxx run-time errors, 9xxx parse errors
/// (BIRD's doc/reply_codes).
public struct BIRDReply: Equatable, Sendable {
    public struct Line: Equatable, Sendable {
        public var code: Int
        public var text: String
        public init(code: Int, text: String) { self.code = code; self.text = text }
    }
    public var lines: [Line]
    /// The last line's code.
    public var code: Int { lines.last?.code ?? 0 }
    public var isError: Bool { code >= 8000 }
    /// The last line's text (the message of a one-line answer).
    public var message: String { lines.last?.text ?? "" }

    /// Reads one whole reply from `text` (which may hold more than one).
    /// Returns nil while the last line has not arrived, else the reply and
    /// how many bytes of `text` it used.
    public static func parse(_ text: Substring) -> (reply: BIRDReply, used: Int)? {
        var lines: [Line] = []
        var code = 0
        var used = 0
        var rest = text
        while let newline = rest.firstIndex(of: "\n") {
            let raw = rest[rest.startIndex..<newline]
            used += raw.utf8.count + 1
            rest = rest[rest.index(after: newline)...]
            if raw.first == " " {
                lines.append(Line(code: code, text: String(raw.dropFirst())))
                continue
            }
            let digits = raw.prefix(4)
            guard digits.count == 4, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let c = Int(digits) else {
                lines.append(Line(code: code, text: String(raw)))
                continue
            }
            code = c
            let separator = raw.dropFirst(4).first
            lines.append(Line(code: c, text: String(raw.dropFirst(5))))
            if separator != "-" { return (BIRDReply(lines: lines), used) }
        }
        return nil
    }

    /// One row of `show protocols`.
    public struct ProtocolRow: Equatable, Sendable {
        public var name: String
        public var proto: String
        public var state: String
        /// BIRD's Info column ("Established", "Active", "Idle"...), "" when empty.
        public var info: String
        public init(name: String, proto: String, state: String, info: String) {
            self.name = name; self.proto = proto; self.state = state; self.info = info
        }
    }

    /// The rows of a `show protocols` answer (code 1002), in BIRD's order:
    /// Name Proto Table State Since Info, Since being one or two words.
    public var protocols: [ProtocolRow] {
        lines.filter { $0.code == 1002 }.compactMap { line in
            let w = line.text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard w.count >= 4 else { return nil }
            // Since is a time ("12:00:01.123") or a date and a time: Info follows it.
            var i = 5
            if w.count > 6, w[5].contains(":") && !w[4].contains(":") { i = 6 }
            return ProtocolRow(name: w[0], proto: w[1], state: w[3], info: w.count > i ? w[i...].joined(separator: " ") : "")
        }
    }
}
