import Foundation
import Glibc

/// What a failover measurement does to the MASTER.
enum VRRPLabFailoverAction: CustomStringConvertible {
    /// Sets the node's bridge port down (the node loses carrier).
    case cutLink(node: Int)
    /// Sends a signal to a process (SIGTERM: graceful stop with priority 0;
    /// SIGKILL: a crash), e.g. keepalived's VRRP child or Fulcrum's.
    case signal(pid: pid_t, Int32)
    /// Anything else, named for messages.
    case custom(String, () throws -> Void)

    var description: String {
        switch self {
        case let .cutLink(node): return "cut link of node \(node)"
        case let .signal(pid, signal): return "signal \(signal) to pid \(pid)"
        case let .custom(name, _): return name
        }
    }
}

/// The client's view of one failover.
struct VRRPLabFailover: CustomStringConvertible {
    /// Wall-clock time the action was taken.
    let actionTime: Double
    /// Longest gap between consecutive replies around and after the action
    /// (from the last reply before the action to the first after the
    /// outage); nil when no reply came after the action.
    let gap: PingMonitor.Gap?
    /// First reply after the action, and the time from the action to it.
    let firstReplyAfterAction: Double?
    let duplicates: Int

    /// The outage in seconds: the longest gap in replies around the action.
    /// Infinity when replies never resumed.
    var outage: Double { gap?.length ?? .infinity }

    var description: String {
        "outage \(gap.map { "\($0)" } ?? "unbounded (no reply after the action)"), action at \(actionTime), "
            + "\(duplicates) duplicate replies"
    }
}

extension VRRPLab {
    /// Pings `vip` from the client, waits for steady replies, takes `action`
    /// (on the MASTER), waits until replies have run without a gap over
    /// `quiet` seconds for `settle` seconds (or `timeout` passes), and
    /// returns the outage the client saw. Throws when replies never started.
    func measureFailover(vip: String, action: VRRPLabFailoverAction, interval: Double = 0.01,
                         settle: Double = 1, quiet: Double = 0.2, timeout: Double = 15) throws -> VRRPLabFailover {
        let ping = try PingMonitor(lab: self, target: vip, interval: interval,
                                   maxSeconds: Int(timeout + settle + 10), label: "ping-\(VRRPLab.nextLabel())")
        defer { ping.stop() }
        guard ping.waitForReplies(20, timeout: 5) else {
            throw HarnessError.timeout("client replies from \(vip) before the failover; ping: \(ping.process.stdout)"
                                       + ping.process.stderr)
        }
        let actionTime = PingMonitor.now()
        switch action {
        case let .cutLink(node): try cutLink(node: node)
        case let .signal(pid, signal):
            guard kill(pid, signal) == 0 else { throw HarnessError.posix("kill(\(pid), \(signal))") }
        case let .custom(_, body): try body()
        }
        // Steady again: the latest reply is recent and the last `settle`
        // seconds of replies have no gap over `quiet`.
        let deadline = Deadline(seconds: timeout)
        while !deadline.hasExpired {
            sleepSeconds(0.05)
            let now = PingMonitor.now()
            guard now - actionTime > settle else { continue }
            let recent = ping.replyTimes.filter { $0 > actionTime && $0 >= now - settle }
            guard let first = recent.first, let last = recent.last, first <= now - settle + quiet,
                  now - last < quiet else { continue }
            if zip(recent, recent.dropFirst()).allSatisfy({ $1 - $0 <= quiet }) { break }
        }
        ping.stop()
        let gap = ping.firstReply(after: actionTime) == nil ? nil : ping.longestGap(after: actionTime)
        return VRRPLabFailover(actionTime: actionTime, gap: gap,
                               firstReplyAfterAction: ping.firstReply(after: actionTime),
                               duplicates: ping.duplicateCount)
    }

    private static let labelLock = NSLock()
    nonisolated(unsafe) private static var labelCounter = 0

    /// A fresh number for process labels (file names) within the process.
    static func nextLabel() -> Int {
        labelLock.withLock {
            labelCounter += 1
            return labelCounter
        }
    }
}
