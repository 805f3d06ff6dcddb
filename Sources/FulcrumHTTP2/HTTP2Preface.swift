/// The client connection preface (RFC 9113 §3.4): these 24 bytes, then a
/// SETTINGS frame. A server that reads anything else is not talking to an
/// HTTP/2 client and ends the connection (PROTOCOL_ERROR, §3.4).
public enum HTTP2Preface {
    public static let bytes: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    public enum Check: Equatable, Sendable {
        /// The preface is complete; the frames start after these bytes.
        case complete(Int)
        /// What arrived so far matches; read more.
        case needMore
        /// Not the preface.
        case mismatch
    }

    /// Checks the start of what a client sent.
    public static func check(_ received: UnsafeRawBufferPointer) -> Check {
        let n = Swift.min(received.count, bytes.count)
        for i in 0..<n where received[i] != bytes[i] { return .mismatch }
        return n == bytes.count ? .complete(n) : .needMore
    }

    public static func check(_ received: [UInt8]) -> Check {
        received.withUnsafeBytes { check($0) }
    }
}
