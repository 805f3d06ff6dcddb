import FulcrumBytes
import FulcrumHTTP

/// What HAProxy 2.6's cache decides, over heads and without I/O:
/// whether a request may be served from the cache and its response stored
/// (http_check_request_for_cacheability, cache-use), whether a response is
/// stored and for how long (http_action_store_cache,
/// http_check_response_for_cacheability, http_calc_maxage), and whether a
/// hit answers 304 (should_send_notmodified_response).
public enum HTTPCachePolicy {
    /// The request side, computed by `cache-use`.
    public struct Request: Sendable {
        public var key: HTTPCacheKey?
        /// Full secondary key (process-vary on), nil when none could be built.
        public var secondary: HTTPCacheSecondaryKey?
        /// TX_CACHE_IGNORE: not served from the cache.
        public var ignore = false
        /// TX_CACHEABLE and TX_CACHE_COOK as the request leaves them.
        public var cacheable = false
        public var cookieCacheable = false
        public var isGet = false
        public var isHead = false
        public var safeMethod = false
        public var http11 = false
        public init() {}
    }

    public static func request(_ head: HTTPHead, processVary: Bool) -> Request {
        var r = Request()
        let m = head.method
        r.isGet = m.elementsEqual("GET".utf8)
        r.isHead = m.elementsEqual("HEAD".utf8)
        r.safeMethod = r.isGet || r.isHead || m.elementsEqual("OPTIONS".utf8) || m.elementsEqual("TRACE".utf8)
        r.http11 = head.version == .http11
        r.cacheable = r.safeMethod
        r.cookieCacheable = r.safeMethod
        if !r.http11 || !(r.isGet || r.isHead) { r.ignore = true }
        var pragma = false
        var pragmas = head.fieldValues(named: "pragma")
        if let p = pragmas.next(), ASCII.equalsIgnoringCase(p, "no-cache".utf8) { pragma = true }
        if head.hasField("authorization") {
            r.cacheable = false; r.cookieCacheable = false; r.ignore = true
        }
        var ccFound = false
        for field in head.fieldValues(named: "cache-control") {
            for v in field.listElements() {
                ccFound = true
                if ASCII.hasPrefixIgnoringCase(v, "max-age".utf8) || ASCII.hasPrefixIgnoringCase(v, "no-cache".utf8)
                    || ASCII.hasPrefixIgnoringCase(v, "max-stale".utf8) || ASCII.hasPrefixIgnoringCase(v, "min-fresh".utf8) {
                    r.ignore = true
                } else if ASCII.hasPrefixIgnoringCase(v, "no-store".utf8) {
                    r.cacheable = false; r.cookieCacheable = false
                }
            }
        }
        if !ccFound && pragma { r.ignore = true }
        r.key = HTTPCacheKey.primary(head)
        if processVary { r.secondary = HTTPCacheSecondaryKey.request(head) }
        return r
    }

    /// What `cache-store` does with a response.
    public enum StoreDecision: Equatable, Sendable {
        case skip
        /// A successful unsafe method: the entry under the key goes.
        case invalidate
        case store(Entry)
    }

    /// What an entry keeps besides the bytes.
    public struct Entry: Equatable, Sendable {
        public var key = HTTPCacheKey()
        public var signature: HTTPCacheSecondaryKey.Signature = []
        public var secondary = HTTPCacheSecondaryKey()
        /// Seconds the entry lives (the cache's max-age at most).
        public var maxAge = 0
        /// The origin's Age header (removed from the stored response).
        public var age: UInt32 = 0
        /// Last-Modified, else Date, else now (unix seconds).
        public var lastModified: Int64 = 0
        /// The ETag value, for If-None-Match.
        public var etag: [UInt8] = []
        public init() {}
    }

    /// `status` is the response's; `response` is edited (Age removed) when stored.
    public static func store(_ request: Request, response: inout HTTPHead, fromCache: Bool, processVary: Bool,
                             cacheMaxAge: Int, now: Int64) -> StoreDecision {
        guard !fromCache, request.http11 else { return .skip }
        if !request.isGet {
            if (200..<400).contains(response.status) && !request.safeMethod && request.key != nil { return .invalidate }
            return .skip
        }
        guard let key = request.key, response.status == 200 else { return .skip }
        var entry = Entry()
        entry.key = key
        if processVary {
            var signature: HTTPCacheSecondaryKey.Signature = []
            for field in response.fieldValues(named: "vary") {
                for v in field.listElements() {
                    if ASCII.equalsIgnoringCase(v, "accept-encoding".utf8) { signature.insert(.acceptEncoding) }
                    else if ASCII.equalsIgnoringCase(v, "referer".utf8) { signature.insert(.referer) }
                    else { return .skip }
                }
            }
            if !signature.isEmpty {
                guard let full = request.secondary else { return .skip }
                entry.signature = signature
                entry.secondary = full.reduced(to: signature)
            }
        } else if response.hasField("vary") {
            return .skip
        }
        guard responseCacheable(response, request: request) else { return .skip }
        entry.maxAge = maxAge(response, cacheMaxAge: cacheMaxAge, now: now)
        var ages = response.fieldValues(named: "age")
        if let a = ages.next() {
            var first = a.listElements().makeIterator()
            if let v = first.next(), let n = HTTPDate.decimal(v), n > 0 { entry.age = UInt32(min(n, 2_147_483_648)) }
            response.remove("age")
        }
        entry.lastModified = lastModified(response, now: now)
        var etags = response.fieldValues(named: "etag")
        if let e = etags.next() { entry.etag = Array(e) }
        if !entry.signature.isEmpty {
            guard let encoding = HTTPCacheEncoding.responseBitmap(response) else { return .skip }
            entry.secondary.acceptEncoding = encoding
        }
        return .store(entry)
    }

    /// TX_CACHEABLE && TX_CACHE_COOK after http_check_response_for_cacheability.
    /// Also false without freshness (max-age, s-maxage, Expires) nor
    /// validator (ETag, Last-Modified): haproxy 2.6 stores neither.
    static func responseCacheable(_ response: HTTPHead, request: Request) -> Bool {
        var cacheable = request.cacheable, cookie = request.cookieCacheable
        var pragmas = response.fieldValues(named: "pragma")
        if let p = pragmas.next(), ASCII.equalsIgnoringCase(p, "no-cache".utf8) { return false }
        var fresh = false
        for field in response.fieldValues(named: "cache-control") {
            for v in field.listElements() {
                if ASCII.hasPrefixIgnoringCase(v, "s-maxage".utf8) || ASCII.hasPrefixIgnoringCase(v, "max-age".utf8) { fresh = true }
                if ASCII.equalsIgnoringCase(v, "public".utf8) { cacheable = true; cookie = true; continue }
                if ASCII.equalsIgnoringCase(v, "private".utf8) || ASCII.equalsIgnoringCase(v, "no-cache".utf8)
                    || ASCII.equalsIgnoringCase(v, "no-store".utf8) || ASCII.equalsIgnoringCase(v, "max-age=0".utf8)
                    || ASCII.equalsIgnoringCase(v, "s-maxage=0".utf8) {
                    cacheable = false; cookie = false; continue
                }
                if ASCII.hasPrefixIgnoringCase(v, "no-cache=\"set-cookie".utf8) { cookie = false }
            }
        }
        if !fresh && !response.hasField("expires") && !response.hasField("etag") && !response.hasField("last-modified") {
            return false
        }
        return cacheable && cookie
    }

    /// http_calc_maxage: s-maxage, then max-age, then Expires - now, each
    /// capped by the cache's max-age; the cache's max-age otherwise.
    public static func maxAge(_ response: HTTPHead, cacheMaxAge: Int, now: Int64) -> Int {
        var smaxage = -1, maxage = -1
        for field in response.fieldValues(named: "cache-control") {
            for v in field.listElements() {
                if let n = directive(v, "s-maxage") { smaxage = n }
                if let n = directive(v, "max-age") { maxage = n }
            }
        }
        if smaxage > 0 { return min(smaxage, cacheMaxAge) }
        if maxage > 0 { return min(maxage, cacheMaxAge) }
        if smaxage < 0 && maxage < 0 {
            var expires = response.fieldValues(named: "expires")
            if let e = expires.next() {
                guard let t = HTTPDate.parse(e) else { return 0 }
                return min(t >= now ? Int(t - now) : 0, cacheMaxAge)
            }
        }
        return cacheMaxAge
    }

    /// `word=N` (N optionally quoted) → N; nil when the element is not that directive.
    static func directive(_ v: ArraySlice<UInt8>, _ word: String) -> Int? {
        guard v.count > word.utf8.count + 1, ASCII.hasPrefixIgnoringCase(v, word.utf8) else { return nil }
        var rest = v.dropFirst(word.utf8.count)
        guard rest.first == UInt8(ascii: "=") else { return nil }
        rest = rest.dropFirst()
        if rest.first == UInt8(ascii: "\"") { rest = rest.dropFirst() }
        let digits = rest.prefix(while: ASCII.isDigit)
        guard !digits.isEmpty else { return nil }
        return HTTPDate.decimal(digits).map { min($0, Int(Int32.max)) }
    }

    static func lastModified(_ response: HTTPHead, now: Int64) -> Int64 {
        var lm = response.fieldValues(named: "last-modified")
        if let v = lm.next(), let t = HTTPDate.parse(v), t != 0 { return t }
        var date = response.fieldValues(named: "date")
        if let v = date.next(), let t = HTTPDate.parse(v), t != 0 { return t }
        return now
    }

    /// A hit on a conditional request answers 304 (If-None-Match, else If-Modified-Since).
    public static func notModified(_ request: HTTPHead, etag: ArraySlice<UInt8>, lastModified: Int64) -> Bool {
        var found = false
        for field in request.fieldValues(named: "if-none-match") {
            for v in field.listElements() {
                found = true
                if v.elementsEqual("*".utf8) { return true }
                if etag.isEmpty { return false }
                if etagsMatch(etag, v) { return true }
            }
        }
        if found { return false }
        var ims = request.fieldValues(named: "if-modified-since")
        if let v = ims.next(), let t = HTTPDate.parse(v) { return lastModified <= t }
        return false
    }

    /// http_compare_etags: weak comparison of two quoted entity tags.
    static func etagsMatch(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool {
        func strip(_ e: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
            var e = e
            if e.starts(with: "W/".utf8) { e = e.dropFirst(2) }
            guard e.count >= 2, e.first == UInt8(ascii: "\""), e.last == UInt8(ascii: "\"") else { return nil }
            return e
        }
        guard let x = strip(a), let y = strip(b) else { return false }
        return x.elementsEqual(y)
    }
}
