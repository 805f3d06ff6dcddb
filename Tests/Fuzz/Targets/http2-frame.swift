// modules: FulcrumBytes FulcrumHTTP2
// The frames a peer sends after the preface. First byte: bit 0 the decoder
// is a client (else a server), bit 1 a SETTINGS_MAX_FRAME_SIZE of 16777215
// (else 16384). Every decoded frame, written again by HTTP2FrameEncoder,
// decodes to the same frame; an error's frame is skipped only when it is
// a stream error. The frames and errors also drive an HTTP2Connection,
// whose windows stay within 2^31 - 1 and whose receive window never goes
// below zero.
import FulcrumHTTP2

/// A frame with its payload ranges replaced by the bytes they cover.
func describe(_ frame: HTTP2Frame, _ bytes: UnsafeRawBufferPointer) -> String {
    func hex(_ r: Range<Int>) -> String { bytes[r].map { String($0, radix: 16) }.joined(separator: ".") }
    switch frame {
    case .data(let id, let d, let end, let pad): return "DATA \(id) \(hex(d)) \(end) \(String(describing: pad))"
    case .headers(let id, let f, let end, let endH, let p, let pad): return "HEADERS \(id) \(hex(f)) \(end) \(endH) \(String(describing: p)) \(String(describing: pad))"
    case .pushPromise(let id, let promised, let f, let endH, let pad): return "PUSH \(id) \(promised) \(hex(f)) \(endH) \(String(describing: pad))"
    case .goaway(let last, let code, let d): return "GOAWAY \(last) \(code) \(hex(d))"
    case .continuation(let id, let f, let endH): return "CONTINUATION \(id) \(hex(f)) \(endH)"
    default: return "\(frame)"
    }
}

/// The frame written again; nil for unknown types, which are only skipped.
func write(_ frame: HTTP2Frame, _ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
    var out: [UInt8] = []
    switch frame {
    case .data(let id, let d, let end, let pad):
        HTTP2FrameEncoder.writeData(streamID: id, data: bytes[d], endStream: end, padLength: pad, into: &out)
    case .headers(let id, let f, let end, let endH, let p, let pad):
        HTTP2FrameEncoder.writeHeaders(streamID: id, fragment: bytes[f], endStream: end, endHeaders: endH, priority: p, padLength: pad, into: &out)
    case .priority(let id, let p): HTTP2FrameEncoder.writePriority(streamID: id, p, into: &out)
    case .rstStream(let id, let code): HTTP2FrameEncoder.writeRSTStream(streamID: id, errorCode: code, into: &out)
    case .settings(true, _): HTTP2FrameEncoder.writeSettingsAck(into: &out)
    case .settings(false, let s): HTTP2FrameEncoder.writeSettings(s, into: &out)
    case .pushPromise(let id, let promised, let f, let endH, let pad):
        HTTP2FrameEncoder.writePushPromise(streamID: id, promisedStreamID: promised, fragment: bytes[f], endHeaders: endH, padLength: pad, into: &out)
    case .ping(let ack, let opaque): HTTP2FrameEncoder.writePing(opaqueData: opaque, ack: ack, into: &out)
    case .goaway(let last, let code, let d): HTTP2FrameEncoder.writeGoaway(lastStreamID: last, errorCode: code, debugData: bytes[d], into: &out)
    case .windowUpdate(let id, let increment): HTTP2FrameEncoder.writeWindowUpdate(streamID: id, increment: increment, into: &out)
    case .continuation(let id, let f, let endH): HTTP2FrameEncoder.writeContinuation(streamID: id, fragment: bytes[f], endHeaders: endH, into: &out)
    case .unknown: return nil
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP2Frames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    var decoder = HTTP2FrameDecoder(role: input.first & 1 == 0 ? .server : .client,
                                    maxFrameSize: input.first & 2 == 0 ? 16_384 : 16_777_215)
    var connection = HTTP2Connection(role: input.first & 1 == 0 ? .server : .client, settings: HTTP2Settings(maxConcurrentStreams: 4))
    var actions: [HTTP2ConnectionAction] = []
    var rest = input.rest
    while true {
        fuzzCheck(connection.connectionReceiveWindow.size >= 0 && connection.connectionReceiveWindow.size <= 0x7FFF_FFFF, "receive window")
        fuzzCheck(connection.connectionSendWindow.size <= 0x7FFF_FFFF, "send window")
        // The limit holds once the peer has acknowledged it.
        fuzzCheck(connection.activeStreams <= connection.localSettings.maxConcurrentStreams || input.first & 1 == 1, "more streams than allowed")
        actions.removeAll(keepingCapacity: true)
        let before = decoder
        let result = decoder.decode(rest)
        switch result {
        case .frame(let f, _): connection.receive(f, into: &actions)
        case .frameWithStreamError(let f, let e, _):
            connection.receive(f, into: &actions)
            connection.receive(e, into: &actions)
        case .error(let e, _): connection.receive(e, into: &actions)
        case .needMore: break
        }
        for case .data(let id, _) in actions { connection.consumed(id, 1, into: &actions) }
        let frame: HTTP2Frame, consumed: Int
        switch result {
        case .needMore: return 0
        case .error(let error, let n):
            guard case .stream = error.scope else { return 0 }
            fuzzCheck(n > 0, "stream error without a frame to skip")
            rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            continue
        case .frame(let f, let n): (frame, consumed) = (f, n)
        case .frameWithStreamError(let f, let error, let n):
            if case .connection = error.scope { fuzzCheck(false, "a connection error with a frame") }
            (frame, consumed) = (f, n)
        }
        fuzzCheck(consumed >= 9 && consumed <= rest.count, "consumed \(consumed) of \(rest.count)")
        let bytes = UnsafeRawBufferPointer(rebasing: rest[0..<consumed])
        if let written = write(frame, bytes) {
            var copy = before
            let second = written.withUnsafeBytes { copy.decode($0) }
            let same: Bool
            switch second {
            case .frame(let f, let n), .frameWithStreamError(let f, _, let n):
                same = n == written.count && written.withUnsafeBytes { describe(f, $0) } == describe(frame, bytes)
            default: same = false
            }
            fuzzCheck(same, "rewritten frame differs: \(describe(frame, bytes)) -> \(second)")
        }
        rest = UnsafeRawBufferPointer(rebasing: rest[consumed...])
    }
}
