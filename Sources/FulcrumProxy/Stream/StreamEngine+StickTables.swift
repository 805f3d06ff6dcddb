import FulcrumCore

/// The stream's stick counters: made with the stream slot the first time
/// the configuration's tables need them, then reused; counted at the end of
/// each exchange (HAProxy ends a stream per HTTP request) and released with
/// the connection.
extension StreamEngine {
    /// The stream's counters, nil when the configuration has no table.
    @inline(__always)
    func stickTracker(_ s: Stream) -> StickTracker? {
        guard let tables = stickTables else { return nil }
        if let t = s.stick { return t }
        let t = StickTracker(tables: tables)
        s.stick = t
        return t
    }

    /// An exchange (mode http) or the stream (mode tcp) ends: its status and
    /// bytes count in every tracked entry, then a request's own counters are
    /// released (conn_cur down).
    func countStick(_ s: Stream, _ t: StickTracker) {
        if s.isHTTP {
            t.countResponse(status: finalStatus(s))
            t.countBytes(in: UInt64(s.record.requestBytes), out: UInt64(s.record.responseBytes))
            t.endExchange()
        } else {
            t.countBytes(in: s.bytesIn, out: s.bytesOut)
        }
    }
}
