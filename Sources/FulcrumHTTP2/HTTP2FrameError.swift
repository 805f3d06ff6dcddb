/// A frame that breaks a rule of RFC 9113 §4-§6, with what the receiver
/// must do about it (§5.4): end the whole connection with GOAWAY, or only
/// reset one stream with RST_STREAM and go on.
public struct HTTP2FrameError: Error, Equatable, Sendable {
    public enum Scope: Equatable, Sendable {
        case connection
        case stream(UInt32)
    }

    /// Which rule the frame broke (for logs and tests).
    public enum Reason: Equatable, Sendable {
        /// Longer than SETTINGS_MAX_FRAME_SIZE (§4.2).
        case frameTooLarge
        /// A frame type that belongs to a stream sent on stream 0.
        case streamIDZero
        /// A connection-level frame type (SETTINGS, PING, GOAWAY) on a stream.
        case streamIDNotZero
        /// Too short for the fields the type requires (§4.2).
        case payloadTooShort
        /// A fixed-length payload of another length (PRIORITY, RST_STREAM,
        /// PING, WINDOW_UPDATE, SETTINGS' six-byte parameters, an ACK's none).
        case payloadLength
        /// Padding as long as the payload or longer (§6.1, §6.2, §6.6).
        case paddingTooLong
        /// A stream made to depend on itself (§5.3.1).
        case selfDependency
        /// SETTINGS_ENABLE_PUSH other than 0 or 1.
        case enablePushValue
        /// A server's SETTINGS_ENABLE_PUSH of 1 (§6.5.2).
        case pushEnabledByServer
        /// SETTINGS_INITIAL_WINDOW_SIZE above 2^31 - 1.
        case initialWindowSizeTooLarge
        /// SETTINGS_MAX_FRAME_SIZE outside 16384...16777215.
        case maxFrameSizeOutOfRange
        /// PUSH_PROMISE sent to a server (§8.4).
        case pushPromiseToServer
        /// A WINDOW_UPDATE increment of 0 (§6.9).
        case zeroWindowIncrement
        /// A header block was open and this frame is not its CONTINUATION (§6.10).
        case continuationExpected
        /// CONTINUATION with no header block open (§6.10).
        case unexpectedContinuation
    }

    public var scope: Scope
    public var code: HTTP2ErrorCode
    public var reason: Reason

    public init(_ scope: Scope, _ code: HTTP2ErrorCode, _ reason: Reason) {
        self.scope = scope; self.code = code; self.reason = reason
    }
}
