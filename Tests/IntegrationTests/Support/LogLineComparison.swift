import Foundation

/// What a field of a log message holds, for the fields two proxies write
/// differently on the same traffic without either being wrong.
enum LogFieldKind {
    /// "ip:port" where the port is the client's source port or the
    /// proxy's own frontend port: the address is compared, the port not.
    case endpoint
    /// A client's source port alone (clf's %cp).
    case port
    /// Not compared (clf's %ms, the accept date's milliseconds).
    case ignored
    /// Timers separated by "/" (or one alone): a value below 0 ("-1", not
    /// reached) is compared exactly, the others as numbers within the
    /// comparison's tolerance; a "+" prefix (logasap) is compared.
    case timers
}

/// Where the fields of one kind of log message are: fields are separated
/// by single spaces, a field opened by `"`, `[` or `{` runs to its closing
/// character (so a quoted request line or a bracketed date is one field),
/// and empty fields count (a trailing separator is a field too).
struct LogLineShape {
    var fields: [Int: LogFieldKind]
    /// Regular-expression rewrites applied to the message first (after dates).
    var rewrites: [(pattern: String, template: String)] = []

    /// `%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta ...`; tcplog
    /// (`%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt ...`) and httpslog share the
    /// layout of their variable fields.
    static let httplog = LogLineShape(fields: [0: .endpoint, 4: .timers])
    static let tcplog = httplog
    static let httpslog = httplog
    /// `%{+Q}o %{-Q}ci - - [%trg] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc ...`
    static let clf = LogLineShape(fields: [9: .port, 10: .ignored, 14: .timers, 15: .timers, 16: .timers,
                                           17: .timers, 18: .timers])
    /// "Connect from %ci:%cp to %fi:%fp (%f/%m)".
    static let legacyConnect = LogLineShape(fields: [2: .endpoint, 4: .endpoint])
    /// Every field compared as it is.
    static let exact = LogLineShape(fields: [:])
    /// Server state changes ("Server be/s1 is DOWN, reason: ..., check
    /// duration: 0ms. ...") and check results ("Health check for server
    /// be/s1 failed, reason: ..., check duration: 0ms, status: ...") with
    /// the reason and the duration left out.
    static let serverEvent = LogLineShape(fields: [:], rewrites: [
        (", reason: .*?, check duration: [0-9]+ms", ", reason: {reason}, check duration: {n}ms"),
    ])
}

/// Compares the line fulcrum wrote with the line haproxy wrote for the same
/// event: byte for byte, except for what legitimately differs: the program
/// name as tag (when no `log-tag` is set), the pid, timestamps in the header
/// and dates in the message, timers (within `timerTolerance` ms), client
/// source ports and the proxies' own frontend ports (`LogLineShape`).
struct LogLineComparison {
    var shape: LogLineShape
    var timerTolerance = 250

    init(_ shape: LogLineShape, timerTolerance: Int = 250) {
        self.shape = shape
        self.timerTolerance = timerTolerance
    }

    private static let datePatterns = [
        // %tr, %t: [06/Dec/2026:00:41:19.038]; %trg (clf): [06/Dec/2026:00:41:19 +0000]
        "\\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{3})?( [+-][0-9]{4})?\\]",
    ]

    /// The line with every legitimately differing part replaced by a
    /// `{placeholder}`, and the timer values it held in order.
    func normalised(_ line: SyslogLine, proxy: ProxyUnderTest) -> (text: String, timers: [Int]) {
        let tag = line.tag.map { $0 == proxy.rawValue ? "{program}" : $0 }
        var pieces: [String] = []
        if line.format == .rfc5424 {
            pieces = ["1", "{time}", line.hostname ?? "", tag ?? "", "{pid}", "-", line.structuredData ?? ""]
        } else {
            if line.timestamp != nil { pieces.append("{time}") }
            if let hostname = line.hostname { pieces.append(hostname) }
            if let tag { pieces.append(tag + (line.pid == nil ? ":" : "[{pid}]:")) }
        }
        let header = (line.priority.map { "<\($0)>" } ?? "") + pieces.joined(separator: " ")
        var message = line.message
        for pattern in Self.datePatterns {
            message = message.replacingOccurrences(of: pattern, with: "[{date}]", options: .regularExpression)
        }
        for rewrite in shape.rewrites {
            message = message.replacingOccurrences(of: rewrite.pattern, with: rewrite.template,
                                                    options: .regularExpression)
        }
        var fields = Self.fields(of: message)
        var timers: [Int] = []
        for (index, kind) in shape.fields.sorted(by: { $0.key < $1.key }) where index < fields.count {
            switch kind {
            case .endpoint:
                if let colon = fields[index].lastIndex(of: ":") { fields[index] = String(fields[index][..<colon]) + ":{port}" }
            case .port:
                fields[index] = "{port}"
            case .ignored:
                fields[index] = "{ignored}"
            case .timers:
                fields[index] = fields[index].split(separator: "/", omittingEmptySubsequences: false).map { part in
                    let sign = part.hasPrefix("+") ? "+" : ""
                    guard let value = Int(part.dropFirst(sign.count)), value >= 0 else { return String(part) }
                    timers.append(value)
                    return sign + "{t}"
                }.joined(separator: "/")
            }
        }
        let body = fields.joined(separator: " ")
        return (header.isEmpty ? body : header + " " + body, timers)
    }

    /// Every difference between the two lines, each naming what differs;
    /// empty when they agree.
    func differences(fulcrum: SyslogLine, haproxy: SyslogLine) -> [String] {
        let f = normalised(fulcrum, proxy: .fulcrum), h = normalised(haproxy, proxy: .haproxy)
        guard f.text == h.text else {
            return ["normalised lines differ:\n  fulcrum: \(f.text)\n  haproxy: \(h.text)"
                    + "\n  (raw fulcrum: \(fulcrum.raw.debugDescription)\n   raw haproxy: \(haproxy.raw.debugDescription))"]
        }
        return zip(f.timers, h.timers).enumerated().compactMap { index, pair in
            abs(pair.0 - pair.1) <= timerTolerance ? nil
                : "timer \(index + 1): fulcrum=\(pair.0) haproxy=\(pair.1) (more than \(timerTolerance) ms apart) in "
                    + "\(haproxy.message.debugDescription)"
        }
    }

    /// Splits a message into its space-separated fields, keeping quoted,
    /// bracketed and braced fields whole.
    static func fields(of message: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var closing: Character?
        for character in message {
            if let close = closing {
                current.append(character)
                if character == close { closing = nil }
            } else if character == " " {
                fields.append(current)
                current = ""
            } else {
                if current.isEmpty {
                    switch character {
                    case "\"": closing = "\""
                    case "[": closing = "]"
                    case "{": closing = "}"
                    default: break
                    }
                }
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
