import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP
import FulcrumLog

/// Cookie-based server persistence (`cookie NAME insert|rewrite|prefix ...`)
/// with HAProxy 2.6's semantics (http_manage_client_side_cookies,
/// http_manage_server_side_cookies and the Set-Cookie insertion of
/// http_process_res_common).
public enum CookiePersistence {
    /// What the request's persistence cookie said.
    public struct RequestState: Equatable, Sendable {
        /// Index in `serverCookies` of the server the cookie designates.
        public var server: Int?
        /// Our cookie was present (whatever its value).
        public var found = false
        /// Dates carried by the cookie (insert/rewrite with maxidle/maxlife),
        /// in seconds since the epoch; nil when absent, expired or too old.
        public var lastDate: Int?
        public var firstDate: Int?
        /// The cookie was ignored because maxidle / maxlife had passed.
        public var expired = false
        public var old = false
        public init() {}
    }

    static let delimiter = UInt8(ascii: "~")        // prefix mode: SRV~appvalue
    static let dateDelimiter = UInt8(ascii: "|")    // SRV|last|first

    /// The server chosen by the request's cookie (an index into
    /// `serverCookies`, each server's `cookie` value), after editing the head:
    /// insert+indirect removes our cookie, prefix strips "SRV~".
    public static func serverForRequest(_ cfg: CookieConfig, serverCookies: [String?], head: inout HTTPHead, now: Int) -> Int? {
        parseRequest(cfg, serverCookies: serverCookies, head: &head, now: now).server
    }

    public static func parseRequest(_ cfg: CookieConfig, serverCookies: [String?], head: inout HTTPHead, now: Int) -> RequestState {
        var state = RequestState()
        // The first occurrence of our cookie decides.
        SampleFetcher.forEachCookie(head, response: false, name: cfg.name) { key, value in
            guard isPair(key, value) else { return false }
            state.found = true
            evaluate(cfg, value: value, serverCookies: serverCookies, now: now, into: &state)
            return true
        }
        // Only insert+indirect (our cookie removed) and prefix (SRV~ stripped) edit the request.
        guard state.found, (cfg.mode == .insert && cfg.indirect) || cfg.mode == .prefix else { return state }
        HTTPHeaderEdit.rewrite(&head, name: "cookie") { editedCookieLine($0, cfg) }
        return state
    }

    /// A `name=value` pair (the value slice follows an "=" that follows the name).
    static func isPair(_ key: ArraySlice<UInt8>, _ value: ArraySlice<UInt8>) -> Bool {
        key.endIndex < value.startIndex
    }

    /// A Cookie line without our cookie (insert+indirect) or with its "SRV~"
    /// prefix stripped (prefix); `.keep` when it does not carry ours.
    static func editedCookieLine(_ line: ArraySlice<UInt8>, _ cfg: CookieConfig) -> HTTPHeaderEdit.Change {
        func ours(_ item: ArraySlice<UInt8>) -> (name: ArraySlice<UInt8>, value: ArraySlice<UInt8>)? {
            guard let eq = item.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            let name = item[..<eq].trimmingBlanks()
            return name.elementsEqual(cfg.name.utf8) ? (name, item[(eq + 1)...]) : nil
        }
        guard line.fields(separatedBy: UInt8(ascii: ";")).contains(where: { ours($0.trimmingBlanks()) != nil }) else { return .keep }
        var out: [UInt8] = []
        out.reserveCapacity(line.count)
        for raw in line.fields(separatedBy: UInt8(ascii: ";")) {
            let item = raw.trimmingBlanks()
            guard !item.isEmpty else { continue }
            let pair = ours(item)
            if pair != nil && cfg.mode == .insert { continue }
            if !out.isEmpty { out.append(contentsOf: "; ".utf8) }
            if let (name, value) = pair, let d = value.firstIndex(of: delimiter) {
                out.append(contentsOf: name); out.append(UInt8(ascii: "=")); out.append(contentsOf: value[(d + 1)...])
            } else {
                out.append(contentsOf: item)
            }
        }
        return out.isEmpty ? .drop : .replace(out)
    }

    static func evaluate(_ cfg: CookieConfig, value: ArraySlice<UInt8>, serverCookies: [String?], now: Int, into state: inout RequestState) {
        var end = value.endIndex
        if cfg.mode == .prefix {
            if let d = value.firstIndex(of: delimiter) { end = d }
        } else if let bar = value.firstIndex(of: dateDelimiter) {
            end = bar
            let rest = value[(bar + 1)...]
            if rest.count >= 5, let v = b64tos30(rest.prefix(5)), v > 0 { state.lastDate = v << 2 }
            if let bar2 = rest.firstIndex(of: dateDelimiter), value.endIndex - bar2 > 5,
               let v = b64tos30(value[(bar2 + 1)...].prefix(5)), v > 0 { state.firstDate = v << 2 }
        }
        // Too old first, then idle; dates more than a day ahead are refused too.
        if let first = state.firstDate, let maxlife = cfg.maxlife, now - first > maxlife || first - now > 86400 {
            state.old = true; state.firstDate = nil; state.lastDate = nil
            return
        }
        if let last = state.lastDate, let maxidle = cfg.maxidle, now - last > maxidle || last - now > 86400 {
            state.expired = true; state.firstDate = nil; state.lastDate = nil
            return
        }
        let key = value[..<end]
        state.server = serverCookies.firstIndex { c in c.map { key.elementsEqual($0.utf8) } ?? false }
    }

    /// Response side. Server Set-Cookie fields for our name: kept with
    /// `preserve`; removed in insert mode or (indirect) when the client came
    /// with a valid cookie; rewritten to the server's value (rewrite); prefixed
    /// with "SRV~" (prefix). Insert mode then adds our Set-Cookie when the
    /// client did not send a valid one (or its dates need refreshing), except
    /// `postonly` on other methods; `nocache` adds "Cache-control: private"
    /// when the response would otherwise be cacheable.
    /// `serverCookie` is the chosen server's `cookie` value (nil: it has none,
    /// and an insert clears the client's cookie).
    /// Returns what happened to the cookie, the fourth letter of `%tsc`.
    @discardableResult
    public static func editResponse(_ cfg: CookieConfig, serverCookie: String?, requestHadValidCookie: Bool,
                                    response: inout HTTPHead, requestMethod: String, now: Int,
                                    request: RequestState = RequestState()) -> LogServerCookieState {
        // The server's own Set-Cookie for our name (the first pair of a field).
        func ourPair(_ line: ArraySlice<UInt8>) -> (pair: ArraySlice<UInt8>, eq: Int)? {
            let pair = line[..<(line.firstIndex(of: UInt8(ascii: ";")) ?? line.endIndex)]
            guard let eq = pair.firstIndex(of: UInt8(ascii: "=")), pair[..<eq].trimmingBlanks().elementsEqual(cfg.name.utf8) else { return nil }
            return (pair, eq)
        }
        let serverSetOurs = response.fieldValues(named: "set-cookie").contains { ourPair($0) != nil }
        var outcome: LogServerCookieState = serverSetOurs ? .passive : .noCookie
        if serverSetOurs && !cfg.preserve {
            if cfg.mode == .insert || (requestHadValidCookie && cfg.indirect) { outcome = .deleted }
            else if serverCookie != nil { outcome = .rewritten }
            HTTPHeaderEdit.rewrite(&response, name: "set-cookie") { line in
                guard let (pair, eq) = ourPair(line) else { return .keep }
                if cfg.mode == .insert || (requestHadValidCookie && cfg.indirect) { return .drop }
                guard let serverCookie else { return .keep }
                // rewrite: NAME=SRV; attrs   prefix: NAME=SRV~value; attrs
                var out = Array(pair[...eq])
                out.append(contentsOf: serverCookie.utf8)
                if cfg.mode == .prefix { out.append(delimiter); out.append(contentsOf: pair[(eq + 1)...]) }
                out.append(contentsOf: line[pair.endIndex...])
                return .replace(out)
            }
        }

        guard cfg.mode == .insert, !(serverSetOurs && cfg.preserve) else { return outcome }
        let refresh = ((cfg.maxidle != nil || request.lastDate != nil) && (request.lastDate.map { $0 - now < 0 } ?? true))
            || (cfg.maxlife != nil && request.firstDate == nil)
            || (cfg.maxlife == nil && request.firstDate != nil)
        guard !requestHadValidCookie || refresh else { return outcome }
        guard !cfg.postonly || requestMethod == "POST" else { return outcome }
        response.add(name: setCookieName, value: insertedValue(cfg, serverCookie: serverCookie, now: now, request: request))
        if cfg.nocache && isCacheable(response: response, requestMethod: requestMethod) {
            response.add(name: cacheControlName, value: privateValue)
        }
        return requestHadValidCookie ? .updated : .inserted
    }

    static let setCookieName = Array("Set-Cookie".utf8), cacheControlName = Array("Cache-control".utf8)
    static let privateValue = Array("private".utf8)

    /// The Set-Cookie value insert mode adds, in one array of its size:
    /// NAME=SRV[|last[|first]]; path=/ (or an expired cookie when the server
    /// has no cookie value), then domains, HttpOnly, Secure.
    static func insertedValue(_ cfg: CookieConfig, serverCookie: String?, now: Int, request: RequestState) -> [UInt8] {
        var value: [UInt8] = []
        value.reserveCapacity(cfg.name.utf8.count + (serverCookie?.utf8.count ?? 0) + 64
                              + cfg.domains.reduce(0) { $0 + $1.utf8.count + 9 })
        value.append(contentsOf: cfg.name.utf8)
        if let serverCookie {
            value.append(UInt8(ascii: "="))
            value.append(contentsOf: serverCookie.utf8)
            if cfg.maxidle != nil || cfg.maxlife != nil {
                value.append(dateDelimiter)
                appendS30(to: &value, (now + 3) >> 2)
                if cfg.maxlife != nil {
                    value.append(dateDelimiter)
                    appendS30(to: &value, request.firstDate.map { $0 >> 2 } ?? (now + 3) >> 2)
                }
            }
            value.append(contentsOf: "; path=/".utf8)
        } else {
            value.append(contentsOf: "=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/".utf8)
        }
        for d in cfg.domains { value.append(contentsOf: "; domain=".utf8); value.append(contentsOf: d.utf8) }
        if cfg.httponly { value.append(contentsOf: "; HttpOnly".utf8) }
        if cfg.secure { value.append(contentsOf: "; Secure".utf8) }
        return value
    }

    static let cacheableStatuses: [Int] = [200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501]
    static let uncacheableDirectives: [[UInt8]] = ["private", "no-cache", "no-store", "max-age=0", "s-maxage=0"].map { Array($0.utf8) }

    /// HAProxy's notion of a cacheable response (only GET/HEAD requests,
    /// cacheable statuses, no pragma/cache-control forbidding it, and some
    /// freshness information or validator).
    public static func isCacheable(response: HTTPHead, requestMethod: String) -> Bool {
        guard requestMethod == "GET" || requestMethod == "HEAD" else { return false }
        guard cacheableStatuses.contains(response.status) else { return false }
        for p in response.fieldValues(named: "pragma") {
            if ASCII.equalsIgnoringCase(p.trimmingBlanks(), "no-cache".utf8) { return false }
            break
        }
        var fresh = false
        for line in response.fieldValues(named: "cache-control") {
            for v in line.listElements() {
                if uncacheableDirectives.contains(where: { ASCII.equalsIgnoringCase(v, $0) }) { return false }
                if ASCII.hasPrefixIgnoringCase(v, "max-age".utf8) || ASCII.hasPrefixIgnoringCase(v, "s-maxage".utf8) { fresh = true }
            }
        }
        return fresh || response.hasField("expires") || response.hasField("etag") || response.hasField("last-modified")
    }

    static let base64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The low 30 bits as 5 base64 characters, most significant first (HAProxy's s30tob64).
    public static func s30tob64(_ v: Int) -> String {
        var out = [UInt8]()
        appendS30(to: &out, v)
        return String(decoding: out, as: UTF8.self)
    }

    static func appendS30(to out: inout [UInt8], _ v: Int) {
        for i in 0..<5 { out.append(base64[(v >> (24 - 6 * i)) & 63]) }
    }

    public static func b64tos30<C: Collection>(_ s: C) -> Int? where C.Element == UInt8 {
        guard s.count == 5 else { return nil }
        var out = 0
        for c in s {
            guard let i = base64.firstIndex(of: c) else { return nil }
            out = (out << 6) + i
        }
        return out
    }
}
