import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

/// Extracts typed samples from a request/response as HAProxy's fetches do:
/// addresses and counts as values, strings as slices of the head. Nothing
/// here builds a String or an array on the request path (`base` and the
/// `http_auth*` fetches excepted: they have to build their bytes).
public enum SampleFetcher {
    /// `url_param` / `req.body_param`: each `name=value` field's value (a
    /// field without '=' has an empty one), or every field's when `name` is nil.
    static func forEachParameter(_ text: ArraySlice<UInt8>, name: String?, delimiter: UInt8,
                                 _ body: (Sample) -> Bool) -> Bool {
        for item in text.fields(separatedBy: delimiter) where !item.isEmpty {
            let eq = item.firstIndex(of: UInt8(ascii: "="))
            if let name, !(eq.map { item[..<$0] } ?? item).elementsEqual(name.utf8) { continue }
            if body(.bytes(eq.map { item[($0 + 1)...] } ?? item[item.endIndex...])) { return true }
        }
        return false
    }

    /// Calls `body` with each sample the fetch yields, in order, until it
    /// returns true (an ACL that matched); returns whether it did. `acls`
    /// supplies the userlists of `http_auth*`.
    @discardableResult
    public static func forEach(_ f: HTTPFetch, context: HTTPRuleContext, acls: ACLSet?,
                               _ body: (Sample) -> Bool) -> Bool {
        guard let f = context.responsePhase ? responseSide(f) : f else { return false }
        // The head is read where it lies: a local copy retains each of its arrays.
        switch f {
        case .path:
            let t = context.request.target, target = HTTPTarget(t)
            return !target.path.isEmpty && body(.bytes(t[target.path]))
        case .pathq:
            let t = context.request.target, target = HTTPTarget(t)
            return !target.path.isEmpty && body(.bytes(t[target.pathAndQuery]))
        case .query:
            let t = context.request.target
            guard let q = HTTPTarget(t).query else { return false }
            return body(.bytes(t[q]))
        case .url:
            return body(.bytes(context.request.target))
        case .base:
            guard let b = base(context.request) else { return false }
            return body(.bytes(b))
        case .urlParam(let name, let delimiter):
            let t = context.request.target
            guard let q = HTTPTarget(t).query else { return false }
            return forEachParameter(t[q], name: name, delimiter: delimiter, body)
        case .body(let part), .responseBody(let part):
            let isResponse: Bool
            if case .responseBody = f { isResponse = true } else { isResponse = false }
            guard let b = isResponse ? context.responseBody : context.body else { return false }
            switch part {
            case .bytes: return body(.bytes(b.bytes))
            case .length: return body(.integer(Int64(b.bytes.count)))
            case .size: return body(.integer(Int64(b.size)))
            case .parameter(let name): return forEachParameter(b.bytes, name: name, delimiter: UInt8(ascii: "&"), body)
            }
        case .header(let name, let occurrence, let full, let response):
            guard let head = response ? context.response : context.request else { return false }
            guard let occurrence else {
                return forEachHeaderValue(head, name, full: full) { body(.bytes($0)) }
            }
            guard let v = headerValue(head, name, full: full, occurrence: occurrence) else { return false }
            return body(.bytes(v))
        case .headerCount(let name, let full, let response):
            guard let head = response ? context.response : context.request else { return false }
            return body(.integer(Int64(headerCount(head, name, full: full))))
        case .method:
            return body(.bytes(context.request.method))
        case .requestVersion:
            return body(.bytes(version(context.request)))
        case .responseVersion:
            guard let res = context.response else { return false }
            return body(.bytes(version(res)))
        case .capturedSlot(let n, let response):
            guard let slots = context.connection.captureSlots,
                  let v = slots.value(n, response: response, head: response ? context.response : context.request,
                                      rules: response ? context.log.responseCaptures : context.log.requestCaptures) else { return false }
            return body(.bytes(v))
        case .captured(let part):
            // No request line (mode tcp): no transaction, nothing captured.
            switch part {
            case .method: return context.request.raw.isEmpty ? false : body(.bytes(context.request.raw[context.request.part1]))
            case .uri: return context.request.raw.isEmpty ? false : body(.bytes(context.request.raw[context.request.part2]))
            case .requestVersion: return context.request.raw.isEmpty ? false : body(.bytes(fullVersion(context.request)))
            case .responseVersion:
                guard let res = context.response else { return false }
                return body(.bytes(fullVersion(res)))
            }
        case .status:
            guard let res = context.response else { return false }
            return body(.integer(Int64(res.status)))
        case .source: return body(.address(context.connection.source.address))
        case .sourcePort: return body(.integer(Int64(context.connection.source.port)))
        case .destination: return body(.address(context.connection.destination.address))
        case .destinationPort: return body(.integer(Int64(context.connection.destination.port)))
        case .tls(let f):
            let t = context.connection.tls
            switch f {
            case .fc: return body(.bool(t != nil))
            case .hasSNI: return body(.bool(t?.serverName != nil))
            case .sessionReused: guard let t else { return false }; return body(.bool(t.sessionReused))
            case .sni: guard let v = t?.serverName else { return false }; return body(.bytes(v[...]))
            case .protocolName: guard let v = t?.protocolName else { return false }; return body(.bytes(v[...]))
            case .cipher: guard let v = t?.cipher else { return false }; return body(.bytes(v[...]))
            case .alpn: guard let v = t?.alpn else { return false }; return body(.bytes(v[...]))
            case .useKeySize: guard let t else { return false }; return body(.integer(Int64(t.cipherBits)))
            case .algorithmKeySize: guard let t else { return false }; return body(.integer(Int64(t.cipherAlgorithmBits)))
            case .clientCertificateUsed: guard let t else { return false }; return body(.bool(t.clientSubject != nil))
            case .clientVerify: guard let t else { return false }; return body(.integer(Int64(t.clientVerify)))
            case .clientSubject: guard let v = t?.clientSubject else { return false }; return body(.bytes(v[...]))
            case .clientIssuer: guard let v = t?.clientIssuer else { return false }; return body(.bytes(v[...]))
            }
        case .cookie(let name, let response):
            guard let head = response ? context.response : context.request else { return false }
            return forEachCookie(head, response: response, name: name) { _, value in body(.bytes(value)) }
        case .cookieCount(let name, let response):
            guard let head = response ? context.response : context.request else { return false }
            var n: Int64 = 0
            forEachCookie(head, response: response, name: name) { _, _ in n += 1; return false }
            return body(.integer(n))
        case .httpAuth(let userlist):
            guard let acls, let ul = acls.userlists[userlist] else { return body(.bool(false)) }
            return body(.bool(HTTPBasicAuth.authenticate(context.request, userlist: ul, crypt: acls.crypt) != nil))
        case .httpAuthGroup(let userlist):
            guard let acls, let ul = acls.userlists[userlist],
                  let user = HTTPBasicAuth.authenticate(context.request, userlist: ul, crypt: acls.crypt) else { return false }
            for g in HTTPBasicAuth.groups(of: user, in: ul) where body(.bytes(Array(g.utf8)[...])) { return true }
            return false
        case .httpAuthUser:
            guard let c = HTTPBasicAuth.credentials(context.request) else { return false }
            return body(.bytes(Array(c.user.utf8)[...]))
        case .httpAuthPass:
            guard let c = HTTPBasicAuth.credentials(context.request) else { return false }
            return body(.bytes(Array(c.password.utf8)[...]))
        case .constant(let b):
            return body(.bool(b))
        case .payload(let p, let response):
            guard let bytes = context.payload else { return false }
            // The other direction's buffer holds nothing yet.
            guard response == context.payloadIsResponse else { return p.forEach([], limit: context.payloadLimit, body).matched }
            return p.forEach(bytes, limit: context.payloadLimit, body).matched
        case .variable(let ref, let fallback):
            if let v = context.variables?.get(ref) { return body(v) }
            guard let fallback else { return false }
            return body(.bytes(fallback[...]))
        case .constantBytes(let b):
            return body(.bytes(b[...]))
        case .constantInteger(let i):
            return body(.integer(i))
        case .urlIP:
            guard let (address, _) = urlAddress(context.request.target), let address else { return false }
            return body(.address(.v4(address)))
        case .urlPort:
            guard let (_, port) = urlAddress(context.request.target) else { return false }
            return body(.integer(Int64(port)))
        case .stick(let f):
            guard let v = StickFetching.value(f, context: context) else { return false }
            return body(v)
        }
    }

    /// The one sample HAProxy uses where a single value is expected
    /// (log-format, dynamic backend names): the last header or cookie
    /// occurrence unless an occurrence is given, the first value otherwise.
    /// nil: missing.
    public static func sample(_ f: HTTPFetch, context: HTTPRuleContext, acls: ACLSet? = nil) -> Sample? {
        var last: Sample? = nil
        let takeLast: Bool
        switch context.responsePhase ? responseSide(f) : f {
        case .header(_, nil, _, _)?, .cookie?: takeLast = true
        default: takeLast = false
        }
        forEach(f, context: context, acls: acls) { s in last = s; return !takeLast }
        return last
    }

    /// In http-response rules, request-only fetches (path, url_param, auth
    /// ...) yield nothing (nil; the configuration refuses most of them, as
    /// HAProxy does) and `hdr()` / `cook()` mean the response's; `method`
    /// stays the request's, as HAProxy keeps it for the whole transaction.
    static func responseSide(_ f: HTTPFetch) -> HTTPFetch? {
        switch f {
        case .path, .pathq, .query, .url, .base, .urlParam, .requestVersion, .urlIP, .urlPort,
             .httpAuth, .httpAuthGroup, .httpAuthUser, .httpAuthPass, .payload:
            return nil
        case .header(let name, let occ, let full, false): return .header(name: name, occurrence: occ, full: full, response: true)
        case .headerCount(let name, let full, false): return .headerCount(name: name, full: full, response: true)
        case .cookie(let name, false): return .cookie(name: name, response: true)
        case .cookieCount(let name, false): return .cookieCount(name: name, response: true)
        default: return f
        }
    }

    // MARK: convenience (tests and diagnostics: Strings, not for the request path)

    /// Every value of a fetch as text; empty when missing or the fetch is unknown.
    public static func fetch(_ f: SampleFetch, context: HTTPRuleContext, acls: ACLSet? = nil) -> [String] {
        guard let compiled = try? HTTPFetch(f) else { return [] }
        var out: [String] = []
        forEach(compiled, context: context, acls: acls) { out.append($0.text); return false }
        return out
    }

    /// `sample(_:context:acls:)` as text.
    public static func single(_ f: HTTPFetch, context: HTTPRuleContext, acls: ACLSet? = nil) -> String? {
        sample(f, context: context, acls: acls)?.text
    }

    // MARK: message parts

    /// HAProxy's url2sa on an absolute target: http:// or https:// (any
    /// case), then an IPv4 address and an optional port (default 80 or
    /// 443). A host name yields nothing (HAProxy does not resolve it here).
    static func urlAddress(_ t: ArraySlice<UInt8>) -> (IPv4Address?, Int)? {
        guard let colon = t.firstIndex(of: UInt8(ascii: ":")),
              t[colon...].starts(with: [0x3A, 0x2F, 0x2F]) else { return nil }
        let scheme = t[..<colon].map(ASCII.lower)
        let defaultPort: Int
        if scheme.elementsEqual("http".utf8) { defaultPort = 80 } else if scheme.elementsEqual("https".utf8) { defaultPort = 443 } else { return nil }
        let hostStart = colon + 3
        var end = hostStart
        while end < t.endIndex, ASCII.isDigit(t[end]) || t[end] == UInt8(ascii: ".") { end += 1 }
        guard end > hostStart, let address = IPv4Address(ascii: t[hostStart..<end]) else { return nil }
        guard end < t.endIndex, t[end] == UInt8(ascii: ":") else { return (address, defaultPort) }
        var port = 0
        var i = end + 1
        while i < t.endIndex, ASCII.isDigit(t[i]) { port = port * 10 + Int(t[i] - 48); i += 1 }
        return (address, port)
    }

    static let version10 = Array("1.0".utf8), version11 = Array("1.1".utf8)

    static func version(_ h: HTTPHead) -> ArraySlice<UInt8> { h.version == .http10 ? version10[...] : version11[...] }
    static let fullVersion10 = Array("HTTP/1.0".utf8), fullVersion11 = Array("HTTP/1.1".utf8)
    static func fullVersion(_ h: HTTPHead) -> ArraySlice<UInt8> { h.version == .http10 ? fullVersion10[...] : fullVersion11[...] }

    /// Host then path, as HAProxy's `base` (the one fetch that has to build its bytes).
    static func base(_ req: HTTPHead) -> ArraySlice<UInt8>? {
        let t = req.target, target = HTTPTarget(t)
        let path = t[target.path]
        var hostValue: ArraySlice<UInt8>? = nil
        forEachHeaderValue(req, "host", full: false) { hostValue = $0; return true }
        guard let host = hostValue, !host.isEmpty else { return target.path.isEmpty ? nil : path }
        var out: [UInt8] = []
        out.reserveCapacity(host.count + path.count)
        out.append(contentsOf: host); out.append(contentsOf: path)
        return out[...]
    }

    /// Values of a header (every header when `name` is nil): whole lines,
    /// blank-trimmed (`full`, HAProxy's `fhdr`), or comma-separated elements
    /// outside quotes (`hdr`), until `body` returns true.
    @discardableResult
    static func forEachHeaderValue(_ head: HTTPHead, _ name: String?, full: Bool,
                                   _ body: (ArraySlice<UInt8>) -> Bool) -> Bool {
        for line in head.fieldValues(named: name) {
            if full {
                if body(line.trimmingBlanks()) { return true }
            } else {
                for v in line.listElements() where body(v) { return true }
            }
        }
        return false
    }

    static func headerCount(_ head: HTTPHead, _ name: String?, full: Bool) -> Int {
        var n = 0
        forEachHeaderValue(head, name, full: full) { _ in n += 1; return false }
        return n
    }

    /// HAProxy's `occ`: 1 the first value, -1 the last, and so on.
    static func headerValue(_ head: HTTPHead, _ name: String?, full: Bool, occurrence: Int) -> ArraySlice<UInt8>? {
        let index = occurrence > 0 ? occurrence - 1 : headerCount(head, name, full: full) + occurrence
        guard index >= 0 else { return nil }
        var i = 0
        var found: ArraySlice<UInt8>? = nil
        forEachHeaderValue(head, name, full: full) { v in
            if i == index { found = v; return true }
            i += 1
            return false
        }
        return found
    }

    /// (name, value) of the Cookie pairs (request) or of the first pair of
    /// each Set-Cookie field (response), blanks trimmed, filtered by `name`,
    /// until `body` returns true.
    @discardableResult
    static func forEachCookie(_ head: HTTPHead, response: Bool, name: String?,
                              _ body: (ArraySlice<UInt8>, ArraySlice<UInt8>) -> Bool) -> Bool {
        for line in head.fieldValues(named: response ? "set-cookie" : "cookie") {
            for item in line.fields(separatedBy: UInt8(ascii: ";")) {
                let t = item.trimmingBlanks()
                guard !t.isEmpty else { continue }
                let eq = t.firstIndex(of: UInt8(ascii: "="))
                let key = eq.map { t[..<$0].trimmingBlanks() } ?? t
                let value = eq.map { t[($0 + 1)...].trimmingBlanks() } ?? t[t.endIndex...]
                if name.map({ key.elementsEqual($0.utf8) }) ?? true, body(key, value) { return true }
                if response { break }
            }
        }
        return false
    }
}
