import Glibc

/// Milliseconds on CLOCK_MONOTONIC. The coarse clock is enough for timeouts and
/// costs no syscall through the vDSO.
public enum MonotonicClock {
    @inline(__always)
    public static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
    /// Precise microseconds, for READY/MONOTONIC_USEC and measurements.
    public static func nowMicroseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }
}

/// Wall clock seconds, for logs and uptime.
public enum WallClock {
    public static func nowSeconds() -> Int64 { Int64(time(nil)) }
    /// Microseconds since the epoch (through the vDSO, no syscall), for log dates.
    public static func nowMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}

extension WallClock {
    /// Local time minus UTC now, in seconds (tm_gmtoff): what log dates add to
    /// the wall clock. Read at start and about once a second, not per line.
    public static func utcOffsetSeconds() -> Int32 {
        var now = time(nil)
        var parts = tm()
        guard localtime_r(&now, &parts) != nil else { return 0 }
        return Int32(truncatingIfNeeded: parts.tm_gmtoff)
    }
}
