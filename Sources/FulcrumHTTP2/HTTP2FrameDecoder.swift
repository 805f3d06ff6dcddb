/// What one step of frame decoding found.
public enum HTTP2FrameDecoding: Equatable, Sendable {
    /// The buffer does not hold a whole frame yet.
    case needMore
    /// A frame, and the bytes it took (header included).
    case frame(HTTP2Frame, consumed: Int)
    /// A frame that broke a rule. A stream error's frame can be skipped
    /// (`consumed` bytes) and the connection goes on; after a connection
    /// error nothing more is read.
    case error(HTTP2FrameError, consumed: Int)
    /// A HEADERS frame whose stream must be reset (a self-dependency), but
    /// whose header block must still be decoded: skipping it would leave
    /// the HPACK tables out of step (RFC 9113 §4.3).
    case frameWithStreamError(HTTP2Frame, HTTP2FrameError, consumed: Int)
}

/// Splits a connection's received bytes into frames and checks each
/// against the length, stream-identifier, padding and value rules of
/// RFC 9113 §4 and §6. It keeps one piece of state, whether a header block
/// is open, since §6.10 forbids any frame but that stream's CONTINUATION
/// until END_HEADERS. Stream states and flow control are the connection's
/// business, not this decoder's.
public struct HTTP2FrameDecoder: Sendable {
    /// Which end decodes: PUSH_PROMISE may only reach a client, and only a
    /// client refuses a peer's SETTINGS_ENABLE_PUSH of 1.
    public enum Role: Sendable {
        case server, client
    }

    public let role: Role
    /// The SETTINGS_MAX_FRAME_SIZE this end advertised (16384 until then).
    public var maxFrameSize: Int
    /// The stream whose header block awaits CONTINUATION frames.
    public private(set) var openHeaderBlock: UInt32?

    public init(role: Role, maxFrameSize: Int = Int(HTTP2Settings.minMaxFrameSize)) {
        self.role = role
        self.maxFrameSize = maxFrameSize
    }

    /// Decodes the frame at the start of `bytes`; ranges in it count from
    /// `bytes`' start.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) -> HTTP2FrameDecoding {
        guard let header = HTTP2FrameHeader(bytes) else { return .needMore }
        // Refused before its payload arrives: a peer may not make us buffer more.
        guard header.length <= maxFrameSize else {
            return .error(HTTP2FrameError(.connection, .frameSizeError, .frameTooLarge), consumed: 0)
        }
        let total = HTTP2FrameHeader.size + header.length
        guard bytes.count >= total else { return .needMore }
        switch decodePayload(header, UnsafeRawBufferPointer(rebasing: bytes[0..<total])) {
        case .success(let frame):
            if case .headers(let id, _, _, _, let priority?, _) = frame, priority.dependency == id {
                return .frameWithStreamError(frame, HTTP2FrameError(.stream(id), .protocolError, .selfDependency), consumed: total)
            }
            return .frame(frame, consumed: total)
        case .failure(let error): return .error(error, consumed: total)
        }
    }

    public mutating func decode(_ bytes: [UInt8]) -> HTTP2FrameDecoding {
        bytes.withUnsafeBytes { decode($0) }
    }

    private mutating func decodePayload(_ h: HTTP2FrameHeader, _ frame: UnsafeRawBufferPointer) -> Result<HTTP2Frame, HTTP2FrameError> {
        func connection(_ code: HTTP2ErrorCode, _ reason: HTTP2FrameError.Reason) -> Result<HTTP2Frame, HTTP2FrameError> {
            .failure(HTTP2FrameError(.connection, code, reason))
        }
        func stream(_ code: HTTP2ErrorCode, _ reason: HTTP2FrameError.Reason) -> Result<HTTP2Frame, HTTP2FrameError> {
            .failure(HTTP2FrameError(.stream(h.streamID), code, reason))
        }
        let start = HTTP2FrameHeader.size, end = frame.count
        let id = h.streamID

        if let open = openHeaderBlock {
            guard h.knownType == .continuation && id == open else { return connection(.protocolError, .continuationExpected) }
        }
        guard let type = h.knownType else { return .success(.unknown(h)) }
        switch type {
        case .data:
            guard id != 0 else { return connection(.protocolError, .streamIDZero) }
            switch unpad(h, frame, fixed: 0) {
            case .failure(let error): return .failure(error)
            case .success(let (body, padLength)):
                return .success(.data(streamID: id, data: body, endStream: h.has(HTTP2Flags.endStream), padLength: padLength))
            }

        case .headers:
            guard id != 0 else { return connection(.protocolError, .streamIDZero) }
            let hasPriority = h.has(HTTP2Flags.priority)
            switch unpad(h, frame, fixed: hasPriority ? 5 : 0) {
            case .failure(let error): return .failure(error)
            case .success(let (body, padLength)):
                let priority = hasPriority ? readPriority(frame, body.lowerBound) : nil
                let fragment = (body.lowerBound + (hasPriority ? 5 : 0))..<body.upperBound
                if !h.has(HTTP2Flags.endHeaders) { openHeaderBlock = id }
                return .success(.headers(streamID: id, fragment: fragment, endStream: h.has(HTTP2Flags.endStream),
                                         endHeaders: h.has(HTTP2Flags.endHeaders), priority: priority, padLength: padLength))
            }

        case .priority:
            guard id != 0 else { return connection(.protocolError, .streamIDZero) }
            guard h.length == 5 else { return stream(.frameSizeError, .payloadLength) }
            let priority = readPriority(frame, start)
            guard priority.dependency != id else { return stream(.protocolError, .selfDependency) }
            return .success(.priority(streamID: id, priority))

        case .rstStream:
            guard id != 0 else { return connection(.protocolError, .streamIDZero) }
            guard h.length == 4 else { return connection(.frameSizeError, .payloadLength) }
            return .success(.rstStream(streamID: id, errorCode: readUInt32(frame, start)))

        case .settings:
            guard id == 0 else { return connection(.protocolError, .streamIDNotZero) }
            if h.has(HTTP2Flags.ack) {
                guard h.length == 0 else { return connection(.frameSizeError, .payloadLength) }
                return .success(.settings(ack: true, HTTP2Settings()))
            }
            guard h.length % 6 == 0 else { return connection(.frameSizeError, .payloadLength) }
            var settings = HTTP2Settings()
            var at = start
            while at < end {
                let parameter = UInt16(frame[at]) << 8 | UInt16(frame[at + 1])
                if let reason = settings.apply(id: parameter, value: readUInt32(frame, at + 2), fromServer: role == .client) {
                    return connection(reason == .initialWindowSizeTooLarge ? .flowControlError : .protocolError, reason)
                }
                at += 6
            }
            return .success(.settings(ack: false, settings))

        case .pushPromise:
            guard role == .client else { return connection(.protocolError, .pushPromiseToServer) }
            guard id != 0 else { return connection(.protocolError, .streamIDZero) }
            switch unpad(h, frame, fixed: 4) {
            case .failure(let error): return .failure(error)
            case .success(let (body, padLength)):
                let promised = readUInt32(frame, body.lowerBound) & HTTP2FrameHeader.maxStreamID
                if !h.has(HTTP2Flags.endHeaders) { openHeaderBlock = id }
                return .success(.pushPromise(streamID: id, promisedStreamID: promised, fragment: (body.lowerBound + 4)..<body.upperBound,
                                             endHeaders: h.has(HTTP2Flags.endHeaders), padLength: padLength))
            }

        case .ping:
            guard id == 0 else { return connection(.protocolError, .streamIDNotZero) }
            guard h.length == 8 else { return connection(.frameSizeError, .payloadLength) }
            let opaque = UInt64(readUInt32(frame, start)) << 32 | UInt64(readUInt32(frame, start + 4))
            return .success(.ping(ack: h.has(HTTP2Flags.ack), opaqueData: opaque))

        case .goaway:
            guard id == 0 else { return connection(.protocolError, .streamIDNotZero) }
            guard h.length >= 8 else { return connection(.frameSizeError, .payloadTooShort) }
            return .success(.goaway(lastStreamID: readUInt32(frame, start) & HTTP2FrameHeader.maxStreamID,
                                    errorCode: readUInt32(frame, start + 4), debugData: (start + 8)..<end))

        case .windowUpdate:
            guard h.length == 4 else { return connection(.frameSizeError, .payloadLength) }
            let increment = readUInt32(frame, start) & HTTP2FrameHeader.maxStreamID
            guard increment != 0 else {
                return id == 0 ? connection(.protocolError, .zeroWindowIncrement) : stream(.protocolError, .zeroWindowIncrement)
            }
            return .success(.windowUpdate(streamID: id, increment: increment))

        case .continuation:
            guard id != 0 else { return connection(.protocolError, .streamIDZero) }
            guard openHeaderBlock != nil else { return connection(.protocolError, .unexpectedContinuation) }
            if h.has(HTTP2Flags.endHeaders) { openHeaderBlock = nil }
            return .success(.continuation(streamID: id, fragment: start..<end, endHeaders: h.has(HTTP2Flags.endHeaders)))
        }
    }

    /// The payload between the Pad Length field and the padding, `fixed`
    /// bytes of type-specific fields included at its start. Too short for
    /// the Pad Length and fixed fields is a FRAME_SIZE_ERROR (§4.2);
    /// padding that leaves less than the fixed fields is a PROTOCOL_ERROR.
    private func unpad(_ h: HTTP2FrameHeader, _ frame: UnsafeRawBufferPointer, fixed: Int)
        -> Result<(Range<Int>, UInt8?), HTTP2FrameError> {
        var start = HTTP2FrameHeader.size, end = frame.count
        var padLength: UInt8?
        if h.has(HTTP2Flags.padded) {
            guard h.length >= 1 + fixed else { return .failure(HTTP2FrameError(.connection, .frameSizeError, .payloadTooShort)) }
            let pad = frame[start]
            start += 1
            guard Int(pad) <= end - start - fixed else { return .failure(HTTP2FrameError(.connection, .protocolError, .paddingTooLong)) }
            end -= Int(pad)
            padLength = pad
        } else {
            guard h.length >= fixed else { return .failure(HTTP2FrameError(.connection, .frameSizeError, .payloadTooShort)) }
        }
        return .success((start..<end, padLength))
    }

    private func readPriority(_ frame: UnsafeRawBufferPointer, _ at: Int) -> HTTP2Priority {
        let word = readUInt32(frame, at)
        return HTTP2Priority(exclusive: word & 0x8000_0000 != 0, dependency: word & HTTP2FrameHeader.maxStreamID, weight: frame[at + 4])
    }
}
