import FulcrumConfig
import FulcrumCore
import FulcrumPosix

/// `show errors`: the last invalid request of each frontend and the last
/// invalid response of each backend this worker saw (HAProxy's
/// proxy_capture_error on its 400 and 502 paths), with the bytes it had
/// received. The master gathers every worker's (`records`).
extension StreamEngine {
    /// Keeps what the parser refused; `errorAt` is where it stopped.
    func captureError(_ s: Stream, response: Bool, bytes: UnsafeRawBufferPointer, errorAt: Int) {
        let size = configuration.global.bufferSize
        let fe = configuration.frontends[s.frontend]
        let be = s.backend >= 0 ? s.backend : s.routedBackend
        let backend = be >= 0 ? configuration.backends[be] : nil
        var server: (name: String, id: Int)? = nil
        if response, let backend, s.record.server >= 0, s.record.server < backends[be].servers.count {
            let i = s.record.server
            // An added server's id is in its table line.
            server = i < backend.servers.count ? (backend.servers[i].name, backend.servers[i].id)
                : (backends[be].servers[i].name, Int(table.server(backends[be].servers[i].tableLine, .dynamicID).load()))
        }
        let snapshot = ErrorSnapshot(
            response: response, proxyName: response ? backend?.name ?? "" : fe.name, proxyID: response ? backend?.id ?? 0 : fe.id,
            otherName: response ? fe.name : backend?.name, otherID: response ? fe.id : backend?.id ?? -1,
            serverName: server?.name, serverID: server?.id ?? -1,
            micros: Int64(WallClock.nowMicroseconds()), utcOffset: Int(logOutput.utcOffsetSeconds),
            event: table.nextErrorEvent(), source: "\(s.peer.hostString):\(s.peer.port)",
            bytes: Array(bytes.prefix(size)), errorAt: errorAt,
            order: proxyOrder(response ? backend?.location : fe.location), bufferSize: size)
        if let i = errorSnapshots.firstIndex(where: { $0.response == response && $0.order == snapshot.order }) {
            errorSnapshots[i] = snapshot
        } else {
            errorSnapshots.append(snapshot)
        }
    }

    /// A proxy's rank in declaration order: its section's place among the
    /// configuration's sections (a listen's frontend and backend are one).
    private func proxyOrder(_ location: SourceLocation?) -> Int {
        guard let location else { return 0 }
        let all = (configuration.frontends.map(\.location) + configuration.backends.map(\.location))
        var files: [String] = []
        for l in all where !files.contains(l.file) { files.append(l.file) }
        return (files.firstIndex(of: location.file) ?? 0) << 32 | location.line
    }

    /// `show errors` as the master asks it: one transport line per snapshot.
    func errorRecords() -> String {
        errorSnapshots.map { $0.encoded + "\n" }.joined()
    }
}
