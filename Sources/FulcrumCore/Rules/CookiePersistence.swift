import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

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
        let removeOurs = cfg.mode == .insert && cfg.indirect
        HTTPHeaderEdit.rewrite(&head, name: "cookie") { line in
            var items: [String] = []
            var changed = false
            for raw in line.split(separator: ";", omittingEmptySubsequences: true) {
                let item = String(raw.trimmingBlanks())
                guard !item.isEmpty else { changed = true; continue }
                let eq = item.firstIndex(of: "=")
                let name = eq.map { String(item[..<$0].trimmingBlanks()) } ?? item
                guard name == cfg.name, let eq else { items.append(item); continue }
                let value = Array(item[item.index(after: eq)...].utf8)
                if !state.found {
                    state.found = true
                    evaluate(cfg, value: value, serverCookies: serverCookies, now: now, into: &state)
                }
                if removeOurs { changed = true; continue }
                if cfg.mode == .prefix, let d = value.firstIndex(of: delimiter) {
                    items.append(name + "=" + String(decoding: value[(d + 1)...], as: UTF8.self)); changed = true
                    continue
                }
                items.append(item)
            }
            guard changed else { return line }
            return items.isEmpty ? nil : items.joined(separator: "; ")
        }
        return state
    }

    static func evaluate(_ cfg: CookieConfig, value: [UInt8], serverCookies: [String?], now: Int, into state: inout RequestState) {
        var end = value.count
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
    public static func editResponse(_ cfg: CookieConfig, serverCookie: String?, requestHadValidCookie: Bool,
                                    response: inout HTTPHead, requestMethod: String, now: Int,
                                    request: RequestState = RequestState()) {
        var serverSetOurs = false
        HTTPHeaderEdit.rewrite(&response, name: "set-cookie") { line in
            let semi = line.firstIndex(of: ";") ?? line.endIndex
            let pair = line[..<semi]
            guard let eq = pair.firstIndex(of: "="),
                  pair[..<eq].trimmingBlanks() == cfg.name else { return line }
            serverSetOurs = true
            if cfg.preserve { return line }
            if cfg.mode == .insert || (requestHadValidCookie && cfg.indirect) { return nil }
            guard let serverCookie else { return line }
            let value = pair[pair.index(after: eq)...]
            let attrs = line[semi...]
            let name = pair[...eq]
            if cfg.mode == .rewrite { return name + serverCookie + attrs }
            return name + serverCookie + "~" + value + attrs
        }

        guard cfg.mode == .insert, !(serverSetOurs && cfg.preserve) else { return }
        let refresh = ((cfg.maxidle != nil || request.lastDate != nil) && (request.lastDate.map { $0 - now < 0 } ?? true))
            || (cfg.maxlife != nil && request.firstDate == nil)
            || (cfg.maxlife == nil && request.firstDate != nil)
        guard !requestHadValidCookie || refresh else { return }
        guard !cfg.postonly || requestMethod == "POST" else { return }

        var value: String
        if let serverCookie {
            value = cfg.name + "=" + serverCookie
            if cfg.maxidle != nil || cfg.maxlife != nil {
                value += "|" + s30tob64((now + 3) >> 2)
                if cfg.maxlife != nil {
                    value += "|" + s30tob64(request.firstDate.map { $0 >> 2 } ?? (now + 3) >> 2)
                }
            }
            value += "; path=/"
        } else {
            value = cfg.name + "=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/"
        }
        for d in cfg.domains { value += "; domain=" + d }
        if cfg.httponly { value += "; HttpOnly" }
        if cfg.secure { value += "; Secure" }
        response.add("Set-Cookie", value)

        if cfg.nocache && isCacheable(response: response, requestMethod: requestMethod) {
            response.add("Cache-control", "private")
        }
    }

    /// HAProxy's notion of a cacheable response (only GET/HEAD requests,
    /// cacheable statuses, no pragma/cache-control forbidding it, and some
    /// freshness information or validator).
    public static func isCacheable(response: HTTPHead, requestMethod: String) -> Bool {
        guard requestMethod == "GET" || requestMethod == "HEAD" else { return false }
        guard [200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501].contains(response.status) else { return false }
        if let p = response.values(of: "pragma").first,
           ASCII.equalsIgnoringCase(p.trimmingBlanks(), "no-cache".utf8) { return false }
        var fresh = false
        for v in SampleFetcher.headerValues(response, "cache-control", full: false) {
            let l = v.lowercased()
            if ["private", "no-cache", "no-store", "max-age=0", "s-maxage=0"].contains(l) { return false }
            if l.hasPrefix("max-age") || l.hasPrefix("s-maxage") { fresh = true }
        }
        if !fresh { fresh = !response.values(of: "expires").isEmpty }
        if !fresh { fresh = !response.values(of: "etag").isEmpty || !response.values(of: "last-modified").isEmpty }
        return fresh
    }

    static let base64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The low 30 bits as 5 base64 characters, most significant first (HAProxy's s30tob64).
    public static func s30tob64(_ v: Int) -> String {
        var out = [UInt8]()
        for i in 0..<5 { out.append(base64[(v >> (24 - 6 * i)) & 63]) }
        return String(decoding: out, as: UTF8.self)
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
