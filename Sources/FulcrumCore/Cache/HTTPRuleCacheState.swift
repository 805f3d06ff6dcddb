import FulcrumHTTP

/// What `cache-use` and `cache-store` rules leave for the engine, which
/// alone touches the shared cache: the request's keys and flags (kept on
/// the stream until its response), the cache to look in, and what to store.
public struct HTTPRuleCacheState: Sendable {
    /// The request's keys and flags, from the last `cache-use` evaluated.
    public var request: HTTPCachePolicy.Request? = nil
    /// The cache (index in `Configuration.caches`) the last `cache-use` named.
    public var use: Int? = nil
    /// A `cache-store` decided to store: the cache, what the entry keeps, and
    /// the response head as it was when the rule ran (HAProxy stores it then).
    public var store: (cache: Int, entry: HTTPCachePolicy.Entry, head: HTTPHead)? = nil
    /// A successful unsafe method: the caches whose entry for the key goes.
    public var invalidate: [Int] = []
    /// The response comes from a cache (nothing is stored again).
    public var fromCache = false
    /// Wall clock (unix seconds) the rules decide with.
    public var now: Int64 = 0
    public init() {}
}

/// How a compiled rule names its cache: its index and the settings the
/// pure decisions need.
public struct HTTPCacheRuleTarget: Sendable {
    public let index: Int
    public let maxAge: Int
    public let processVary: Bool
    public init(index: Int, maxAge: Int, processVary: Bool) {
        self.index = index; self.maxAge = maxAge; self.processVary = processVary
    }
}

/// The two actions as rules evaluate them (no shared memory here).
enum HTTPCacheRules {
    /// `cache-use`: the request's keys and flags, and the cache the engine
    /// looks the request up in (unless the request may not be served from it).
    static func use(_ target: HTTPCacheRuleTarget, context: inout HTTPRuleContext) {
        let r = HTTPCachePolicy.request(context.request, processVary: target.processVary)
        context.cache.request = r
        context.cache.use = r.key != nil && !r.ignore ? target.index : nil
    }

    /// `cache-store`: what to store (the head as it is now), or the entry an
    /// unsafe method invalidates.
    static func store(_ target: HTTPCacheRuleTarget, context: inout HTTPRuleContext) {
        guard let request = context.cache.request, context.response != nil else { return }
        var head = context.response!
        switch HTTPCachePolicy.store(request, response: &head, fromCache: context.cache.fromCache,
                                     processVary: target.processVary, cacheMaxAge: target.maxAge, now: context.cache.now) {
        case .skip: break
        case .invalidate: context.cache.invalidate.append(target.index)
        case .store(let entry):
            // The origin's Age leaves the response itself (HAProxy removes it from the message).
            context.response = head
            context.cache.store = (target.index, entry, head)
        }
    }
}
