import FulcrumBytes
import FulcrumHTTP

/// How an HTTP/2 request's body travels once it is an HTTP/1.1 message.
enum HTTP2RequestBodyFraming: Equatable, Sendable {
    /// END_STREAM came with HEADERS: no body, no length field added.
    case none
    /// The client's Content-Length, kept: DATA must total exactly this (§8.1.1).
    case contentLength(Int)
    /// No length given: each DATA frame becomes one chunk.
    case chunked
    /// CONNECT: DATA is the tunnel's bytes, passed as they are.
    case tunnel
}

/// Writes a validated HTTP/2 request field section as an HTTP/1.1 request
/// head that `HTTPParser.parseRequest` accepts, so the engine's HTTP
/// analysers see an HTTP/2 stream as they see an HTTP/1.1 request: origin
/// form target from `:path`, `Host` from `:authority`, the regular fields in
/// their order, cookies that HTTP/2 split rejoined (RFC 9113 §8.2.3).
enum HTTP2RequestHead {
    struct Outcome: Equatable, Sendable {
        var framing: HTTP2RequestBodyFraming
        /// HEAD, for the response's framing (no body whatever its length fields say).
        var isHead: Bool
        var isConnect: Bool
    }

    static let version: StaticString = " HTTP/1.1\r\n"

    /// Appends the head to `out`; nil when the request cannot be an HTTP/1.1
    /// message though §8 allowed it (a method or field name that is not a
    /// token, blanks, controls, non-ASCII or '#' in `:path`, a `:path` that is neither "/..."
    /// nor "*", a CONNECT without a port, a bad or contradicted
    /// Content-Length): the stream is malformed (§8.1.1).
    static func write(_ list: HPACKHeaderList, _ pseudo: HTTP2RequestPseudoHeaders, endStream: Bool,
                      into out: inout [UInt8]) -> Outcome? {
        let bytes = list.bytes
        let method = pseudo.method
        guard !method.isEmpty, HTTP2FieldBytes.isToken(bytes, method) else { return nil }
        let isConnect = HTTP2FieldBytes.equals(bytes, method, "CONNECT")
        let target = isConnect ? pseudo.authority! : pseudo.path!
        // The request line is split at blanks by the next parser: none may hide in the target.
        guard !target.isEmpty, HTTP2FieldBytes.isTarget(bytes, target) else { return nil }
        if isConnect {
            // §8.5: host and port.
            var colon = target.upperBound - 1
            while colon > target.lowerBound && ASCII.isDigit(bytes[colon]) { colon -= 1 }
            guard colon > target.lowerBound, colon + 1 < target.upperBound, bytes[colon] == 0x3A else { return nil }
        } else {
            // §8.3.1: an origin-form path, or "*" (OPTIONS); never a full URI.
            guard bytes[target.lowerBound] == 0x2F || (target.count == 1 && bytes[target.lowerBound] == 0x2A) else { return nil }
        }

        var contentLength: Int?
        var i = 0
        while i < list.fields.count {
            let field = list.fields[i]
            i += 1
            if bytes[field.name.lowerBound] == colon { continue }
            guard HTTP2FieldBytes.isToken(bytes, field.name) else { return nil }
            if HTTP2FieldBytes.equals(bytes, field.name, "content-length") {
                guard let n = HTTPFraming.parseContentLength(bytes, field.value, previous: contentLength) else { return nil }
                contentLength = n
            }
        }
        let framing: HTTP2RequestBodyFraming
        if let contentLength {
            // A HEADERS frame with END_STREAM carries no DATA: only 0 agrees.
            guard !endStream || contentLength == 0 else { return nil }
            framing = .contentLength(contentLength)
        } else if endStream {
            framing = .none
        } else {
            framing = isConnect ? .tunnel : .chunked
        }

        out.append(contentsOf: bytes[method])
        out.append(0x20)
        out.append(contentsOf: bytes[target])
        append(version, to: &out)
        if let authority = pseudo.authority {
            append("host: ", to: &out)
            out.append(contentsOf: bytes[authority])
            out.append(0x0D); out.append(0x0A)
        }
        var cookies = 0
        i = 0
        while i < list.fields.count {
            let field = list.fields[i]
            i += 1
            let name = field.name
            if bytes[name.lowerBound] == colon { continue }
            switch name.count {
            // §8.3.1: :authority wins; a Host beside it says the same (checked by validation).
            case 4 where HTTP2FieldBytes.equals(bytes, name, "host") && pseudo.authority != nil: continue
            case 6 where HTTP2FieldBytes.equals(bytes, name, "cookie"): cookies += 1; continue
            // "TE: trailers" is hop-by-hop in HTTP/1.1: it would need "Connection: TE".
            case 2 where HTTP2FieldBytes.equals(bytes, name, "te"): continue
            default: break
            }
            out.append(contentsOf: bytes[name])
            out.append(0x3A); out.append(0x20)
            out.append(contentsOf: bytes[field.value])
            out.append(0x0D); out.append(0x0A)
        }
        if cookies > 0 {
            // §8.2.3: the crumbs joined with "; " into one field for HTTP/1.1.
            append("cookie: ", to: &out)
            var first = true
            i = 0
            while i < list.fields.count {
                let field = list.fields[i]
                i += 1
                guard HTTP2FieldBytes.equals(bytes, field.name, "cookie") else { continue }
                if !first { out.append(0x3B); out.append(0x20) }
                first = false
                out.append(contentsOf: bytes[field.value])
            }
            out.append(0x0D); out.append(0x0A)
        }
        if framing == .chunked { append("transfer-encoding: chunked\r\n", to: &out) }
        out.append(0x0D); out.append(0x0A)
        return Outcome(framing: framing, isHead: HTTP2FieldBytes.equals(bytes, method, "HEAD"), isConnect: isConnect)
    }

    private static let colon: UInt8 = 0x3A

    static func append(_ text: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
