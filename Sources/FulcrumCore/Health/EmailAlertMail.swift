/// The mail HAProxy 2.6 sends for `email-alert` (mailers.c's tcp-check
/// rules): HELO, MAIL FROM, RCPT TO, DATA, a message whose subject and body
/// are the server's state-change log message (without its final '.'), then
/// QUIT, each step waiting for its reply code. Pure: the sender does the I/O.
public struct EmailAlertMail: Equatable, Sendable {
    public struct Step: Equatable, Sendable {
        public var name: String
        /// nil: the server's greeting.
        public var command: String?
        public var expected: Int
    }

    public var helo: String
    public var from: String
    public var to: String
    public var message: String

    public init(helo: String, from: String, to: String, logLine: String) {
        self.helo = helo; self.from = from; self.to = to
        self.message = Self.message(fromLogLine: logLine)
    }

    /// HAProxy logs "%s." and mails "%s": the same text without the dot.
    public static func message(fromLogLine line: String) -> String {
        line.hasSuffix(".") ? String(line.dropLast()) : line
    }

    /// `date` is the Date header's value ("Mon, 07 Dec 2026 04:59:35 +0000 (UTC)").
    public func dialogue(date: String) -> [Step] {
        let data = "From: \(from)\r\nTo: \(to)\r\nDate: \(date)\r\nSubject: [HAProxy Alert] \(message)\r\n\r\n\(message)\r\n\r\n.\r\n"
        return [
            Step(name: "connect", command: nil, expected: 220),
            Step(name: "HELO", command: "HELO \(helo)\r\n", expected: 250),
            Step(name: "MAIL", command: "MAIL FROM:<\(from)>\r\n", expected: 250),
            Step(name: "RCPT", command: "RCPT TO:<\(to)>\r\n", expected: 250),
            Step(name: "DATA", command: "DATA\r\n", expected: 354),
            Step(name: "DOT", command: data, expected: 250),
            Step(name: "QUIT", command: "QUIT\r\n", expected: 221),
        ]
    }
}
