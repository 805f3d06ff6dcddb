import FulcrumLog

extension StreamEngine {
    /// Kills the streams that hold server table line `line` (HAProxy's
    /// srv_shutdown_streams): `on-marked-down shutdown-sessions` (cause D),
    /// `on-marked-up shutdown-backup-sessions` (U) and the runtime API's
    /// `shutdown sessions server` (K). Queued streams are not on the server
    /// yet and stay queued. Rare, so collecting the victims may allocate.
    func shutdownSessions(serverLine line: Int, cause: TerminationCause) {
        var victims: [Stream] = []
        streams.forEachLive { s in
            guard s.backend >= 0, s.serverIndex >= 0, s.phase != .queued,
                  backends[s.backend].servers[s.serverIndex].tableLine == line else { return }
            victims.append(s)
        }
        for s in victims {
            s.record.terminate(cause, phaseLetter(s))
            close(s, abort: false)
        }
    }
}
