import COpenSSL
import Glibc

/// Where a server context keeps the sessions clients resume by session id
/// (TLS 1.2, or TLS 1.3 without tickets): a store every worker shares, so a
/// session resumes whichever worker the client reaches next. Sessions go in
/// and out as DER bytes.
public protocol TLSSessionStore: AnyObject, Sendable {
    func save(id: UnsafeRawBufferPointer, session: UnsafeRawBufferPointer, expiry: UInt32)
    /// Hands the session's bytes to `body`, if kept and not expired at `now`.
    func withSession(id: UnsafeRawBufferPointer, now: UInt32, _ body: (UnsafeRawBufferPointer) -> OpaquePointer?) -> OpaquePointer?
    func remove(id: UnsafeRawBufferPointer)
}

private func store(of ctx: OpaquePointer?) -> (any TLSSessionStore)? {
    guard let ctx, let owner = co_ctx_get_app_data(ctx) else { return nil }
    return Unmanaged<TLSContext>.fromOpaque(owner).takeUnretainedValue().sessionStore
}

private func sessionID(_ session: OpaquePointer) -> UnsafeRawBufferPointer {
    var length: UInt32 = 0
    let id = SSL_SESSION_get_id(session, &length)
    return UnsafeRawBufferPointer(start: id, count: Int(length))
}

/// A new session: encoded into the store (OpenSSL keeps its own reference).
/// A TLS 1.3 session with stateless tickets is not stored: such a client
/// resumes with the ticket, which carries the session, and never by id, so
/// storing it would cost every handshake an encoding and the shared lock.
func newSessionCallback(_ ssl: OpaquePointer?, _ session: OpaquePointer?) -> Int32 {
    guard let ssl, let session else { return 0 }
    if SSL_version(ssl) == TLS1_3_VERSION && SSL_get_options(ssl) & CO_OP_NO_TICKET == 0 { return 0 }
    guard let store = store(of: SSL_get_SSL_CTX(ssl)) else { return 0 }
    let length = Int(i2d_SSL_SESSION(session, nil))
    guard length > 0 else { return 0 }
    let expiry = UInt32(clamping: Int(SSL_SESSION_get_time(session)) + Int(SSL_SESSION_get_timeout(session)))
    withUnsafeTemporaryAllocation(byteCount: length, alignment: 1) { buffer in
        var p: UnsafeMutablePointer<UInt8>? = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
        guard i2d_SSL_SESSION(session, &p) == length else { return }
        store.save(id: sessionID(session), session: UnsafeRawBufferPointer(buffer), expiry: expiry)
    }
    return 0
}

/// A client offers a session id: decoded from the store, handed to OpenSSL
/// with our one reference (`copy` 0).
func getSessionCallback(_ ssl: OpaquePointer?, _ id: UnsafePointer<UInt8>?, _ length: Int32,
                        _ copy: UnsafeMutablePointer<Int32>?) -> OpaquePointer? {
    copy?.pointee = 0
    guard let ssl, let id, length > 0, let store = store(of: SSL_get_SSL_CTX(ssl)) else { return nil }
    return store.withSession(id: UnsafeRawBufferPointer(start: id, count: Int(length)),
                             now: UInt32(clamping: Int(time(nil)))) { bytes in
        var p: UnsafePointer<UInt8>? = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let s = d2i_SSL_SESSION(nil, &p, bytes.count)
        if s == nil { ERR_clear_error() }
        return s
    }
}

/// OpenSSL drops a session (it failed): the store forgets it too.
func removeSessionCallback(_ ctx: OpaquePointer?, _ session: OpaquePointer?) {
    guard let session, let store = store(of: ctx) else { return }
    store.remove(id: sessionID(session))
}
