import FulcrumLog

/// HAProxy's termination state: why a stream ended (first letter of the
/// log's `termination_state`) and in which phase (second letter). The
/// stream records the log's own letters, so the line needs no mapping.
typealias TerminationCause = LogTerminationCause
typealias TerminationPhase = LogTerminationPhase

/// What one stream (or one HTTP exchange on a keep-alive connection) did, with
/// the timestamps HAProxy's log timers are made of (Tw, Tc, Tr, Ta, Tt):
/// monotonic milliseconds, 0 where the point was not reached. Counters and the
/// log line are written from it once, whatever the mode.
struct StreamRecord {
    var accepted: Int64 = 0
    /// The first bytes of the request arrived (the end of `%Ti`); 0: none yet.
    var requestStarted: Int64 = 0
    /// Wall clock at accept, microseconds (the log's date).
    var acceptedWallMicros: UInt64 = 0
    var requestComplete: Int64 = 0
    var queued: Int64 = 0
    var connectStarted: Int64 = 0
    var connected: Int64 = 0
    var responseHeaders: Int64 = 0
    var ended: Int64 = 0
    @Narrow var status = 0
    /// The status the server sent: what its hrsp_* count, as HAProxy counts
    /// them when the response head arrives (a rule may answer otherwise).
    @Narrow var serverStatus = 0
    /// The server the exchange went to (index in its backend), -1 for none;
    /// kept after the stream leaves the backend, for the log line.
    @Narrow var server = -1
    /// Requests waiting in the backend's queue when this one joined it (`%bq`).
    @Narrow var backendQueue = 0
    /// The stream's bytes in and out when this exchange began: what it
    /// carried is the difference (`%U`, `%B`).
    var bytesInMark: UInt64 = 0
    var bytesOutMark: UInt64 = 0
    /// A keep-alive connection's later exchange (an idle close logs nothing).
    var isFollowUp = false
    /// The line of this exchange went out (a lingering close logs before it closes).
    var logged = false
    /// The exchange's end was counted (`StreamEngine.countEnd`).
    var counted = false
    /// Its request was counted as an open h1 stream (h1_open_streams).
    var streamOpen = false
    /// A `deny` rule refused the request or the response (dreq, dresp).
    var deniedRequest = false
    var deniedResponse = false
    /// The body awaited by `option http-buffer-request` or `wait-for-body`
    /// did not come in time: HAProxy counts a failed request (ereq).
    var bodyTimedOut = false
    /// mode http: the exchange's request and response as HAProxy counts them
    /// for %U and %B (`HTTPMessageSize`: heads in HTX terms, body payload);
    /// 0 for what was never counted (a request refused by the parser).
    var requestBytes = 0
    var responseBytes = 0
    /// The part of those already counted in the stats (`option contstats`).
    var countedRequestBytes = 0
    var countedResponseBytes = 0
    /// `%rt`: the exchange's number in this worker (HAProxy's stream uniq_id, from 0).
    var number = 0
    var cause = TerminationCause.none
    var phase = TerminationPhase.none

    /// Keeps the first cause: what ended a stream is what happened first.
    mutating func terminate(_ cause: TerminationCause, _ phase: TerminationPhase) {
        guard self.cause == .none else { return }
        self.cause = cause
        self.phase = phase
    }

    /// The next exchange on a keep-alive connection starts where this one ended.
    mutating func restart(at now: Int64, wallMicros: UInt64, bytesIn: UInt64 = 0, bytesOut: UInt64 = 0) {
        let followUp = accepted != 0
        self = StreamRecord()
        accepted = now
        acceptedWallMicros = wallMicros
        bytesInMark = bytesIn
        bytesOutMark = bytesOut
        isFollowUp = followUp
    }
}
