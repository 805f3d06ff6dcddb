/// A health check result as HAProxy names and numbers it (HCHK_STATUS_*):
/// the name goes to the stats check_status column, the description to
/// check_desc, the number and result class to `show servers state`.
public enum RuntimeCheckStatus: Int, Sendable, CaseIterable {
    case unknown = 0, initializing, starting, checked, healthAnalyze, socketError
    case layer4OK, layer4Timeout, layer4Connection
    case layer6OK, layer6Timeout, layer6Response
    case layer7Timeout, layer7Response, layer57Data, layer7OK, layer7OKConditional, layer7Status
    case processError, processTimeout, processOK

    /// The short name of the check_status column.
    public var name: String {
        switch self {
        case .unknown: return "UNK"
        case .initializing: return "INI"
        case .starting, .layer57Data: return ""
        case .checked: return "CHECKED"
        case .healthAnalyze: return "HANA"
        case .socketError: return "SOCKERR"
        case .layer4OK: return "L4OK"
        case .layer4Timeout: return "L4TOUT"
        case .layer4Connection: return "L4CON"
        case .layer6OK: return "L6OK"
        case .layer6Timeout: return "L6TOUT"
        case .layer6Response: return "L6RSP"
        case .layer7Timeout: return "L7TOUT"
        case .layer7Response: return "L7RSP"
        case .layer7OK: return "L7OK"
        case .layer7OKConditional: return "L7OKC"
        case .layer7Status: return "L7STS"
        case .processError: return "PROCERR"
        case .processTimeout: return "PROCTOUT"
        case .processOK: return "PROCOK"
        }
    }

    /// The check_desc column.
    public var description: String {
        switch self {
        case .unknown: return "Unknown"
        case .initializing: return "Initializing"
        case .starting: return "Starting"
        case .layer57Data: return ""
        case .checked: return "No status change"
        case .healthAnalyze: return "Health analyze"
        case .socketError: return "Socket error"
        case .layer4OK: return "Layer4 check passed"
        case .layer4Timeout: return "Layer4 timeout"
        case .layer4Connection: return "Layer4 connection problem"
        case .layer6OK: return "Layer6 check passed"
        case .layer6Timeout: return "Layer6 timeout"
        case .layer6Response: return "Layer6 invalid response"
        case .layer7Timeout: return "Layer7 timeout"
        case .layer7Response: return "Layer7 invalid response"
        case .layer7OK: return "Layer7 check passed"
        case .layer7OKConditional: return "Layer7 check conditionally passed"
        case .layer7Status: return "Layer7 wrong status"
        case .processError: return "External check error"
        case .processTimeout: return "External check timeout"
        case .processOK: return "External check passed"
        }
    }

    /// CHK_RES_*: 0 unknown, 2 failed, 3 passed, 4 conditionally passed.
    public var result: Int {
        switch self {
        case .unknown, .initializing, .starting, .checked, .layer57Data: return 0
        case .layer4OK, .layer6OK, .layer7OK, .processOK: return 3
        case .layer7OKConditional: return 4
        default: return 2
        }
    }

    /// HAProxy reports a duration once a check completed, and a code only for
    /// statuses carrying layer 5-7 data.
    public var hasDuration: Bool { rawValue >= RuntimeCheckStatus.checked.rawValue }
    public var hasCode: Bool { rawValue >= RuntimeCheckStatus.layer57Data.rawValue }

    /// Looks a status up by its short name ("L4OK").
    public init?(name: String) {
        guard !name.isEmpty, let s = RuntimeCheckStatus.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }
}
