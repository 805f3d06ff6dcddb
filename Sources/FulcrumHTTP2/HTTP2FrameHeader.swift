/// The frame types of RFC 9113 §6. Other type values are extensions and
/// are ignored (§4.1, §5.5) except inside a header block.
public enum HTTP2FrameType: UInt8, Sendable, CaseIterable {
    case data = 0x0
    case headers = 0x1
    case priority = 0x2
    case rstStream = 0x3
    case settings = 0x4
    case pushPromise = 0x5
    case ping = 0x6
    case goaway = 0x7
    case windowUpdate = 0x8
    case continuation = 0x9
}

/// Flag bits; their meaning depends on the frame type (§6).
public enum HTTP2Flags {
    public static let endStream: UInt8 = 0x1
    public static let ack: UInt8 = 0x1
    public static let endHeaders: UInt8 = 0x4
    public static let padded: UInt8 = 0x8
    public static let priority: UInt8 = 0x20
}

/// The 9-byte header every frame starts with (RFC 9113 §4.1): a 24-bit
/// payload length, the type, the flags, and a reserved bit ignored on
/// receipt followed by the 31-bit stream identifier.
public struct HTTP2FrameHeader: Equatable, Sendable {
    public static let size = 9
    /// The largest stream identifier, and the largest window (2^31 - 1).
    public static let maxStreamID: UInt32 = 0x7FFF_FFFF

    public var length: Int
    public var type: UInt8
    public var flags: UInt8
    public var streamID: UInt32

    public init(length: Int, type: UInt8, flags: UInt8, streamID: UInt32) {
        self.length = length; self.type = type; self.flags = flags; self.streamID = streamID
    }

    /// Reads a header from the first 9 bytes of `bytes`; nil when shorter.
    public init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= HTTP2FrameHeader.size else { return nil }
        length = Int(bytes[0]) << 16 | Int(bytes[1]) << 8 | Int(bytes[2])
        type = bytes[3]
        flags = bytes[4]
        streamID = readUInt32(bytes, 5) & HTTP2FrameHeader.maxStreamID
    }

    /// The known type, nil for an extension's.
    public var knownType: HTTP2FrameType? { HTTP2FrameType(rawValue: type) }

    public func has(_ flag: UInt8) -> Bool { flags & flag != 0 }

    /// Appends the 9 bytes (the reserved bit zero, as §4.1 requires of senders).
    public func write(into out: inout [UInt8]) {
        precondition(length < 1 << 24, "HTTP/2 frame payload longer than 24 bits")
        out.append(UInt8(truncatingIfNeeded: length >> 16))
        out.append(UInt8(truncatingIfNeeded: length >> 8))
        out.append(UInt8(truncatingIfNeeded: length))
        out.append(type)
        out.append(flags)
        appendUInt32(streamID & HTTP2FrameHeader.maxStreamID, to: &out)
    }
}

@inline(__always)
func readUInt32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
    UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
}

@inline(__always)
func appendUInt32(_ value: UInt32, to out: inout [UInt8]) {
    out.append(UInt8(truncatingIfNeeded: value >> 24))
    out.append(UInt8(truncatingIfNeeded: value >> 16))
    out.append(UInt8(truncatingIfNeeded: value >> 8))
    out.append(UInt8(truncatingIfNeeded: value))
}
