import FulcrumCompression
import FulcrumConfig
import FulcrumCore
import FulcrumHTTP
import FulcrumPosix

/// One client connection in `mode http`: a sequence of request/response
/// exchanges (keep-alive), each routed to a backend and sent over a server
/// connection that may come from the worker's idle pool and return to it.
/// Objects are reused from the worker's slot table.
final class HTTPSession {
    enum Phase {
        case idle
        /// Waiting for (the rest of) a request head.
        case request
        /// Head received and routed; every usable server is at its maxconn.
        case queued
        /// Head received and routed; connecting to the server.
        case connecting
        /// Request and response flowing.
        case exchange
        /// After 101 / CONNECT: raw bytes both ways.
        case tunnel
        /// Sending a local answer (error page, redirect), then close or next request.
        case responding
        /// Answer sent and our side shut: dropping the client's leftovers until it closes.
        case lingering
    }

    let index: Int
    var generation: UInt32 = 0
    var phase = Phase.idle
    var frontend = 0
    var bindLine = 0
    var client = FileDescriptor(-1)
    var peer = SocketAddress(storage: .init(), length: 0)
    var local = SocketAddress(storage: .init(), length: 0)

    var clientReadable = false, clientWritable = false, clientEOF = false
    var serverReadable = false, serverWritable = false, serverEOF = false

    /// Bytes from the client not yet used (head being parsed, body, pipelined requests).
    var fromClient = ByteBuffer()
    var toServer = ByteBuffer()
    var fromServer = ByteBuffer()
    var toClient = ByteBuffer()

    // The current exchange.
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
    /// Close the client connection once `toClient` is flushed.
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

    // Server side.
    /// A server connection kept from the previous exchange (keep-alive):
    /// its backend and server index, while `server` stays open and registered.
    var attachedBackend = -1
    var attachedServer = -1
    var backend = -1
    /// The backend this exchange was routed to (kept after the backend is
    /// left, for its error pages).
    var routedBackend = -1
    var serverIndex = -1
    var holdsServerSlot = false
    var server = FileDescriptor(-1)
    var serverConnected = false
    var retriesUsed = 0
    var excludedServer: Int? = nil

    // Timing (monotonic ms).
    var headStarted: Int64 = 0
    var phaseDeadline: Int64 = 0
    var clientActivity: Int64 = 0
    var serverActivity: Int64 = 0
    var scheduled: Int64 = 0
    /// Queued in the worker's pending list (ran out of rounds with work left).
    var pendingRun = false

    var bytesIn: UInt64 = 0
    var bytesOut: UInt64 = 0

    init(index: Int) { self.index = index }

    var token: UInt64 { UInt64(generation) << 32 | UInt64(index) << Worker.kindBits }

    /// Forgets the finished exchange, keeping buffers' storage.
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
        routedBackend = -1
        compressionChoice = nil
        compressing = false
        cookieState = CookiePersistence.RequestState()
        plain.removeAll(keepingCapacity: true)
        retriesUsed = 0
        excludedServer = nil
        fromServer.clear()
        toServer.clear()
    }

    func reset() {
        resetExchange()
        phase = .idle
        client = FileDescriptor(-1)
        server = FileDescriptor(-1)
        serverConnected = false
        backend = -1; serverIndex = -1; holdsServerSlot = false
        attachedBackend = -1; attachedServer = -1
        clientReadable = false; clientWritable = false; clientEOF = false
        serverReadable = false; serverWritable = false; serverEOF = false
        fromClient.clear(); toClient.clear()
        requestCount = 0
        closeAfterFlush = false
        headStarted = 0; phaseDeadline = 0; clientActivity = 0; serverActivity = 0; scheduled = 0
        pendingRun = false
        bytesIn = 0; bytesOut = 0
    }
}
