// modules: FulcrumBytes FulcrumHTTP FulcrumHTTP2
// A client's bytes into HTTP2ServerSession, and HTTP/1.1 responses for
// every request it produces. First byte: bits 0-4 the size of the pieces
// the input is fed in (1-32 bytes), bit 5 the client preface and an empty
// SETTINGS go first (so the fuzzer reaches the frames), bit 6 responses are
// chunked (else Content-Length), bit 7 a stream limit of 2 (else 100).
// Every request head the session writes parses as FulcrumHTTP parses a
// client's, with the framing it announced; every byte the session writes
// decodes as frames and HPACK blocks at a client; events are consistent
// (a body or an end only after the stream's head, nothing after `.close`).
import FulcrumBytes
import FulcrumHTTP
import FulcrumHTTP2

let fuzzPreface: [UInt8] = HTTP2Preface.bytes + [0, 0, 0, 4, 0, 0, 0, 0, 0]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP2Session(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = FuzzInput(data, size)
    let piece = Int(input.first & 0x1F) + 1
    let chunked = input.first & 0x40 != 0
    var session = HTTP2ServerSession(limits: HTTP2SessionLimits(maxConcurrentStreams: input.first & 0x80 != 0 ? 2 : 100))
    var events: [HTTP2ServerSessionEvent] = []
    var heads = Set<UInt32>()
    var closed = false
    // The client's view of the output.
    var frames = HTTP2FrameDecoder(role: .client, maxFrameSize: 16_777_215)
    var hpack = HPACKDecoder()
    var list = HPACKHeaderList()
    var block: [UInt8] = []
    var written: [UInt8] = []

    func check(_ events: [HTTP2ServerSessionEvent], _ session: inout HTTP2ServerSession) {
        for event in events {
            fuzzCheck(!closed, "event after close: \(event)")
            switch event {
            case .requestHead(let id, let r):
                fuzzCheck(heads.insert(id).inserted, "second head on \(id)")
                let bytes = Array(session.requestBytes[r])
                switch HTTPParser.parseRequest(bytes, limits: HTTPLimits(maxHeadSize: 1 << 20, maxFields: 10_000)) {
                case .complete(let head, let length):
                    fuzzCheck(length == bytes.count, "head of \(bytes.count) bytes parsed as \(length)")
                    if case .failure(let e) = HTTPFraming.request(head) { fuzzCheck(false, "framing refused: \(e)") }
                case let other:
                    fuzzCheck(false, "request head refused: \(other) \(String(decoding: bytes, as: UTF8.self))")
                }
            case .requestBody(let id, _), .requestEnd(let id):
                fuzzCheck(heads.contains(id), "body or end before a head on \(id)")
            case .streamAborted(let id, _, _), .streamEnded(let id), .streamBlocked(let id), .streamUnblocked(let id):
                fuzzCheck(heads.contains(id), "\(event) of a stream never started")
            case .close: closed = true
            case .idle, .peerGoaway: break
            }
        }
    }

    func respond(_ events: [HTTP2ServerSessionEvent], _ session: inout HTTP2ServerSession) {
        var more: [HTTP2ServerSessionEvent] = []
        for case .requestBody(let id, _) in events { session.requestBodyForwarded(streamID: id, into: &more) }
        for case .requestHead(let id, _) in events {
            let body = String(repeating: "b", count: Int(id % 40_000) * 3)
            let text = chunked
                ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\(String(body.utf8.count, radix: 16))\r\n\(body)\r\n0\r\n\r\n"
                : "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            let bytes = Array(text.utf8)
            let split = Int(id) % bytes.count
            session.sendResponse(streamID: id, Array(bytes[..<split]), into: &more)
            session.sendResponse(streamID: id, Array(bytes[split...]), into: &more)
        }
        check(more, &session)
    }

    func readOutput(_ session: inout HTTP2ServerSession) {
        written += session.output
        session.outputWritten(session.output.count)
        while true {
            let step = written.withUnsafeBytes { frames.decode($0) }
            switch step {
            case .needMore: return
            case .error(let e, _), .frameWithStreamError(_, let e, _): fuzzCheck(false, "the session wrote a bad frame: \(e)")
            case .frame(let frame, let n):
                switch frame {
                case .headers(_, let f, _, let end, _, _), .continuation(_, let f, let end):
                    block += written[f]
                    if end {
                        do throws(HPACKDecodingError) { try hpack.decode(block, into: &list) } catch {
                            fuzzCheck(false, "the session wrote a bad header block: \(error)")
                        }
                        block.removeAll()
                    }
                default: break
                }
                written.removeFirst(n)
            }
        }
    }

    var bytes = Array(input.rest)
    if input.first & 0x20 != 0 { bytes = fuzzPreface + bytes }
    var at = 0
    while at < bytes.count && !closed {
        let end = Swift.min(at + piece, bytes.count)
        events.removeAll()
        bytes[at..<end].withUnsafeBytes { session.receive($0, into: &events) }
        check(events, &session)
        if !closed { respond(events, &session) }
        readOutput(&session)
        at = end
    }
    if !closed {
        events.removeAll()
        session.shutdown(into: &events)
        check(events, &session)
        readOutput(&session)
    }
    return 0
}
