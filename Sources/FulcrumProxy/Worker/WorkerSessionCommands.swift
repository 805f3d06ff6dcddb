import FulcrumCore
import FulcrumPosix

/// `show sess` and `shutdown session`, which the master sends to the worker
/// holding the streams (every worker for `show sess`); HAProxy's texts.
extension Worker {
    /// The answer (with the CLI's end of answer), or nil when `command` is
    /// not one of them and the runtime service answers it.
    public func answerSessionCommand(_ command: String, level: Int) -> String? {
        if command == ErrorSnapshotFormat.recordsRequest { return engine.errorRecords() + RuntimeCLI.endOfAnswer }
        if command == RuntimeActivityFormat.recordRequest { return activity().encoded + "\n" + RuntimeCLI.endOfAnswer }
        let words = RuntimeCommandLine.words(command)
        guard case .success(let parsed) = RuntimeCommand.parse(words: words, level: RuntimeLevel(rawValue: level) ?? .user, master: false)
        else { return nil }
        switch parsed {
        case .showSessions(let id):
            guard let id, id != "all" else { return (engine.showSessions() ?? "") + RuntimeCLI.endOfAnswer }
            guard let sid = RuntimeSessionID(text: id), let text = engine.showSessions(sid) else {
                return "Session not found.\n" + RuntimeCLI.endOfAnswer
            }
            return text + RuntimeCLI.endOfAnswer
        case .showErrors(let args):
            // `@N show errors`: this worker's own.
            guard let filter = ErrorSnapshotFormat.filter(args, in: configuration) else { return "No such proxy.\n" + RuntimeCLI.endOfAnswer }
            return ErrorSnapshotFormat.text(engine.errorSnapshots, filter: filter, total: table.errorEvents,
                                            nowMicros: Int64(WallClock.nowMicroseconds()), utcOffset: Int(engine.logOutput.utcOffsetSeconds))
                + RuntimeCLI.endOfAnswer
        case .showActivity:
            return RuntimeActivityFormat.activity([activity()], nowMicros: Int64(WallClock.nowMicroseconds())) + RuntimeCLI.endOfAnswer
        case .showPools:
            return RuntimeActivityFormat.pools([activity()]) + RuntimeCLI.endOfAnswer
        case .shutdownSession(let id):
            guard let id else { return "Session pointer expected (use 'show sess').\n" + RuntimeCLI.endOfAnswer }
            guard let sid = RuntimeSessionID(text: id), engine.shutdownSession(sid) else {
                return "No such session (use 'show sess').\n" + RuntimeCLI.endOfAnswer
            }
            return RuntimeCLI.endOfAnswer
        default:
            return nil
        }
    }

    /// This worker's loop and buffer figures (`show activity`, `show pools`).
    func activity() -> WorkerActivity {
        let elapsed = UInt64(max(0, MonotonicClock.nowMicroseconds() - loopStarted.clock))
        let waited = UInt64(max(0, loop.waitedMicroseconds - loopStarted.waited))
        let accepted = (0..<table.frontends).reduce(UInt64(0)) { $0 &+ table.frontendCounter(worker: slot, frontend: $1, .connections).load() }
        return WorkerActivity(loops: loop.turns, eventTurns: loop.eventTurns, busyMicros: elapsed > waited ? elapsed - waited : 0,
                              accepted: accepted, buffersInUse: UInt64(engine.buffers.inUse),
                              buffersFree: UInt64(engine.buffers.freeCount), bufferSize: UInt64(engine.bufferSize))
    }
}
