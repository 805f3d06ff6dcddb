import COpenSSL
import FulcrumPosix
import Glibc

/// One TLS connection over a non-blocking socket (OpenSSL reads and writes
/// the descriptor itself, SSL_set_fd): the bytes a stream side moves, with
/// the same contract as the plain socket calls so the engine's loops stay as
/// they are: `receive` returns 0 at EOF and throws `.again` when nothing is
/// ready, a short read means the socket was drained, `send` returns what one
/// call took. When `.again` is thrown, `wants` says which readiness resumes
/// it (a read may need the socket writable during a handshake, and the
/// reverse). A fatal TLS error throws EPROTO and keeps OpenSSL's reasons in
/// `failure` for the log.
/// OpenSSL writes with write(2), not send(MSG_NOSIGNAL): the process must
/// ignore SIGPIPE, as every Fulcrum role does.
public final class TLSConnection: @unchecked Sendable {
    public enum Want: Sendable { case read, write }

    public let fd: FileDescriptor
    public let role: TLSContext.Role
    /// The SSL*, owned until `close`.
    private(set) var ssl: OpaquePointer?
    /// The context it was made from, and the one SNI switched it to: both
    /// stay alive while OpenSSL may call back into them.
    public let context: TLSContext
    public private(set) var selectedContext: TLSContext?
    /// Which readiness the last `.again` waits for.
    public private(set) var wants: Want = .read
    /// OpenSSL's reasons for the last EPROTO.
    public private(set) var failure: TLSError?
    public private(set) var isHandshakeComplete = false
    /// close_notify sent (shutdownWrite).
    public private(set) var closeNotifySent = false
    /// A receive returned 0: close_notify came, or (ignoreUnexpectedEOF,
    /// which OpenSSL reports the same way) the TCP stream ended.
    public private(set) var peerClosed = false

    /// A connection on `fd` (connected or accepted, non-blocking). Client
    /// side: `serverName` is sent as SNI, `verifyHostname` is checked
    /// against the server's certificate when the context verifies, and
    /// `session` is offered for resumption, `alpn` replaces the context's
    /// ALPN list (a health check's `check-alpn`).
    public init(fd: FileDescriptor, context: TLSContext, serverName: String? = nil,
                verifyHostname: String? = nil, session: TLSSession? = nil, alpn: [String]? = nil) throws(TLSError) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.ctx) else { throw .drain("creating a TLS connection") }
        self.ssl = ssl
        self.fd = fd
        self.role = context.role
        self.context = context
        guard SSL_set_fd(ssl, fd.rawValue) == 1 else {
            SSL_free(ssl); self.ssl = nil
            throw .drain("attaching TLS to \(fd)")
        }
        _ = co_set_app_data(ssl, Unmanaged.passUnretained(self).toOpaque())
        switch role {
        case .server:
            SSL_set_accept_state(ssl)
        case .client:
            SSL_set_connect_state(ssl)
            if let name = serverName, co_set_tlsext_host_name(ssl, name) != 1 {
                SSL_free(ssl); self.ssl = nil
                throw .drain("sni '\(name)'")
            }
            if let host = verifyHostname, SSL_set1_host(ssl, host) != 1 {
                SSL_free(ssl); self.ssl = nil
                throw .drain("verifyhost '\(host)'")
            }
            if let alpn {
                let wire = TLSContext.wireFormat(alpn)
                guard wire.withUnsafeBufferPointer({ SSL_set_alpn_protos(ssl, $0.baseAddress, UInt32($0.count)) }) == 0 else {
                    SSL_free(ssl); self.ssl = nil
                    throw .drain("check-alpn")
                }
            }
            if let session, SSL_set_session(ssl, session.session) != 1 {
                SSL_free(ssl); self.ssl = nil
                throw .drain("offering a session")
            }
        }
    }

    deinit { if let ssl { SSL_free(ssl) } }

    /// The connection behind an SSL* (callbacks).
    static func from(_ ssl: OpaquePointer) -> TLSConnection? {
        guard let p = co_get_app_data(ssl) else { return nil }
        return Unmanaged<TLSConnection>.fromOpaque(p).takeUnretainedValue()
    }

    func switchContext(to chosen: TLSContext) { selectedContext = chosen }

    /// Advances the handshake: true once it is complete; throws `.again`
    /// (see `wants`) while it waits for the peer, EPROTO when it failed.
    /// Optional: the first receive or send also drives it, but driving it
    /// explicitly lets a stream act on what it learned before any data.
    @discardableResult
    public func handshake() throws(Errno) -> Bool {
        if isHandshakeComplete { return true }
        guard let ssl else { throw Errno(EBADF) }
        let r = SSL_do_handshake(ssl)
        if r == 1 { isHandshakeComplete = true; return true }
        throw fail(ssl, r, "handshake")
    }

    /// Reads decrypted bytes until `count` are in or the socket is drained;
    /// 0 at EOF (close_notify, or a TCP close once nothing is left).
    @inline(__always)
    public func receive(into buffer: UnsafeMutableRawPointer, count: Int) throws(Errno) -> Int {
        guard let ssl else { throw Errno(EBADF) }
        var total = 0
        while total < count {
            var n = 0
            let r = SSL_read_ex(ssl, buffer + total, count - total, &n)
            if r == 1 {
                total += n
                isHandshakeComplete = true
                continue
            }
            let code = SSL_get_error(ssl, r)
            if code == SSL_ERROR_ZERO_RETURN {
                peerClosed = true
                ERR_clear_error()
                return total
            }
            // Return what was read; an error repeats on the next call.
            if total > 0 { ERR_clear_error(); return total }
            throw fail(ssl, r, "receive", code: code)
        }
        return total
    }

    /// Encrypts and sends; returns the bytes taken (a record at most per
    /// call, as partial writes are on). A retry after `.again` must offer
    /// at least the bytes refused (they may have moved).
    @inline(__always)
    public func send(_ buffer: UnsafeRawPointer, count: Int) throws(Errno) -> Int {
        guard let ssl else { throw Errno(EBADF) }
        guard count > 0 else { return 0 }
        var n = 0
        // tune.ssl.maxrecord: at most that much per call, so per record (HAProxy's cap on SSL_write).
        let limit = context.options.maxRecord
        let r = SSL_write_ex(ssl, buffer, limit > 0 ? min(count, limit) : count, &n)
        if r == 1 {
            if !isHandshakeComplete { isHandshakeComplete = true }
            return n
        }
        throw fail(ssl, r, "send")
    }

    /// Decrypted bytes OpenSSL holds that no receive returned yet.
    public var pendingBytes: Int { ssl.map { Int(SSL_pending($0)) } ?? 0 }

    /// A kept-alive connection with nothing to read and no close: the peer
    /// still holds it open (session tickets that arrived are absorbed).
    public var isIdleOpen: Bool {
        guard let ssl, isHandshakeComplete, !peerClosed else { return false }
        var byte: UInt8 = 0
        var n = 0
        let r = SSL_peek_ex(ssl, &byte, 1, &n)
        if r == 1 { return false }
        let code = SSL_get_error(ssl, r)
        ERR_clear_error()
        return code == SSL_ERROR_WANT_READ
    }

    /// Sends close_notify, then FIN after it (HAProxy's shutw on TLS). Best
    /// effort: when the socket cannot take the alert now, the FIN still goes.
    public func shutdownWrite() {
        sendCloseNotify()
        Socket.shutdownWrite(fd)
    }

    /// Closes the connection: a clean close sends close_notify first; an
    /// abort frees the TLS state silently and resets the socket (its session
    /// is then dropped from the cache, as OpenSSL does for unclean ends).
    public func close(abort: Bool = false) {
        guard let ssl else { return }
        if !abort { sendCloseNotify() }
        SSL_free(ssl)
        self.ssl = nil
        if abort { Socket.abort(fd) } else { fd.close() }
    }

    private func sendCloseNotify() {
        guard let ssl, !closeNotifySent, SSL_is_init_finished(ssl) == 1 else { return }
        closeNotifySent = true
        if SSL_shutdown(ssl) < 0 { ERR_clear_error() }
    }

    /// Maps an OpenSSL failure to the engine's errno vocabulary.
    private func fail(_ ssl: OpaquePointer, _ r: Int32, _ operation: String, code known: Int32? = nil) -> Errno {
        let saved = errno
        let code = known ?? SSL_get_error(ssl, r)
        switch code {
        case SSL_ERROR_WANT_READ:
            wants = .read
            return .again
        case SSL_ERROR_WANT_WRITE:
            wants = .write
            return .again
        case SSL_ERROR_ZERO_RETURN:
            peerClosed = true
            ERR_clear_error()
            return Errno(EPIPE)
        case SSL_ERROR_SYSCALL:
            let reasons = TLSError.takeQueue()
            if saved == EAGAIN { wants = .read; return .again }
            failure = TLSError(operation, reasons: reasons.isEmpty ? [saved == 0 ? "connection closed" : Errno(saved).description] : reasons)
            return Errno(saved == 0 ? ECONNRESET : saved)
        default:
            failure = .drain(operation)
            if failure!.reasons.isEmpty { failure!.reasons = ["OpenSSL error \(code)"] }
            return Errno(EPROTO)
        }
    }

    /// What the handshake learned; nil before it completed.
    public var handshakeInfo: TLSHandshakeInfo? {
        guard let ssl, isHandshakeComplete || SSL_is_init_finished(ssl) == 1 else { return nil }
        let cipher = SSL_get_current_cipher(ssl)
        var algBits: Int32 = 0
        let bits = cipher.map { SSL_CIPHER_get_bits($0, &algBits) } ?? 0
        var alpnData: UnsafePointer<UInt8>? = nil
        var alpnLength: UInt32 = 0
        SSL_get0_alpn_selected(ssl, &alpnData, &alpnLength)
        let alpn = alpnData.flatMap { p in
            alpnLength == 0 ? nil : String(decoding: UnsafeBufferPointer(start: p, count: Int(alpnLength)), as: UTF8.self)
        }
        let verify = Int(SSL_get_verify_result(ssl))
        return TLSHandshakeInfo(
            protocolName: String(cString: SSL_get_version(ssl)),
            version: TLSVersion(rawValue: SSL_version(ssl)),
            cipher: cipher.map { String(cString: SSL_CIPHER_get_name($0)) } ?? "",
            cipherBits: Int(bits), cipherAlgorithmBits: Int(algBits),
            alpn: alpn,
            serverName: SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) },
            sessionReused: SSL_session_reused(ssl) == 1,
            peerCertificate: SSL_get0_peer_certificate(ssl).map { TLSCertificate(retaining: $0) },
            verifyResult: verify,
            verifyResultText: String(cString: X509_verify_cert_error_string(verify)))
    }

    /// The session to offer when connecting to the same server again (client
    /// side). In TLSv1.3 the server's tickets come after the handshake, with
    /// its first data: take it once a receive returned bytes.
    public var session: TLSSession? {
        guard let ssl, let s = SSL_get1_session(ssl) else { return nil }
        return TLSSession(owning: s)
    }
}
