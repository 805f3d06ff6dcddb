import Glibc

/// `ping` running in the lab's client namespace against an address (a VIP),
/// at a short fixed interval, with every reply's receive time recorded
/// (`ping -D`, wall clock). A failover shows as a gap between consecutive
/// replies. Bounded: ping stops by itself after `maxSeconds`.
final class PingMonitor {
    /// The space between two consecutive replies.
    struct Gap: CustomStringConvertible {
        /// Receive time of the reply before the gap and of the one after it.
        let start: Double
        let end: Double
        var length: Double { end - start }
        var description: String { "\(PingMonitor.format(length)) s (\(start) to \(end))" }
    }

    let target: String
    let interval: Double
    let process: VRRPLabProcess

    /// Starts pinging `target` from the client namespace every `interval`
    /// seconds (root may go down to 0.002; 0.01 gives ~10 to 25 ms
    /// resolution here) for at most `maxSeconds`.
    init(lab: VRRPLab, target: String, interval: Double = 0.01, maxSeconds: Int = 30, label: String = "ping") throws {
        try requireTool("ping")
        self.target = target
        self.interval = interval
        let count = Int(Double(maxSeconds) / interval) + 1
        process = try lab.start(in: lab.clientNamespace, label: label, "ping", [
            "-n", "-D", "-i", String(interval), "-w", String(maxSeconds), "-c", String(count), target,
        ])
    }

    /// Wall-clock seconds, the clock `ping -D` stamps replies with.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func format(_ seconds: Double) -> String {
        let hundredths = Int((seconds * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// Receive times of replies so far, in order (duplicates included).
    var replyTimes: [Double] { replies().map(\.time) }

    /// Replies marked "(DUP!)": two hosts answered for the address at once.
    var duplicateCount: Int { replies().filter(\.duplicate).count }

    /// Lines like "[1795249646.276661] 64 bytes from 10.77.0.200: icmp_seq=1
    /// ttl=64 time=0.622 ms".
    private func replies() -> [(time: Double, duplicate: Bool)] {
        process.stdout.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("["), line.contains(" bytes from "),
                  let close = line.firstIndex(of: "]"),
                  let time = Double(line[line.index(after: line.startIndex)..<close]) else { return nil }
            return (time, line.hasSuffix("(DUP!)"))
        }
    }

    /// Waits until `count` replies were received after `moment` (wall
    /// clock; all replies when nil).
    @discardableResult
    func waitForReplies(_ count: Int, after moment: Double? = nil, timeout: Double) -> Bool {
        waitUntil(timeout: timeout, interval: 0.02) {
            replyTimes.filter { $0 > (moment ?? 0) }.count >= count
        }
    }

    /// Receive time of the first reply after `moment`.
    func firstReply(after moment: Double) -> Double? { replyTimes.first { $0 > moment } }

    /// Receive time of the last reply at or before `moment`.
    func lastReply(before moment: Double) -> Double? { replyTimes.last { $0 <= moment } }

    /// The longest gap between consecutive replies that ends after `moment`
    /// (so a gap that began before it counts); nil with fewer than two
    /// replies in that range.
    func longestGap(after moment: Double = 0) -> Gap? {
        let times = replyTimes
        var best: Gap?
        for (previous, next) in zip(times, times.dropFirst()) where next > moment {
            if best == nil || next - previous > best!.length { best = Gap(start: previous, end: next) }
        }
        return best
    }

    /// Stops ping (idempotent).
    func stop() { process.stop(grace: 1) }
}
