/// Whether each connection of a proxied exchange may carry another request
/// once a response is complete, as far as the response itself says (the
/// client's own request, the frontend's `option http-*` mode and draining
/// are the caller's to add).
public struct HTTPPersistence: Equatable, Sendable {
    /// The server connection may carry another request.
    public var server: Bool
    /// The client connection may carry another request.
    public var client: Bool

    public init(server: Bool, client: Bool) { self.server = server; self.client = client }

    /// After a response with this head (as received, before its `Connection`
    /// field is dropped) and `framing` (`HTTPFraming.response`):
    /// - a body read until close ends both connections;
    /// - the server connection persists as RFC 9112 §9.3 says (HTTP/1.1
    ///   unless `close`, HTTP/1.0 only with `keep-alive`), and never after a
    ///   response framed two ways (`lengthConflict`: Content-Length beside
    ///   Transfer-Encoding, see `HTTPNormalization.applyToResponse`), whose
    ///   server may not agree with us on where the body ended;
    /// - the client connection ends after a 101 (it becomes a tunnel) and
    ///   after an HTTP/1.0 response without `keep-alive` (issue 10: the
    ///   server spoke as if the connection closes, so the client is not
    ///   kept waiting; HAProxy 2.6 instead keeps it and adds
    ///   `connection: keep-alive`, see docs/differences.md). An HTTP/1.1
    ///   `Connection: close` ends the server connection only, as in HAProxy.
    public static func afterResponse(_ head: HTTPHead, framing: HTTPBodyFraming, lengthConflict: Bool) -> HTTPPersistence {
        guard framing != .untilClose else { return HTTPPersistence(server: false, client: false) }
        let tokens = HTTPConnectionHeader.tokens(head)
        let http11 = head.version == .http11
        let serverKeeps = !tokens.contains(.close) && (http11 || tokens.contains(.keepAlive))
        let clientKeeps = head.status != 101 && (http11 || tokens.contains(.keepAlive))
        return HTTPPersistence(server: serverKeeps && !lengthConflict, client: clientKeeps)
    }
}
