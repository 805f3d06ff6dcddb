/// The RFC timers in microseconds, computed with keepalived's integer arithmetic so that two
/// implementations agree on who times out first.
///
/// - v2 (RFC 3768): Skew_Time = (256 - Priority) / 256 s, whatever the interval.
/// - v3 (RFC 5798): Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256, the interval
///   being the one learned from the master's adverts.
/// - Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time (keepalived's
///   down_timer_adverts, default 3, replaces the 3).
public enum VRRPTiming {
    public static let microsecondsPerCentisecond: Int64 = 10_000
    public static let microsecondsPerSecond: Int64 = 1_000_000

    /// Skew_Time for `priorityValue` (256 - Priority; keepalived also uses 1 for its start-up wait).
    @inlinable
    public static func skew(version: VRRPVersion, priorityValue: Int64, masterAdvertIntervalCentiseconds: UInt16) -> Int64 {
        switch version {
        case .v2:
            return priorityValue * microsecondsPerSecond / 256
        case .v3:
            // keepalived: (pri * (interval / 10000) * 625) / 16, i.e. pri * interval_µs / 256.
            return priorityValue * Int64(masterAdvertIntervalCentiseconds) * 625 / 16
        }
    }

    @inlinable
    public static func skewTime(version: VRRPVersion, priority: UInt8, masterAdvertIntervalCentiseconds: UInt16) -> Int64 {
        skew(version: version, priorityValue: 256 - Int64(priority),
             masterAdvertIntervalCentiseconds: masterAdvertIntervalCentiseconds)
    }

    @inlinable
    public static func masterDownInterval(version: VRRPVersion, priority: UInt8, masterAdvertIntervalCentiseconds: UInt16,
                                          downTimerAdverts: Int = 3) -> Int64 {
        Int64(downTimerAdverts) * Int64(masterAdvertIntervalCentiseconds) * microsecondsPerCentisecond
            + skewTime(version: version, priority: priority, masterAdvertIntervalCentiseconds: masterAdvertIntervalCentiseconds)
    }
}
