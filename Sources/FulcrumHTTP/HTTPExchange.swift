import FulcrumBytes

/// The HTTP/1.x protocol of one client connection, as a pure state machine:
/// the caller reports what happened (a request head arrived, the server is
/// connected, a response head arrived, the response went out, the server
/// closed) and gets back what to do (refuse, route, forward, tunnel, reuse or
/// close the server connection, wait for the next request or close). It sees
/// heads and body bytes, never a socket, so the whole exchange is tested at
/// unit speed (HTTPExchangeTests) the way FulcrumVRRP's election is.
///
/// Decisions are HAProxy 2.6's: keep-alive from the request's version and
/// Connection header and the proxy's http-keep-alive / http-server-close /
/// httpclose mode; Transfer-Encoding wins over Content-Length; the server
/// connection is reused only after a complete exchange it did not close; 101
/// and a 2xx to CONNECT turn the connection into a tunnel.
public struct HTTPExchange: Sendable {
    public struct Policy: Sendable, Equatable {
        /// `option http-keep-alive` (the default): server connections are
        /// kept; otherwise each request tells its server `Connection: close`.
        public var serverKeepAlive: Bool
        /// Not `option httpclose`: the client connection may stay open.
        public var clientKeepAlive: Bool
        public init(serverKeepAlive: Bool = true, clientKeepAlive: Bool = true) {
            self.serverKeepAlive = serverKeepAlive; self.clientKeepAlive = clientKeepAlive
        }
    }

    public enum Phase: Equatable, Sendable {
        /// Waiting for a request head.
        case request
        /// A request head was accepted: the caller runs its rules, chooses a
        /// server and gets a connection (`serverConnected`), or answers locally.
        case routing
        /// Request and response flowing.
        case exchange
        /// After 101, or a 2xx to CONNECT: bytes both ways, no more HTTP.
        case tunnel
        /// A local answer (error page, redirect, deny) is going out.
        case answering
        case closed
    }

    public enum RequestAction: Equatable, Sendable {
        /// Answer HAProxy's page with this status, then close.
        case refuse(status: Int)
        /// Run the rules and route the request.
        case route
    }

    public enum ResponseAction: Equatable, Sendable {
        /// An interim (1xx) head: forward it and wait for the next head.
        case interim
        /// The response cannot be forwarded: answer this status instead.
        case refuse(status: Int)
        /// Forward the head, then the body.
        case forward
        /// Forward the head, then bytes both ways (`phase` is `.tunnel`).
        case tunnel
    }

    /// What to do once an exchange (or a local answer) is over.
    public struct End: Equatable, Sendable {
        /// The server connection may serve another request.
        public var reuseServer: Bool
        /// Close the client connection (else wait for its next request).
        public var closeClient: Bool
        public init(reuseServer: Bool, closeClient: Bool) { self.reuseServer = reuseServer; self.closeClient = closeClient }
    }

    public var policy: Policy
    public private(set) var phase = Phase.request
    /// Requests seen on this connection.
    public private(set) var requests = 0
    /// The client connection stays open after this exchange.
    public private(set) var keepClient = true
    /// The server connection may be reused after this exchange.
    public private(set) var keepServer = true
    public private(set) var requestVersion = HTTPVersion.http11
    /// The current request asks to switch protocols: only then may a 101
    /// turn the connection into a tunnel.
    public private(set) var requestedUpgrade = false
    /// The current request's method (kept storage: no allocation per request).
    public private(set) var method: [UInt8] = []
    public private(set) var requestBody = HTTPBodyForwarder()
    public private(set) var responseBody = HTTPBodyForwarder(errorStatus: 502)
    /// The final response head was forwarded (the client has seen a status).
    public private(set) var responseStarted = false
    /// A local answer closes the connection once sent.
    public private(set) var closeAfterAnswer = false

    /// The final response head was seen and its body is complete.
    public var responseComplete: Bool { responseStarted && responseBody.isDone }

    public init(policy: Policy = Policy()) {
        self.policy = policy
        method.reserveCapacity(16)
    }

    /// A new client connection (the method's storage is kept), or, with
    /// `requests`, one between two exchanges whose machine was set aside
    /// while it waited (the proxy lends its exchange state per request).
    public mutating func reset(policy: Policy, requests: Int = 0) {
        self.policy = policy
        phase = .request
        self.requests = requests
        keepClient = true
        keepServer = true
        requestVersion = .http11
        requestedUpgrade = false
        method.removeAll(keepingCapacity: true)
        requestBody = HTTPBodyForwarder()
        responseBody = HTTPBodyForwarder(errorStatus: 502)
        responseStarted = false
        closeAfterAnswer = false
    }

    // MARK: request

    /// A complete request head: frames its body and decides keep-alive.
    /// `draining`: this worker is being replaced, the connection closes after it.
    /// `inout` though only read: the proxy reaches its heads through an
    /// addressor, and a head passed by value there is copied (every array in it
    /// retained and released) where an inout one is passed by address.
    public mutating func requestHead(_ head: inout HTTPHead, draining: Bool) -> RequestAction {
        let lengths = HTTPFraming.lengthFields(head)
        switch lengths.flatMap(HTTPFraming.request) {
        case .failure(let e):
            return refuse(e.status)
        case .success(let framing):
            requestBody = HTTPBodyForwarder(framing: framing, errorStatus: 400)
        }
        requests += 1
        method.removeAll(keepingCapacity: true)
        method.append(contentsOf: head.method)
        requestVersion = head.version
        requestedUpgrade = HTTPConnectionHeader.isUpgradeRequest(head)
        responseBody = HTTPBodyForwarder(errorStatus: 502)
        responseStarted = false
        keepServer = true
        keepClient = HTTPConnectionHeader.isKeepAlive(head) && policy.clientKeepAlive && !draining
        // Content-Length beside Transfer-Encoding (only under
        // accept-invalid-http-request: the parser refuses it otherwise):
        // served, then closed (RFC 9112 §6.1).
        if case .success(let l) = lengths, l.contentLengthBesideTransferEncoding { keepClient = false }
        phase = .routing
        return .route
    }

    /// A request that cannot be served: the answer closes the connection.
    public mutating func refuse(_ status: Int) -> RequestAction {
        phase = .answering
        closeAfterAnswer = true
        keepClient = false
        return .refuse(status: status)
    }

    /// The head as it goes to the server (after the rules): HAProxy's
    /// normalization, HTTP/1.1 whatever later version the client wrote, the
    /// hop-by-hop fields dropped and the server side's Connection mode.
    public func prepareForServer(_ head: inout HTTPHead) {
        HTTPNormalization.apply(&head)
        // Only a version that passed the parser's exact check ("HTTP/" in
        // capitals) is .http11: the lower-case comparison is exact here.
        if head.version == .http11, !ASCII.equalsLowercase(head.raw, head.part3, "http/1.1") {
            head.versionOverride = HTTPExchange.http11
        }
        // And HTTP/1.0 for "HTTP/0.9": a server may answer that without a head.
        else if head.version == .http10, !head.raw[head.part3].elementsEqual(HTTPExchange.http10) {
            head.versionOverride = HTTPExchange.http10
        }
        // Hop-by-hop fields: only walk the fields when there is one to drop.
        if !HTTPConnectionHeader.tokens(head).isEmpty { head.remove(lowercase: "connection") }
        if head.fields.count > 0 { head.remove(lowercase: "proxy-connection"); head.remove(lowercase: "keep-alive") }
        if !policy.serverKeepAlive {
            head.add("Connection", HTTPExchange.close)
        } else if head.version == .http10 {
            head.add("Connection", HTTPExchange.keepAlive)
        }
    }

    /// Request body bytes (see `HTTPBodyForwarder.forward`).
    public mutating func forwardRequestBody(_ input: UnsafeRawBufferPointer, payload: inout [UInt8]) -> Result<HTTPBodyForwarder.Move, HTTPError> {
        requestBody.forward(input, payload: &payload)
    }

    // MARK: server side

    /// A server connection is there and the request head goes out.
    public mutating func serverConnected() {
        phase = .exchange
    }

    /// A retry (`retry-on`, redispatch) starts the exchange again on another
    /// connection: nothing of the response was forwarded.
    public mutating func serverLost() {
        responseBody = HTTPBodyForwarder(errorStatus: 502)
        phase = .routing
    }

    /// A response head from the server.
    public mutating func responseHead(_ head: inout HTTPHead, draining: Bool) -> ResponseAction {
        // A 1xx or 204 has no body: its length fields are dropped, as HAProxy
        // does, or a client taking them reads the next response as this body.
        if head.status < 200 || head.status == 204 { head.remove(lowercase: "content-length"); head.remove(lowercase: "transfer-encoding") }
        if head.status >= 100 && head.status < 200 && head.status != 101 { return .interim }
        // A 101 nobody asked for would tunnel the client straight to the
        // server, past every rule (HAProxy answers 502 too).
        if head.status == 101 && !requestedUpgrade { return .refuse(status: 502) }
        switch HTTPFraming.response(head, requestMethod: method[...]) {
        case .failure:
            return .refuse(status: 502)
        case .success(let framing):
            responseBody = HTTPBodyForwarder(framing: framing, errorStatus: 502)
        }
        // The client reads "HTTP/1.1" or "HTTP/1.0", never a server's
        // "HTTP/2.0"; a chunked HTTP/1.0 response says HTTP/1.1, since a 1.0
        // client would read the chunks as the body (RFC 9112 §6.1).
        if head.version == .http11 || responseBody.framing == .chunked {
            if !head.raw[head.part1].elementsEqual(HTTPExchange.http11) { head.versionOverride = HTTPExchange.http11 }
        } else if !head.raw[head.part1].elementsEqual(HTTPExchange.http10) {
            head.versionOverride = HTTPExchange.http10
        }
        responseStarted = true
        if draining { keepClient = false }
        // Content-Length beside chunked is dropped, and costs the server
        // connection; an HTTP/1.0 response without keep-alive ends both sides.
        let lengthConflict = HTTPNormalization.applyToResponse(&head)
        let persistence = HTTPPersistence.afterResponse(head, framing: responseBody.framing, lengthConflict: lengthConflict)
        if !persistence.server || !policy.serverKeepAlive { keepServer = false }
        if !persistence.client { keepClient = false }
        let tunnel = head.status == 101 || (head.status / 100 == 2 && method.elementsEqual("CONNECT".utf8))
        head.remove(lowercase: "connection")
        head.remove(lowercase: "keep-alive")
        if tunnel { phase = .tunnel }
        return tunnel ? .tunnel : .forward
    }

    /// Adds the client side's Connection field, once every other edit of
    /// the response head is done (it goes last, as HAProxy writes it). A kept
    /// connection says keep-alive wherever HTTP/1.0 is spoken (request or
    /// response), where its absence would mean close (RFC 9112 §9.3).
    public func finishResponseHead(_ head: inout HTTPHead) {
        if head.status == 101 {
            head.add("Connection", HTTPExchange.upgrade)
        } else if !keepClient {
            head.add("Connection", HTTPExchange.close)
        } else if requestVersion == .http10 || head.version == .http10 {
            head.add("Connection", HTTPExchange.keepAlive)
        }
    }

    /// Response body bytes (see `HTTPBodyForwarder.forward`).
    public mutating func forwardResponseBody(_ input: UnsafeRawBufferPointer, payload: inout [UInt8]) -> Result<HTTPBodyForwarder.Move, HTTPError> {
        responseBody.forward(input, payload: &payload)
    }

    /// The server closed its side. True when that completes the response (a
    /// body read until close); false when the response is cut short.
    public mutating func serverClosed() -> Bool {
        keepServer = false
        return responseStarted && responseBody.sourceClosed()
    }

    // MARK: ends

    /// The whole response went out to the client.
    public mutating func responseSent(serverClosed: Bool) -> End {
        let end = End(reuseServer: keepServer && requestBody.isDone && !serverClosed,
                      closeClient: !keepClient || !requestBody.isDone)
        phase = end.closeClient ? .closed : .request
        return end
    }

    /// A local answer (`page`) replaces the exchange; `close` asks to close
    /// after it, and an empty page always closes (`HTTPErrorPages.closesConnection`).
    public mutating func answer(_ page: [UInt8], close: Bool) {
        closeAfterAnswer = HTTPErrorPages.closesConnection(after: page, requested: close) || !requestBody.isDone || !keepClient
        phase = .answering
    }

    /// The local answer went out: close, or wait for the next request.
    public mutating func answerSent() -> End {
        phase = closeAfterAnswer ? .closed : .request
        return End(reuseServer: false, closeClient: closeAfterAnswer)
    }

    static let http11 = Array("HTTP/1.1".utf8)
    static let http10 = Array("HTTP/1.0".utf8)
    static let close = Array("close".utf8)
    static let keepAlive = Array("keep-alive".utf8)
    static let upgrade = Array("upgrade".utf8)
}
