import FulcrumBytes

/// How a message body is delimited (RFC 9112 §6.3).
public enum HTTPBodyFraming: Equatable, Sendable {
    /// No body at all.
    case none
    /// Exactly this many bytes follow the head.
    case contentLength(Int)
    /// Chunked transfer coding: feed a `ChunkedBodyParser`.
    case chunked
    /// The body (or a tunnel) runs until the connection closes.
    case untilClose
}

/// Body framing of requests and responses, with HAProxy 2.6's refusals of
/// ambiguous lengths (the request smuggling vectors).
public enum HTTPFraming {
    /// What Content-Length / Transfer-Encoding fields of a head say, following
    /// HAProxy's h1_parse_cont_len_header and h1_parse_xfer_enc_header.
    public struct LengthFields: Equatable, Sendable {
        /// The common value of every Content-Length (lists and duplicates
        /// must all agree).
        public var contentLength: Int?
        /// Number of Content-Length fields (a duplicate is dropped when forwarding).
        public var contentLengthCount = 0
        /// A Transfer-Encoding field is present.
        public var transferEncoding = false
        /// "chunked" is the last transfer coding.
        public var chunkedLast = false
        /// A coding other than "chunked" (an empty one included) is listed.
        public var otherCoding = false

        /// Content-Length beside Transfer-Encoding: the coding frames the
        /// body (RFC 9112 §6.3), yet a hop that reads the length frames it
        /// elsewhere (request smuggling, response splitting).
        public var contentLengthBesideTransferEncoding: Bool { transferEncoding && contentLengthCount > 0 }
    }

    /// Reads the length fields of a head, refusing what HAProxy refuses while
    /// parsing headers: a Content-Length that is empty, not 1*DIGIT, overflows,
    /// or differs from another one; "chunked" applied twice; (requests) a
    /// coding after "chunked".
    public static func lengthFields(_ head: HTTPHead) -> Result<LengthFields, HTTPError> {
        let bad = head.kind == .request ? 400 : 502
        var out = LengthFields()
        var chunkedSeen = false
        let raw = head.raw
        for f in head.fields where !f.removed {
            if ASCII.equalsLowercase(raw, f.name, "content-length") {
                guard let v = parseContentLength(raw, f.value, previous: out.contentLength) else {
                    return .failure(HTTPError(status: bad, reason: "invalid content-length", at: f.value.lowerBound))
                }
                out.contentLength = v
                out.contentLengthCount += 1
            } else if ASCII.equalsLowercase(raw, f.name, "transfer-encoding") {
                out.transferEncoding = true
                // HAProxy's word split: blanks before a coding are skipped, a
                // coding runs to the next comma outside quotes (so a leading
                // or doubled comma makes an empty coding), trailing blanks trimmed.
                var i = f.value.lowerBound
                let e = f.value.upperBound
                while i < e {
                    if ASCII.isSPHT(raw[i]) { i += 1; continue }
                    let w0 = i
                    var quoted = false
                    while i < e {
                        let c = raw[i]
                        if quoted {
                            if c == 0x5C { i += 1 } else if c == 0x22 { quoted = false }
                        } else if c == 0x22 {
                            quoted = true
                        } else if c == 0x2C {
                            break
                        }
                        i += 1
                    }
                    if i > e { i = e }
                    var w1 = i
                    while w1 > w0, ASCII.isSPHT(raw[w1 - 1]) { w1 -= 1 }
                    if ASCII.equalsLowercase(raw, w0..<w1, "chunked") {
                        if chunkedSeen {
                            return .failure(HTTPError(status: bad, reason: "chunked applied twice", at: f.value.lowerBound))
                        }
                        chunkedSeen = true
                        out.chunkedLast = true
                    } else {
                        if head.kind == .request && chunkedSeen {
                            return .failure(HTTPError(status: bad, reason: "transfer coding after chunked", at: f.value.lowerBound))
                        }
                        out.otherCoding = true
                        out.chunkedLast = false
                    }
                    i += 1  // the comma
                }
            }
        }
        return .success(out)
    }

    /// HAProxy's Content-Length grammar: a comma-separated list of 1*DIGIT
    /// with optional blanks, all equal (to each other and to `previous`);
    /// leading zeros allowed; no sign; no empty element; no overflow.
    public static func parseContentLength(_ raw: [UInt8], _ r: Range<Int>, previous: Int?) -> Int? {
        var result = previous
        var i = r.lowerBound
        let e = r.upperBound
        while true {
            while i < e, ASCII.isSPHT(raw[i]) { i += 1 }
            guard i < e else { return nil }  // empty value or empty element
            var v = 0
            let d0 = i
            while i < e, ASCII.isDigit(raw[i]) {
                let (m, o1) = v.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int(raw[i] - 0x30))
                if o1 || o2 { return nil }
                v = s
                i += 1
            }
            guard i > d0 else { return nil }
            while i < e, ASCII.isSPHT(raw[i]) { i += 1 }
            if let p = result, p != v { return nil }
            result = v
            if i == e { return result }
            guard raw[i] == 0x2C else { return nil }
            i += 1
        }
    }

    /// Request body framing, or the refusal. Transfer-Encoding wins over
    /// Content-Length (RFC 9112 §6.3; HAProxy drops the Content-Length then).
    public static func request(_ head: HTTPHead) -> Result<HTTPBodyFraming, HTTPError> {
        lengthFields(head).flatMap(request)
    }

    /// Request body framing from length fields already read (see `lengthFields`).
    public static func request(_ l: LengthFields) -> Result<HTTPBodyFraming, HTTPError> {
        if l.transferEncoding {
            guard l.chunkedLast else {
                return .failure(HTTPError(status: 400, reason: "transfer-encoding without chunked last"))
            }
            return .success(.chunked)
        }
        if let n = l.contentLength { return .success(n == 0 ? .none : .contentLength(n)) }
        return .success(.none)
    }

    /// Response body framing given the request method: 1xx, 204, 304 and
    /// answers to HEAD have none; a 2xx to CONNECT is a tunnel; then chunked
    /// (HAProxy 2.6 answers 502 for any other transfer coding, where RFC 9112
    /// would read until close), Content-Length, else until close.
    public static func response(_ head: HTTPHead, requestMethod: ArraySlice<UInt8>) -> Result<HTTPBodyFraming, HTTPError> {
        let s = head.status
        // Below 200 (odd codes such as "20" or "099" included, as HAProxy
        // treats them): interim, no body.
        if s < 200 || s == 204 || s == 304 { return .success(.none) }
        if methodIs(requestMethod, "HEAD") { return .success(.none) }
        if s >= 200 && s < 300 && methodIs(requestMethod, "CONNECT") { return .success(.untilClose) }
        switch lengthFields(head) {
        case .failure(let e): return .failure(e)
        case .success(let l):
            if l.transferEncoding {
                guard l.chunkedLast && !l.otherCoding else {
                    return .failure(HTTPError(status: 502, reason: "response transfer-encoding other than chunked"))
                }
                return .success(.chunked)
            }
            if let n = l.contentLength { return .success(n == 0 ? .none : .contentLength(n)) }
            return .success(.untilClose)
        }
    }

    /// Methods are case-sensitive (RFC 9110 §9.1).
    static func methodIs(_ m: ArraySlice<UInt8>, _ name: StaticString) -> Bool {
        guard m.count == name.utf8CodeUnitCount else { return false }
        let p = name.utf8Start
        var j = 0
        for c in m {
            if c != p[j] { return false }
            j += 1
        }
        return true
    }
}
