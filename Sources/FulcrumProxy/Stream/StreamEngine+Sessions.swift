import Glibc
import FulcrumCore
import FulcrumLog
import FulcrumPosix

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

    /// `show sess ID`: the head of HAProxy 2.6's dump (accept date, ids,
    /// retries, frontend and listener, backend, server, task, the two
    /// channels' totals) with Fulcrum's values; pointers and internal flags,
    /// which have no equivalent, are 0.
    private func sessionDetail(_ s: Stream) -> String {
        let n = names(s)
        let fe = frontends[s.frontend].config
        let date = LogDateText.withMicroseconds(micros: Int64(s.record.acceptedWallMicros), utcOffset: Int(logOutput.utcOffsetSeconds))
        var out = "\(sessionID(s).text): [\(date)] id=\(s.record.number) proto=\(proto(s)) source=\(s.peer.hostString):\(s.peer.port)\n"
        out += "  flags=0x0, conn_retries=\(s.retriesUsed), conn_exp=<NEVER> conn_et=0x000 srv_conn=0x0, pend_pos=(nil)"
            + " waiting=\(s.phase == .queued ? 1 : 0) epoch=0\n"
        let firstBind = configuration.frontends[..<s.frontend].reduce(0) { $0 + $1.binds.count }
        out += "  frontend=\(fe.name) (id=\(fe.id) mode=\(fe.mode.rawValue)), listener=? (id=\(s.bindLine - firstBind + 1))"
            + " addr=\(localAddress(s).description)\n"
        let bi = s.backend >= 0 ? s.backend : s.routedBackend
        if let backend = n.backend {
            let be = backends[bi].config
            out += "  backend=\(backend) (id=\(be.id) mode=\(be.mode.rawValue))"
            if s.server.isOpen, let local = Socket.localAddress(s.server.transport.fd) { out += " addr=\(local.description)" }
            out += "\n"
        } else {
            out += "  backend=<NONE> (id=-1 mode=-)\n"
        }
        if let server = n.server {
            let be = backends[bi]
            let id = s.serverIndex < be.config.servers.count ? be.config.servers[s.serverIndex].id
                : Int(table.server(be.servers[s.serverIndex].tableLine, .dynamicID).load())
            out += "  server=\(server) (id=\(id)) addr=\(be.servers[s.serverIndex].address.description)\n"
        } else {
            out += "  server=<none> (id=-1)\n"
        }
        let exp = s.phaseDeadline > 0 ? RuntimeSessionID.age(seconds: Int(max(0, s.phaseDeadline - now) / 1000)) : "<NEVER>"
        // The task's age is its last call's, which HAProxy knows only when profiling ("?").
        out += "  task=0x0 (state=0x00 nice=0 calls=0 rate=0 exp=\(exp) tmask=0x1 age=?)\n"
        // Bytes both ways at L4 are forwarded without end (HAProxy's CHN_INFINITE_FORWARD, -1).
        let forward = s.phase == .forwarding ? -1 : 0
        out += "  req=0x0 (f=0x0 an=0x0 pipe=\(s.request.inPipe) tofwd=\(forward) total=\(s.bytesIn))\n"
        out += "  res=0x0 (f=0x0 an=0x0 pipe=\(s.response.inPipe) tofwd=\(forward) total=\(s.bytesOut))\n"
        return out
    }
}
