/// What a role does with its events. The loop calls it through a generic
/// parameter (specialised in the role's module), so dispatch costs a direct
/// call: no closure per event, no existential box.
public protocol EventHandler: AnyObject {
    /// A descriptor registered with `token` reported `events`. The role
    /// checks the token's generation against its slot (`EventSlots`).
    func descriptorReady(_ token: EventToken, _ events: Epoll.Events)
    /// A timer set for `token` at `deadline` is due. Timers are never
    /// cancelled (lazy deletion): the role checks whether it still wants
    /// this deadline, so moving a timeout later costs nothing.
    func timerDue(_ token: EventToken, deadline: Int64)
    /// Once per turn, after that turn's events and due timers: the work a
    /// role batches per turn (pending work, queues, state checks). Returns
    /// how long the next wait may last at most, in milliseconds (0: poll and
    /// come straight back; nil: until an event or a timer).
    func turnEnded() -> Int64?
    /// Once per turn, when the wait returned, before its events.
    func turnStarted()
}

extension EventHandler {
    /// Most roles have nothing to do when a turn starts.
    @inline(__always) public func turnStarted() {}
}

/// The one event loop of every process: an epoll instance, a timer heap in
/// monotonic milliseconds, and typed tokens (`EventToken`) for both. A turn
/// waits for the earliest of the next timer, the handler's bound and an
/// event; then dispatches each ready descriptor, each due timer (earliest
/// first) and the turn hook, in that order.
public final class EventLoop {
    @usableFromInline let epoll: Epoll
    @usableFromInline var timers = TimerHeap()
    @usableFromInline var stopRequested = false

    /// Monotonic milliseconds (`MonotonicClock`), read once per turn right
    /// after the wait: every event and timer of a turn sees the same time.
    @inlinable public var now: Int64 { clock }
    /// Wall-clock seconds, read with `now` (stamps for stats and logs).
    @inlinable public var wallSeconds: Int64 { wall }
    @usableFromInline var clock: Int64
    @usableFromInline var wall: Int64
    /// Microseconds spent waiting for events since the loop began: with the
    /// time elapsed, the share of idle time (`show info`'s Idle_pct).
    public var waitedMicroseconds: Int64 { waited }
    @usableFromInline var waited: Int64 = 0
    /// Turns run, and of those the ones whose wait returned events (`show
    /// activity`'s loops and poll_io; the rest woke for a timer or a bound).
    public var turns: UInt64 { turnCount }
    public var eventTurns: UInt64 { eventTurnCount }
    @usableFromInline var turnCount: UInt64 = 0
    @usableFromInline var eventTurnCount: UInt64 = 0

    /// - capacity: events taken from the kernel per wait.
    public init(capacity: Int = 256) throws(Errno) {
        epoll = try Epoll(capacity: capacity)
        clock = MonotonicClock.nowMilliseconds()
        wall = WallClock.nowSeconds()
    }

    /// Reads the clocks again, for work done before the first turn or after
    /// a long stretch of work within one.
    public func refreshClock() {
        clock = MonotonicClock.nowMilliseconds()
        wall = WallClock.nowSeconds()
    }

    // MARK: descriptors

    public func register(_ fd: FileDescriptor, _ events: Epoll.Events, _ token: EventToken) throws(Errno) {
        try epoll.add(fd, events: events, token: token.rawValue)
    }

    public func modify(_ fd: FileDescriptor, _ events: Epoll.Events, _ token: EventToken) throws(Errno) {
        try epoll.modify(fd, events: events, token: token.rawValue)
    }

    /// Stops watching `fd`. Closing a descriptor does this too, unless a
    /// duplicate of it stays open. Events already taken from the kernel for
    /// it this turn are still dispatched: the token's generation tells.
    public func remove(_ fd: FileDescriptor) {
        epoll.remove(fd)
    }

    // MARK: timers

    /// Calls `timerDue(token, deadline)` once `now` reaches `deadline`.
    @inlinable
    public func schedule(_ token: EventToken, at deadline: Int64) {
        timers.push(deadline, token.rawValue)
    }

    /// The earliest timer pending (possibly one its owner no longer wants).
    public var nextDeadline: Int64? { timers.nextDeadline }
    /// Timers pending, stale ones included.
    public var pendingTimers: Int { timers.count }

    /// Gives back the heap's storage after a burst of timers went away.
    public func compactTimers() { timers.compact() }

    // MARK: turns

    /// Ends `run` after the current batch of events: the due timers and the
    /// turn hook of this turn are not run.
    public func stop() { stopRequested = true }

    /// Runs turns until `stop()`. Each wait is bounded by what the previous
    /// turn hook returned; the first turn only polls, so the hook has its
    /// say before anything waits.
    @inlinable
    public func run<Handler: EventHandler>(_ handler: Handler) {
        stopRequested = false
        var bound: Int64? = 0
        while !stopRequested { bound = runOnce(handler, maxWait: bound) }
    }

    /// One turn: wait at most `maxWait` ms (nil: no bound besides the next
    /// timer), dispatch the events, then the due timers, then the turn hook,
    /// whose answer is returned (nil when `stop()` cut the turn short).
    @inlinable
    @discardableResult
    public func runOnce<Handler: EventHandler>(_ handler: Handler, maxWait: Int64?) -> Int64? {
        let timeout = waitTimeout(maxWait)
        let before = MonotonicClock.nowMicroseconds()
        epoll.wait(timeout: timeout)
        waited &+= MonotonicClock.nowMicroseconds() - before
        turnCount &+= 1
        if epoll.count > 0 { eventTurnCount &+= 1 }
        refreshClock()
        handler.turnStarted()
        for i in 0..<epoll.count {
            handler.descriptorReady(EventToken(rawValue: epoll.token(at: i)), epoll.events(at: i))
        }
        if stopRequested { return nil }
        while let due = timers.popDue(now: clock) {
            handler.timerDue(EventToken(rawValue: due.token), deadline: due.deadline)
        }
        return handler.turnEnded()
    }

    /// The epoll timeout: until the next timer (one millisecond past it, so
    /// the coarse clock reads it as due), capped by `maxWait`.
    @usableFromInline
    func waitTimeout(_ maxWait: Int64?) -> Int32 {
        var timeout: Int64 = -1
        if let next = timers.nextDeadline {
            timeout = max(0, next - MonotonicClock.nowMilliseconds() + 1)
        }
        if let maxWait { timeout = timeout < 0 ? max(0, maxWait) : min(timeout, max(0, maxWait)) }
        return Int32(clamping: timeout)
    }
}
