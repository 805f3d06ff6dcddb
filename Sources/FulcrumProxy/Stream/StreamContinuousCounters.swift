import FulcrumConfig
import FulcrumCore

/// `option contstats`: a stream's bytes reach the frontend, listener,
/// backend, server and stick counters while it transfers, not only at its
/// end. HAProxy updates them whenever the stream task wakes (about every
/// 5 s during a long transfer, measured on 2.6.12); Fulcrum does it at most
/// once a second of activity. Whatever was counted early is left out of the
/// counts made at the end, so the totals are the same with or without it.
extension StreamEngine {
    /// How often a transferring stream's counters are brought up to date.
    static let continuousStatsInterval: Int64 = 1000

    /// Called as a stream is scheduled again: cheap unless the option is on.
    @inline(__always)
    func countWhileTransferring(_ s: Stream) {
        guard s.continuousStats, now >= s.nextStatsCount else { return }
        s.nextStatsCount = now + Self.continuousStatsInterval
        countTransferredBytes(s)
    }

    /// Counts what moved since the last count (the end counts the rest).
    func countTransferredBytes(_ s: Stream) {
        if s.isHTTP {
            let rec = s.record
            let bytesIn = UInt64(max(0, rec.requestBytes - rec.countedRequestBytes))
            let bytesOut = UInt64(max(0, rec.responseBytes - rec.countedResponseBytes))
            guard bytesIn > 0 || bytesOut > 0 else { return }
            s.record.countedRequestBytes = rec.requestBytes
            s.record.countedResponseBytes = rec.responseBytes
            bumpBytes(frontend: s.frontend, bind: s.bindLine, bytesIn, bytesOut)
            let be = s.routedBackend
            if be >= 0 {
                bumpBytes(backend: be, bytesIn, bytesOut)
                if rec.server >= 0 && rec.connected != 0 {
                    bumpBytes(server: backends[be].servers[rec.server].tableLine, bytesIn, bytesOut)
                }
            }
            s.stick?.countBytes(in: bytesIn, out: bytesOut)
            return
        }
        let bytesIn = s.bytesIn &- s.countedBytes.in, bytesOut = s.bytesOut &- s.countedBytes.out
        guard bytesIn > 0 || bytesOut > 0 else { return }
        s.countedBytes = (s.bytesIn, s.bytesOut)
        bumpBytes(frontend: s.frontend, bind: s.bindLine, bytesIn, bytesOut)
        if s.backend >= 0 {
            bumpBytes(backend: s.backend, s.bytesIn &- s.backendBytesMark.in, s.bytesOut &- s.backendBytesMark.out)
            s.backendBytesMark = (s.bytesIn, s.bytesOut)
        }
        if s.holdsServerSlot {
            bumpBytes(server: backends[s.backend].servers[s.serverIndex].tableLine,
                      s.bytesIn &- s.serverBytesMark.in, s.bytesOut &- s.serverBytesMark.out)
            s.serverBytesMark = (s.bytesIn, s.bytesOut)
        }
        s.stick?.countBytes(in: bytesIn, out: bytesOut)
    }

    private func bumpBytes(frontend: Int, bind: Int, _ bytesIn: UInt64, _ bytesOut: UInt64) {
        table.frontendCounter(worker: slot, frontend: frontend, .bytesIn).bump(by: bytesIn)
        table.frontendCounter(worker: slot, frontend: frontend, .bytesOut).bump(by: bytesOut)
        table.bindCounter(worker: slot, bind: bind, .bytesIn).bump(by: bytesIn)
        table.bindCounter(worker: slot, bind: bind, .bytesOut).bump(by: bytesOut)
    }

    private func bumpBytes(backend: Int, _ bytesIn: UInt64, _ bytesOut: UInt64) {
        table.backendCounter(worker: slot, backend: backend, .bytesIn).bump(by: bytesIn)
        table.backendCounter(worker: slot, backend: backend, .bytesOut).bump(by: bytesOut)
    }

    private func bumpBytes(server line: Int, _ bytesIn: UInt64, _ bytesOut: UInt64) {
        table.serverCounter(worker: slot, server: line, .bytesIn).bump(by: bytesIn)
        table.serverCounter(worker: slot, server: line, .bytesOut).bump(by: bytesOut)
    }
}
