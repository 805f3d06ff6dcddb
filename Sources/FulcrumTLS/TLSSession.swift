import COpenSSL

/// A resumable TLS session a client kept from an earlier handshake with the
/// same server (HAProxy's per-server session reuse), or one decoded from
/// bytes another worker encoded (a shared cache).
public final class TLSSession: @unchecked Sendable {
    /// The SSL_SESSION*, owned (one reference).
    let session: OpaquePointer

    init(owning session: OpaquePointer) { self.session = session }
    deinit { SSL_SESSION_free(session) }

    /// Decodes what `encoded` produced.
    public convenience init?(encoded bytes: [UInt8]) {
        let s = bytes.withUnsafeBufferPointer { buf -> OpaquePointer? in
            var p: UnsafePointer<UInt8>? = buf.baseAddress
            return d2i_SSL_SESSION(nil, &p, buf.count)
        }
        guard let s else { ERR_clear_error(); return nil }
        self.init(owning: s)
    }

    /// DER bytes of the session (its secrets included: keep them private).
    public var encoded: [UInt8] {
        let n = i2d_SSL_SESSION(session, nil)
        guard n > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: Int(n))
        out.withUnsafeMutableBufferPointer { buf in
            var p: UnsafeMutablePointer<UInt8>? = buf.baseAddress
            _ = i2d_SSL_SESSION(session, &p)
        }
        return out
    }

    /// Whether a new handshake can resume it (TLSv1.3: a ticket arrived).
    public var isResumable: Bool { SSL_SESSION_is_resumable(session) == 1 }

    /// The protocol it was made with.
    public var version: TLSVersion? { TLSVersion(rawValue: SSL_SESSION_get_protocol_version(session)) }
}
