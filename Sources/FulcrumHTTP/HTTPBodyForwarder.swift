/// Moves one message body through the proxy as its framing says: bytes of a
/// Content-Length or until-close body pass unchanged (the caller moves them
/// without a copy); a chunked body is decoded, and `writeChunk` frames its
/// payload again with plain CRLF framing (as HAProxy rewrites it), so the next
/// hop parses exactly what Fulcrum parsed. Pure: it sees bytes and says what
/// to do with them.
public struct HTTPBodyForwarder: Sendable {
    /// What one call did with the bytes it was given.
    public struct Move: Equatable, Sendable {
        /// Input bytes that belong to this body (the rest is the next message).
        public var consumed: Int
        /// Of those, how many leading bytes go out unchanged. When 0, the
        /// decoded payload (if any) was appended to the output instead.
        public var passThrough: Int
        public init(consumed: Int, passThrough: Int) { self.consumed = consumed; self.passThrough = passThrough }
    }

    public private(set) var framing: HTTPBodyFraming
    /// Content-Length bytes still to come.
    public private(set) var remaining: Int
    private var chunks: ChunkedBodyParser
    public private(set) var isDone: Bool

    /// `errorStatus`: what a broken chunked body is answered with (400 for a
    /// request, 502 for a response).
    public init(framing: HTTPBodyFraming = .none, errorStatus: Int = 400) {
        self.framing = framing
        chunks = ChunkedBodyParser(errorStatus: errorStatus)
        switch framing {
        case .none: remaining = 0; isDone = true
        case .contentLength(let n): remaining = n; isDone = n == 0
        case .chunked, .untilClose: remaining = 0; isDone = false
        }
    }

    /// Takes what it can of `input`; a chunked body's payload is appended to
    /// `payload` (bare: frame it with `writeChunk`, or compress it).
    public mutating func forward(_ input: UnsafeRawBufferPointer, payload: inout [UInt8]) -> Result<Move, HTTPError> {
        switch framing {
        case .none:
            isDone = true
            return .success(Move(consumed: 0, passThrough: 0))
        case .contentLength:
            let n = min(remaining, input.count)
            remaining -= n
            if remaining == 0 { isDone = true }
            return .success(Move(consumed: n, passThrough: n))
        case .untilClose:
            return .success(Move(consumed: input.count, passThrough: input.count))
        case .chunked:
            switch chunks.decode(input, into: &payload) {
            case .consumed(let n): return .success(Move(consumed: n, passThrough: 0))
            case .done(let n): isDone = true; return .success(Move(consumed: n, passThrough: 0))
            case .invalid(let e): return .failure(e)
            }
        }
    }

    /// The body's source closed: complete for an until-close body, a
    /// truncated message otherwise.
    public mutating func sourceClosed() -> Bool {
        if framing == .untilClose { isDone = true }
        return isDone
    }

    /// Frames decoded payload as one chunk (size line, payload, CRLF), then the
    /// last chunk when the body is done, handing each piece to `write`. The
    /// size line is formatted on the stack: nothing is allocated.
    public static func writeChunk(_ payload: UnsafeRawBufferPointer, last: Bool,
                                  _ write: (UnsafeRawBufferPointer) -> Void) {
        if payload.count > 0 {
            var line: (UInt64, UInt64, UInt64) = (0, 0, 0)
            withUnsafeMutableBytes(of: &line) { p in
                var digits = 1
                while digits < 16 && payload.count >> (4 * digits) != 0 { digits += 1 }
                for i in 0..<digits {
                    let d = UInt8((payload.count >> (4 * (digits - 1 - i))) & 0xF)
                    p[i] = d < 10 ? 0x30 + d : 0x57 + d
                }
                p[digits] = 0x0D; p[digits + 1] = 0x0A
                write(UnsafeRawBufferPointer(rebasing: p[0..<(digits + 2)]))
            }
            write(payload)
            ChunkedEncoding.crlf.withUnsafeBytes(write)
        }
        if last { ChunkedEncoding.lastChunk.withUnsafeBytes(write) }
    }
}
