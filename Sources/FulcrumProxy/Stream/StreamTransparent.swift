import Glibc
import FulcrumConfig
import FulcrumPosix

/// `option transparent` (a backend without servers): the stream connects to
/// the address its client connected to, the original destination of a
/// connection redirected to this host (TPROXY, a local route, or what a
/// PROXY header carried), as HAProxy's assign_server_address does. The
/// backend's `source` applies; there is no server line: no server counters,
/// `<NOSRV>` in logs, no retry, and the connection is not kept for reuse.
extension StreamEngine {
    /// False when there is no IP destination to go to.
    func connectOriginalDestination(_ s: Stream) -> Bool {
        let be = backends[s.backend]
        let destination = localAddress(s)
        guard !destination.isUnix, destination.length > 0 else { return false }
        if s.record.connectStarted == 0 { s.record.connectStarted = now }
        s.record.server = -1
        s.serverIndex = -1
        s.serverProxyHeaderPending = false
        table.backendCounter(worker: slot, backend: s.backend, .connectAttempts).bump()
        openServerConnection(s, to: destination, source: be.config.source, what: "the original destination \(destination)")
        return true
    }
}
