import Glibc
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

/// `check-via-socks4`: a check to a `socks4` server connects to the proxy,
/// sends HAProxy's CONNECT for the check's own destination and reads the
/// 8-byte reply before the check goes on (PROXY header, TLS, request). HAProxy
/// 2.6 reports a refused or broken handshake as SOCKERR with its message.
extension CheckProbe {
    func socks4Request(now: Int64) -> CheckResult? {
        guard let destination = socks4Destination else { return nil }
        var request = (UInt64(0), UInt64(0))
        let sent: Int = withUnsafeMutableBytes(of: &request) { out in
            let n = SOCKS4Handshake.writeRequest(destination: destination.ipAddress, port: destination.port, into: out)
            return Glibc.send(fd.rawValue, out.baseAddress!, n, Int32(MSG_NOSIGNAL))
        }
        guard sent == SOCKS4Handshake.requestLength else { return socks4Failure(SOCKS4Handshake.sendFailedMessage, now: now) }
        enterSOCKS4Phase()
        return nil
    }

    /// Readiness while waiting for the proxy's reply.
    func socks4Reply(loop: EventLoop, token: EventToken, now: Int64) -> CheckResult? {
        var reply = UInt64(0)
        let got = withUnsafeMutableBytes(of: &reply) { Glibc.recv(fd.rawValue, $0.baseAddress!, $0.count, Int32(MSG_PEEK)) }
        if got < 0 && (errno == EAGAIN || errno == EINTR) { return nil }
        if got == 0 { return socks4Failure(SOCKS4Handshake.receiveFailedMessage, now: now) }
        if got < 0 { return socks4Failure(SOCKS4Handshake.abortMessage, now: now) }
        switch withUnsafeBytes(of: &reply, { SOCKS4Handshake.reply(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }) {
        case .needMore:
            return nil
        case .denied:
            return socks4Failure(SOCKS4Handshake.deniedMessage, now: now)
        case .granted:
            let taken = withUnsafeMutableBytes(of: &reply) { Glibc.recv(fd.rawValue, $0.baseAddress!, $0.count, 0) }
            guard taken == SOCKS4Handshake.replyLength else { return socks4Failure(SOCKS4Handshake.receiveFailedMessage, now: now) }
            socks4Destination = nil
            return connected(loop: loop, token: token, now: now)
        }
    }

    private func socks4Failure(_ message: String, now: Int64) -> CheckResult {
        CheckResult(status: .socketError, info: message, durationMs: duration(now))
    }
}
