import XCTest
import Glibc
@testable import FulcrumPosix

/// The one event loop: tokens, timers with lazy deletion, stale generations,
/// and real descriptors becoming ready.
final class EventLoopTests: XCTestCase {
    /// Records what the loop dispatched, in order; optionally runs a reaction.
    final class Recorder: EventHandler {
        enum Call: Equatable {
            case ready(EventToken, readable: Bool, writable: Bool)
            case timer(EventToken, deadline: Int64)
            case turn
        }
        var calls: [Call] = []
        var onReady: ((EventToken) -> Void)?
        var onTimer: ((EventToken, Int64) -> Void)?
        var bound: Int64?

        func descriptorReady(_ token: EventToken, _ events: Epoll.Events) {
            calls.append(.ready(token, readable: events.contains(.readable), writable: events.contains(.writable)))
            onReady?(token)
        }
        func timerDue(_ token: EventToken, deadline: Int64) {
            calls.append(.timer(token, deadline: deadline))
            onTimer?(token, deadline)
        }
        func turnEnded() -> Int64? { calls.append(.turn); return bound }

        var timers: [EventToken] { calls.compactMap { if case .timer(let t, _) = $0 { return t }; return nil } }
    }

    func testTokenPacksKindIndexAndGenerationIntoEpollData() {
        let t = EventToken(kind: 5, index: 0xAB_CDEF, generation: 0xDEAD_BEEF)
        XCTAssertEqual(t.kind, 5)
        XCTAssertEqual(t.index, 0xAB_CDEF)
        XCTAssertEqual(t.generation, 0xDEAD_BEEF)
        XCTAssertEqual(EventToken(rawValue: t.rawValue), t)
        XCTAssertEqual(EventToken(kind: 255, index: EventToken.indexLimit - 1, generation: .max).index, EventToken.indexLimit - 1)
        XCTAssertNotEqual(EventToken(kind: 1, index: 2, generation: 3), EventToken(kind: 1, index: 2, generation: 4))
    }

    func testTimerHeapPopsInDeadlineOrderOnlyWhenDue() {
        var h = TimerHeap()
        for (d, t) in [(50, 5), (10, 1), (30, 3), (20, 2), (40, 4), (10, 6)] { h.push(Int64(d), UInt64(t)) }
        XCTAssertEqual(h.nextDeadline, 10)
        XCTAssertNil(h.popDue(now: 9))
        var order: [UInt64] = []
        while let e = h.popDue(now: 35) { order.append(e.token) }
        XCTAssertEqual(Set(order.prefix(2)), [1, 6])
        XCTAssertEqual(Array(order.suffix(2)), [2, 3])
        XCTAssertEqual(h.count, 2)
        XCTAssertEqual(h.nextDeadline, 40)
    }

    func testDueTimersFireEarliestFirstThenTheTurnHook() throws {
        let loop = try EventLoop(capacity: 4)
        let h = Recorder()
        let base = loop.now
        // Scheduled out of order; the last one is not due for a long time.
        for (offset, kind) in [(3, 3), (-5, 1), (0, 2), (60_000, 9)] {
            loop.schedule(EventToken(kind: UInt8(kind)), at: base + Int64(offset))
        }
        // Wait until the third is due (a timer, not a sleep, ends each wait).
        while h.timers.count < 3 { loop.runOnce(h, maxWait: nil) }
        XCTAssertEqual(h.timers.map(\.kind), [1, 2, 3])
        XCTAssertEqual(h.calls.last, .turn, "the hook closes the turn")
        XCTAssertEqual(loop.pendingTimers, 1)
        XCTAssertEqual(loop.nextDeadline, base + 60_000)
        XCTAssertGreaterThanOrEqual(loop.now, base + 3)
    }

    func testLazyTimerKeepsOneLiveEntryAndIgnoresTheOthers() throws {
        let loop = try EventLoop(capacity: 4)
        let token = EventToken(kind: 1, index: 7)
        var timer = LazyTimer()
        let base = loop.now
        // An inactivity timeout refreshed later and later: one heap entry.
        timer.arm(base + 5, token, in: loop)
        timer.arm(base + 50, token, in: loop)
        timer.arm(base + 500, token, in: loop)
        XCTAssertEqual(loop.pendingTimers, 1)
        XCTAssertEqual(timer.deadline, base + 5)
        // Moved earlier: a second entry, which is now the one that counts.
        timer.arm(base + 2, token, in: loop)
        XCTAssertEqual(loop.pendingTimers, 2)

        var wanted = base + 20 // what the owner really wants by now
        var acted: [Int64] = []
        let h = Recorder()
        h.onTimer = { t, due in
            XCTAssertEqual(t, token)
            guard timer.fire(due) else { return } // stale entry: ignored
            if wanted > loop.now { timer.arm(wanted, t, in: loop); return }
            acted.append(due)
            wanted = 0
        }
        while acted.isEmpty { loop.runOnce(h, maxWait: nil) }
        XCTAssertEqual(acted.count, 1)
        XCTAssertGreaterThanOrEqual(acted[0], base + 20, "acted at the deadline it wanted, not at an earlier entry")
        // The entry at base+5 fired and was ignored; nothing acts twice.
        XCTAssertEqual(h.timers.count, 3, "entries at +2 (re-armed), +5 (stale), +20 (acted)")
        XCTAssertFalse(timer.fire(base + 500))
        XCTAssertEqual(timer.deadline, 0)
    }

    func testPipeBecomesReadableWithItsToken() throws {
        let loop = try EventLoop(capacity: 4)
        let pipe = try Pipe.make()
        defer { pipe.close() }
        let token = EventToken(kind: 3, index: 42, generation: 9)
        try loop.register(pipe.readEnd, [.readable, .readHangup, .edgeTriggered], token)
        let h = Recorder()
        loop.runOnce(h, maxWait: 0)
        XCTAssertEqual(h.calls, [.turn], "nothing to read yet")
        var byte: UInt8 = 1
        XCTAssertEqual(try pipe.writeEnd.write(&byte, count: 1), 1)
        h.calls.removeAll()
        loop.runOnce(h, maxWait: 5000)
        XCTAssertEqual(h.calls, [.ready(token, readable: true, writable: false), .turn])
        // Edge-triggered: not reported again until new data arrives.
        h.calls.removeAll()
        loop.runOnce(h, maxWait: 0)
        XCTAssertEqual(h.calls, [.turn])
        // Modified to watch for writability on the other end's token.
        let writeToken = EventToken(kind: 4, index: 1)
        try loop.register(pipe.writeEnd, .writable, writeToken)
        try loop.modify(pipe.readEnd, .readable, token)
        loop.runOnce(h, maxWait: 5000)
        XCTAssertEqual(Set(h.calls.compactMap { if case .ready(let t, _, _) = $0 { return t }; return nil }), [token, writeToken])
        loop.remove(pipe.readEnd)
        loop.remove(pipe.writeEnd)
        h.calls.removeAll()
        loop.runOnce(h, maxWait: 0)
        XCTAssertEqual(h.calls, [.turn])
    }

    /// Two connections ready in one batch; handling the first closes the
    /// second and gives its slot to a new connection. The batch still holds
    /// the old connection's event: its generation says it is stale.
    func testEventForAReusedSlotIsRecognisedAsStale() throws {
        let loop = try EventLoop(capacity: 8)
        var slots = EventSlots()
        var pairs: [(FileDescriptor, FileDescriptor)] = []
        var minted: [EventToken] = []
        defer { for p in pairs { p.0.close(); p.1.close() } }
        for _ in 0..<2 {
            let p = try UnixSocket.seqpacketPair()
            pairs.append(p)
            let i = slots.acquire()
            minted.append(slots.token(kind: 1, index: i))
            try loop.register(p.0, .readable, minted[i])
            XCTAssertTrue(UnixSocket.sendMessage(p.1, [1]))
        }
        XCTAssertNotEqual(minted[0].generation, minted[1].generation)

        var served: [EventToken] = []
        var dropped: [EventToken] = []
        let h = Recorder()
        h.onReady = { token in
            guard slots.isCurrent(token) else { dropped.append(token); return }
            served.append(token)
            if served.count == 1 {
                // Close the other connection and reuse its slot at once.
                let other = 1 - token.index
                pairs[other].0.close()
                slots.release(other)
                XCTAssertEqual(slots.acquire(), other)
                pairs[other] = try! UnixSocket.seqpacketPair()
                try! loop.register(pairs[other].0, .readable, slots.token(kind: 1, index: other))
            }
        }
        loop.runOnce(h, maxWait: 5000)
        XCTAssertEqual(served.count, 1)
        let other = 1 - served[0].index
        XCTAssertEqual(dropped, [minted[other]], "the closed connection's event, still in the batch")
        let renewed = slots.token(kind: 1, index: other)
        XCTAssertNotEqual(renewed, minted[other])
        // The new occupant's own events get through.
        XCTAssertTrue(UnixSocket.sendMessage(pairs[other].1, [2]))
        loop.runOnce(h, maxWait: 5000)
        XCTAssertEqual(served.last, renewed)
        // invalidate keeps the slot but retires its tokens; release leaves
        // nothing a token can match.
        let before = slots.token(kind: 1, index: 0)
        slots.invalidate(0)
        XCTAssertFalse(slots.isCurrent(before))
        XCTAssertTrue(slots.isCurrent(slots.token(kind: 1, index: 0)))
        XCTAssertFalse(slots.isCurrent(EventToken(kind: 1, index: 99)), "never handed out")
        slots.release(1)
        XCTAssertFalse(slots.isCurrent(renewed))
        XCTAssertFalse(slots.isCurrent(EventToken(kind: 1, index: 1)), "generation 0 matches no slot")
    }

    func testStopEndsRunAfterTheEventsOfThatTurn() throws {
        let loop = try EventLoop(capacity: 4)
        let pipe = try Pipe.make()
        defer { pipe.close() }
        try loop.register(pipe.readEnd, .readable, EventToken(kind: 1))
        loop.schedule(EventToken(kind: 2), at: loop.now - 1)
        var byte: UInt8 = 0
        _ = try pipe.writeEnd.write(&byte, count: 1)
        let h = Recorder()
        h.onReady = { _ in loop.stop() }
        loop.run(h)
        XCTAssertEqual(h.calls, [.ready(EventToken(kind: 1), readable: true, writable: false)],
                       "no timer and no turn hook after stop()")
        XCTAssertEqual(loop.pendingTimers, 1)
    }

    /// With nothing registered and no timer, only the hook's bound ends a
    /// wait: `run` feeds each answer into the next wait.
    func testTurnHookBoundsTheNextWait() throws {
        final class Counting: EventHandler {
            let loop: EventLoop
            var turns = 0
            init(_ loop: EventLoop) { self.loop = loop }
            func descriptorReady(_ token: EventToken, _ events: Epoll.Events) {}
            func timerDue(_ token: EventToken, deadline: Int64) {}
            func turnEnded() -> Int64? {
                turns += 1
                if turns == 3 { loop.stop() }
                return 1
            }
        }
        let loop = try EventLoop(capacity: 4)
        let counting = Counting(loop)
        loop.run(counting)
        XCTAssertEqual(counting.turns, 3)
    }
}
