import FulcrumCore
import FulcrumPosix

/// `tune.listener.multi-queue`: a worker also watches its siblings' sockets
/// and takes what queues there only when the owner is busier or stuck
/// (SiblingAcceptPolicy). Each worker publishes what the policy reads: when
/// its turn started and how many streams it holds.
extension Worker {
    /// Loop hook: this worker is running, not waiting.
    public func turnStarted() {
        guard watchesSiblings else { return }
        table.worker(slot, .turnStarted).store(UInt64(max(1, loop.now)))
    }

    /// At the end of a turn: waiting again, with this many streams.
    func publishTurnEnd() {
        table.worker(slot, .streams).store(UInt64(engine.activeStreams))
        table.worker(slot, .turnStarted).store(0)
    }

    /// A new connection on a sibling's socket (edge-triggered, so once).
    func siblingQueued(listener li: Int) {
        guard let owner = listeners[li].ownerSlot else { return }
        if SiblingAcceptPolicy.takes(ownStreams: engine.activeStreams, ownerStreams: table.worker(owner, .streams).load(),
                                     ownerTurnStarted: table.worker(owner, .turnStarted).load(), now: loop.now) {
            if acceptConnections(listener: li, upTo: acceptBurst) { scheduleSiblingRecheck() }
        } else {
            scheduleSiblingRecheck()
        }
    }

    func scheduleSiblingRecheck() {
        guard siblingRecheckAt == nil else { return }
        let at = loop.now + SiblingAcceptPolicy.recheckDelay
        siblingRecheckAt = at
        loop.schedule(EventToken(kind: TokenKind.listener.rawValue), at: at)
    }

    /// What the owners left queued since the recheck was scheduled.
    func recheckSiblings(deadline: Int64) {
        guard siblingRecheckAt == deadline else { return }
        siblingRecheckAt = nil
        var more = false
        for li in listeners.indices where listeners[li].active {
            guard let owner = listeners[li].ownerSlot else { continue }
            guard SiblingAcceptPolicy.takesOnRecheck(ownStreams: engine.activeStreams, ownerStreams: table.worker(owner, .streams).load(),
                                                     ownerTurnStarted: table.worker(owner, .turnStarted).load(), now: loop.now)
            else { continue }
            if acceptConnections(listener: li, upTo: acceptBurst) { more = true }
        }
        if more { scheduleSiblingRecheck() }
    }
}
