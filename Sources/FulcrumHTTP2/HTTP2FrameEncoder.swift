/// Writes frames (RFC 9113 §6) into an output buffer. The caller keeps
/// within the peer's SETTINGS_MAX_FRAME_SIZE; `writeHeaderBlock` splits a
/// block into HEADERS and CONTINUATION frames for it.
public enum HTTP2FrameEncoder {
    public static func writeData<Bytes: Collection>(streamID: UInt32, data: Bytes, endStream: Bool, padLength: UInt8? = nil,
                                                    into out: inout [UInt8]) where Bytes.Element == UInt8 {
        let flags = (endStream ? HTTP2Flags.endStream : 0) | (padLength != nil ? HTTP2Flags.padded : 0)
        writePadded(.data, flags: flags, streamID: streamID, fixed: [], body: data, padLength: padLength, into: &out)
    }

    public static func writeHeaders<Bytes: Collection>(streamID: UInt32, fragment: Bytes, endStream: Bool, endHeaders: Bool,
                                                       priority: HTTP2Priority? = nil, padLength: UInt8? = nil,
                                                       into out: inout [UInt8]) where Bytes.Element == UInt8 {
        var flags = (endStream ? HTTP2Flags.endStream : 0) | (endHeaders ? HTTP2Flags.endHeaders : 0)
        if padLength != nil { flags |= HTTP2Flags.padded }
        var fixed: [UInt8] = []
        if let priority {
            flags |= HTTP2Flags.priority
            appendPriority(priority, to: &fixed)
        }
        writePadded(.headers, flags: flags, streamID: streamID, fixed: fixed, body: fragment, padLength: padLength, into: &out)
    }

    /// A whole header block: one HEADERS frame, then CONTINUATION frames
    /// of at most `maxFrameSize` bytes each, END_HEADERS on the last.
    public static func writeHeaderBlock(streamID: UInt32, block: ArraySlice<UInt8>, endStream: Bool, maxFrameSize: Int,
                                        into out: inout [UInt8]) {
        var rest = block
        var first = true
        repeat {
            let piece = rest.prefix(maxFrameSize)
            rest = rest.dropFirst(piece.count)
            if first {
                writeHeaders(streamID: streamID, fragment: piece, endStream: endStream, endHeaders: rest.isEmpty, into: &out)
                first = false
            } else {
                writeContinuation(streamID: streamID, fragment: piece, endHeaders: rest.isEmpty, into: &out)
            }
        } while !rest.isEmpty
    }

    public static func writePriority(streamID: UInt32, _ priority: HTTP2Priority, into out: inout [UInt8]) {
        HTTP2FrameHeader(length: 5, type: HTTP2FrameType.priority.rawValue, flags: 0, streamID: streamID).write(into: &out)
        appendPriority(priority, to: &out)
    }

    public static func writeRSTStream(streamID: UInt32, errorCode: UInt32, into out: inout [UInt8]) {
        HTTP2FrameHeader(length: 4, type: HTTP2FrameType.rstStream.rawValue, flags: 0, streamID: streamID).write(into: &out)
        appendUInt32(errorCode, to: &out)
    }

    public static func writeSettings(_ settings: HTTP2Settings, into out: inout [UInt8]) {
        let parameters = settings.parameters
        HTTP2FrameHeader(length: 6 * parameters.count, type: HTTP2FrameType.settings.rawValue, flags: 0, streamID: 0).write(into: &out)
        for (id, value) in parameters {
            out.append(UInt8(id.rawValue >> 8))
            out.append(UInt8(id.rawValue & 0xFF))
            appendUInt32(value, to: &out)
        }
    }

    public static func writeSettingsAck(into out: inout [UInt8]) {
        HTTP2FrameHeader(length: 0, type: HTTP2FrameType.settings.rawValue, flags: HTTP2Flags.ack, streamID: 0).write(into: &out)
    }

    public static func writePushPromise<Bytes: Collection>(streamID: UInt32, promisedStreamID: UInt32, fragment: Bytes, endHeaders: Bool,
                                                           padLength: UInt8? = nil, into out: inout [UInt8]) where Bytes.Element == UInt8 {
        let flags = (endHeaders ? HTTP2Flags.endHeaders : 0) | (padLength != nil ? HTTP2Flags.padded : 0)
        var fixed: [UInt8] = []
        appendUInt32(promisedStreamID & HTTP2FrameHeader.maxStreamID, to: &fixed)
        writePadded(.pushPromise, flags: flags, streamID: streamID, fixed: fixed, body: fragment, padLength: padLength, into: &out)
    }

    public static func writePing(opaqueData: UInt64, ack: Bool, into out: inout [UInt8]) {
        HTTP2FrameHeader(length: 8, type: HTTP2FrameType.ping.rawValue, flags: ack ? HTTP2Flags.ack : 0, streamID: 0).write(into: &out)
        appendUInt32(UInt32(truncatingIfNeeded: opaqueData >> 32), to: &out)
        appendUInt32(UInt32(truncatingIfNeeded: opaqueData), to: &out)
    }

    public static func writeGoaway<Bytes: Collection>(lastStreamID: UInt32, errorCode: UInt32, debugData: Bytes,
                                                      into out: inout [UInt8]) where Bytes.Element == UInt8 {
        HTTP2FrameHeader(length: 8 + debugData.count, type: HTTP2FrameType.goaway.rawValue, flags: 0, streamID: 0).write(into: &out)
        appendUInt32(lastStreamID & HTTP2FrameHeader.maxStreamID, to: &out)
        appendUInt32(errorCode, to: &out)
        out.append(contentsOf: debugData)
    }

    public static func writeWindowUpdate(streamID: UInt32, increment: UInt32, into out: inout [UInt8]) {
        HTTP2FrameHeader(length: 4, type: HTTP2FrameType.windowUpdate.rawValue, flags: 0, streamID: streamID).write(into: &out)
        appendUInt32(increment & HTTP2FrameHeader.maxStreamID, to: &out)
    }

    public static func writeContinuation<Bytes: Collection>(streamID: UInt32, fragment: Bytes, endHeaders: Bool,
                                                            into out: inout [UInt8]) where Bytes.Element == UInt8 {
        HTTP2FrameHeader(length: fragment.count, type: HTTP2FrameType.continuation.rawValue,
                         flags: endHeaders ? HTTP2Flags.endHeaders : 0, streamID: streamID).write(into: &out)
        out.append(contentsOf: fragment)
    }

    /// A frame of the DATA / HEADERS / PUSH_PROMISE layout: [Pad Length],
    /// the type's fixed fields, the body, [padding of zeros].
    private static func writePadded<Bytes: Collection>(_ type: HTTP2FrameType, flags: UInt8, streamID: UInt32, fixed: [UInt8], body: Bytes,
                                                       padLength: UInt8?, into out: inout [UInt8]) where Bytes.Element == UInt8 {
        let padding = padLength.map { 1 + Int($0) } ?? 0
        HTTP2FrameHeader(length: padding + fixed.count + body.count, type: type.rawValue, flags: flags, streamID: streamID).write(into: &out)
        if let padLength { out.append(padLength) }
        out.append(contentsOf: fixed)
        out.append(contentsOf: body)
        if let padLength { out.append(contentsOf: repeatElement(0, count: Int(padLength))) }
    }

    private static func appendPriority(_ priority: HTTP2Priority, to out: inout [UInt8]) {
        appendUInt32((priority.exclusive ? 0x8000_0000 : 0) | priority.dependency & HTTP2FrameHeader.maxStreamID, to: &out)
        out.append(priority.weight)
    }
}
