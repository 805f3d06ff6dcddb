import FulcrumBytes

/// Checks HAProxy 2.6 makes on a complete head once its fields are split
/// (h1_headers_to_hdr_list's length handling and h1_postparse_req_hdrs),
/// applied by `HTTPParser` after the syntax checks. Order and statuses as
/// observed on HAProxy 2.6.12:
///
/// 1. Content-Length invalid or disagreeing, "chunked" twice, a request
///    coding after "chunked" → 400 (502 for a response);
/// 2. request Transfer-Encoding whose last coding is not "chunked" → 400;
///    then (Fulcrum's own rule, relaxed by acceptInvalid: HAProxy 2.6
///    forwards it) Transfer-Encoding beside Content-Length → 400, as nginx
///    and Envoy answer: a request framed two ways is a smuggling attempt;
///    and so is Transfer-Encoding in an HTTP/1.0 request (nginx answers 400);
/// 3. request Host fields with different values → 400 (even with
///    accept-invalid-http-request);
/// 4. (relaxed by acceptInvalid) CONNECT without an authority-form target
///    ("host:port"); another method with a target that is neither "/...",
///    "*..." nor "scheme://..."; an absolute-form authority (userinfo
///    dropped) that differs from Host, ignoring case and the scheme's
///    default port → 400;
/// 5. a WebSocket upgrade (`Connection: upgrade` and "websocket" among
///    `Upgrade`) without `Sec-WebSocket-Key` → 400;
/// 6. request Transfer-Encoding listing a coding other than "chunked"
///    before the final "chunked" → 422 (HAProxy has no decoder for it).
///
/// Each error says where haproxy 2.6 reports it (`show errors`, checked side
/// by side): a length field's or the second Host's value, the target, or the
/// end of the head.
///
/// A response is refused with 502 for (1), and for any Transfer-Encoding
/// other than exactly "chunked" (HAProxy 2.6 does not read such bodies
/// until close as RFC 9112 would allow).
public enum HTTPValidation {
    public static func check(_ head: HTTPHead, acceptInvalid: Bool) -> HTTPError? {
        let lengths: HTTPFraming.LengthFields
        switch HTTPFraming.lengthFields(head) {
        case .failure(let e): return e
        case .success(let l): lengths = l
        }
        guard head.kind == .request else {
            if lengths.transferEncoding && (!lengths.chunkedLast || lengths.otherCoding) {
                return HTTPError(status: 502, reason: "response transfer-encoding other than chunked", at: head.raw.count)
            }
            return nil
        }
        if lengths.transferEncoding && !lengths.chunkedLast {
            return HTTPError(status: 400, reason: "transfer-encoding without chunked last", at: head.raw.count)
        }
        if lengths.contentLengthBesideTransferEncoding && !acceptInvalid {
            return HTTPError(status: 400, reason: "content-length with transfer-encoding", at: head.raw.count)
        }
        // Fulcrum's own rule too: an HTTP/1.0 server may not know chunked
        // and would read the chunks as the next request (RFC 9112 §6.1).
        if lengths.transferEncoding && head.version == .http10 && !acceptInvalid {
            return HTTPError(status: 400, reason: "transfer-encoding in HTTP/1.0", at: head.raw.count)
        }
        let raw = head.raw
        var host: Range<Int>? = nil
        for f in head.fields where !f.removed && ASCII.equalsLowercase(raw, f.name, "host") {
            if let h = host {
                if !ASCII.equalsIgnoringCase(raw[h], raw[f.value]) { return HTTPError(status: 400, reason: "conflicting host fields", at: f.value.lowerBound) }
            } else {
                host = f.value
            }
        }
        if !acceptInvalid, let e = checkTarget(head, host: host) { return e }
        if HTTPConnectionHeader.isWebSocketUpgrade(head) && !HTTPConnectionHeader.hasField(head, "sec-websocket-key") {
            return HTTPError(status: 400, reason: "websocket upgrade without sec-websocket-key", at: head.raw.count)
        }
        if lengths.otherCoding {
            return HTTPError(status: 422, reason: "unsupported transfer coding", at: head.raw.count)
        }
        return nil
    }

    static func checkTarget(_ head: HTTPHead, host: Range<Int>?) -> HTTPError? {
        let raw = head.raw
        let t = raw[head.part2]
        let target = HTTPTarget(t)
        if HTTPFraming.methodIs(raw[head.part1], "CONNECT") {
            guard target.form == .authority, let a = target.authority, hasPort(raw, a) else {
                return HTTPError(status: 400, reason: "CONNECT needs an authority-form target", at: head.part2.lowerBound)
            }
            if let h = host, !ASCII.equalsIgnoringCase(raw[a], raw[h]) {
                return HTTPError(status: 400, reason: "authority and host differ", at: h.lowerBound)
            }
            return nil
        }
        switch target.form {
        case .origin, .asterisk: return nil
        case .authority: return HTTPError(status: 400, reason: "invalid request target", at: head.part2.lowerBound)
        case .absolute:
            guard let h = host, var a = target.authority, !a.isEmpty, let scheme = target.scheme else { return nil }
            // userinfo is not part of the compared authority
            if let at = raw[a].lastIndex(of: 0x40) { a = (at + 1)..<a.upperBound }
            let defaultPort: StaticString? = ASCII.equalsLowercase(raw, scheme, "http") ? ":80"
                : ASCII.equalsLowercase(raw, scheme, "https") ? ":443" : nil
            let a2 = stripPort(raw, a, defaultPort), h2 = stripPort(raw, h, defaultPort)
            return ASCII.equalsIgnoringCase(raw[a2], raw[h2]) ? nil : HTTPError(status: 400, reason: "authority and host differ", at: h.lowerBound)
        }
    }

    /// "host:port" with a non-empty host and 1*DIGIT port.
    static func hasPort(_ raw: [UInt8], _ a: Range<Int>) -> Bool {
        guard let colon = raw[a].lastIndex(of: 0x3A), colon > a.lowerBound, colon + 1 < a.upperBound else { return false }
        return raw[(colon + 1)..<a.upperBound].allSatisfy(ASCII.isDigit)
    }

    static func stripPort(_ raw: [UInt8], _ r: Range<Int>, _ port: StaticString?) -> Range<Int> {
        guard let port else { return r }
        let n = port.utf8CodeUnitCount
        guard r.count > n else { return r }
        let tail = (r.upperBound - n)..<r.upperBound
        var j = 0
        for i in tail {
            if raw[i] != port.utf8Start[j] { return r }
            j += 1
        }
        return r.lowerBound..<tail.lowerBound
    }
}
