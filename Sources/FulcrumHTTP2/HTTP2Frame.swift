/// A PRIORITY frame's or a HEADERS frame's priority fields. RFC 9113
/// deprecates the scheme (§5.3.2) but the fields still have to be read,
/// and a self-dependency is still an error.
public struct HTTP2Priority: Equatable, Sendable {
    public var exclusive: Bool
    public var dependency: UInt32
    /// The weight field as sent: the weight is this plus one.
    public var weight: UInt8

    public init(exclusive: Bool = false, dependency: UInt32 = 0, weight: UInt8 = 15) {
        self.exclusive = exclusive; self.dependency = dependency; self.weight = weight
    }
}

/// A decoded frame (RFC 9113 §6). Payload bytes are not copied: `data`,
/// `fragment` and `debugData` are ranges into the buffer the frame was
/// decoded from, valid until that buffer changes.
public enum HTTP2Frame: Equatable, Sendable {
    /// `padLength` is nil without the PADDED flag. Flow control counts the
    /// whole payload, padding included (`flowControlledLength`).
    case data(streamID: UInt32, data: Range<Int>, endStream: Bool, padLength: UInt8?)
    case headers(streamID: UInt32, fragment: Range<Int>, endStream: Bool, endHeaders: Bool,
                 priority: HTTP2Priority?, padLength: UInt8?)
    case priority(streamID: UInt32, HTTP2Priority)
    /// The raw error code: unknown codes are kept (§7).
    case rstStream(streamID: UInt32, errorCode: UInt32)
    /// `ack` frames carry no parameters.
    case settings(ack: Bool, HTTP2Settings)
    case pushPromise(streamID: UInt32, promisedStreamID: UInt32, fragment: Range<Int>, endHeaders: Bool, padLength: UInt8?)
    case ping(ack: Bool, opaqueData: UInt64)
    case goaway(lastStreamID: UInt32, errorCode: UInt32, debugData: Range<Int>)
    /// On stream 0 the connection's window, else the stream's.
    case windowUpdate(streamID: UInt32, increment: UInt32)
    case continuation(streamID: UInt32, fragment: Range<Int>, endHeaders: Bool)
    /// An extension's frame type, to be ignored (§5.5).
    case unknown(HTTP2FrameHeader)

    /// The bytes a DATA frame counts against flow-control windows (§6.9.1);
    /// 0 for the other types.
    public var flowControlledLength: Int {
        guard case .data(_, let data, _, let padLength) = self else { return 0 }
        return data.count + (padLength.map { Int($0) + 1 } ?? 0)
    }
}
