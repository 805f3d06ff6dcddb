import FulcrumBytes
import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

/// A response on its way into a cache (`cache-store`): the head as the rule
/// saw it, and the payload as it is forwarded (chunks decoded); stored
/// whole when the response is complete, dropped when it outgrows
/// `max-object-size`, is compressed, or the exchange ends early. A class: a
/// stream slot holds a reference, not the capture's size, while idle.
final class HTTPCacheCapture {
    let cache: Int
    let entry: HTTPCachePolicy.Entry
    var bytes: [UInt8]
    let headLength: Int
    let chunked: Bool
    let limit: Int

    init(cache: Int, entry: HTTPCachePolicy.Entry, bytes: [UInt8], headLength: Int, chunked: Bool, limit: Int) {
        self.cache = cache; self.entry = entry; self.bytes = bytes
        self.headLength = headLength; self.chunked = chunked; self.limit = limit
    }
}

/// HAProxy's small object cache in the engine: `cache-use` answers from the
/// shared region instead of a server, `cache-store` keeps a response.
extension StreamEngine {
    /// The server a hit is logged with, as HAProxy names its cache applet.
    static let cacheServerName = Array("<CACHE>".utf8)

    /// After a proxy's request rules: a `cache-use` ran, the request is
    /// looked up (once: a miss is not looked up again by the next proxy).
    func answerFromCache(_ s: Stream, _ ctx: inout HTTPRuleContext, backend: Int?) -> Bool {
        guard let c = ctx.cache.use, let r = ctx.cache.request else { return false }
        ctx.cache.use = nil
        s.http.request = ctx.request
        s.http.cacheRequest = r
        return serveFromCache(s, cache: c, request: r, backend: backend)
    }

    /// After the request rules: answers from cache `c` when it holds the
    /// request (the answer goes through the response rules, as in HAProxy).
    /// False on a miss.
    func serveFromCache(_ s: Stream, cache c: Int, request r: HTTPCachePolicy.Request, backend: Int?) -> Bool {
        guard let region = httpCaches, let key = r.key else { return false }
        let now = UInt32(truncatingIfNeeded: wallNow)
        var found: HTTPCacheStore.Info? = nil
        cacheScratch.removeAll(keepingCapacity: true)
        region.withStore(c) { store in
            guard let i = store.find(key, secondary: r.secondary, now: now) else { return }
            store.touch(i)
            let info = store.info(i)
            found = info
            store.read(i, from: 0, count: info.size) { cacheScratch.append(contentsOf: $0) }
        }
        guard let info = found else { return false }
        let head = cacheScratch[0..<info.headLength]
        let notModified = HTTPCachePolicy.notModified(s.http.request, etag: Self.field("etag", in: head),
                                                      lastModified: info.lastModified)
        let bodyless = notModified || r.isHead
        cacheAnswer.removeAll(keepingCapacity: true)
        let statusEnd = head.firstIndex(of: 10).map { $0 + 1 } ?? head.startIndex
        if notModified {
            cacheAnswer.append(contentsOf: "HTTP/1.1 304 Not Modified\r\n".utf8)
            cacheAnswer.append(contentsOf: head[statusEnd..<(head.endIndex - 2)])
        } else {
            cacheAnswer.append(contentsOf: head[..<(head.endIndex - 2)])
        }
        // HAProxy adds `age` last: the entry's age in the cache plus the origin's.
        let age = Int64(now) - Int64(info.validated)
        cacheAnswer.append(contentsOf: "age: ".utf8)
        DecimalText.append(max(0, age) + Int64(info.age), to: &cacheAnswer)
        cacheAnswer.append(contentsOf: "\r\n".utf8)
        if !s.http.exchange.keepClient { cacheAnswer.append(contentsOf: "Connection: close\r\n".utf8) }
        cacheAnswer.append(contentsOf: "\r\n".utf8)
        if !bodyless {
            let payload = cacheScratch[info.headLength...]
            if info.chunked {
                if !payload.isEmpty {
                    cacheAnswer.append(contentsOf: String(payload.count, radix: 16).utf8)
                    cacheAnswer.append(contentsOf: "\r\n".utf8)
                    cacheAnswer.append(contentsOf: payload)
                    cacheAnswer.append(contentsOf: "\r\n".utf8)
                }
                cacheAnswer.append(contentsOf: "0\r\n\r\n".utf8)
            } else {
                cacheAnswer.append(contentsOf: payload)
            }
        }
        s.http.requestReady = true
        s.http.servedFromCache = true
        // Logged as the applet HAProxy runs: locally processed ("LR").
        s.record.terminate(.local, .request)
        s.routedBackend = backend ?? -1
        var bytes = cacheAnswer
        if hasResponseRulesForCacheHits(s, backend: backend) {
            let sets = responseRuleSets(s, backend: backend)
            var ctx = HTTPRuleContext(request: s.http.request, connection: connectionInfo(s))
            ctx.variables = s.variables
            ctx.cache.now = Int64(wallNow)
            // The stream's counters, as for a server's response (sc_* fetches, track-sc*).
            ctx.stick = stickTracker(s)
            switch HTTPCacheHitRules.apply(sets, to: bytes, context: &ctx) {
            case .bytes(let b): bytes = b
            case .respond(let page, let close):
                s.http.ruleLog.takeResponse(from: &ctx.log)
                s.record.deniedResponse = ctx.denied
                s.record.terminate(.proxy, .headers)
                respondHTTP(s, bytes: page, close: close || !s.http.exchange.keepClient)
                return true
            }
            s.http.ruleLog.takeResponse(from: &ctx.log)
        }
        respondHTTP(s, bytes: bytes, close: !s.http.exchange.keepClient)
        return true
    }

    /// Checked before the sets are gathered (no array for a plain hit).
    private func hasResponseRulesForCacheHits(_ s: Stream, backend: Int?) -> Bool {
        if frontendRules[s.frontend]?.hasResponseRulesForCacheHits == true { return true }
        guard let be = backend, configuration.backends[be].name != frontends[s.frontend].config.name else { return false }
        return backendRules[be]?.hasResponseRulesForCacheHits == true
    }

    /// The response rule sets a response of this stream goes through
    /// (backend's, then frontend's; once for a listen).
    private func responseRuleSets(_ s: Stream, backend: Int?) -> [HTTPCompiledRules] {
        var sets: [HTTPCompiledRules] = []
        if let be = backend, configuration.backends[be].name != frontends[s.frontend].config.name,
           let b = backendRules[be], b.hasResponseRulesForCacheHits { sets.append(b) }
        if let f = frontendRules[s.frontend], f.hasResponseRulesForCacheHits { sets.append(f) }
        return sets
    }

    /// A field's value in a stored head (the first one), or empty.
    static func field(_ name: String, in head: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var line = head.firstIndex(of: 10).map { $0 + 1 } ?? head.endIndex
        while line < head.endIndex {
            let end = head[line...].firstIndex(of: 10) ?? head.endIndex
            if let colon = head[line..<end].firstIndex(of: UInt8(ascii: ":")),
               ASCII.equalsIgnoringCase(head[line..<colon], name.utf8) {
                return head[(colon + 1)..<end].trimmingBlanks().prefix { $0 != 13 }
            }
            line = end + 1
        }
        return []
    }

    /// After the response rules: what `cache-store` decided (and the entries
    /// an unsafe method invalidates).
    func noteCacheStore(_ s: Stream, _ state: HTTPRuleCacheState) {
        guard let region = httpCaches else { return }
        if let key = state.request?.key {
            for c in state.invalidate { region.withStore(c) { $0.invalidate(key) } }
        }
        guard let (cache, entry, head) = state.store else { return }
        var h = head
        h.remove("connection"); h.remove("keep-alive"); h.remove("proxy-connection")
        var bytes: [UInt8] = []
        h.serialize(into: &bytes)
        let limit = region.caches[cache].effectiveMaxObjectSize
        let chunked: Bool
        switch s.http.exchange.responseBody.framing {
        case .contentLength(let n):
            guard bytes.count + n <= limit else { return }
            bytes.reserveCapacity(bytes.count + n)
            chunked = false
        case .chunked: chunked = true
        case .none: chunked = false
        case .untilClose: return
        }
        guard bytes.count <= limit else { return }
        s.http.cacheCapture = HTTPCacheCapture(cache: cache, entry: entry, bytes: bytes, headLength: bytes.count,
                                               chunked: chunked, limit: limit)
    }

    /// Body bytes forwarded: the passed-through ones, or the decoded chunk payload.
    func captureCacheBody(_ s: Stream, _ move: HTTPBodyForwarder.Move) {
        guard let capture = s.http.cacheCapture else { return }
        if move.passThrough > 0 {
            capture.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: s.http.fromServer.readable[0..<move.passThrough]))
        } else if capture.chunked {
            capture.bytes.append(contentsOf: chunkScratch)
        }
        if capture.bytes.count > capture.limit { s.http.cacheCapture = nil }
    }

    /// The response came whole from the server: into the cache.
    func commitCacheCapture(_ s: Stream) {
        guard let capture = s.http.cacheCapture, let region = httpCaches else { return }
        s.http.cacheCapture = nil
        guard !s.http.compressing else { return }
        let now = UInt32(truncatingIfNeeded: wallNow)
        let max = region.caches[capture.cache].maxSecondaryEntries
        capture.bytes.withUnsafeBytes { all in
            let head = UnsafeRawBufferPointer(rebasing: all[0..<capture.headLength])
            let payload = UnsafeRawBufferPointer(rebasing: all[capture.headLength...])
            region.withStore(capture.cache) { store in
                _ = store.insert(capture.entry, head: head, payload: payload, chunked: capture.chunked, now: now, maxSecondary: max)
            }
        }
    }
}
