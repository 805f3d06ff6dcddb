import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP
import FulcrumLog

/// Connection facts the sample fetches need (`src`, `dst`, ports): plain
/// values, so building one per request costs nothing.
public struct HTTPConnectionInfo: Sendable {
    public struct Endpoint: Sendable, Equatable {
        public var address: IPAddress
        public var port: Int
        public init(address: IPAddress, port: Int) { self.address = address; self.port = port }
    }
    public var source: Endpoint
    public var destination: Endpoint
    /// What the client's TLS handshake established; nil on a plain connection.
    public var tls: TLSFacts?
    /// A `set-src`/`set-dst` rule changed an endpoint: the stream keeps the
    /// new ones for the rest of the connection.
    public var addressesChanged = false
    /// The frontend's capture slots (`capture.req.hdr(N)`, `capture.res.hdr(N)`); nil: none.
    public var captureSlots: HeaderCaptureSlots? = nil
    public init(source: Endpoint, destination: Endpoint) { self.source = source; self.destination = destination }
    public init(source: IPAddress, sourcePort: Int, destination: IPAddress, destinationPort: Int) {
        self.source = Endpoint(address: source, port: sourcePort)
        self.destination = Endpoint(address: destination, port: destinationPort)
    }
}

/// What rules look at: the request head (edited in place by request rules),
/// the response head once there is one (http-response rules), and the
/// connection's addresses.
public struct HTTPRuleContext: Sendable {
    public var request: HTTPHead
    public var response: HTTPHead?
    public var connection: HTTPConnectionInfo
    /// http-response rules run with this set: as in HAProxy, request-only
    /// fetches (path, method, url_param, ...) never match there, and `hdr()` /
    /// `cook()` mean the response's.
    public var responsePhase = false
    /// What `capture` and `set-log-level` rules left for the log line.
    public var log = HTTPRuleLogEffects()
    /// What `set-mark` / `set-tos` rules chose for the client's socket.
    public var clientSocket = ClientSocketEffects()
    /// mode tcp content inspection: the bytes received so far (nil in mode
    /// http), how many the buffer can hold, and whether this evaluation is
    /// final (inspect-delay over, buffer full or client closed): fetches
    /// whose answer may change make rules wait only when it is not.
    public var payload: ArraySlice<UInt8>? = nil
    public var payloadLimit = 16384
    public var payloadFinal = true
    /// `payload` is what the server sent (`tcp-response content`).
    public var payloadIsResponse = false
    /// A `deny` rule answered (HAProxy's dreq/dresp count it; auth, return
    /// and redirect do not).
    public var denied = false
    /// The stream's variables (nil when the configuration uses none).
    public var variables: RuleVariables? = nil
    /// `cache-use` / `cache-store` (HTTPRuleCacheState.swift).
    public var cache = HTTPRuleCacheState()
    /// The stream's stick counters (nil when the configuration has no
    /// stick table), and the proxy whose rules run (its table is the one
    /// `track-sc*` and `src_*` use when they name none).
    public var stick: StickTracker? = nil
    public var stickProxy = ""
    /// `early-hint` rules' 103 responses, in rule order, for the worker to
    /// send before the final response (EarlyHints.swift); empty without.
    public var earlyHints: [UInt8] = []
    /// The request body the rules may read (`option http-buffer-request`);
    /// nil: none was awaited, and the `req.body*` fetches find nothing.
    public var body: RequestBody? = nil
    /// The body is all there, or as much as the buffer takes, or the
    /// request has none: `wait-for-body` waits no more.
    public var bodyBuffered = true
    /// The same for the response (`http-response wait-for-body`, `res.body*`).
    public var responseBody: RequestBody? = nil
    public var responseBodyBuffered = true
    /// Where the request rules of the running rule set start: after a
    /// `wait-for-body` that waited, that rule again (its condition not
    /// evaluated again, as HAProxy resumes a yielded rule).
    public var resumeRule = 0
    public var resumingRule = false
    public init(request: HTTPHead, response: HTTPHead? = nil, connection: HTTPConnectionInfo) {
        self.request = request; self.response = response; self.connection = connection
    }
}

/// The socket options `set-mark` / `set-tos` rules chose for the client's
/// connection, for the worker to set (rules do no I/O); a later rule's
/// value replaces an earlier one's, as each setsockopt does in HAProxy.
public struct ClientSocketEffects: Equatable, Sendable {
    public var mark: UInt32? = nil
    public var tos: Int32? = nil
    public init() {}
    public var isEmpty: Bool { mark == nil && tos == nil }

    public mutating func record(_ option: ClientSocketOption) {
        switch option {
        case .mark(let m): mark = m
        case .tos(let t): tos = t
        }
    }
}

/// The log side of rules: values captured into the frontend's slots (cut to
/// the slot's length by the worker, which knows the frontend) and the level
/// a `set-log-level` chose.
public struct HTTPRuleLogEffects: Sendable {
    public enum Level: Equatable, Sendable {
        case unchanged
        case level(LogLevel)
        /// `set-log-level silent`: no line for this exchange.
        case silent
    }
    public var requestCaptures: [(slot: Int, value: [UInt8])] = []
    public var responseCaptures: [(slot: Int, value: [UInt8])] = []
    public var level = Level.unchanged
    public init() {}

    /// Moves what response rules left in `other` here (a later rule set's
    /// level wins), leaving `other` empty for the next set.
    public mutating func takeResponse(from other: inout HTTPRuleLogEffects) {
        if !other.responseCaptures.isEmpty {
            responseCaptures.append(contentsOf: other.responseCaptures)
            other.responseCaptures.removeAll()
        }
        if other.level != .unchanged { level = other.level; other.level = .unchanged }
    }
}

/// Errors raised while compiling ACLs and rules at worker start: each names
/// what is wrong so the configuration can be fixed.
public struct HTTPRulesError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A TLS client connection's facts for the `ssl_fc*` / `ssl_c_*` fetches,
/// taken once after its handshake (bytes, so a fetch is a slice).
public struct TLSFacts: Sendable, Equatable {
    public var protocolName: [UInt8] = []
    public var cipher: [UInt8] = []
    public var alpn: [UInt8]? = nil
    public var serverName: [UInt8]? = nil
    public var sessionReused = false
    public var cipherBits = 0
    public var cipherAlgorithmBits = 0
    /// The client certificate: its subject and issuer, and the verify result (0: ok).
    public var clientSubject: [UInt8]? = nil
    public var clientIssuer: [UInt8]? = nil
    public var clientVerify = 0
    public init() {}
}

/// What `req.body*` read: the buffered payload (de-chunked) and the size the
/// request announced (Content-Length, else what is buffered).
public struct RequestBody: Sendable {
    public var bytes: ArraySlice<UInt8>
    public var size: Int
    public init(bytes: ArraySlice<UInt8>, size: Int) { self.bytes = bytes; self.size = size }
}
