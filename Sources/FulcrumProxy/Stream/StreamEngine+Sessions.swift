import Glibc
import FulcrumCore

/// `show sess` and `shutdown session` in a worker: its live streams, one
/// line each with HAProxy 2.6's fields in its order: id, proto, src, fe, be,
/// srv, age, the bytes waiting in each direction (`rq`/`rp` `i=`), each side's
/// state (HAProxy's SC_ST_* numbers) and descriptor, the stream's expiry and
/// its retries; HAProxy's internal flags, analysers and profiling figures
/// have no equivalent and are printed as zeros, as HAProxy prints them unset.
/// Rare, so building text allocates.
extension StreamEngine {
    func sessionID(_ s: Stream) -> RuntimeSessionID {
        RuntimeSessionID(worker: slot, slot: s.index, generation: s.generation)
    }

    /// The stream an id names, if it is alive in this worker.
    func stream(_ id: RuntimeSessionID) -> Stream? {
        guard id.worker == slot, let s = streams.stream(slot: id.slot, generation: id.generation), s.phase != .idle else { return nil }
        return s
    }

    /// `show sess`: every live stream; `show sess ID`: that one, in more
    /// detail, or nil when this worker has no such stream.
    func showSessions(_ only: RuntimeSessionID? = nil) -> String? {
        if let only {
            guard let s = stream(only) else { return nil }
            return sessionDetail(s)
        }
        var out = ""
        streams.forEachLive { out += sessionLine($0) }
        return out
    }

    /// `shutdown session ID`: true when the stream was here and is closed.
    func shutdownSession(_ id: RuntimeSessionID) -> Bool {
        guard let s = stream(id) else { return false }
        s.record.terminate(.killed, phaseLetter(s))
        close(s, abort: false)
        return true
    }

    private func names(_ s: Stream) -> (frontend: String, backend: String?, server: String?) {
        let be = s.backend >= 0 ? s.backend : s.routedBackend
        let backend = be >= 0 ? backends[be].config.name : nil
        let server = be >= 0 && s.serverIndex >= 0 ? backends[be].servers[s.serverIndex].name : nil
        return (frontends[s.frontend].config.name, backend, server)
    }

    private func proto(_ s: Stream) -> String { s.peer.family == AF_INET6 ? "tcpv6" : "tcpv4" }

    private func sessionLine(_ s: Stream) -> String {
        let n = names(s)
        let age = RuntimeSessionID.age(seconds: Int((now - s.record.accepted) / 1000))
        let exp = s.phaseDeadline > 0 ? RuntimeSessionID.age(seconds: Int(max(0, s.phaseDeadline - now) / 1000)) : ""
        return "\(sessionID(s).text): proto=\(proto(s)) src=\(s.peer.hostString):\(s.peer.port) fe=\(n.frontend)"
            + " be=\(n.backend ?? "<NONE>") srv=\(n.server ?? "<none>") ts=00 epoch=0 age=\(age) calls=0 rate=0 cpu=0 lat=0"
            + " rq[f=0h,i=\(s.request.pending),an=00h,rx=,wx=,ax=] rp[f=0h,i=\(s.response.pending),an=00h,rx=,wx=,ax=]"
            + " scf=[\(s.client.isOpen ? 8 : 10),0h,fd=\(s.client.isOpen ? s.client.transport.fd.rawValue : -1)]"
            + " scb=[\(serverSideState(s)),0h,fd=\(s.server.isOpen ? s.server.transport.fd.rawValue : -1)]"
            + " exp=\(exp) rc=\(s.retriesUsed) c_exp=\n"
    }

    /// HAProxy's SC_ST_* of the server side: INI before a server is
    /// wanted, QUE queued, CON connecting, TAR waiting to retry, EST
    /// connected, CLO closed after that.
    private func serverSideState(_ s: Stream) -> Int {
        if s.server.isOpen { return s.phase == .connecting ? 5 : 8 }
        switch s.phase {
        case .queued: return 2
        case .connecting: return 5
        case .retryWait: return 3
        default: return s.record.connected != 0 ? 10 : 0
        }
    }

    private func sessionDetail(_ s: Stream) -> String {
        let n = names(s)
        let fe = frontends[s.frontend].config
        var out = "\(sessionID(s).text): proto=\(proto(s)) source=\(s.peer.hostString):\(s.peer.port)\n"
        out += "  frontend=\(fe.name) (id=\(fe.id) mode=\(fe.mode.rawValue)), addr=\(localAddress(s).description)\n"
        if let backend = n.backend {
            let be = backends[s.backend >= 0 ? s.backend : s.routedBackend].config
            out += "  backend=\(backend) (id=\(be.id) mode=\(be.mode.rawValue))\n"
        } else {
            out += "  backend=<NONE> (id=-1 mode=-)\n"
        }
        if let server = n.server {
            let be = backends[s.backend >= 0 ? s.backend : s.routedBackend]
            out += "  server=\(server) (id=\(be.config.servers[s.serverIndex].id)) addr=\(be.servers[s.serverIndex].address.description)\n"
        } else {
            out += "  server=<none> (id=-1)\n"
        }
        out += "  age=\(RuntimeSessionID.age(seconds: Int((now - s.record.accepted) / 1000))) phase=\(s.phase)"
            + " bytes in=\(s.bytesIn) out=\(s.bytesOut)\n"
        return out
    }
}
