import Glibc
import FulcrumHTTP
import FulcrumPosix

/// `server ... socks4 ADDR:PORT`: the TCP connect went to the proxy; before
/// the PROXY header, TLS or any byte of the stream, HAProxy 2.6 sends the
/// SOCKS4 CONNECT for the server's address and port and waits (within the
/// connect phase and its timeout) for the proxy's 8-byte reply. A refused or
/// broken reply is a failed connection: retried and counted as any other.
extension StreamEngine {
    /// Where `s` asks the proxy to connect; nil when the stream's server has
    /// no `socks4` (or the handshake is done). `awaitingReply` once sent.
    struct SOCKS4Pending {
        var destination: SocketAddress
        var awaitingReply = false
    }

    /// Runs the handshake as far as readiness allows: true once the proxy
    /// granted the request (the connection now reaches the server), false
    /// while waiting or after the failure was handled.
    func advanceSOCKS4(_ s: Stream) -> Bool {
        guard var pending = s.serverSOCKS4 else { return true }
        let fd = s.server.transport.fd
        if !pending.awaitingReply {
            var request = (UInt64(0), UInt64(0))
            let sent: Int = withUnsafeMutableBytes(of: &request) { out in
                let n = SOCKS4Handshake.writeRequest(destination: pending.destination.ipAddress,
                                                     port: pending.destination.port, into: out)
                // A fresh socket's send buffer takes the 16 bytes whole.
                return Glibc.send(fd.rawValue, out.baseAddress!, n, Int32(MSG_NOSIGNAL))
            }
            guard sent == SOCKS4Handshake.requestLength else { return socks4Failed(s, SOCKS4Handshake.sendFailedMessage) }
            pending.awaitingReply = true
            s.serverSOCKS4 = pending
        }
        var reply = UInt64(0)
        let got = withUnsafeMutableBytes(of: &reply) { Glibc.recv(fd.rawValue, $0.baseAddress!, $0.count, Int32(MSG_PEEK)) }
        if got < 0 && (errno == EAGAIN || errno == EINTR) {
            s.server.readable = false
            return socks4Waits(s)
        }
        if got == 0 { return socks4Failed(s, SOCKS4Handshake.receiveFailedMessage) }
        if got < 0 { return socks4Failed(s, SOCKS4Handshake.abortMessage) }
        let verdict = withUnsafeBytes(of: &reply) { SOCKS4Handshake.reply(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
        switch verdict {
        case .needMore:
            s.server.readable = false
            return socks4Waits(s)
        case .denied:
            return socks4Failed(s, SOCKS4Handshake.deniedMessage)
        case .granted:
            let taken = withUnsafeMutableBytes(of: &reply) { Glibc.recv(fd.rawValue, $0.baseAddress!, $0.count, 0) }
            guard taken == SOCKS4Handshake.replyLength else { return socks4Failed(s, SOCKS4Handshake.receiveFailedMessage) }
            s.serverSOCKS4 = nil
            return true
        }
    }

    /// The reply is not there yet: the stream stays in its connect phase,
    /// under `timeout connect`.
    private func socks4Waits(_ s: Stream) -> Bool {
        if s.phase != .connecting {
            s.phase = .connecting
            if s.phaseDeadline == 0 { s.phaseDeadline = backends[s.backend].config.timeouts.connect.map { now + Int64($0) } ?? 0 }
            schedule(s)
        }
        return false
    }

    private func socks4Failed(_ s: Stream, _ message: String) -> Bool {
        Log.debug("SOCKS4 to \(backends[s.backend].config.name): \(message)")
        s.serverSOCKS4 = nil
        connectFailed(s, timedOut: false)
        return false
    }
}
