import FulcrumCore
import FulcrumHTTP

/// `option http-buffer-request` (frontend or backend): the whole request
/// body, or as much as the buffer holds (bufsize less maxrewrite), is read
/// before a server is chosen and connected, so a slow upload does not hold
/// a server connection. Bounded by `timeout http-request` (408), as HAProxy's
/// wait-for-body analyser.
extension StreamEngine {
    /// Whether the request routed to backend `be` must first wait for its body.
    func buffersRequestBody(_ s: Stream, backend be: Int) -> Bool {
        guard frontends[s.frontend].config.connection.bufferRequest || backends[be].config.connection.bufferRequest
        else { return false }
        return !requestBodyBuffered(s)
    }

    /// The body is all there, or the buffer is as full as HAProxy lets it get.
    func requestBodyBuffered(_ s: Stream) -> Bool {
        bodyBuffered(s.http.exchange.requestBody, s.http.fromClient, eof: s.client.eof)
    }

    /// The same for either direction: `body`'s framing over what `buffer` holds.
    func bodyBuffered(_ body: HTTPBodyForwarder, _ buffer: ByteBuffer, eof: Bool) -> Bool {
        if body.isDone { return true }
        let have = buffer.count
        if have >= bufferSize - configuration.global.maxRewrite { return true }
        switch body.framing {
        case .none: return true
        case .contentLength(let n): return have >= n
        case .chunked:
            var parser = ChunkedBodyParser()
            switch buffer.withReadable({ parser.feed($0) }) {
            case .done, .invalid: return true
            case .consumed: return false
            }
        case .untilClose: return eof
        }
    }

    /// The request waits in phase `request`, in its backend: reads
    /// what the client sends until the body is buffered, then goes on to
    /// the backend. False when the stream was closed.
    func continueBufferingBody(_ s: Stream) -> AnalyserStep {
        if !readClient(s) { return .done }
        if s.http.awaitingBody == HTTPTransaction.inRules { return resumeRules(s) }
        guard requestBodyBuffered(s) else { return .wait }
        if s.http.awaitingBody == HTTPTransaction.beforeRules {
            s.http.awaitingBody = -1
            return routeRequest(s)
        }
        s.http.awaitingBody = -1
        goToServer(s)
        return .progress
    }

    /// `req.body`, `req.body_len`, `req.body_size`, `req.body_param`: the
    /// body bytes buffered so far (de-chunked) and its announced size
    /// (Content-Length, or what is buffered of a chunked one).
    func provideBody(_ s: Stream, _ ctx: inout HTTPRuleContext) {
        ctx.body = bufferedBody(s.http.exchange.requestBody, s.http.fromClient)
    }

    /// What `buffer` holds of `body`, de-chunked, and its announced size.
    func bufferedBody(_ body: HTTPBodyForwarder, _ buffer: ByteBuffer) -> RequestBody {
        var bytes: [UInt8] = []
        switch body.framing {
        case .none: break
        case .contentLength(let n):
            bytes = buffer.withReadable { Array($0.prefix(n)) }
        case .chunked:
            var parser = ChunkedBodyParser()
            _ = buffer.withReadable { parser.decode($0, into: &bytes) }
        case .untilClose:
            bytes = buffer.withReadable { Array($0) }
        }
        var size = bytes.count
        if case .contentLength(let n) = body.framing { size = n }
        return RequestBody(bytes: bytes[...], size: size)
    }
}
