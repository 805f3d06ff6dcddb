/// `tune.listener.multi-queue`: whether a worker takes a connection queued on
/// a sibling's SO_REUSEPORT socket. HAProxy's threads hand each connection
/// to the least loaded thread; Fulcrum's workers are processes, so each
/// decides from what its sibling publishes in the shared table (its streams
/// at the end of its last turn, when its current turn started). Taking only
/// from a busier or stuck sibling keeps long-lived connections spread as the
/// kernel's hash spread them, instead of going to whichever idle worker
/// wakes first.
public enum SiblingAcceptPolicy {
    /// A sibling this long into one turn (coarse ms clock: at least 1 ms)
    /// is busy; what queues behind it would wait for the rest of the turn.
    public static let busyTurn: Int64 = 2
    /// A declined queue is looked at again this much later (ms): what its
    /// owner has not taken by then, it is too busy or stopped to take.
    public static let recheckDelay: Int64 = 2

    /// On the wakeup a new connection on the sibling's socket gives.
    @inline(__always)
    public static func takes(ownStreams: Int, ownerStreams: UInt64, ownerTurnStarted: UInt64, now: Int64) -> Bool {
        if ownerTurnStarted != 0 && now - Int64(ownerTurnStarted) >= busyTurn { return true }
        return UInt64(ownStreams) < ownerStreams
    }

    /// At the recheck `recheckDelay` after declining: an owner still waiting
    /// for events did not wake for its own queue (stopped, or not scheduled).
    @inline(__always)
    public static func takesOnRecheck(ownStreams: Int, ownerStreams: UInt64, ownerTurnStarted: UInt64, now: Int64) -> Bool {
        ownerTurnStarted == 0 || takes(ownStreams: ownStreams, ownerStreams: ownerStreams, ownerTurnStarted: ownerTurnStarted, now: now)
    }
}
