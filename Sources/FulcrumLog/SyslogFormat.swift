/// The header a `log` target puts before each line (`log ... format NAME`),
/// HAProxy 2.6's `log_formats[]`. What each writes is in `SyslogHeader`.
public enum SyslogFormat: UInt8, CaseIterable, Sendable {
    /// No `format` keyword: rfc3164 with the hostname when one is sent
    /// (`log-send-hostname`), otherwise rfc3164 without the hostname field
    /// (HAProxy's "local" form, what a local syslog expects on /dev/log).
    case unspecified
    /// `<PRI>Mmm dd HH:MM:SS host tag[pid]: `; the hostname field is
    /// mandatory here, so without `log-send-hostname` it reads `localhost`.
    case rfc3164
    /// `<PRI>1 ISO-TIME host tag pid MSGID SD `, `-` for each missing field.
    case rfc5424
    /// `<N>` with the severity only (systemd's stdout convention).
    case short
    /// Nothing: the line alone.
    case raw
    /// `ISO-TIME ` (no priority).
    case iso
    /// `<N>ISO-TIME ` (severity only, as `short`).
    case timed
    /// `<PRI>` (facility and severity, no time).
    case priority
    /// `local`: rfc3164 never carrying the hostname (what a local syslog on
    /// /dev/log expects, even with `log-send-hostname`).
    case local

    /// The keyword of `log ... format NAME` (nil for `unspecified`, which has none).
    public var name: String? {
        switch self {
        case .unspecified: return nil
        case .rfc3164: return "rfc3164"
        case .rfc5424: return "rfc5424"
        case .short: return "short"
        case .raw: return "raw"
        case .iso: return "iso"
        case .timed: return "timed"
        case .priority: return "priority"
        case .local: return "local"
        }
    }

    public init?(name: String) {
        guard let format = SyslogFormat.allCases.first(where: { $0.name == name }) else { return nil }
        self = format
    }
}
