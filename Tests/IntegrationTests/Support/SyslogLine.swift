import Foundation

/// The header layouts of HAProxy 2.6's `log ... format` (src/log.c):
/// rfc3164 `<PRI>Mmm dd hh:mm:ss [HOST ]TAG[PID]: MSG`, rfc5424
/// `<PRI>1 TIMESTAMP HOST TAG PID - SD MSG`, short `<LEVEL>MSG`, priority
/// `<PRI>MSG`, timed `<LEVEL>ISO-TIMESTAMP MSG`, iso `ISO-TIMESTAMP MSG`, raw `MSG`.
enum SyslogLineFormat: String, CaseIterable {
    case rfc3164, rfc5424, short, priority, timed, iso, raw
}

/// One received syslog message taken apart: priority (facility and
/// severity), timestamp, hostname, tag, pid, structured data and the
/// message proper (without the trailing line feed).
struct SyslogLine: CustomStringConvertible {
    static let severities = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]
    static let facilities = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
                             "auth2", "ftp", "ntp", "audit", "alert", "cron2",
                             "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"]

    let raw: String
    let format: SyslogLineFormat
    /// The number between angle brackets; nil for iso and raw. For short and
    /// timed it is the severity alone.
    let priority: Int?
    let timestamp: String?
    let hostname: String?
    let tag: String?
    let pid: String?
    /// rfc5424's structured data ("-" when none).
    let structuredData: String?
    let message: String

    /// The facility number; nil when the format carries none.
    var facility: Int? {
        guard let priority, format == .rfc3164 || format == .rfc5424 || format == .priority else { return nil }
        return priority / 8
    }
    var facilityName: String? { facility.map { $0 < Self.facilities.count ? Self.facilities[$0] : "\($0)" } }
    var severity: Int? { priority.map { $0 % 8 } }
    var severityName: String? { severity.map { Self.severities[$0] } }

    var description: String { raw.debugDescription }

    /// The priority value `<PRI>` for a facility and severity name.
    static func priority(_ facility: String, _ severity: String) -> Int {
        (facilities.firstIndex(of: facility) ?? 99) * 8 + (severities.firstIndex(of: severity) ?? 99)
    }

    /// Parses `text` (a trailing line feed allowed) as `format` says.
    init(_ text: String, format: SyslogLineFormat = .rfc3164) throws {
        raw = text
        self.format = format
        var rest = Substring(text.hasSuffix("\n") ? String(text.dropLast()) : text)
        func fail(_ why: String) -> HarnessError { .failed("not a \(format) syslog line (\(why)): \(text.debugDescription)") }
        func word() throws -> String {
            guard let space = rest.firstIndex(of: " ") else { throw fail("header ends early") }
            defer { rest = rest[rest.index(after: space)...] }
            return String(rest[..<space])
        }
        var priority: Int?
        if format != .iso && format != .raw {
            guard rest.first == "<", let close = rest.firstIndex(of: ">"),
                  let value = Int(rest[rest.index(after: rest.startIndex)..<close]) else { throw fail("no <PRI>") }
            priority = value
            rest = rest[rest.index(after: close)...]
        }
        self.priority = priority
        var timestamp: String?, hostname: String?, tag: String?, pid: String?, structuredData: String?
        switch format {
        case .rfc3164:
            guard rest.count > 16, rest[rest.index(rest.startIndex, offsetBy: 15)] == " " else { throw fail("no timestamp") }
            timestamp = String(rest.prefix(15))
            rest = rest.dropFirst(16)
            var first = try word()
            if !first.hasSuffix(":") {
                hostname = first
                first = try word()
            }
            first.removeLast()
            if first.hasSuffix("]"), let open = first.lastIndex(of: "[") {
                tag = String(first[..<open])
                pid = String(first[first.index(after: open)..<first.index(before: first.endIndex)])
            } else {
                tag = first
            }
        case .rfc5424:
            guard try word() == "1" else { throw fail("version is not 1") }
            timestamp = try word()
            hostname = try word()
            tag = try word()
            pid = try word()
            _ = try word() // MSGID
            if rest.first == "[" {
                guard let end = rest.range(of: "] ", options: .backwards) else { throw fail("unterminated SD") }
                structuredData = String(rest[..<rest.index(after: end.lowerBound)])
                rest = rest[end.upperBound...]
            } else {
                structuredData = try word()
            }
        case .timed, .iso:
            timestamp = try word()
        case .short, .priority, .raw:
            break
        }
        self.timestamp = timestamp
        self.hostname = hostname
        self.tag = tag
        self.pid = pid
        self.structuredData = structuredData
        message = String(rest)
    }

    /// Parses every text as `format`, failing on the first that is not one.
    static func parseAll(_ texts: [String], format: SyslogLineFormat = .rfc3164) throws -> [SyslogLine] {
        try texts.map { try SyslogLine($0, format: format) }
    }
}
