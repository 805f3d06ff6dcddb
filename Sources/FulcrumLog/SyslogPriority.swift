/// Syslog's severity and facility (RFC 5424 §6.2.1) with HAProxy's names, the
/// vocabulary shared by the configuration (`log ... local0 info notice`), the
/// line framing (`<PRI>`) and the events' levels.
public enum LogLevel: UInt8, CaseIterable, Comparable, Sendable {
    case emerg = 0, alert, crit, err, warning, notice, info, debug

    /// HAProxy's keyword for the level (`log_levels[]`).
    public var name: String {
        switch self {
        case .emerg: return "emerg"
        case .alert: return "alert"
        case .crit: return "crit"
        case .err: return "err"
        case .warning: return "warning"
        case .notice: return "notice"
        case .info: return "info"
        case .debug: return "debug"
        }
    }

    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { $0.name == name }) else { return nil }
        self = level
    }

    /// Lower raw value is more severe; "a level at least as severe as `minimum`"
    /// reads `level <= minimum`.
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

public enum LogFacility: UInt8, CaseIterable, Sendable {
    case kern = 0, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, auth2, ftp, ntp, audit, alert, cron2
    case local0, local1, local2, local3, local4, local5, local6, local7

    /// HAProxy's keyword for the facility (`log_facilities[]`).
    public var name: String {
        switch self {
        case .kern: return "kern"
        case .user: return "user"
        case .mail: return "mail"
        case .daemon: return "daemon"
        case .auth: return "auth"
        case .syslog: return "syslog"
        case .lpr: return "lpr"
        case .news: return "news"
        case .uucp: return "uucp"
        case .cron: return "cron"
        case .auth2: return "auth2"
        case .ftp: return "ftp"
        case .ntp: return "ntp"
        case .audit: return "audit"
        case .alert: return "alert"
        case .cron2: return "cron2"
        case .local0: return "local0"
        case .local1: return "local1"
        case .local2: return "local2"
        case .local3: return "local3"
        case .local4: return "local4"
        case .local5: return "local5"
        case .local6: return "local6"
        case .local7: return "local7"
        }
    }

    public init?(name: String) {
        guard let facility = LogFacility.allCases.first(where: { $0.name == name }) else { return nil }
        self = facility
    }

    /// The `<PRI>` value of a line: facility × 8 + severity.
    public func priority(_ level: LogLevel) -> Int { Int(rawValue) * 8 + Int(level.rawValue) }
}
