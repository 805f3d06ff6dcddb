/// A stream's place in the life cycle of RFC 9113 §5.1, as a server or a
/// client sees it: "local" is this end, "remote" the peer. A stream not yet
/// used is idle; the connection does not keep idle or closed streams, it
/// tells them apart by the highest identifier each side has opened.
public enum HTTP2StreamState: Equatable, Sendable {
    case reservedLocal
    case reservedRemote
    case open
    /// This end sent END_STREAM; the peer may still send.
    case halfClosedLocal
    /// The peer sent END_STREAM; this end may still send.
    case halfClosedRemote
    case closed

    /// The state after the peer's END_STREAM (on DATA or HEADERS).
    public var afterRemoteEnd: HTTP2StreamState {
        switch self {
        case .open: return .halfClosedRemote
        case .halfClosedLocal: return .closed
        default: return self
        }
    }

    /// The state after this end's END_STREAM.
    public var afterLocalEnd: HTTP2StreamState {
        switch self {
        case .open: return .halfClosedLocal
        case .halfClosedRemote: return .closed
        default: return self
        }
    }

    /// Whether the peer may send DATA or HEADERS in this state (§5.1:
    /// open, or half-closed on this end only).
    public var peerMaySend: Bool { self == .open || self == .halfClosedLocal }

    /// Whether this end may send DATA in this state.
    public var localMaySend: Bool { self == .open || self == .halfClosedRemote }
}

/// One flow-control window (RFC 9113 §6.9): the bytes of DATA one side may
/// still send. It can go negative when SETTINGS_INITIAL_WINDOW_SIZE shrinks
/// (§6.9.2), and may never exceed 2^31 - 1 (§6.9.1).
public struct HTTP2FlowWindow: Equatable, Sendable {
    public private(set) var size: Int

    public init(_ size: Int) { self.size = size }

    /// Adds a WINDOW_UPDATE increment or an initial-size change; false
    /// when the window would pass 2^31 - 1 (a FLOW_CONTROL_ERROR).
    public mutating func grow(by delta: Int) -> Bool {
        guard size + delta <= Int(HTTP2Settings.maxWindowSize) else { return false }
        size += delta
        return true
    }

    /// Takes `count` bytes; false when the window does not hold them.
    public mutating func consume(_ count: Int) -> Bool {
        guard count <= size else { return false }
        size -= count
        return true
    }
}
