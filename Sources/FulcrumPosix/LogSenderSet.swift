/// A process's log senders, one per distinct target, under one token kind:
/// what a role keeps so that its event handler routes a single kind here
/// (`descriptorReady` / `timerDue`) and `show info` reads one total. Two
/// `log` lines naming the same target (`stdout` and `fd@1`, the same
/// address in global and in a proxy) share a sender, hence one socket, one
/// queue and one place in epoll (a descriptor can be registered only once).
public final class LogSenderSet {
    public let loop: EventLoop
    public let kind: UInt8
    public private(set) var senders: [LogSender] = []
    let queueBytes: Int

    /// - kind: the role's token kind for log senders.
    /// - queueBytes: each sender's queue (`LogSender`).
    public init(loop: EventLoop, kind: UInt8, queueBytes: Int = 256 * 1024) {
        self.loop = loop
        self.kind = kind
        self.queueBytes = queueBytes
    }

    /// The index of the sender for `target`, created and started if new.
    /// Configuration time: it may allocate and connect.
    public func sender(for target: LogSender.Target) -> Int {
        sender(for: target, queueBytes: queueBytes)
    }

    /// A sender with its own queue size and TCP timeouts (a ring's server:
    /// its `size`, `timeout connect`, `timeout server`); shared like the others.
    public func sender(for target: LogSender.Target, queueBytes: Int, connectTimeout: Int64? = nil,
                       stallTimeout: Int64? = nil) -> Int {
        if let i = senders.firstIndex(where: { $0.target == target }) { return i }
        let s = LogSender(target: target, loop: loop, kind: kind, index: senders.count, queueBytes: queueBytes)
        s.connectTimeout = connectTimeout
        s.stallTimeout = stallTimeout
        senders.append(s)
        s.start()
        return senders.count - 1
    }

    /// Hands a framed line to sender `index` (from `sender(for:)`).
    @inlinable @discardableResult
    public func send(_ index: Int, _ frame: UnsafeRawBufferPointer) -> LogSender.Outcome {
        senders[index].send(frame)
    }

    public func descriptorReady(_ token: EventToken, _ events: Epoll.Events) {
        guard token.index < senders.count else { return }
        senders[token.index].descriptorReady(token, events)
    }

    public func timerDue(_ token: EventToken, deadline: Int64) {
        guard token.index < senders.count else { return }
        senders[token.index].timerDue(token, deadline: deadline)
    }

    /// Every sender's counters added up (`show info`'s DroppedLogs).
    public var totals: LogSender.Counters {
        var t = LogSender.Counters()
        for s in senders {
            t.sent += s.counters.sent
            t.dropped += s.counters.dropped
            t.errors += s.counters.errors
            t.connections += s.counters.connections
        }
        return t
    }

    /// Closes every sender (lines still queued count as dropped).
    public func close() { senders.forEach { $0.close() } }
}
