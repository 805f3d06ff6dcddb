/// A `compression algo` value. The raw values are the configuration keywords.
public enum CompressionAlgorithm: String, Sendable, CaseIterable {
    case gzip, deflate, rawDeflate = "raw-deflate", identity

    /// The content-coding token a client names the algorithm by in Accept-Encoding
    /// (HAProxy's `ua_name`). raw-deflate answers to "deflate" because browsers that
    /// ask for deflate actually decode the raw format.
    public var contentCoding: String {
        switch self {
        case .gzip: return "gzip"
        case .deflate, .rawDeflate: return "deflate"
        case .identity: return "identity"
        }
    }

    /// The Content-Encoding value to add, nil for identity (RFC 2616: identity is
    /// only used in Accept-Encoding, never in Content-Encoding).
    public var contentEncoding: String? { self == .identity ? nil : contentCoding }
}
