/// What a completed handshake learned, in the form HAProxy's ssl_fc_* (front)
/// and ssl_bc_* (back) fetches and the `%sslv`/`%sslc` log fields use. Read
/// once after the handshake (TLSConnection.handshakeInfo), not per request.
public struct TLSHandshakeInfo: Sendable {
    /// `TLSv1.3` (ssl_fc_protocol, %sslv).
    public var protocolName: String
    public var version: TLSVersion?
    /// OpenSSL's cipher name, `TLS_AES_128_GCM_SHA256` (ssl_fc_cipher, %sslc).
    public var cipher: String
    /// Secret bits of the cipher (ssl_fc_use_keysize) and the algorithm's (ssl_fc_alg_keysize).
    public var cipherBits: Int
    public var cipherAlgorithmBits: Int
    /// The negotiated ALPN protocol (ssl_fc_alpn), nil when none.
    public var alpn: String?
    /// The SNI the client sent (ssl_fc_sni; server side), or the one we sent (client side).
    public var serverName: String?
    /// A resumed session (ssl_fc_is_resumed).
    public var sessionReused: Bool
    /// The peer's certificate (ssl_c_* on a front connection, the server's
    /// on a back one), nil when it sent none (ssl_c_used false).
    public var peerCertificate: TLSCertificate?
    /// X509_V_OK (0) or the verification error code (ssl_c_verify); its text.
    public var verifyResult: Int
    public var verifyResultText: String
}
