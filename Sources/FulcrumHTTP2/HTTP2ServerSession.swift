import FulcrumBytes
import FulcrumHTTP

/// One client's HTTP/2 connection as the engine sees it: bytes in, bytes
/// out, and per stream an HTTP/1.1 request and response, so each HTTP/2
/// stream runs through the same HTTP analysers as an HTTP/1.1 request. A
/// value without I/O: it owns the frame decoder, the HPACK tables of both
/// directions and the `HTTP2Connection` state, and says what happened as
/// `HTTP2ServerSessionEvent`s.
///
/// The request side (this file): the preface, frames in any split, header
/// blocks decoded in order (even refused ones, to keep HPACK in step),
/// RFC 9113 §8 checks, and each request written as HTTP/1.1 into
/// `requestBytes`. The response side is in `HTTP2ServerSession+Response`.
///
/// Buffers live as long as the session and streams reuse their slots, so
/// a busy connection allocates nothing per frame once they have grown.
public struct HTTP2ServerSession: Sendable {
    public let limits: HTTP2SessionLimits
    public internal(set) var connection: HTTP2Connection
    /// Bytes to write to the client, oldest first; `outputWritten` drops them.
    public internal(set) var output: [UInt8] = []
    /// Where the events' request ranges point; emptied by each `receive`.
    public internal(set) var requestBytes: [UInt8] = []
    /// `.close` was reported: nothing more is read or sent.
    public internal(set) var closed = false

    var frames = HTTP2FrameDecoder(role: .server)
    var decoder: HPACKDecoder
    var encoder: HPACKEncoder
    var list = HPACKHeaderList()
    /// The header block being received (HEADERS and CONTINUATION fragments).
    var block: [UInt8] = []
    /// Its stream was refused by the session's own stream limit.
    var blockRefused = false
    var input: [UInt8] = []
    var prefaceDone = false
    var streams: [HTTP2ServerStream] = []
    var actions: [HTTP2ConnectionAction] = []
    var draining = false
    /// A response's header block, and one field's name (in lower case) and value.
    var scratch: [UInt8] = []
    var nameScratch: [UInt8] = []
    var valueScratch: [UInt8] = []
    var wasIdle = true

    /// Writes the server's SETTINGS (its preface, §3.4) into `output`.
    public init(limits: HTTP2SessionLimits = HTTP2SessionLimits()) {
        self.limits = limits
        connection = HTTP2Connection(role: .server, settings: limits.settings)
        // The client encodes with the default 4096-byte table until it has
        // our SETTINGS; a new size applies once it acknowledges them.
        decoder = HPACKDecoder(headerTableSizeLimit: 4096, maxHeaderListSize: limits.maxHeaderListSize)
        encoder = HPACKEncoder(maxTableSize: limits.headerTableSize)
        if limits.headerTableSize > 4096 { encoder.setMaxTableSize(4096) }
        output.reserveCapacity(2 * limits.maxFrameSize)
        input.reserveCapacity(limits.maxFrameSize + HTTP2FrameHeader.size)
        requestBytes.reserveCapacity(limits.maxFrameSize + 1024)
        block.reserveCapacity(4096)
        scratch.reserveCapacity(1024)
        nameScratch.reserveCapacity(64)
        valueScratch.reserveCapacity(256)
        actions.reserveCapacity(16)
        HTTP2FrameEncoder.writeSettings(limits.settings, into: &output)
    }

    /// No stream is open: the engine applies `timeout client`.
    public var isIdle: Bool { slot(0, free: true) == nil }

    /// The engine wrote `count` bytes of `output` to the client.
    public mutating func outputWritten(_ count: Int) {
        output.removeFirst(Swift.min(count, output.count))
    }

    // MARK: Bytes from the client

    /// Takes bytes read from the client, in any split.
    public mutating func receive(_ bytes: UnsafeRawBufferPointer, into events: inout [HTTP2ServerSessionEvent]) {
        requestBytes.removeAll(keepingCapacity: true)
        guard !closed else { return }
        input.append(contentsOf: bytes)
        var at = 0
        if !prefaceDone {
            switch input.withUnsafeBytes({ HTTP2Preface.check($0) }) {
            case .needMore: return
            case .mismatch:
                input.removeAll(keepingCapacity: true)
                return fail(.protocolError, &events)
            case .complete(let n):
                at = n
                prefaceDone = true
            }
        }
        decoding: while !closed {
            let step = input.withUnsafeBytes { frames.decode(UnsafeRawBufferPointer(rebasing: $0[at...])) }
            switch step {
            case .needMore:
                break decoding
            case .frame(let frame, let n):
                connection.receive(frame, into: &actions)
                drain(frame, base: at, &events)
                at += n
            case .frameWithStreamError(let frame, let error, let n):
                connection.receive(frame, into: &actions)
                connection.receive(error, into: &actions)
                drain(frame, base: at, &events)
                at += n
            case .error(let error, let n):
                connection.receive(error, into: &actions)
                drain(nil, base: at, &events)
                guard case .stream = error.scope else { break decoding }
                at += n
            }
        }
        if closed { input.removeAll(keepingCapacity: true) } else { input.removeFirst(at) }
        finishTurn(&events)
    }

    public mutating func receive(_ bytes: [UInt8], into events: inout [HTTP2ServerSessionEvent]) {
        bytes.withUnsafeBytes { receive($0, into: &events) }
    }

    /// The engine wrote stream `streamID`'s request body bytes reported so
    /// far to the server: its receive window opens again (WINDOW_UPDATE once
    /// half of it is used). Until then the client may send at most one
    /// window, so a slow server holds back its own client (backpressure).
    public mutating func requestBodyForwarded(streamID id: UInt32, into events: inout [HTTP2ServerSessionEvent]) {
        guard !closed, let s = slot(id), streams[s].unacknowledged > 0 else { return }
        connection.consumedOnStream(id, streams[s].unacknowledged, into: &actions)
        streams[s].unacknowledged = 0
        drain(nil, base: 0, &events)
    }

    /// Starts a graceful shutdown (a reload): GOAWAY names the last stream
    /// that will be served; `.close` follows once the open ones are done.
    public mutating func shutdown(into events: inout [HTTP2ServerSessionEvent]) {
        guard !closed else { return }
        connection.shutdown(into: &actions)
        drain(nil, base: 0, &events)
        finishTurn(&events)
    }

    // MARK: Actions

    /// Carries out the connection's actions, those the handling adds
    /// included. `frame` is the received frame they are about (its ranges
    /// count from `base` in `input`). Nested calls leave the work to the
    /// outer one, which reads the array to its end.
    mutating func drain(_ frame: HTTP2Frame?, base: Int, _ events: inout [HTTP2ServerSessionEvent]) {
        guard !draining else { return }
        draining = true
        var i = 0
        while i < actions.count {
            let action = actions[i]
            i += 1
            handle(action, frame, base, &events)
        }
        actions.removeAll(keepingCapacity: true)
        draining = false
    }

    private mutating func handle(_ action: HTTP2ConnectionAction, _ frame: HTTP2Frame?, _ base: Int,
                                 _ events: inout [HTTP2ServerSessionEvent]) {
        guard !closed else { return }
        switch action {
        case .sendSettingsAck:
            HTTP2FrameEncoder.writeSettingsAck(into: &output)
        case .sendPingAck(let opaque):
            HTTP2FrameEncoder.writePing(opaqueData: opaque, ack: true, into: &output)
        case .sendWindowUpdate(let id, let increment):
            HTTP2FrameEncoder.writeWindowUpdate(streamID: id, increment: increment, into: &output)
        case .sendRSTStream(let id, let code):
            HTTP2FrameEncoder.writeRSTStream(streamID: id, errorCode: code.rawValue, into: &output)
            if let s = slot(id) { abort(s, code: code.rawValue, byPeer: false, &events) }
        case .sendGoaway(let last, let code):
            HTTP2FrameEncoder.writeGoaway(lastStreamID: last, errorCode: code.rawValue, debugData: EmptyCollection<UInt8>(), into: &output)
        case .sendGoawayAndClose(let last, let code):
            HTTP2FrameEncoder.writeGoaway(lastStreamID: last, errorCode: code.rawValue, debugData: EmptyCollection<UInt8>(), into: &output)
            closed = true
            events.append(.close)
        case .headerFragment(let id, let endHeaders, let endStream, let deliver):
            guard let frame else { return }
            let fragment: Range<Int>
            switch frame {
            case .headers(_, let f, _, _, _, _):
                fragment = f
                // A new stream beyond the advertised limit, which the
                // connection only enforces once the client has acknowledged it.
                blockRefused = false
                if deliver, slot(id) == nil, connection.activeStreams > limits.maxConcurrentStreams {
                    blockRefused = true
                    connection.resetStream(id, code: .refusedStream, into: &actions)
                }
            case .continuation(_, let f, _): fragment = f
            default: return
            }
            guard block.count + fragment.count <= 2 * limits.maxHeaderListSize else { return fail(.enhanceYourCalm, &events) }
            block.append(contentsOf: input[(base + fragment.lowerBound)..<(base + fragment.upperBound)])
            if endHeaders { completeBlock(id, endStream: endStream, deliver: deliver && !blockRefused, &events) }
        case .data(let id, let endStream):
            guard case .data(_, let range, _, _)? = frame, let f = frame else { return }
            receiveData(id, (base + range.lowerBound)..<(base + range.upperBound), f.flowControlledLength, endStream, &events)
        case .peerReset(let id, let code):
            if let s = slot(id) { abort(s, code: code, byPeer: true, &events) }
        case .peerSettings(let settings):
            if let size = settings.headerTableSize { encoder.setMaxTableSize(Int(size)) }
        case .localSettingsAcknowledged(let settings):
            if let size = settings.headerTableSize { decoder.setHeaderTableSizeLimit(Int(size)) }
            if let size = settings.maxFrameSize { frames.maxFrameSize = Int(size) }
        case .windowOpened(let id):
            if id == 0 {
                for s in streams.indices where streams[s].id != 0 { flush(s, &events) }
            } else if let s = slot(id) {
                flush(s, &events)
            }
        case .pingAcknowledged:
            break
        case .peerGoaway(let last, let code):
            events.append(.peerGoaway(lastStreamID: last, code: code))
        }
    }

    // MARK: Requests

    /// A whole header block: decoded always, then a new request or a trailer section.
    private mutating func completeBlock(_ id: UInt32, endStream: Bool, deliver: Bool, _ events: inout [HTTP2ServerSessionEvent]) {
        var failed = false
        block.withUnsafeBytes { raw in
            do throws(HPACKDecodingError) { try decoder.decode(raw, into: &list) } catch { failed = true }
        }
        block.removeAll(keepingCapacity: true)
        // A block that does not decode leaves the tables out of step (§4.3).
        if failed { return fail(.compressionError, &events) }
        guard deliver, connection.state(of: id) != nil else { return }
        if let s = slot(id) { return receiveTrailers(s, &events) }

        guard case .success(let pseudo) = HTTP2MessageValidation.request(list) else { return malformed(id) }
        let start = requestBytes.count
        guard let outcome = HTTP2RequestHead.write(list, pseudo, endStream: endStream, into: &requestBytes) else {
            requestBytes.removeSubrange(start...)
            return malformed(id)
        }
        let s = takeSlot()
        streams[s].open(id, outcome)
        events.append(.requestHead(streamID: id, bytes: start..<requestBytes.count))
        if endStream {
            streams[s].requestEnded = true
            events.append(.requestEnd(streamID: id))
        }
    }

    /// A trailer section ends the request (§8.1): the last chunk carries
    /// it when the body is chunked; a Content-Length body has no room for it.
    private mutating func receiveTrailers(_ s: Int, _ events: inout [HTTP2ServerSessionEvent]) {
        let id = streams[s].id
        if HTTP2MessageValidation.trailers(list) != nil { return malformed(id) }
        switch streams[s].framing {
        case .contentLength(let expected):
            if streams[s].received != expected { return malformed(id) }
        case .chunked:
            let start = requestBytes.count
            requestBytes.append(0x30); requestBytes.append(0x0D); requestBytes.append(0x0A)
            for field in list.fields {
                guard HTTP2FieldBytes.isToken(list.bytes, field.name) else {
                    requestBytes.removeSubrange(start...)
                    return malformed(id)
                }
                requestBytes.append(contentsOf: list.bytes[field.name])
                requestBytes.append(0x3A); requestBytes.append(0x20)
                requestBytes.append(contentsOf: list.bytes[field.value])
                requestBytes.append(0x0D); requestBytes.append(0x0A)
            }
            requestBytes.append(0x0D); requestBytes.append(0x0A)
            events.append(.requestBody(streamID: id, bytes: start..<requestBytes.count))
        case .none, .tunnel:
            break
        }
        requestEnded(s, &events)
    }

    /// A DATA frame's payload (`range` in `input`) in the request's framing.
    private mutating func receiveData(_ id: UInt32, _ range: Range<Int>, _ flowLength: Int, _ endStream: Bool,
                                      _ events: inout [HTTP2ServerSessionEvent]) {
        // The connection window opens on receipt; the stream's once the
        // engine says its bytes moved on (`requestBodyForwarded`).
        connection.consumedOnConnection(flowLength, into: &actions)
        guard let s = slot(id) else { return connection.consumedOnStream(id, flowLength, into: &actions) }
        streams[s].unacknowledged += flowLength
        let start = requestBytes.count
        switch streams[s].framing {
        case .contentLength(let expected):
            streams[s].received += range.count
            // §8.1.1: more DATA than Content-Length, or less by END_STREAM, is malformed.
            if streams[s].received > expected || (endStream && streams[s].received != expected) { return malformed(id) }
            requestBytes.append(contentsOf: input[range])
        case .chunked:
            streams[s].received += range.count
            if !range.isEmpty {
                ChunkedEncoding.appendSizeLine(range.count, to: &requestBytes)
                requestBytes.append(contentsOf: input[range])
                requestBytes.append(0x0D); requestBytes.append(0x0A)
            }
            if endStream { requestBytes.append(contentsOf: ChunkedEncoding.lastChunk) }
        case .tunnel:
            requestBytes.append(contentsOf: input[range])
        case .none:
            return malformed(id)  // the connection resets a stream after END_STREAM first
        }
        if requestBytes.count > start { events.append(.requestBody(streamID: id, bytes: start..<requestBytes.count)) }
        if endStream { requestEnded(s, &events) }
    }

    private mutating func requestEnded(_ s: Int, _ events: inout [HTTP2ServerSessionEvent]) {
        let id = streams[s].id
        streams[s].requestEnded = true
        events.append(.requestEnd(streamID: id))
        if streams[s].phase == .done {
            streams[s].free()
            events.append(.streamEnded(streamID: id))
        }
    }

    /// A malformed request (§8.1.1): a stream error, the connection goes on.
    private mutating func malformed(_ id: UInt32) {
        connection.resetStream(id, code: .protocolError, into: &actions)
    }

    // MARK: Streams

    /// Stream `id`'s slot; with `free`, the first slot in use instead. A
    /// plain loop: a closure-taking search allocates where unspecialized.
    func slot(_ id: UInt32, free: Bool = false) -> Int? {
        guard id != 0 || free else { return nil }
        var s = 0
        while s < streams.count {
            if free ? streams[s].id != 0 : streams[s].id == id { return s }
            s += 1
        }
        return nil
    }

    private mutating func takeSlot() -> Int {
        var s = 0
        while s < streams.count {
            if streams[s].id == 0 { return s }
            s += 1
        }
        streams.append(HTTP2ServerStream())
        return streams.count - 1
    }

    mutating func abort(_ s: Int, code: UInt32, byPeer: Bool, _ events: inout [HTTP2ServerSessionEvent]) {
        let id = streams[s].id
        streams[s].free()
        events.append(.streamAborted(streamID: id, code: code, byPeer: byPeer))
    }

    /// A connection error found by the session itself (HPACK, limits):
    /// GOAWAY, then the connection closes (§5.4.1).
    mutating func fail(_ code: HTTP2ErrorCode, _ events: inout [HTTP2ServerSessionEvent]) {
        guard !closed else { return }
        HTTP2FrameEncoder.writeGoaway(lastStreamID: connection.highestRemoteStream, errorCode: code.rawValue,
                                      debugData: EmptyCollection<UInt8>(), into: &output)
        closed = true
        events.append(.close)
    }

    /// After each call: `.idle` when the last stream ended, `.close` when a
    /// shutdown (either side's GOAWAY) has no stream left to serve.
    mutating func finishTurn(_ events: inout [HTTP2ServerSessionEvent]) {
        guard !closed else { return }
        let idle = isIdle
        if idle && !wasIdle { events.append(.idle) }
        wasIdle = idle
        if idle, connection.activeStreams == 0, connection.goawaySent != nil || connection.peerGoaway != nil {
            closed = true
            events.append(.close)
        }
    }
}
