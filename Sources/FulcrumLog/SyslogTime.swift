/// The moment a line is stamped with, injected by the caller (the worker reads
/// the clock once; framing never does): wall-clock seconds since the epoch,
/// the microseconds within that second, and the local zone's offset from UTC
/// (rfc3164 prints local time, the ISO forms print local time and the offset).
public struct SyslogTime: Equatable, Sendable {
    public var seconds: Int64
    public var microseconds: Int32
    public var utcOffsetSeconds: Int32

    public init(seconds: Int64, microseconds: Int32 = 0, utcOffsetSeconds: Int32 = 0) {
        self.seconds = seconds
        self.microseconds = microseconds
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// The local calendar fields of this moment.
    public var civil: CivilTime { CivilTime(localSeconds: seconds + Int64(utcOffsetSeconds)) }
}

/// A date and time of day in the proleptic Gregorian calendar, computed from
/// seconds with integer arithmetic only (no gmtime/localtime: pure, no locks).
public struct CivilTime: Equatable, Sendable {
    public var year: Int
    /// 1...12
    public var month: Int
    /// 1...31
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second
    }

    /// Howard Hinnant's days-to-civil algorithm (era of 400 years).
    public init(localSeconds: Int64) {
        var days = localSeconds / 86400
        var rest = localSeconds % 86400
        if rest < 0 { rest += 86400; days -= 1 }
        hour = Int(rest / 3600)
        minute = Int(rest % 3600 / 60)
        second = Int(rest % 60)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = Int(doy - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
    }
}
