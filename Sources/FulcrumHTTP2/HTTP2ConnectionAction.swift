/// What an `HTTP2Connection` asks its owner to do after an event: frames
/// to send, and what the received frames mean for the streams.
public enum HTTP2ConnectionAction: Equatable, Sendable {
    case sendSettingsAck
    case sendPingAck(UInt64)
    case sendWindowUpdate(streamID: UInt32, increment: UInt32)
    case sendRSTStream(streamID: UInt32, code: HTTP2ErrorCode)
    /// A graceful shutdown: no stream above `lastStreamID` will be served.
    case sendGoaway(lastStreamID: UInt32, code: HTTP2ErrorCode)
    /// A connection error (§5.4.1): send GOAWAY, then close the connection.
    case sendGoawayAndClose(lastStreamID: UInt32, code: HTTP2ErrorCode)
    /// The frame's header block fragment must be HPACK-decoded, always: a
    /// skipped block leaves the tables out of step. `deliver` false means
    /// the stream is refused or gone, so the decoded fields are dropped.
    /// `endHeaders`: the block is complete; `endStream`: the peer sends
    /// nothing more on the stream after it.
    case headerFragment(streamID: UInt32, endHeaders: Bool, endStream: Bool, deliver: Bool)
    /// The frame's data is the stream's; report it with `consumed` once
    /// passed on, so the windows open again.
    case data(streamID: UInt32, endStream: Bool)
    case peerReset(streamID: UInt32, code: UInt32)
    /// The peer's settings, already applied to the connection's windows;
    /// the owner applies SETTINGS_HEADER_TABLE_SIZE to its HPACK encoder.
    case peerSettings(HTTP2Settings)
    /// This end's settings are in force now; the owner applies
    /// SETTINGS_HEADER_TABLE_SIZE to its HPACK decoder and
    /// SETTINGS_MAX_FRAME_SIZE to its frame decoder.
    case localSettingsAcknowledged(HTTP2Settings)
    /// A send window grew (0: the connection's): blocked DATA may go.
    case windowOpened(streamID: UInt32)
    case pingAcknowledged(UInt64)
    case peerGoaway(lastStreamID: UInt32, code: UInt32)
}

/// Settings with the defaults of RFC 9113 §6.5.2 filled in.
public struct HTTP2SettingsValues: Equatable, Sendable {
    public var headerTableSize = 4096
    public var enablePush = true
    public var maxConcurrentStreams = Int(UInt32.max)
    public var initialWindowSize = 65_535
    public var maxFrameSize = 16_384
    public var maxHeaderListSize = Int.max

    public init() {}

    /// The values with `s`'s applied over them.
    public func applying(_ s: HTTP2Settings) -> HTTP2SettingsValues {
        var v = self
        if let x = s.headerTableSize { v.headerTableSize = Int(x) }
        if let x = s.enablePush { v.enablePush = x }
        if let x = s.maxConcurrentStreams { v.maxConcurrentStreams = Int(x) }
        if let x = s.initialWindowSize { v.initialWindowSize = Int(x) }
        if let x = s.maxFrameSize { v.maxFrameSize = Int(x) }
        if let x = s.maxHeaderListSize { v.maxHeaderListSize = Int(x) }
        return v
    }
}
