/// An SMTP server reply (RFC 5321 4.2): one line `250 text`, or several where
/// every line but the last has a `-` after the code (`250-first`, `250 last`).
/// Parsed from the bytes received so far, so the sender knows whether to read
/// more.
public struct SMTPReply: Equatable, Sendable {
    public var code: Int
    /// The text of each line, without code, separator and line end.
    public var lines: [String]

    public init(code: Int, lines: [String]) { self.code = code; self.lines = lines }

    public enum Parse: Equatable, Sendable {
        /// No complete reply yet: read more.
        case incomplete
        /// A reply, and how many bytes of the input it took.
        case reply(SMTPReply, consumed: Int)
        /// A line that does not start with a three-digit code (the text, for the log).
        case malformed(String)
    }

    /// Longest reply line accepted (RFC 5321 4.5.3.1.5 allows 512 with CRLF;
    /// servers exceed it, so be generous but bounded).
    public static let maximumLineLength = 4096

    /// Reads the first complete reply in `bytes`. Lines end with CRLF; a bare
    /// LF is accepted too, as keepalived's own parser is not the judge of a
    /// server's line ends.
    public static func parse(_ bytes: [UInt8]) -> Parse {
        var lines: [String] = []
        var code: Int?
        var start = 0
        while start < bytes.count {
            guard let lf = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                if bytes.count - start > maximumLineLength { return .malformed("reply line longer than \(maximumLineLength) bytes") }
                return .incomplete
            }
            var end = lf
            if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = Array(bytes[start..<end])
            start = lf + 1
            guard line.count >= 3, line[0...2].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  line.count == 3 || line[3] == UInt8(ascii: " ") || line[3] == UInt8(ascii: "-") else {
                return .malformed(String(decoding: line, as: UTF8.self))
            }
            let lineCode = line[0...2].reduce(0) { $0 * 10 + Int($1 - 0x30) }
            if let code, code != lineCode {
                return .malformed(String(decoding: line, as: UTF8.self))
            }
            code = lineCode
            lines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
            if line.count == 3 || line[3] == UInt8(ascii: " ") {
                return .reply(SMTPReply(code: lineCode, lines: lines), consumed: start)
            }
        }
        return .incomplete
    }
}
