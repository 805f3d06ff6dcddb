/// The new state of one server after `set server`, `set weight`,
/// `enable/disable server` or `enable/disable health`, computed from its
/// current state as HAProxy 2.6 does. The caller writes it to the shared table.
public struct RuntimeServerChange: Sendable, Equatable {
    public var backend: String
    public var server: String
    public var iid: Int
    public var sid: Int
    public var admin: RuntimeSnapshot.Admin
    public var operational: RuntimeSnapshot.Operational
    public var health: Int
    /// Weight set at run time; `weight` is the effective weight that follows
    /// from it (no slow start in Fulcrum, so the same value).
    public var userWeight: Int
    public var weight: Int
    /// nil when the server has no `check`.
    public var checkEnabled: Bool?
    /// The stats page's "Kill Sessions": the state stays, the server's
    /// streams are killed in every worker.
    public var shutdownSessions = false

    /// rise/fall of the server, for the health values HAProxy assigns.
    let rise: Int
    let fall: Int

    public init(_ sv: RuntimeSnapshot.Server) {
        backend = sv.backendName; server = sv.name; iid = sv.iid; sid = sv.sid
        admin = sv.admin; operational = sv.operational; health = sv.health
        userWeight = sv.userWeight; weight = sv.weight; checkEnabled = sv.check?.enabled
        rise = sv.rise; fall = sv.fall
    }

    var checking: Bool { checkEnabled ?? false }

    /// `set server ... state ready` and `enable server`: leaves maintenance and drain.
    public mutating func setReady() {
        let wasInMaintenance = admin.inMaintenance
        admin.remove([.configMaintenance, .forcedMaintenance, .drain])
        if wasInMaintenance { leaveMaintenance() }
    }

    /// `state drain`: out of the balancer but still checked; also ends maintenance.
    public mutating func setDrain() {
        let wasInMaintenance = admin.inMaintenance
        admin.remove([.configMaintenance, .forcedMaintenance])
        admin.insert(.drain)
        if wasInMaintenance { leaveMaintenance() }
    }

    /// `state maint` and `disable server`: no traffic and no checks; ends a
    /// drain (HAProxy's srv_adm_set_maint clears FDRAIN).
    public mutating func setMaintenance() {
        admin.remove(.drain)
        admin.insert(.forcedMaintenance)
        operational = .down
        // HAProxy zeroes the health counter of any server entering maintenance.
        health = 0
    }

    /// A server leaving maintenance comes back up; a checked one with health
    /// just at `rise`, so that one failed check brings it down again.
    mutating func leaveMaintenance() {
        operational = .up
        if checking { health = rise }
    }

    /// `set server ... health up|stopping|down`. A server in maintenance
    /// keeps its operational state (HAProxy ignores the change) but takes the health.
    public mutating func setHealth(_ h: ServerHealth) {
        let inMaintenance = admin.inMaintenance
        switch h {
        case .up:
            health = rise + fall - 1
            if !inMaintenance { operational = .up }
        case .stopping:
            health = rise + fall - 1
            if !inMaintenance { operational = .stopping }
        case .down:
            health = 0
            operational = .down
        }
    }

    public mutating func setWeight(_ w: Int) { userWeight = w; weight = w }
}

/// HAProxy's server_parse_weight_change_request(): `N` is absolute (0...256),
/// `N%` is relative to the configured weight, and static algorithms accept
/// only 0 and the configured weight.
public enum RuntimeWeight {
    public static func parse(_ text: String, initialWeight: Int, dynamic: Bool) -> Result<Int, RuntimeError> {
        if text.isEmpty { return .failure(.message("Require <weight> or <weight%>.\n")) }
        let (value, rest) = strtol(text)
        guard let value else { return .failure(.message("Empty weight string empty or preceded by garbage")) }
        var w = value
        if rest == "%" {
            if w < 0 { return .failure(.message("Relative weight must be positive.\n")) }
            w = min(w, 25600)
            w = min(initialWeight * w / 100, 256)
        } else if w < 0 || w > 256 {
            return .failure(.message("Absolute weight can only be between 0 and 256 inclusive.\n"))
        } else if !rest.isEmpty {
            return .failure(.message("Trailing garbage in weight string"))
        }
        if w != 0 && w != initialWeight && !dynamic {
            return .failure(.message("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.\n"))
        }
        return .success(w)
    }

    /// C's strtol(s, &end, 10): the value (nil when no digit) and what follows it.
    static func strtol(_ s: String) -> (Int?, Substring) {
        var i = s.startIndex
        while i < s.endIndex, s[i] == " " || s[i] == "\t" || s[i] == "\n" || s[i] == "\r" || s[i] == "\u{0B}" || s[i] == "\u{0C}" {
            i = s.index(after: i)
        }
        var negative = false
        if i < s.endIndex, s[i] == "+" || s[i] == "-" { negative = s[i] == "-"; i = s.index(after: i) }
        var value = 0
        var digits = 0
        while i < s.endIndex, let d = s[i].wholeNumberValue, s[i].isASCII {
            value = min(value &* 10 &+ d, Int(Int32.max) * 1000)
            digits += 1
            i = s.index(after: i)
        }
        if digits == 0 { return (nil, s[...]) }
        return (negative ? -value : value, s[i...])
    }
}
