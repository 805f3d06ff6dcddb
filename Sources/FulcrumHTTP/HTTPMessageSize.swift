/// A message's size as HAProxy 2.6 counts it for its logs and byte counters
/// (%B, %U, bytes_in/out): the size of its internal HTX form, not of the
/// bytes on the wire. Worked out from haproxy 2.6.12's lines and checked
/// against them side by side (SideBySideHTTPLogTests): the start line's three
/// parts, each field's name and value (no ": ", no CRLF), 20 bytes of start
/// line bookkeeping and 1 for the end of headers; then the body's payload
/// (chunk framing not counted), plus 1 for the end of a chunked body.
public enum HTTPMessageSize {
    /// 20 for the start line's block, 1 for the end of headers.
    public static let headOverhead = 21
    /// The end-of-message block of a chunked body.
    public static let chunkedEnd = 1

    /// A message written out whole (a generated answer: an error page, a
    /// redirect, `http-request return`): head and body in HTX terms.
    public static func htx(ofMessage bytes: [UInt8]) -> Int {
        var i = 0
        let n = bytes.count
        func lineEnd(_ from: Int) -> Int? {
            var j = from
            while j + 1 < n { if bytes[j] == 13 && bytes[j + 1] == 10 { return j }; j += 1 }
            return nil
        }
        guard let startEnd = lineEnd(0) else { return n }
        var size = headOverhead
        // The start line's parts, without the two separating spaces.
        var spaces = 0
        for k in 0..<startEnd where bytes[k] == 32 && spaces < 2 { spaces += 1 }
        size += startEnd - spaces
        i = startEnd + 2
        while let end = lineEnd(i), end > i {
            var colon = i
            while colon < end && bytes[colon] != 58 { colon += 1 }
            var valueStart = min(colon + 1, end)
            while valueStart < end && (bytes[valueStart] == 32 || bytes[valueStart] == 9) { valueStart += 1 }
            var valueEnd = end
            while valueEnd > valueStart && (bytes[valueEnd - 1] == 32 || bytes[valueEnd - 1] == 9) { valueEnd -= 1 }
            size += (colon - i) + (valueEnd - valueStart)
            i = end + 2
        }
        // The empty line, then the body.
        return size + max(0, n - (i + 2))
    }
}

extension HTTPMessageSize {
    /// `head.htxSize` for a head reached through an addressor, read in place
    /// (by value, the caller would copy it: see `HTTPExchange.requestHead`).
    public static func htx(ofHead head: inout HTTPHead) -> Int { head.htxSize }
}

extension HTTPHead {
    /// This head (with its edits) in HTX terms: what HAProxy counts for it.
    public var htxSize: Int {
        var size = HTTPMessageSize.headOverhead
        switch kind {
        case .request:
            size += method.count + target.count + (versionOverride?.count ?? part3.count)
        case .response:
            if let o = statusLineOverride { size += part1.count + o.code.count + o.reason.count } else { size += part1.count + part2.count + part3.count }
        }
        for f in fields where !f.removed { size += f.name.count + f.value.count }
        for a in added { size += a.name.count + a.value.count }
        return size
    }
}
