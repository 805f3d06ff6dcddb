import FulcrumCompression
import FulcrumCore
import FulcrumHTTP
import FulcrumLog

/// mode http state of a stream's current exchange: the protocol machine
/// (`HTTPExchange`: framing, keep-alive), the heads, the bytes not yet
/// used, compression, persistence and rule state. Lent to a stream by the
/// worker's `TransactionPool` while an exchange is under way and given
/// back while a keep-alive connection waits for its next request, so an
/// idle connection holds only what survives between exchanges (the
/// stream's `HTTPCarry`: policy, request count, the attached server, the
/// session's variables). A class so its parts can be borrowed separately
/// (a body moves from one of its buffers while the machine advances)
/// without exclusivity conflicts.
final class HTTPTransaction {
    var exchange = HTTPExchange()
    /// Bytes from the client not yet used (head being parsed, body, pipelined
    /// requests), and from the server (response head, body).
    var fromClient = ByteBuffer()
    var fromServer = ByteBuffer()

    /// The current heads, parsed into storage lent by the engine's HeadPool
    /// for the exchange (no allocation per message, none held while idle);
    /// `requestReady` once the request was routed, `responseReady` once the
    /// final response head went to the client.
    var requestBox: HeadBox? = nil
    var responseBox: HeadBox? = nil
    var request: HTTPHead {
        unsafeAddress { UnsafePointer((requestBox ?? HeadBox.none).pointer) }
        unsafeMutableAddress {
            if requestBox == nil { requestBox = HeadBox(HeadPool.none) } // not lent: kept with the slot
            return requestBox.unsafelyUnwrapped.pointer
        }
    }
    var response: HTTPHead {
        unsafeAddress { UnsafePointer((responseBox ?? HeadBox.none).pointer) }
        unsafeMutableAddress {
            if responseBox == nil { responseBox = HeadBox(HeadPool.none) }
            return responseBox.unsafelyUnwrapped.pointer
        }
    }
    var requestReady = false
    var responseReady = false
    /// Compression negotiated from the request (nil: none), and the
    /// compressor of the current response when it is compressed.
    var compressionChoice: CompressionChoice? = nil
    var compressing = false
    var compressor: ResponseCompressor? = nil
    /// Payload bytes of a compressed chunked response waiting for the compressor.
    var plain: [UInt8] = []
    /// What the request's persistence cookie said (backend with `cookie`).
    var cookieState = CookiePersistence.RequestState()
    /// A `use-server` rule chose the server (HAProxy's SF_DIRECT) or
    /// `ignore-persist` held (SF_IGNORE_PRST): no cookie is inserted.
    var skipsCookieInsert = false
    /// The request's persistence cookie was read (and, `indirect`, removed):
    /// a request dispatched again from the queue keeps what it said.
    var cookieParsed = false
    /// `option http-buffer-request`: the backend the request waits in until
    /// its body is buffered; -1: not waiting; `HTTPTransaction.beforeRules`:
    /// the frontend's option, waiting before any rule runs.
    var awaitingBody = -1
    static let beforeRules = -2
    /// Waiting in an `http-request wait-for-body` rule (`ruleWait`).
    static let inRules = -3
    /// The rules waiting for the body, and when their wait ends (0: only
    /// the client timeout ends it).
    var ruleWait: HTTPRuleWait? = nil
    var ruleWaitDeadline: Int64 = 0
    /// The same for `http-response wait-for-body`.
    var responseRuleWait: HTTPResponseRuleWait? = nil
    var responseRuleDeadline: Int64 = 0
    /// What the response did with the persistence cookie (`%tsc`'s fourth
    /// letter); nil until a response of a backend with `cookie` was edited.
    var serverCookie: LogServerCookieState? = nil
    /// What capture and set-log-level rules left for this exchange's line.
    var ruleLog = HTTPRuleLogEffects()
    /// `unique-id-format` rendered for this request (empty: none yet).
    var uniqueID: [UInt8] = []
    /// A local service chosen for this request that still reads its body.
    var pendingService: PendingHTTPService? = nil

    /// `tarpit`: the status to answer once `timeout tarpit` is over.
    var tarpitStatus = 0
    /// The request's cache keys and flags (`cache-use`), for `cache-store`.
    var cacheRequest: HTTPCachePolicy.Request? {
        get { cacheRequestBox.boxed() }
        set { cacheRequestBox.store(newValue) }
    }
    private var cacheRequestBox: SlotBox<HTTPCachePolicy.Request>? = nil
    /// A response being kept for a cache (HTTPCache.swift).
    var cacheCapture: HTTPCacheCapture? = nil
    /// This exchange was answered from a cache (logged as server `<CACHE>`).
    var servedFromCache = false

    /// Forgets the finished exchange, keeping reused storage.
    func resetExchange() {
        requestReady = false
        responseReady = false
        compressionChoice = nil
        compressing = false
        cookieState = CookiePersistence.RequestState()
        skipsCookieInsert = false
        cookieParsed = false
        awaitingBody = -1
        ruleWait = nil
        ruleWaitDeadline = 0
        responseRuleWait = nil
        responseRuleDeadline = 0
        serverCookie = nil
        uniqueID.removeAll(keepingCapacity: true)
        pendingService = nil
        if !ruleLog.requestCaptures.isEmpty || !ruleLog.responseCaptures.isEmpty || ruleLog.level != .unchanged {
            ruleLog = HTTPRuleLogEffects()
        }
        plain.removeAll(keepingCapacity: true)
        tarpitStatus = 0
        cacheRequest = nil
        cacheCapture = nil
        servedFromCache = false
    }

    /// Ready for another stream. Buffers must have been released.
    func reset() {
        resetExchange()
        exchange.reset(policy: HTTPExchange.Policy())
        fromClient = ByteBuffer(); fromServer = ByteBuffer()
    }
}
