/// The outcome of one health check, with HAProxy's status codes and wording,
/// so stats, logs and the shared table read exactly like HAProxy's.
public enum CheckStatus: String, Sendable, CaseIterable {
    case unknown = "UNK"
    case initial = "INI"
    /// Observed traffic errors reached `error-limit` (`observe`), not a check.
    case healthAnalyze = "HANA"
    case socketError = "SOCKERR"
    case l4ok = "L4OK"
    case l4timeout = "L4TOUT"
    case l4connect = "L4CON"
    case l6ok = "L6OK"
    case l6timeout = "L6TOUT"
    case l6response = "L6RSP"
    case l7timeout = "L7TOUT"
    case l7response = "L7RSP"
    case l7ok = "L7OK"
    case l7okCondition = "L7OKC"
    case l7status = "L7STS"
    /// `option external-check`: the program exited non-zero, ran out of
    /// time, or exited 0.
    case processError = "PROCERR"
    case processTimeout = "PROCTOUT"
    case processOK = "PROCOK"

    /// Counts as a successful check (L7OKC too: the server is healthy but asks
    /// to stop taking new traffic).
    public var passed: Bool {
        switch self {
        case .l4ok, .l6ok, .l7ok, .l7okCondition, .processOK: return true
        default: return false
        }
    }

    /// Counts as a failed check. `unknown` and `initial` are neither.
    public var failed: Bool {
        switch self {
        case .unknown, .initial, .l4ok, .l6ok, .l7ok, .l7okCondition, .processOK: return false
        default: return true
        }
    }

    /// Conditional success (`http-check disable-on-404`): the server goes NOLB.
    public var conditional: Bool { self == .l7okCondition }

    /// HAProxy logs "code: N" only for statuses that carry an L7 code.
    public var showsCode: Bool {
        switch self {
        case .l7ok, .l7okCondition, .l7status, .processError, .processTimeout, .processOK: return true
        default: return false
        }
    }

    /// HAProxy's long description (get_check_status_description), used as
    /// "reason:" in logs and in the stats' last check description.
    public var reasonText: String {
        switch self {
        case .unknown: return "Unknown"
        case .initial: return "Initializing"
        case .healthAnalyze: return "Health analyze"
        case .socketError: return "Socket error"
        case .l4ok: return "Layer4 check passed"
        case .l4timeout: return "Layer4 timeout"
        case .l4connect: return "Layer4 connection problem"
        case .l6ok: return "Layer6 check passed"
        case .l6timeout: return "Layer6 timeout"
        case .l6response: return "Layer6 invalid response"
        case .l7timeout: return "Layer7 timeout"
        case .l7response: return "Layer7 invalid response"
        case .l7ok: return "Layer7 check passed"
        case .l7okCondition: return "Layer7 check conditionally passed"
        case .l7status: return "Layer7 wrong status"
        case .processError: return "External check error"
        case .processTimeout: return "External check timeout"
        case .processOK: return "External check passed"
        }
    }

    /// HAProxy's HCHK_STATUS_* number, stored in the shared table.
    public var rawCode: UInt64 {
        switch self {
        case .unknown: return 0
        case .initial: return 1
        case .healthAnalyze: return 4
        case .socketError: return 5
        case .l4ok: return 6
        case .l4timeout: return 7
        case .l4connect: return 8
        case .l6ok: return 9
        case .l6timeout: return 10
        case .l6response: return 11
        case .l7timeout: return 12
        case .l7response: return 13
        case .l7ok: return 15
        case .l7okCondition: return 16
        case .l7status: return 17
        case .processError: return 18
        case .processTimeout: return 19
        case .processOK: return 20
        }
    }

    public init?(rawCode: UInt64) {
        guard let status = Self.allCases.first(where: { $0.rawCode == rawCode }) else { return nil }
        self = status
    }
}

/// One finished check (or a passive-check verdict).
public struct CheckResult: Equatable, Sendable {
    public var status: CheckStatus
    /// The L7 code (HTTP status; 0 for a passing tcp-check), when there is one.
    public var code: Int?
    /// HAProxy's check description ("Connection refused", the HTTP reason...).
    public var info: String?
    /// Milliseconds the check took; negative when it has none (HAProxy shows
    /// no "check duration" for observed-traffic verdicts).
    public var durationMs: Int

    public init(status: CheckStatus, code: Int? = nil, info: String? = nil, durationMs: Int) {
        self.status = status; self.code = code; self.info = info; self.durationMs = durationMs
    }
}
