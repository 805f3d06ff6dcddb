/// One connection of a stream (client or server): its transport and the
/// edge-triggered readiness remembered until an operation returns EAGAIN.
struct StreamSide {
    var transport = Transport.none
    var readable = false
    var writable = false
    /// EPOLLRDHUP/HUP was seen: keep reading until 0 instead of trusting a
    /// short read to mean "drained".
    var eof = false
    /// EPOLLERR/HUP was seen: a connect in progress failed (ask SO_ERROR why).
    var failed = false
    /// Last time bytes moved on this side (monotonic ms), for inactivity timeouts.
    var activity: Int64 = 0

    var isOpen: Bool { transport.isOpen }

    /// A new connection on this side: readiness forgotten.
    mutating func attach(_ t: Transport) {
        transport = t
        readable = false; writable = false; eof = false; failed = false
    }

    /// Forgets the connection without closing it (it was pooled or handed on).
    mutating func detach() {
        transport = .none
        readable = false; writable = false; eof = false; failed = false
    }

    mutating func close(abort: Bool = false) {
        transport.close(abort: abort)
        detach()
    }
}
