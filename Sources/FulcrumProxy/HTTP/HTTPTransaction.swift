import FulcrumCompression
import FulcrumCore
import FulcrumHTTP

/// mode http state of a stream: the exchange in progress (request and response
/// heads, their body framing, compression, persistence) and the server
/// connection kept from the previous exchange. Reset between exchanges
/// without giving up the storage it reuses. A class, one per stream slot, so
/// its parts can be borrowed separately (a body moves from one of its buffers
/// while its chunk parser advances) without exclusivity conflicts.
final class HTTPTransaction {
    /// Bytes from the client not yet used (head being parsed, body, pipelined
    /// requests), and from the server (response head, body).
    var fromClient = ByteBuffer()
    var fromServer = ByteBuffer()

    var requestCount = 0
    var request: HTTPHead? = nil
    var requestMethod: [UInt8] = []
    var requestFraming = HTTPBodyFraming.none
    var requestRemaining = 0
    var requestChunks = ChunkedBodyParser()
    var requestDone = false
    var response: HTTPHead? = nil
    var responseFraming = HTTPBodyFraming.none
    var responseRemaining = 0
    var responseChunks = ChunkedBodyParser()
    var responseDone = false
    /// The client connection stays open after this exchange.
    var keepClient = true
    /// The server connection may be reused after this exchange.
    var keepServer = true
    /// Close the client connection once what goes to it is flushed.
    var closeAfterFlush = false
    /// Compression negotiated from the request (nil: none), and the
    /// compressor of the current response when it is compressed.
    var compressionChoice: CompressionChoice? = nil
    var compressing = false
    var compressor: ResponseCompressor? = nil
    /// Payload bytes of a compressed chunked response waiting for the compressor.
    var plain: [UInt8] = []
    /// What the request's persistence cookie said (backend with `cookie`).
    var cookieState = CookiePersistence.RequestState()

    /// A server connection kept from the previous exchange (keep-alive): its
    /// backend and server index while the stream's server side stays open.
    var attachedBackend = -1
    var attachedServer = -1
    var serverConnected = false
    /// When the current head started (http-request / keep-alive timeouts).
    var headStarted: Int64 = 0

    /// Forgets the finished exchange, keeping reused storage.
    func resetExchange() {
        request = nil
        requestMethod.removeAll(keepingCapacity: true)
        requestFraming = .none
        requestRemaining = 0
        requestChunks = ChunkedBodyParser()
        requestDone = false
        response = nil
        responseFraming = .none
        responseRemaining = 0
        responseChunks = ChunkedBodyParser()
        responseDone = false
        keepClient = true
        keepServer = true
        compressionChoice = nil
        compressing = false
        cookieState = CookiePersistence.RequestState()
        plain.removeAll(keepingCapacity: true)
    }

    /// Buffers must have been released.
    func reset() {
        resetExchange()
        fromClient = ByteBuffer(); fromServer = ByteBuffer()
        requestCount = 0
        closeAfterFlush = false
        attachedBackend = -1; attachedServer = -1
        serverConnected = false
        headStarted = 0
    }
}
