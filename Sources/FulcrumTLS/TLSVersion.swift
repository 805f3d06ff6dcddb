import COpenSSL

/// A TLS protocol version, as `ssl-min-ver` / `ssl-max-ver` name them.
public enum TLSVersion: Int32, Comparable, Sendable, CaseIterable {
    case tls1_0 = 0x0301
    case tls1_1 = 0x0302
    case tls1_2 = 0x0303
    case tls1_3 = 0x0304

    /// HAProxy's keyword (`TLSv1.2`) and OpenSSL's SSL_get_version text alike.
    public var name: String {
        switch self {
        case .tls1_0: return "TLSv1"
        case .tls1_1: return "TLSv1.1"
        case .tls1_2: return "TLSv1.2"
        case .tls1_3: return "TLSv1.3"
        }
    }

    /// Parses HAProxy's `TLSv1.0` … `TLSv1.3` (and OpenSSL's `TLSv1`).
    public init?(name: String) {
        switch name {
        case "TLSv1.0", "TLSv1": self = .tls1_0
        case "TLSv1.1": self = .tls1_1
        case "TLSv1.2": self = .tls1_2
        case "TLSv1.3": self = .tls1_3
        default: return nil
        }
    }

    public static func < (a: TLSVersion, b: TLSVersion) -> Bool { a.rawValue < b.rawValue }
}

/// How a side checks its peer's certificate (`verify none|optional|required`).
public enum TLSVerifyMode: Sendable {
    /// No certificate asked for (server) or checked (client).
    case none
    /// Server: ask for a client certificate, accept none; one sent must verify.
    case optional
    /// Server: a verified client certificate is required. Client: the
    /// server's chain must verify against the CA file.
    case required

    var openSSLFlags: Int32 {
        switch self {
        case .none: return SSL_VERIFY_NONE
        case .optional: return SSL_VERIFY_PEER
        case .required: return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
        }
    }
}
