/// What a request for the statistics page asks, read from the URI after the
/// `stats uri` prefix as HAProxy 2.6's http_handle_stats() reads it: each
/// `;flag` anywhere in that tail, `;st=CODE` the status of the last admin
/// action, `scope=TEXT` the search box.
public struct StatsPageRequest: Equatable, Sendable {
    public enum Format: Equatable, Sendable { case html, csv, json }
    public var format = Format.html
    /// `;up`: hide servers that are DOWN or in maintenance.
    public var hideDown = false
    /// `;no-maint`: hide servers in maintenance.
    public var hideMaintenance = false
    /// `;norefresh`: no refresh header (only meaningful with `stats refresh`).
    public var noRefresh = false
    /// `;st=CODE`: the message of an admin action's result; nil without one.
    public var status: StatsPageStatus?
    /// `scope=TEXT`: only proxies whose name contains it (case-insensitive).
    public var scope: String?

    public init() {}

    /// - Parameter tail: the request URI after the `stats uri` prefix.
    public init(tail: Substring) {
        func has(_ flag: String) -> Bool { tail.firstRange(of: flag) != nil }
        hideDown = has(";up")
        hideMaintenance = has(";no-maint")
        noRefresh = has(";norefresh")
        if has(";csv") { format = .csv }
        if has(";json") && !has(";json-schema") { format = .json }
        if let r = tail.firstRange(of: ";st=") {
            let code = tail[r.upperBound...].prefix(4)
            status = StatsPageStatus(rawValue: String(code)) ?? .unknown
        }
        if let r = tail.firstRange(of: "scope=") {
            let text = tail[r.upperBound...].prefix { $0 != ";" && $0 != "&" && $0 != " " }.prefix(20)
            // HAProxy drops a scope holding characters outside its name set.
            let valid = text.unicodeScalars.allSatisfy {
                $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.:".unicodeScalars.contains($0))
            }
            scope = valid && !text.isEmpty ? String(text) : nil
        }
    }

    /// The visibility of servers these flags ask for.
    public var visibility: StatServerVisibility {
        hideDown ? .upOnly : hideMaintenance ? .noMaintenance : .all
    }
}

/// The result of an admin action, carried in `;st=CODE` after the redirect,
/// with the message and class HAProxy 2.6's page shows for it.
public enum StatsPageStatus: String, Equatable, Sendable {
    case unknown = "UNKN", ok = "OK", denied = "DENY", done = "DONE", invalidParameters = "ERRP"
    case exceeded = "EXCD", none = "NONE", partial = "PART", updated = "UPDT", invalidRequest = "IVAL"

    /// The class of the message box (a server state colour).
    var cssClass: String {
        switch self {
        case .done: return "active_up"
        case .none, .partial: return "active_going_down"
        case .denied, .invalidParameters, .exceeded, .invalidRequest: return "active_down"
        case .unknown, .ok, .updated: return "active_no_check"
        }
    }

    /// The message as HAProxy words it (HTML).
    var message: String {
        switch self {
        case .denied: return "<b>Action denied.</b>"
        case .done: return "Action processed successfully."
        case .invalidParameters:
            return "Action not processed because of invalid parameters.<ul><li>The action is maybe unknown.</li>"
                + "<li>Invalid key parameter (empty or too long).</li>"
                + "<li>The backend name is probably unknown or ambiguous (duplicated names).</li>"
                + "<li>Some server names are probably unknown or ambiguous (duplicated names in the backend).</li></ul>"
        case .exceeded: return "<b>Action not processed : the buffer couldn't store all the data.<br>You should retry with less servers at a time.</b>"
        case .none: return "Nothing has changed."
        case .partial: return "Action partially processed.<br>Some server names are probably unknown or ambiguous (duplicated names in the backend)."
        case .invalidRequest: return "<b>Invalid requests (unsupported method or chunked encoded request).</b>"
        case .unknown, .ok, .updated: return "Unexpected result."
        }
    }
}
