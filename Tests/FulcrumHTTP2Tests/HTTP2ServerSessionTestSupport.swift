import FulcrumHTTP2
import XCTest

/// A client made of the module's encoders, and a reader of what the
/// session writes, for the session's tests.
struct SessionTestClient {
    var encoder = HPACKEncoder()
    var decoder = HPACKDecoder()
    var frames = HTTP2FrameDecoder(role: .client)
    var list = HPACKHeaderList()
    var block: [UInt8] = []
    var blockStream: UInt32 = 0
    var blockEnd = false
    /// Undecoded bytes of the server's output.
    var pending: [UInt8] = []

    static func preface(_ settings: HTTP2Settings = HTTP2Settings()) -> [UInt8] {
        var out = HTTP2Preface.bytes
        HTTP2FrameEncoder.writeSettings(settings, into: &out)
        return out
    }

    static func settingsAck() -> [UInt8] {
        var out: [UInt8] = []
        HTTP2FrameEncoder.writeSettingsAck(into: &out)
        return out
    }

    /// A request's header block as HEADERS and CONTINUATION frames of at most `maxFrameSize` bytes.
    mutating func headers(_ id: UInt32, _ fields: [(String, String)], endStream: Bool, maxFrameSize: Int = 16_384) -> [UInt8] {
        var block: [UInt8] = []
        encoder.beginBlock(into: &block)
        for (name, value) in fields { encoder.encode(name: name.utf8, value: value.utf8, into: &block) }
        var out: [UInt8] = []
        HTTP2FrameEncoder.writeHeaderBlock(streamID: id, block: block[...], endStream: endStream, maxFrameSize: maxFrameSize, into: &out)
        return out
    }

    static func data(_ id: UInt32, _ text: String, endStream: Bool, padLength: UInt8? = nil) -> [UInt8] {
        var out: [UInt8] = []
        HTTP2FrameEncoder.writeData(streamID: id, data: Array(text.utf8), endStream: endStream, padLength: padLength, into: &out)
        return out
    }

    static func windowUpdate(_ id: UInt32, _ increment: UInt32) -> [UInt8] {
        var out: [UInt8] = []
        HTTP2FrameEncoder.writeWindowUpdate(streamID: id, increment: increment, into: &out)
        return out
    }

    static func rst(_ id: UInt32, _ code: HTTP2ErrorCode) -> [UInt8] {
        var out: [UInt8] = []
        HTTP2FrameEncoder.writeRSTStream(streamID: id, errorCode: code.rawValue, into: &out)
        return out
    }

    /// The frames in the server's output, one line each: "HEADERS 1 end=false :status=200 ...",
    /// "DATA 1 5 end=true", "RST 1 protocolError", ...; DATA payloads go to `bodies`.
    mutating func read(_ bytes: [UInt8], bodies: inout [UInt32: [UInt8]], sizes: inout [Int]) -> [String] {
        pending += bytes
        var lines: [String] = []
        while true {
            let step = pending.withUnsafeBytes { frames.decode($0) }
            guard case .frame(let frame, let n) = step else {
                if case .needMore = step { break }
                lines.append("DECODE ERROR \(step)")
                pending.removeAll()
                break
            }
            let payload = Array(pending[0..<n])
            sizes.append(n - 9)
            pending.removeFirst(n)
            switch frame {
            case .settings(let ack, let s):
                lines.append(ack ? "SETTINGS ack" : "SETTINGS " + s.parameters.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
            case .headers(let id, let f, let end, let endHeaders, _, _):
                block = Array(payload[f]); blockStream = id; blockEnd = end
                if endHeaders { lines.append(decodeBlock()) }
            case .continuation(_, let f, let endHeaders):
                block += payload[f]
                if endHeaders { lines.append(decodeBlock()) }
            case .data(let id, let d, let end, _):
                bodies[id, default: []] += payload[d]
                lines.append("DATA \(id) \(d.count) end=\(end)")
            case .rstStream(let id, let code): lines.append("RST \(id) \(HTTP2ErrorCode(rawValue: code).map { "\($0)" } ?? "\(code)")")
            case .goaway(let last, let code, _): lines.append("GOAWAY \(last) \(HTTP2ErrorCode(rawValue: code).map { "\($0)" } ?? "\(code)")")
            case .windowUpdate(let id, let increment): lines.append("WINDOW_UPDATE \(id) \(increment)")
            case .ping(let ack, let opaque): lines.append("PING ack=\(ack) \(opaque)")
            default: lines.append("\(frame)")
            }
        }
        return lines
    }

    private mutating func decodeBlock() -> String {
        do {
            try decoder.decode(block, into: &list)
        } catch {
            return "HPACK ERROR \(error)"
        }
        return "HEADERS \(blockStream) end=\(blockEnd) " + list.pairs.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }
}

/// A session and a client talking through byte arrays, recording what
/// the engine would see.
struct SessionHarness {
    var session: HTTP2ServerSession
    var client = SessionTestClient()
    var events: [HTTP2ServerSessionEvent] = []
    /// Each stream's HTTP/1.1 request bytes (head and body) as the engine got them.
    var requests: [UInt32: [UInt8]] = [:]
    /// The other events, in order: "end 1", "blocked 1", "aborted 1 8 peer", "idle", ...
    var log: [String] = []
    /// Response DATA payloads the client received, per stream, and every frame's payload size.
    var bodies: [UInt32: [UInt8]] = [:]
    var frameSizes: [Int] = []

    init(_ limits: HTTP2SessionLimits = HTTP2SessionLimits()) {
        session = HTTP2ServerSession(limits: limits)
    }

    func request(_ id: UInt32) -> String { String(decoding: requests[id] ?? [], as: UTF8.self) }

    /// The preface and SETTINGS both ways, acknowledged both ways.
    mutating func start(_ settings: HTTP2Settings = HTTP2Settings(), acknowledge: Bool = true) -> [String] {
        send(SessionTestClient.preface(settings))
        var lines = output()
        if acknowledge {
            send(SessionTestClient.settingsAck())
            lines += output()
        }
        return lines
    }

    mutating func send(_ bytes: [UInt8], oneByteAtATime: Bool = false) {
        if oneByteAtATime {
            for b in bytes { session.receive([b], into: &events); record() }
        } else {
            session.receive(bytes, into: &events)
            record()
        }
    }

    mutating func respond(_ id: UInt32, _ text: String) {
        session.sendResponse(streamID: id, Array(text.utf8), into: &events)
        record()
    }

    /// Decodes and drops what the session wrote.
    mutating func output() -> [String] {
        let lines = client.read(session.output, bodies: &bodies, sizes: &frameSizes)
        session.outputWritten(session.output.count)
        return lines
    }

    /// An engine that forwards request bodies at once (`forwards` false: one that never does).
    var forwards = true

    mutating func record() {
        var forwarded: [UInt32] = []
        for event in events {
            switch event {
            case .requestHead(let id, let r):
                requests[id, default: []] += session.requestBytes[r]
            case .requestBody(let id, let r):
                requests[id, default: []] += session.requestBytes[r]
                if forwards { forwarded.append(id) }
            case .requestEnd(let id): log.append("requestEnd \(id)")
            case .streamBlocked(let id): log.append("blocked \(id)")
            case .streamUnblocked(let id): log.append("unblocked \(id)")
            case .streamEnded(let id): log.append("ended \(id)")
            case .streamAborted(let id, let code, let byPeer): log.append("aborted \(id) \(code) \(byPeer ? "peer" : "session")")
            case .idle: log.append("idle")
            case .peerGoaway(let last, let code): log.append("peerGoaway \(last) \(code)")
            case .close: log.append("close")
            }
        }
        events.removeAll()
        for id in forwarded { session.requestBodyForwarded(streamID: id, into: &events) }
        if !events.isEmpty { record() }
    }
}

let getFields: [(String, String)] = [(":method", "GET"), (":scheme", "https"), (":authority", "example.com"), (":path", "/index.html"),
                                     ("user-agent", "test/1.0"), ("accept", "*/*")]

func postFields(_ extra: [(String, String)] = []) -> [(String, String)] {
    [(":method", "POST"), (":scheme", "https"), (":authority", "example.com"), (":path", "/upload")] + extra
}
