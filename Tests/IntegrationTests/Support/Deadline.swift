import Glibc

/// A point on the monotonic clock. Every wait in the harness is expressed as a
/// deadline so that no loop can run unbounded, whatever the system clock does.
struct Deadline {
    private let endNanoseconds: UInt64

    init(seconds: Double) {
        let span = seconds > 0 ? UInt64(seconds * 1_000_000_000) : 0
        endNanoseconds = Deadline.nowNanoseconds() + span
    }

    static func nowNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    var hasExpired: Bool { Deadline.nowNanoseconds() >= endNanoseconds }

    /// Remaining time in milliseconds, clamped to `0...cap`, for poll(2).
    func remainingMilliseconds(cap: Int32 = Int32.max) -> Int32 {
        let now = Deadline.nowNanoseconds()
        guard now < endNanoseconds else { return 0 }
        let ms = (endNanoseconds - now + 999_999) / 1_000_000
        return Int32(min(UInt64(cap), ms))
    }
}

/// Polls `condition` every `interval` seconds until it holds or `timeout`
/// passes. Returns whether it held. The condition is evaluated at least once.
@discardableResult
func waitUntil(timeout: Double, interval: Double = 0.02, _ condition: () -> Bool) -> Bool {
    let deadline = Deadline(seconds: timeout)
    while true {
        if condition() { return true }
        if deadline.hasExpired { return false }
        sleepSeconds(min(interval, Double(deadline.remainingMilliseconds()) / 1000))
    }
}

/// nanosleep that resumes after signals, for short pauses in polling loops.
func sleepSeconds(_ seconds: Double) {
    guard seconds > 0 else { return }
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && errno == EINTR {
        request = remaining
    }
}
