import FulcrumHTTP

/// One stream of an `HTTP2ServerSession` from the request's HEADERS until
/// both directions are done. Slots are reused by later streams with their
/// buffers (the response head's storage, the data waiting for a window), so
/// a connection's streams allocate nothing once the first few have grown them.
struct HTTP2ServerStream: Sendable {
    enum ResponsePhase: Equatable, Sendable {
        /// Reading an HTTP/1.1 head (again after a 1xx).
        case head
        case body
        /// END_STREAM queued (or the stream is gone).
        case done
    }

    /// 0: the slot is free.
    var id: UInt32 = 0

    // Request: how its DATA is framed for HTTP/1.1, and what arrived.
    var framing: HTTP2RequestBodyFraming = .none
    var received = 0
    /// Flow-controlled DATA bytes not yet handed back to the stream's window.
    var unacknowledged = 0
    var requestEnded = false
    var isHead = false
    var isConnect = false

    // Response.
    var phase = ResponsePhase.head
    /// The head parser's storage, and the bytes of a head split over calls.
    var head = HTTPHead(kind: .response, reserving: false)
    var headBuffer: [UInt8] = []
    var forwarder = HTTPBodyForwarder()
    /// Response payload not sent yet (from `pendingStart`): the windows were closed.
    var pending: [UInt8] = []
    var pendingStart = 0
    /// The response's end is known: END_STREAM goes on the last of `pending`.
    var endPending = false
    var blocked = false

    var pendingCount: Int { pending.count - pendingStart }

    /// Takes the slot for stream `id`, keeping the buffers' storage.
    mutating func open(_ id: UInt32, _ outcome: HTTP2RequestHead.Outcome) {
        self.id = id
        framing = outcome.framing
        received = 0
        unacknowledged = 0
        requestEnded = false
        isHead = outcome.isHead
        isConnect = outcome.isConnect
        phase = .head
        headBuffer.removeAll(keepingCapacity: true)
        forwarder = HTTPBodyForwarder()
        pending.removeAll(keepingCapacity: true)
        pendingStart = 0
        endPending = false
        blocked = false
    }

    mutating func free() {
        id = 0
        pending.removeAll(keepingCapacity: true)
        pendingStart = 0
        headBuffer.removeAll(keepingCapacity: true)
    }

    /// The method as `HTTPFraming.response` needs it.
    var requestMethod: ArraySlice<UInt8> {
        isHead ? HTTP2ServerStream.headMethod[...] : isConnect ? HTTP2ServerStream.connectMethod[...] : HTTP2ServerStream.otherMethod[...]
    }

    static let headMethod: [UInt8] = Array("HEAD".utf8)
    static let connectMethod: [UInt8] = Array("CONNECT".utf8)
    static let otherMethod: [UInt8] = Array("GET".utf8)
}
