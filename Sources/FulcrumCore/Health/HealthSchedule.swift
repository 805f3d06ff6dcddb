/// When checks run, beyond the per-state interval of
/// `HealthState.nextInterval`: HAProxy's start-up spreading, `spread-checks`
/// jitter, and the `on-error` advance.
public enum HealthSchedule {
    /// Intervals below this do not set the start-up spreading period
    /// (SRV_CHK_INTER_THRES).
    public static let spreadThresholdMs = 1000

    /// First-check delays for all checks of the process, in order (HAProxy's
    /// start_checks): check i starts at mininter * i / count, mininter being
    /// the smallest interval of at least 1 s (0 when there is none), so
    /// checks do not all hit at once.
    public static func initialDelays(_ intervals: [Int]) -> [Int] {
        let minInter = intervals.filter { $0 >= spreadThresholdMs }.min() ?? 0
        let count = intervals.count
        return intervals.indices.map { minInter * $0 / count }
    }

    /// `spread-checks <percent>`: the interval randomly moved by up to
    /// ±percent. `random01` is a uniform draw in 0...1.
    public static func spread(_ interval: Int, percent: Int, random01: Double) -> Int {
        guard percent > 0 else { return interval }
        var jitter = interval * percent / 100
        jitter -= Int(2 * Double(jitter) * random01)
        return interval + jitter
    }

    /// After `error-limit` observed errors, HAProxy 2.6 brings the next check
    /// forward to now + fastinter if that is sooner (any `on-error` action;
    /// nothing when fastinter is unset).
    public static func advanced(deadline: Int64, now: Int64, fastinter: Int?) -> Int64 {
        guard let fastinter else { return deadline }
        return min(deadline, now + Int64(fastinter))
    }
}
