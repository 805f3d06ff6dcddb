/// The settings RFC 9113 §6.5.2 defines. Others are ignored (§6.5.2:
/// "An endpoint that receives a SETTINGS frame with any unknown or
/// unsupported identifier MUST ignore that setting").
public enum HTTP2SettingID: UInt16, Sendable, CaseIterable {
    case headerTableSize = 0x1
    case enablePush = 0x2
    case maxConcurrentStreams = 0x3
    case initialWindowSize = 0x4
    case maxFrameSize = 0x5
    case maxHeaderListSize = 0x6
}

/// The values one SETTINGS frame carries, each nil when the frame leaves
/// it unchanged. A repeated identifier keeps its last value, as applying
/// the frame's parameters in order would (§6.5.3). A value type of fixed
/// size, so a SETTINGS frame decodes without allocating.
public struct HTTP2Settings: Equatable, Sendable {
    public var headerTableSize: UInt32?
    public var enablePush: Bool?
    public var maxConcurrentStreams: UInt32?
    public var initialWindowSize: UInt32?
    public var maxFrameSize: UInt32?
    public var maxHeaderListSize: UInt32?

    public init(headerTableSize: UInt32? = nil, enablePush: Bool? = nil, maxConcurrentStreams: UInt32? = nil,
                initialWindowSize: UInt32? = nil, maxFrameSize: UInt32? = nil, maxHeaderListSize: UInt32? = nil) {
        self.headerTableSize = headerTableSize; self.enablePush = enablePush
        self.maxConcurrentStreams = maxConcurrentStreams; self.initialWindowSize = initialWindowSize
        self.maxFrameSize = maxFrameSize; self.maxHeaderListSize = maxHeaderListSize
    }

    /// The smallest and largest SETTINGS_MAX_FRAME_SIZE (§6.5.2).
    public static let minMaxFrameSize: UInt32 = 16_384
    public static let maxMaxFrameSize: UInt32 = 16_777_215
    /// The largest flow-control window (§6.9.1).
    public static let maxWindowSize: UInt32 = 0x7FFF_FFFF

    /// Records one parameter, checking the value rules of §6.5.2; unknown
    /// identifiers change nothing. `fromServer`: a server may not enable push.
    mutating func apply(id: UInt16, value: UInt32, fromServer: Bool) -> HTTP2FrameError.Reason? {
        switch HTTP2SettingID(rawValue: id) {
        case .headerTableSize: headerTableSize = value
        case .enablePush:
            guard value <= 1 else { return .enablePushValue }
            guard !(fromServer && value == 1) else { return .pushEnabledByServer }
            enablePush = value == 1
        case .maxConcurrentStreams: maxConcurrentStreams = value
        case .initialWindowSize:
            guard value <= HTTP2Settings.maxWindowSize else { return .initialWindowSizeTooLarge }
            initialWindowSize = value
        case .maxFrameSize:
            guard value >= HTTP2Settings.minMaxFrameSize && value <= HTTP2Settings.maxMaxFrameSize else { return .maxFrameSizeOutOfRange }
            maxFrameSize = value
        case .maxHeaderListSize: maxHeaderListSize = value
        case nil: break
        }
        return nil
    }

    /// The parameters set, in identifier order, as (identifier, value).
    public var parameters: [(HTTP2SettingID, UInt32)] {
        var out: [(HTTP2SettingID, UInt32)] = []
        if let v = headerTableSize { out.append((.headerTableSize, v)) }
        if let v = enablePush { out.append((.enablePush, v ? 1 : 0)) }
        if let v = maxConcurrentStreams { out.append((.maxConcurrentStreams, v)) }
        if let v = initialWindowSize { out.append((.initialWindowSize, v)) }
        if let v = maxFrameSize { out.append((.maxFrameSize, v)) }
        if let v = maxHeaderListSize { out.append((.maxHeaderListSize, v)) }
        return out
    }
}
