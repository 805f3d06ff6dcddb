import FulcrumBytes

/// Result of parsing a message head from the bytes received so far.
public enum HTTPParseOutcome: Sendable {
    /// The head is not finished yet but is still within the limits: read more.
    case incomplete
    /// A whole head; `length` counts every byte it took from the input,
    /// leading empty lines included, so the body starts at `length`.
    case complete(HTTPHead, length: Int)
    /// A refused head: answer `status` (requests) and close.
    case invalid(status: Int, reason: String)
}

/// Strict HTTP/1.x head parser that refuses exactly what HAProxy 2.6's h1
/// parser (src/h1.c, h1_headers_to_hdr_list) refuses, with the same status.
///
/// Grammar as HAProxy applies it:
/// - leading CR / LF bytes before the start line are skipped (RFC 9112 §2.2);
/// - bare LF is accepted as a line end everywhere; a CR must be followed by LF;
/// - method: 1*tchar; separators: 1*(SP / HTAB);
/// - request-target: bytes 0x21...0x7E; 0x80...0xFF only with acceptInvalid;
///   controls, DEL, and a space inside the target (which leaves a non-version
///   third word) are refused;
/// - version: exactly "HTTP/" DIGIT "." DIGIT (case-sensitive); acceptInvalid
///   lets any run of version bytes (H T P / . digits) through; a line without
///   a version (HTTP/0.9) is refused (HAProxy converts `GET /` to HTTP/1.0
///   under accept-invalid-http-request; Fulcrum does not speak HTTP/0.9);
/// - "HTTP/1.1" and above (2.0 included, as HAProxy does) count as 1.1;
/// - field name: 1*tchar followed directly by ':'; an empty name is refused;
///   acceptInvalid lets non-token bytes (space before the colon included)
///   into the name, except LF;
/// - field value: anything but CR and LF (NUL and other controls pass, as in
///   HAProxy 2.6); leading and trailing SP/HTAB are trimmed;
/// - obs-fold (a line starting with SP/HTAB after a field): a request is
///   refused with 400 (Fulcrum's own rule, as nginx and Envoy answer, which
///   RFC 9112 §5.2 allows); acceptInvalid, and every response, get HAProxy
///   2.6's handling: unfolded, its CR and LF replaced by spaces in `raw`;
/// - '#' in the target is refused like non-ASCII (relaxed by acceptInvalid);
/// - the complete head then goes through `HTTPValidation` (lengths, Host,
///   target form, WebSocket key);
/// - more than `maxFields - 1` fields, or a head beyond the limits of
///   `HTTPLimits`, is refused with 400.
/// Result of parsing a head into kept storage (`HTTPParser.parse…(into:)`).
public enum HTTPHeadParse: Equatable, Sendable {
    case incomplete
    /// The head is in the storage; `length` counts every byte it took.
    case complete(length: Int)
    case invalid(status: Int, reason: String)
}

public enum HTTPParser {
    public static func parseRequest(_ bytes: UnsafeRawBufferPointer, limits: HTTPLimits) -> HTTPParseOutcome {
        parse(bytes, kind: .request, limits: limits)
    }

    /// Parses a request head into `head`, reusing its storage: the proxy's
    /// path, where a stream keeps one head for all its requests.
    public static func parseRequest(_ bytes: UnsafeRawBufferPointer, limits: HTTPLimits, into head: inout HTTPHead) -> HTTPHeadParse {
        head.kind = .request
        return parse(bytes, limits: limits, into: &head)
    }

    public static func parseResponse(_ bytes: UnsafeRawBufferPointer, limits: HTTPLimits, into head: inout HTTPHead) -> HTTPHeadParse {
        head.kind = .response
        return parse(bytes, limits: limits, into: &head)
    }

    /// Parses a response head (status line; 1xx interim responses are complete
    /// heads too). Refusals carry 502, what HAProxy answers the client. The
    /// status code is three digits from 100 (1*DIGIT as HAProxy 2.6 accepts
    /// it under acceptInvalid, see `HTTPFraming.response` for codes below
    /// 200); the reason phrase may be absent.
    public static func parseResponse(_ bytes: UnsafeRawBufferPointer, limits: HTTPLimits) -> HTTPParseOutcome {
        parse(bytes, kind: .response, limits: limits)
    }

    public static func parseRequest(_ bytes: [UInt8], limits: HTTPLimits) -> HTTPParseOutcome {
        bytes.withUnsafeBytes { parse($0, kind: .request, limits: limits) }
    }

    public static func parseResponse(_ bytes: [UInt8], limits: HTTPLimits) -> HTTPParseOutcome {
        bytes.withUnsafeBytes { parse($0, kind: .response, limits: limits) }
    }

    /// Status HAProxy answers for a request head that does not fit its buffer
    /// or its header list (it has no 414 nor 431).
    public static let tooLargeStatus = 400

    // MARK: core

    static func parse(_ b: UnsafeRawBufferPointer, kind: HTTPHead.Kind, limits: HTTPLimits) -> HTTPParseOutcome {
        var head = HTTPHead(kind: kind)
        switch parse(b, limits: limits, into: &head) {
        case .incomplete: return .incomplete
        case .complete(let length): return .complete(head, length: length)
        case .invalid(let status, let reason): return .invalid(status: status, reason: reason)
        }
    }

    static func parse(_ b: UnsafeRawBufferPointer, limits: HTTPLimits, into head: inout HTTPHead) -> HTTPHeadParse {
        typealias B = ASCII
        let kind = head.kind
        let badStatus = kind == .request ? 400 : 502
        let rawLimit = max(limits.maxRawHeadSize, 0)
        let avail = min(b.count, rawLimit)
        let tooLarge = HTTPHeadParse.invalid(status: kind == .request ? tooLargeStatus : badStatus, reason: "head too large")
        // Out of bytes: either wait for more or, when the limit is what stops
        // us, refuse the head as too large.
        @inline(__always) func outOfData() -> HTTPHeadParse {
            avail < b.count || avail >= rawLimit ? tooLarge : .incomplete
        }
        var i = 0
        head.errorOffset = 0
        // Where the parser stopped: `show errors`' "error at position".
        @inline(__always) func bad(_ reason: String) -> HTTPHeadParse {
            head.errorOffset = i
            return .invalid(status: badStatus, reason: reason)
        }

        // Empty lines before the start line: LF or CR LF (a CR alone is refused).
        while i < avail, B.isCRLF(b[i]) {
            if b[i] == B.cr {
                guard i + 1 < avail else { return outOfData() }
                guard b[i + 1] == B.lf else { return bad("CR without LF") }
                i += 1
            }
            i += 1
        }
        let start = i
        guard i < avail else { return outOfData() }
        // HAProxy's HTX cost of the head so far (see HTTPLimits.maxHeadSize).
        var cost = 40
        let maxCost = limits.maxHeadSize - 45

        var p1 = 0..<0, p2 = 0..<0, p3 = 0..<0
        var status = 0
        // A line ended by LF alone: read one way here, maybe another by the
        // next hop, so the head goes out serialized (see the end of the parse).
        var bareLF = false
        var version = HTTPVersion.http11

        // Version check shared by both kinds (HAProxy h1_process_req_vsn / res_vsn).
        func checkVersion(_ r: Range<Int>) -> Bool {
            if r.count == 8, b[r.lowerBound] == 0x48, b[r.lowerBound + 1] == 0x54, b[r.lowerBound + 2] == 0x54,
               b[r.lowerBound + 3] == 0x50, b[r.lowerBound + 4] == 0x2F, B.isDigit(b[r.lowerBound + 5]),
               b[r.lowerBound + 6] == 0x2E, B.isDigit(b[r.lowerBound + 7]) {
                let major = b[r.lowerBound + 5], minor = b[r.lowerBound + 7]
                version = (major > 0x31 || (major == 0x31 && minor >= 0x31)) ? .http11 : .http10
                return true
            }
            version = .http10
            return limits.acceptInvalid
        }

        if kind == .request {
            // method
            guard B.isToken(b[i]) else { return bad("invalid method") }
            while i < avail, B.isToken(b[i]) { i += 1 }
            guard i < avail else { return outOfData() }
            p1 = start..<i
            guard B.isSPHT(b[i]) else { return bad(B.isCRLF(b[i]) ? "missing request target" : "invalid method") }
            while i < avail, B.isSPHT(b[i]) { i += 1 }
            guard i < avail else { return outOfData() }
            // target
            let t0 = i
            while i < avail {
                let c = b[i]
                // HAProxy 2.6 refuses DEL (0x7F) like other controls (measured).
                if c >= 0x21 && c <= 0x7E && c != 0x23 { i += 1; continue }
                if c >= 0x80 || c == 0x23 {  // non-ASCII, '#'
                    guard limits.acceptInvalid else { return bad("invalid character in request target") }
                    i += 1; continue
                }
                break
            }
            guard i < avail else { return outOfData() }
            p2 = t0..<i
            guard !p2.isEmpty, B.isSPHT(b[i]) else {
                return bad(B.isCRLF(b[i]) ? "missing HTTP version" : "invalid character in request target")
            }
            while i < avail, B.isSPHT(b[i]) { i += 1 }
            guard i < avail else { return outOfData() }
            // version
            let v0 = i
            while i < avail, B.isVersionByte(b[i]) { i += 1 }
            guard i < avail else { return outOfData() }
            p3 = v0..<i
            guard B.isCRLF(b[i]) else { return bad("invalid HTTP version") }
            guard !p3.isEmpty else { return bad("missing HTTP version") }
            guard checkVersion(p3) else { return bad("invalid HTTP version") }
            cost += p1.count + p2.count + p3.count
        } else {
            // version
            while i < avail, B.isVersionByte(b[i]) { i += 1 }
            guard i < avail else { return outOfData() }
            p1 = start..<i
            guard !p1.isEmpty, B.isSPHT(b[i]) else { return bad("invalid HTTP version") }
            guard checkVersion(p1) else { return bad("invalid HTTP version") }
            while i < avail, B.isSPHT(b[i]) { i += 1 }
            guard i < avail else { return outOfData() }
            // status code
            let c0 = i
            while i < avail, B.isDigit(b[i]) { i += 1 }
            guard i < avail else { return outOfData() }
            p2 = c0..<i
            // HAProxy 2.6 takes any run of digits ("20", "099", "2000" are
            // forwarded); more than 9 would overflow its integer: refused here.
            guard (1...9).contains(p2.count), B.isSPHT(b[i]) || B.isCRLF(b[i]) else { return bad("invalid status code") }
            for k in p2 { status = status * 10 + Int(b[k] - 0x30) }
            // Fulcrum refuses what is not 100-999 in three digits (HAProxy
            // forwards it, accept-invalid-http-response too): "1000" read by
            // its first three digits is a 100 Continue, and the body after it
            // the next response.
            guard limits.acceptInvalid || (p2.count == 3 && status >= 100) else { return bad("invalid status code") }
            while i < avail, B.isSPHT(b[i]) { i += 1 }
            guard i < avail else { return outOfData() }
            // reason: anything up to the line end
            let r0 = i
            while i < avail, !B.isCRLF(b[i]) { i += 1 }
            guard i < avail else { return outOfData() }
            p3 = r0..<i
            cost += p1.count + p2.count + p3.count
        }
        guard cost <= maxCost else { return tooLarge }
        // end of start line: b[i] is CR or LF
        if b[i] == B.cr {
            i += 1
            guard i < avail else { return outOfData() }
            guard b[i] == B.lf else { return bad("CR without LF") }
        } else { bareLF = true }
        i += 1

        head.fields.removeAll(keepingCapacity: true)
        var folded = false
        let maxCount = limits.maxFields - 1
        while true {
            guard i < avail else { return outOfData() }
            let c = b[i]
            if c == B.cr || c == B.lf {
                if c == B.cr {
                    i += 1
                    guard i < avail else { return outOfData() }
                    guard b[i] == B.lf else { return bad("CR without LF") }
                } else { bareLF = true }
                i += 1
                break
            }
            // field name
            let n0 = i
            while i < avail {
                let d = b[i]
                if B.isToken(d) { i += 1; continue }
                if d == B.colon { break }
                guard limits.acceptInvalid, d != B.lf else {
                    return bad(B.isSPHT(d) ? "whitespace in field name" : "invalid character in field name")
                }
                i += 1
            }
            guard i < avail else { return outOfData() }
            let name = n0..<i
            guard !name.isEmpty else { return bad("empty field name") }
            i += 1  // colon
            // value (with obs-fold unfolding)
            while i < avail, B.isSPHT(b[i]) { i += 1 }
            var v0 = i
            var vEnd = i  // end of the last non-blank byte
            while true {
                guard i < avail else { return outOfData() }
                let d = b[i]
                if d > B.sp {
                    // Neither a line end nor a blank: the common byte, and a run
                    // of them is skipped with one comparison each.
                    i += 1
                    while i < avail, b[i] > B.sp { i += 1 }
                    vEnd = i
                    continue
                }
                if d == B.cr || d == B.lf {
                    if d == B.cr {
                        i += 1
                        guard i < avail else { return outOfData() }
                        guard b[i] == B.lf else { return bad("CR without LF") }
                    } else { bareLF = true }
                    i += 1
                    guard i < avail else { return outOfData() }
                    if B.isSPHT(b[i]) {  // obs-fold
                        guard kind == .response || limits.acceptInvalid else { return bad("obs-fold") }
                        folded = true
                        // Nothing but blanks so far: as HAProxy (h1.c, H1_MSG_HDR_L1_LWS
                        // back to L1_SP), the value starts after the fold's blanks.
                        if vEnd == v0 {
                            while i < avail, B.isSPHT(b[i]) { i += 1 }
                            v0 = i; vEnd = i
                        }
                        continue
                    }
                    break
                }
                i += 1
                if !B.isSPHT(d) { vEnd = i }
                // RFC 9110 §5.5 (HAProxy forwards it): a C server ends the value there.
                if d == 0 && !limits.acceptInvalid { return bad("NUL in field value") }
            }
            guard head.fields.count < maxCount else {
                head.errorOffset = i
                return .invalid(status: kind == .request ? tooLargeStatus : badStatus, reason: "too many header fields")
            }
            let value = v0..<max(v0, vEnd)
            cost += 8 + name.count + value.count
            guard cost <= maxCost else { return tooLarge }
            head.fields.append(HTTPHead.Field(name: name.lowerBound - start ..< name.upperBound - start,
                                         value: value.lowerBound - start ..< value.upperBound - start))
        }

        head.raw.removeAll(keepingCapacity: true)
        head.raw.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[start..<i]))
        if folded {
            for f in head.fields {
                for k in f.value where head.raw[k] == B.cr || head.raw[k] == B.lf { head.raw[k] = B.sp }
            }
        }
        // Bare LF line ends go out as CRLF: the head is serialized, not copied.
        head.bareLineFeeds = bareLF
        func rebase(_ r: Range<Int>) -> Range<Int> { r.lowerBound - start ..< r.upperBound - start }
        head.part1 = rebase(p1); head.part2 = rebase(p2); head.part3 = rebase(p3)
        head.version = version
        head.status = status
        head.added.removeAll(keepingCapacity: true)
        head.methodOverride = nil; head.targetOverride = nil; head.versionOverride = nil; head.statusLineOverride = nil
        if let e = HTTPValidation.check(head, acceptInvalid: limits.acceptInvalid) {
            head.errorOffset = start + (e.at ?? 0)
            return .invalid(status: e.status, reason: e.reason)
        }
        return .complete(length: i)
    }
}
