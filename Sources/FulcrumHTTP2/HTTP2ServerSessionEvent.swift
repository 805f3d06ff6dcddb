import FulcrumHTTP

/// What an `HTTP2ServerSession` tells the engine after a call. Byte ranges
/// point into the session's `requestBytes`, valid until the next call to
/// `receive`: the engine copies or forwards them before reading more.
public enum HTTP2ServerSessionEvent: Equatable, Sendable {
    /// A new stream's request as an HTTP/1.1 head (request line, `Host`,
    /// fields, and `Transfer-Encoding: chunked` when the body's length is
    /// unknown): one stream of the engine starts here.
    case requestHead(streamID: UInt32, bytes: Range<Int>)
    /// Request body bytes in the HTTP/1.1 framing the head announced
    /// (chunk size lines and the last chunk included when chunked). The
    /// stream's window opens again once the engine calls `requestBodyForwarded`.
    case requestBody(streamID: UInt32, bytes: Range<Int>)
    /// The request is complete: its last body bytes were reported.
    case requestEnd(streamID: UInt32)
    /// The stream's response data waits for the client's WINDOW_UPDATE:
    /// stop reading the server's response for it (backpressure).
    case streamBlocked(streamID: UInt32)
    /// The waiting data went out: read the server's response again.
    case streamUnblocked(streamID: UInt32)
    /// Request and response are both complete: the engine's stream ends.
    case streamEnded(streamID: UInt32)
    /// The stream was reset, by the client (`byPeer`, with its error code)
    /// or by the session (a malformed body, a broken response): the engine
    /// abandons the request and the server's response.
    case streamAborted(streamID: UInt32, code: UInt32, byPeer: Bool)
    /// The last stream ended: `timeout client` applies from here.
    case idle
    /// The client will open no stream above `lastStreamID`.
    case peerGoaway(lastStreamID: UInt32, code: UInt32)
    /// Write what `output` holds, then close the connection: a connection
    /// error, or a shutdown (either side's GOAWAY) with no stream left.
    case close
}

/// The session's limits, HAProxy's `tune.h2.*` defaults: what it
/// advertises in its SETTINGS and enforces.
public struct HTTP2SessionLimits: Equatable, Sendable {
    /// `tune.h2.max-concurrent-streams`.
    public var maxConcurrentStreams: Int
    /// `tune.h2.initial-window-size`: each stream's receive window.
    public var initialWindowSize: Int
    /// `tune.h2.header-table-size`: the HPACK tables, both directions.
    public var headerTableSize: Int
    /// `tune.h2.max-frame-size`: the largest frame the client may send.
    public var maxFrameSize: Int
    /// The largest decoded request field section (names + values + 32 each).
    public var maxHeaderListSize: Int
    /// How the engine's HTTP/1.1 responses are parsed.
    public var responseLimits: HTTPLimits

    public init(maxConcurrentStreams: Int = 100, initialWindowSize: Int = 65_535, headerTableSize: Int = 4096,
                maxFrameSize: Int = 16_384, maxHeaderListSize: Int = 65_536, responseLimits: HTTPLimits = HTTPLimits()) {
        self.maxConcurrentStreams = maxConcurrentStreams; self.initialWindowSize = initialWindowSize
        self.headerTableSize = headerTableSize; self.maxFrameSize = maxFrameSize
        self.maxHeaderListSize = maxHeaderListSize; self.responseLimits = responseLimits
    }

    /// The SETTINGS frame that announces these limits; defaults are left out.
    var settings: HTTP2Settings {
        var s = HTTP2Settings(maxConcurrentStreams: UInt32(clamping: maxConcurrentStreams))
        if headerTableSize != 4096 { s.headerTableSize = UInt32(clamping: headerTableSize) }
        if initialWindowSize != 65_535 { s.initialWindowSize = UInt32(clamping: initialWindowSize) }
        if maxFrameSize != 16_384 { s.maxFrameSize = UInt32(clamping: maxFrameSize) }
        return s
    }
}
