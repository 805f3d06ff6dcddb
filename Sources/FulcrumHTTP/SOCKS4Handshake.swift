import FulcrumBytes

/// The SOCKS4 CONNECT exchange HAProxy 2.6 has with a server's `socks4`
/// proxy before anything else goes on the connection (connection.c's
/// conn_send_socks4_proxy_request / conn_recv_socks4_proxy_response): a
/// 16-byte request naming the real destination, then the proxy's 8-byte
/// reply, whose second byte must be 90 ("request granted"). Pure over bytes,
/// no allocation, so the worker's connect path and the checker share it.
public enum SOCKS4Handshake {
    /// VN(4) CD(1=CONNECT) DSTPORT(2) DSTIP(4) USERID("HAProxy") NUL.
    public static let requestLength = 16
    /// VN CD DSTPORT(2) DSTIP(4).
    public static let replyLength = 8
    /// HAProxy's user id, NUL included.
    static let userID: [UInt8] = Array("HAProxy".utf8) + [0]

    /// Writes the CONNECT request for `destination`:`port` into `out` (at
    /// least `requestLength` bytes); returns the length. SOCKS4 carries IPv4
    /// only: HAProxy's is_inet_addr gives 0.0.0.0 for anything else, and so
    /// does this.
    public static func writeRequest(destination: IPAddress?, port: Int, into out: UnsafeMutableRawBufferPointer) -> Int {
        precondition(out.count >= requestLength)
        out[0] = 4
        out[1] = 1
        out[2] = UInt8(truncatingIfNeeded: port >> 8)
        out[3] = UInt8(truncatingIfNeeded: port)
        var ip: UInt32 = 0
        if case .v4(let a)? = destination { ip = a.value }
        out[4] = UInt8(truncatingIfNeeded: ip >> 24)
        out[5] = UInt8(truncatingIfNeeded: ip >> 16)
        out[6] = UInt8(truncatingIfNeeded: ip >> 8)
        out[7] = UInt8(truncatingIfNeeded: ip)
        for (i, b) in userID.enumerated() { out[8 + i] = b }
        return requestLength
    }

    /// What the bytes received so far say.
    public enum Reply: Equatable, Sendable {
        /// Fewer than 8 bytes yet (HAProxy peeks until it has them all).
        case needMore
        /// Granted: exactly `replyLength` bytes are the reply's, the rest
        /// (if any) already belong to the server.
        case granted
        /// Any code but 90: HAProxy's CO_ER_SOCKS4_DENY, a connection failure.
        case denied(code: UInt8)
    }

    /// Judges the first bytes the proxy sent. HAProxy looks at the code only
    /// (the version byte and the rest are ignored).
    public static func reply(_ bytes: UnsafeRawBufferPointer) -> Reply {
        guard bytes.count >= replyLength else { return .needMore }
        return bytes[1] == 90 ? .granted : .denied(code: bytes[1])
    }

    /// HAProxy's texts for the handshake's failures (conn_err_code_str).
    public static let deniedMessage = "SOCKS4 Proxy deny the request"
    public static let sendFailedMessage = "SOCKS4 Proxy write error during handshake"
    public static let receiveFailedMessage = "SOCKS4 Proxy read error during handshake"
    public static let abortMessage = "SOCKS4 Proxy handshake aborted by server"
}
