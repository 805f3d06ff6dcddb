import FulcrumConfig

/// Server state-change log lines, worded exactly as HAProxy 2.6 logs them
/// (texts checked against haproxy 2.6.12). None carries a trailing newline.
public enum HealthLog {
    /// How HAProxy names the section in "has no server available!".
    public enum ProxyKind: Sendable {
        case backend
        /// A `listen` section: HAProxy says "proxy".
        case listen
    }

    /// HAProxy keeps at most 127 bytes of check info.
    static let infoLimit = 127

    /// A server going UP or DOWN. `result`: the check that caused it (or the
    /// HANA verdict of `observe`); otherwise `reason` (e.g. "changed from CLI").
    /// "Server be_app/s1 is DOWN, reason: Layer4 connection problem, info:
    /// \"Connection refused\", check duration: 0ms. 1 active and 0 backup
    /// servers left. 0 sessions active, 0 requeued, 0 remaining in queue."
    public static func stateChange(backend: String, server: String, backup: Bool = false,
                                   to: HealthState.Operational, result: CheckResult?, reason: String? = nil,
                                   activeLeft: Int, backupLeft: Int, sessionsActive: Int,
                                   requeued: Int, queued: Int) -> String {
        subject(backend, server, backup) + " is " + (to == .up ? "UP" : "DOWN")
            + cause(result: result, reason: reason)
            + counts(down: to == .down, activeLeft: activeLeft, backupLeft: backupLeft,
                     sessionsActive: sessionsActive, requeued: requeued, queued: queued) + "."
    }

    /// A server going NOLB: a conditionally passed check (L7OKC) or
    /// `set server health stopping` ("changed from CLI").
    public static func stopping(backend: String, server: String, backup: Bool = false,
                                result: CheckResult?, reason: String? = nil,
                                activeLeft: Int, backupLeft: Int, requeued: Int, queued: Int) -> String {
        subject(backend, server, backup) + " is stopping" + cause(result: result, reason: reason)
            + counts(down: false, activeLeft: activeLeft, backupLeft: backupLeft,
                     sessionsActive: 0, requeued: requeued, queued: queued) + "."
    }

    /// `option log-health-checks`: one check's outcome when it moves the
    /// health counter (`healthBefore` → `healthAfter`, HAProxy's
    /// set_server_check_status): "Health check for server be/s1 failed,
    /// reason: Layer4 connection problem, info: \"Connection refused\", check
    /// duration: 0ms, status: 0/2 DOWN." nil when the counter did not move.
    public static func checkResult(backend: String, server: String, backup: Bool = false, result: CheckResult,
                                   healthBefore: Int, healthAfter: Int, rise: Int, fall: Int) -> String? {
        let passed = result.status.passed
        guard (passed && healthBefore != rise + fall - 1) || (!passed && healthBefore != 0) else { return nil }
        let up = healthAfter >= rise
        return "Health check for " + (backup ? "backup server " : "server ") + backend + "/" + server
            + (passed ? " succeeded" : " failed") + cause(result: result, reason: nil)
            + ", status: \(up ? healthAfter - rise + 1 : healthAfter)/\(up ? fall : rise) " + (up ? "UP" : "DOWN") + "."
    }

    /// "has no server available!" for backend `backend` of `configuration`,
    /// naming it as HAProxy does ("proxy" when it is a `listen` section).
    public static func noServerAvailable(backend: String, in configuration: Configuration) -> String {
        noServerAvailable(backend: backend,
                          kind: configuration.frontends.contains { $0.name == backend } ? .listen : .backend)
    }

    /// "backend be_app has no server available!" ("proxy X" for a listen section).
    public static func noServerAvailable(backend: String, kind: ProxyKind = .backend) -> String {
        (kind == .backend ? "backend " : "proxy ") + backend + " has no server available!"
    }

    /// `set server state maint` / `disable server`: "is going DOWN for
    /// maintenance" with the counts, or, for a server already DOWN, "was DOWN
    /// and now enters maintenance" without them. `cause` goes in parentheses.
    public static func enterMaintenance(backend: String, server: String, backup: Bool = false,
                                        wasDown: Bool, cause: String? = nil,
                                        activeLeft: Int, backupLeft: Int, sessionsActive: Int,
                                        requeued: Int, queued: Int) -> String {
        let why = cause.map { " (\($0))" } ?? ""
        if wasDown { return subject(backend, server, backup) + " was DOWN and now enters maintenance" + why + "." }
        return subject(backend, server, backup) + " is going DOWN for maintenance" + why
            + counts(down: true, activeLeft: activeLeft, backupLeft: backupLeft,
                     sessionsActive: sessionsActive, requeued: requeued, queued: queued) + "."
    }

    /// "Server be/s1 is UP/READY (leaving forced maintenance)."
    public static func leaveMaintenance(backend: String, server: String, backup: Bool = false,
                                        up: Bool, draining: Bool = false) -> String {
        subject(backend, server, backup) + " is " + (up ? "UP" : "DOWN") + "/" + (draining ? "DRAIN" : "READY")
            + " (leaving forced maintenance)."
    }

    /// "Server be/s1 enters drain state. 2 active and 0 backup servers online.
    /// 0 sessions requeued, 0 total in queue."
    public static func enterDrain(backend: String, server: String, backup: Bool = false, cause: String? = nil,
                                  serverUp: Bool = true, activeLeft: Int, backupLeft: Int,
                                  sessionsActive: Int = 0, requeued: Int, queued: Int) -> String {
        subject(backend, server, backup) + " enters drain state" + (cause.map { " (\($0))" } ?? "")
            + counts(down: !serverUp, activeLeft: activeLeft, backupLeft: backupLeft,
                     sessionsActive: sessionsActive, requeued: requeued, queued: queued) + "."
    }

    /// "Server be/s1 is UP (leaving forced drain)."
    public static func leaveDrain(backend: String, server: String, backup: Bool = false, up: Bool) -> String {
        subject(backend, server, backup) + " is " + (up ? "UP" : "DOWN") + " (leaving forced drain)."
    }

    /// Logged when a draining server changes operational state.
    public static func remainsInDrain(backend: String, server: String, backup: Bool = false) -> String {
        subject(backend, server, backup) + " remains in forced drain mode."
    }

    /// HAProxy's chunk_asciiencode with '"' quoted: non-printable bytes,
    /// '<', '>' and '"' become <XX>.
    public static func encodeInfo(_ info: String) -> String {
        var out = ""
        for byte in info.utf8.prefix(infoLimit) {
            if byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
                || byte == UInt8(ascii: "\"") {
                let hex = Array("0123456789ABCDEF")
                out += "<\(hex[Int(byte >> 4)])\(hex[Int(byte & 0xF)])>"
            } else {
                out.append(Character(Unicode.Scalar(byte)))
            }
        }
        return out
    }

    private static func subject(_ backend: String, _ server: String, _ backup: Bool) -> String {
        (backup ? "Backup Server " : "Server ") + backend + "/" + server
    }

    /// srv_append_status's check part, or ", <reason>".
    private static func cause(result: CheckResult?, reason: String?) -> String {
        guard let result else { return reason.map { ", " + $0 } ?? "" }
        var text = ", reason: " + result.status.reasonText
        if result.status.showsCode { text += ", code: \(result.code ?? 0)" }
        if let info = result.info, !info.isEmpty { text += ", info: \"" + encodeInfo(info) + "\"" }
        if result.durationMs >= 0 { text += ", check duration: \(result.durationMs)ms" }
        return text
    }

    private static func counts(down: Bool, activeLeft: Int, backupLeft: Int, sessionsActive: Int,
                               requeued: Int, queued: Int) -> String {
        let onBackup = backupLeft > 0 && activeLeft == 0 ? " Running on backup." : ""
        if down {
            return ". \(activeLeft) active and \(backupLeft) backup servers left.\(onBackup)"
                + " \(sessionsActive) sessions active, \(requeued) requeued, \(queued) remaining in queue"
        }
        return ". \(activeLeft) active and \(backupLeft) backup servers online.\(onBackup)"
            + " \(requeued) sessions requeued, \(queued) total in queue"
    }
}
