import FulcrumBytes
import FulcrumHTTP

/// The response side: the engine hands each stream's HTTP/1.1 response as
/// it reads it from the server (head, then the body in its HTTP/1.1
/// framing), and the session sends it as HEADERS and DATA frames. The head
/// goes through FulcrumHTTP's response parser and the body through its
/// `HTTPBodyForwarder`, the same code that reads HTTP/1.1 responses for
/// HTTP/1.1 clients, so both kinds of client see a server's response the
/// same way. DATA beyond the flow-control windows waits in the stream's
/// slot, and the engine is told to stop reading that server until it goes.
extension HTTP2ServerSession {
    /// Takes response bytes of stream `streamID`, in any split; bytes after
    /// the response's end are ignored. Unknown (ended, reset) streams are ignored.
    public mutating func sendResponse(streamID id: UInt32, _ bytes: UnsafeRawBufferPointer,
                                      into events: inout [HTTP2ServerSessionEvent]) {
        guard !closed, let s = slot(id) else { return }
        var rest = bytes
        feeding: while !rest.isEmpty, streams[s].id == id {
            switch streams[s].phase {
            case .done:
                break feeding
            case .head:
                guard let length = parseHead(s, rest, &events) else { break feeding }
                rest = UnsafeRawBufferPointer(rebasing: rest[length...])
            case .body:
                guard !streams[s].forwarder.isDone else { break feeding }
                var forwarder = streams[s].forwarder
                var pending: [UInt8] = []
                swap(&pending, &streams[s].pending)
                let result = forwarder.forward(rest, payload: &pending)
                if case .success(let move) = result, move.passThrough > 0 {
                    pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[0..<move.passThrough]))
                }
                swap(&pending, &streams[s].pending)
                streams[s].forwarder = forwarder
                guard case .success(let move) = result else {
                    brokenResponse(s, &events)
                    break feeding
                }
                rest = UnsafeRawBufferPointer(rebasing: rest[move.consumed...])
                if forwarder.isDone { streams[s].endPending = true }
                flush(s, &events)
                if move.consumed == 0 { break feeding }
            }
        }
        finishTurn(&events)
    }

    public mutating func sendResponse(streamID id: UInt32, _ bytes: [UInt8], into events: inout [HTTP2ServerSessionEvent]) {
        bytes.withUnsafeBytes { sendResponse(streamID: id, $0, into: &events) }
    }

    /// The server closed its connection: the end of a response delimited
    /// by the close; any other unfinished response is truncated, and reset.
    public mutating func endResponse(streamID id: UInt32, into events: inout [HTTP2ServerSessionEvent]) {
        guard !closed, let s = slot(id) else { return }
        switch streams[s].phase {
        case .done: break
        case .head: brokenResponse(s, &events)
        case .body:
            if streams[s].forwarder.sourceClosed() {
                streams[s].endPending = true
                flush(s, &events)
            } else {
                brokenResponse(s, &events)
            }
        }
        finishTurn(&events)
    }

    /// The engine gives up on a stream (its server failed mid-response):
    /// RST_STREAM with `code`, reported as `.streamAborted`.
    public mutating func resetStream(_ id: UInt32, code: HTTP2ErrorCode = .internalError,
                                     into events: inout [HTTP2ServerSessionEvent]) {
        guard !closed, slot(id) != nil else { return }
        connection.resetStream(id, code: code, into: &actions)
        drain(nil, base: 0, &events)
        finishTurn(&events)
    }

    // MARK: Head

    /// Parses a head from the stream's kept bytes and `bytes`; the bytes of
    /// `bytes` it took, or nil when it needs more or the stream was reset.
    private mutating func parseHead(_ s: Int, _ bytes: UnsafeRawBufferPointer, _ events: inout [HTTP2ServerSessionEvent]) -> Int? {
        let kept = streams[s].headBuffer.count
        var head = HTTPHead(kind: .response, reserving: false)
        swap(&head, &streams[s].head)
        defer { swap(&head, &streams[s].head) }
        let parse: HTTPHeadParse
        if kept == 0 {
            parse = HTTPParser.parseResponse(bytes, limits: limits.responseLimits, into: &head)
        } else {
            streams[s].headBuffer.append(contentsOf: bytes)
            parse = streams[s].headBuffer.withUnsafeBytes { HTTPParser.parseResponse($0, limits: limits.responseLimits, into: &head) }
        }
        switch parse {
        case .incomplete:
            if kept == 0 { streams[s].headBuffer.append(contentsOf: bytes) }
            return nil
        case .invalid:
            brokenResponse(s, &events)
            return nil
        case .complete(let length):
            streams[s].headBuffer.removeAll(keepingCapacity: true)
            guard startResponse(s, head, &events) else { return nil }
            return length - kept
        }
    }

    /// Sends a complete head: a 1xx as HEADERS without END_STREAM (another
    /// head follows), a final one with END_STREAM when it has no body.
    private mutating func startResponse(_ s: Int, _ head: HTTPHead, _ events: inout [HTTP2ServerSessionEvent]) -> Bool {
        if head.status < 200 {
            // §8.6: HTTP/2 has no 101; an upgrade cannot be carried.
            guard head.status != 101, writeHeaders(s, head, endStream: false) else {
                brokenResponse(s, &events)
                return false
            }
            return true
        }
        switch HTTPFraming.response(head, requestMethod: streams[s].requestMethod) {
        case .failure:
            brokenResponse(s, &events)
            return false
        case .success(.none):
            guard writeHeaders(s, head, endStream: true) else {
                brokenResponse(s, &events)
                return false
            }
            responseDone(s, &events)
            return false
        case .success(let framing):
            guard writeHeaders(s, head, endStream: false) else {
                brokenResponse(s, &events)
                return false
            }
            streams[s].forwarder = HTTPBodyForwarder(framing: framing, errorStatus: 502)
            streams[s].phase = .body
            return true
        }
    }

    /// HPACK-encodes `:status` and the fields HTTP/2 may carry (§8.2.2
    /// removes the connection-specific ones; names go in lower case,
    /// §8.2.1) and writes HEADERS and CONTINUATION frames.
    private mutating func writeHeaders(_ s: Int, _ head: HTTPHead, endStream: Bool) -> Bool {
        let id = streams[s].id
        guard connection.sendHeaders(streamID: id, endStream: endStream) else { return false }
        scratch.removeAll(keepingCapacity: true)
        encoder.beginBlock(into: &scratch)
        // Names and values through reused arrays, not closures over the
        // head's storage: those allocate a context per field where unspecialized.
        let raw = head.raw
        valueScratch.removeAll(keepingCapacity: true)
        valueScratch.append(contentsOf: raw[head.part2])
        encoder.encode(name: HTTP2ServerSession.statusName, value: valueScratch, into: &scratch)
        var f = 0
        while f < head.fields.count {
            let field = head.fields[f]
            f += 1
            if field.removed || HTTP2ServerSession.isConnectionSpecific(raw, field.name) { continue }
            nameScratch.removeAll(keepingCapacity: true)
            var i = field.name.lowerBound
            while i < field.name.upperBound {
                nameScratch.append(ASCII.lower(raw[i]))
                i += 1
            }
            valueScratch.removeAll(keepingCapacity: true)
            valueScratch.append(contentsOf: raw[field.value])
            encoder.encode(name: nameScratch, value: valueScratch, into: &scratch)
        }
        HTTP2FrameEncoder.writeHeaderBlock(streamID: id, block: scratch[...], endStream: endStream,
                                           maxFrameSize: connection.remoteSettings.maxFrameSize, into: &output)
        return true
    }

    static let statusName: [UInt8] = Array(":status".utf8)

    static func isConnectionSpecific(_ raw: [UInt8], _ name: Range<Int>) -> Bool {
        switch name.count {
        case 7: return ASCII.equalsLowercase(raw, name, "upgrade")
        case 10: return ASCII.equalsLowercase(raw, name, "connection") || ASCII.equalsLowercase(raw, name, "keep-alive")
        case 16: return ASCII.equalsLowercase(raw, name, "proxy-connection")
        case 17: return ASCII.equalsLowercase(raw, name, "transfer-encoding")
        default: return false
        }
    }

    // MARK: Data

    /// Sends what the windows allow of the stream's waiting payload, with
    /// END_STREAM on the last frame once the response's end is known, and
    /// reports the stream blocked or unblocked.
    mutating func flush(_ s: Int, _ events: inout [HTTP2ServerSessionEvent]) {
        let id = streams[s].id
        guard streams[s].phase == .body else { return }
        var finished = false
        while true {
            let remaining = streams[s].pendingCount
            if remaining == 0 {
                if streams[s].endPending, connection.sendData(streamID: id, count: 0, endStream: true) {
                    HTTP2FrameEncoder.writeData(streamID: id, data: EmptyCollection<UInt8>(), endStream: true, into: &output)
                    finished = true
                }
                break
            }
            let n = Swift.min(remaining, connection.sendable(streamID: id))
            guard n > 0 else { break }
            let last = streams[s].endPending && n == remaining
            guard connection.sendData(streamID: id, count: n, endStream: last) else { break }
            let start = streams[s].pendingStart
            HTTP2FrameEncoder.writeData(streamID: id, data: streams[s].pending[start..<(start + n)], endStream: last, into: &output)
            streams[s].pendingStart += n
            if last {
                finished = true
                break
            }
        }
        let waiting = streams[s].pendingCount
        if waiting == 0 {
            streams[s].pending.removeAll(keepingCapacity: true)
            streams[s].pendingStart = 0
        } else if streams[s].pendingStart > waiting {
            // Move the rest to the front so a long-blocked stream does not grow its buffer.
            streams[s].pending.removeFirst(streams[s].pendingStart)
            streams[s].pendingStart = 0
        }
        if waiting > 0 && !streams[s].blocked {
            streams[s].blocked = true
            events.append(.streamBlocked(streamID: id))
        } else if waiting == 0 && streams[s].blocked {
            streams[s].blocked = false
            events.append(.streamUnblocked(streamID: id))
        }
        if finished { responseDone(s, &events) }
    }

    /// END_STREAM went out. With the request complete too the stream ends;
    /// a request still sending is told to stop with RST_STREAM NO_ERROR, as
    /// §8.1 lets a server that answered early.
    private mutating func responseDone(_ s: Int, _ events: inout [HTTP2ServerSessionEvent]) {
        let id = streams[s].id
        streams[s].phase = .done
        guard !streams[s].requestEnded else {
            streams[s].free()
            events.append(.streamEnded(streamID: id))
            return
        }
        streams[s].free()
        events.append(.streamEnded(streamID: id))
        connection.resetStream(id, code: .noError, into: &actions)
        drain(nil, base: 0, &events)
    }

    /// A response HTTP/2 cannot carry (a malformed head or body, a 101, a
    /// truncated body): the stream is reset, the connection goes on.
    private mutating func brokenResponse(_ s: Int, _ events: inout [HTTP2ServerSessionEvent]) {
        connection.resetStream(streams[s].id, code: .internalError, into: &actions)
        drain(nil, base: 0, &events)
    }
}
