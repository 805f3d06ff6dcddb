import FulcrumBytes

/// Streaming validator of a chunked body (RFC 9112 §7.1) with HAProxy 2.6's
/// rules (h1_parse_chunk_size, h1_skip_chunk_crlf, trailers through the
/// header parser). Fed with whatever arrived, it says how many of those bytes
/// belong to the message; the caller forwards them unchanged. `decode` is the
/// same machine that also hands out the payload (for the compressor).
///
/// Accepted as HAProxy 2.6 does: leading zeros in a size; SP/HTAB between
/// the size and the line end or ';'; chunk extensions of any bytes but CR
/// and LF (NUL included); bare LF line ends; trailer names of any bytes (HAProxy
/// parses trailers leniently), obs-fold in trailers. Refused: an empty or
/// non-hex size (a leading blank, "0x", a sign), a size of 2^52 or more
/// (HAProxy's 13-hex-digit bound), a CR not followed by LF, chunk data not
/// followed by a line end, a trailer line without ':' or with an empty name,
/// a size line or trailer section longer than `maxLineSize` (HAProxy's buffer).
public struct ChunkedBodyParser: Sendable {
    public enum Step: Equatable, Sendable {
        /// All given bytes belong to the body, which is not finished.
        case consumed(Int)
        /// The body ended after `consumed` of the given bytes; the rest
        /// belongs to the next message.
        case done(consumed: Int)
        case invalid(HTTPError)
    }

    enum State: Sendable, Equatable {
        case sizeStart, size, sizeBlank, ext, sizeLF
        case data, dataEnd, dataLF
        case trailerStart, trailerName, trailerValue, trailerLF, finalLF
        case done, failed
    }

    var state: State = .sizeStart
    var size: UInt64 = 0
    var remaining: UInt64 = 0
    var lineBytes = 0
    var trailerFieldSeen = false
    /// Status of refusals: 400 for request bodies, 502 for response bodies.
    public var errorStatus: Int
    /// Longest chunk-size line (with extensions) and trailer section.
    public var maxLineSize: Int

    public init(errorStatus: Int = 400, maxLineSize: Int = 15360) {
        self.errorStatus = errorStatus
        self.maxLineSize = maxLineSize
    }

    /// The body has been fully seen.
    public var isDone: Bool { state == .done }

    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> Step {
        var sink: [UInt8] = []
        return run(bytes, collect: false, into: &sink)
    }

    /// Like `feed`, and appends the chunk payload bytes (no sizes, extensions,
    /// CRLFs or trailers) to `out`.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Step {
        run(bytes, collect: true, into: &out)
    }

    mutating func run(_ b: UnsafeRawBufferPointer, collect: Bool, into out: inout [UInt8]) -> Step {
        typealias B = ASCII
        if state == .done { return .done(consumed: 0) }
        if state == .failed { return .invalid(HTTPError(status: errorStatus, reason: "invalid chunked body")) }
        let n = b.count
        var i = 0
        func fail(_ reason: String) -> Step {
            state = .failed
            // HAProxy's error position: the byte that did not fit.
            return .invalid(HTTPError(status: errorStatus, reason: reason, at: max(i - 1, 0)))
        }
        while i < n {
            switch state {
            case .data:
                let take = Int(min(UInt64(n - i), remaining))
                if collect { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[i..<(i + take)])) }
                i += take
                remaining -= UInt64(take)
                if remaining == 0 { state = .dataEnd }
                continue
            default: break
            }
            let c = b[i]
            i += 1
            switch state {
            case .sizeStart, .size:
                if let h = B.hexValue(c) {
                    size = size << 4 | UInt64(h)
                    if size >= 1 << 52 { return fail("chunk size too large") }
                    state = .size
                } else if state == .sizeStart {
                    return fail("invalid chunk size")
                } else if B.isSPHT(c) {
                    state = .sizeBlank
                } else if !endOfSizeLine(c) {
                    return fail("invalid chunk size")
                }
            case .sizeBlank:
                if !B.isSPHT(c) && !endOfSizeLine(c) { return fail("invalid chunk size") }
            case .ext:
                if B.isCRLF(c) { _ = endOfSizeLine(c) }
            case .sizeLF:
                guard c == B.lf else { return fail("CR without LF in chunk size") }
                sizeLineDone()
            case .dataEnd:
                if c == B.cr { state = .dataLF } else if c == B.lf { state = .sizeStart } else {
                    return fail("missing CRLF after chunk data")
                }
            case .dataLF:
                guard c == B.lf else { return fail("missing CRLF after chunk data") }
                state = .sizeStart
            case .trailerStart:
                if c == B.cr { state = .finalLF } else if c == B.lf {
                    state = .done
                    return .done(consumed: i)
                } else if B.isSPHT(c) && trailerFieldSeen {
                    state = .trailerValue  // obs-fold continues the previous field
                } else if c == B.colon {
                    return fail("empty trailer field name")
                } else {
                    trailerFieldSeen = true
                    state = .trailerName
                }
            case .trailerName:
                if c == B.colon { state = .trailerValue } else if c == B.lf { return fail("invalid trailer field") }
            case .trailerValue:
                if c == B.cr { state = .trailerLF } else if c == B.lf { state = .trailerStart }
            case .trailerLF:
                guard c == B.lf else { return fail("CR without LF in trailer") }
                state = .trailerStart
            case .finalLF:
                guard c == B.lf else { return fail("CR without LF after trailers") }
                state = .done
                return .done(consumed: i)
            case .data, .done, .failed:
                break
            }
            if state != .data && state != .dataEnd && state != .dataLF {
                lineBytes += 1
                if lineBytes > maxLineSize { return fail("chunk size line or trailers too long") }
            }
        }
        return .consumed(n)
    }

    /// After the size digits: ';' starts an extension, CR / LF end the line.
    private mutating func endOfSizeLine(_ c: UInt8) -> Bool {
        switch c {
        case 0x3B: state = .ext; return true
        case ASCII.cr: state = .sizeLF; return true
        case ASCII.lf: sizeLineDone(); return true
        default: return false
        }
    }

    private mutating func sizeLineDone() {
        lineBytes = 0
        if size == 0 {
            state = .trailerStart
        } else {
            remaining = size
            size = 0
            state = .data
        }
    }
}
