import FulcrumCore
import FulcrumPosix

/// `show sess` and `shutdown session`, which the master sends to the worker
/// holding the streams (every worker for `show sess`); HAProxy's texts.
extension Worker {
    /// The answer (with the CLI's end of answer), or nil when `command` is
    /// not one of them and the runtime service answers it.
    public func answerSessionCommand(_ command: String, level: Int) -> String? {
        if command == ErrorSnapshotFormat.recordsRequest { return engine.errorRecords() + RuntimeCLI.endOfAnswer }
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
}
