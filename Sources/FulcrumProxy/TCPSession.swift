import FulcrumPosix

/// One client connection proxied to one server in mode tcp. Objects live in
/// the worker's slot table and are reused, so accepting allocates nothing in
/// steady state.
final class TCPSession {
    /// `starting`: accepted, not yet queued or connecting (a server is being chosen).
    enum State { case idle, starting, queued, connecting, retryWait, established }

    let index: Int
    /// Bumped on every reuse; events and queue entries carry it so that a stale
    /// one (for a previous occupant of the slot) is recognised and dropped.
    var generation: UInt32 = 0
    var state = State.idle

    var frontend = 0
    var backend = -1
    var bindLine = 0
    var client = FileDescriptor(-1)
    var server = FileDescriptor(-1)
    var peer = SocketAddress(storage: .init(), length: 0)

    /// Chosen server (index in the backend) and whether its conns slot is held.
    var serverIndex = -1
    var holdsServerSlot = false
    var retriesUsed = 0
    var excludedServer: Int? = nil
    var immediateFailure = false

    // Edge-triggered readiness, remembered until the operation returns EAGAIN.
    var clientReadable = false
    var clientWritable = false
    var serverReadable = false
    var serverWritable = false
    /// EPOLLRDHUP/HUP was seen: keep reading until 0 instead of trusting a
    /// short read to mean "drained".
    var clientEOFPending = false
    var serverEOFPending = false

    var toServer = Flow()
    var toClient = Flow()

    // Deadlines in monotonic ms (0: none). `phaseDeadline` bounds queue,
    // connect and retry waits; the side deadlines bound inactivity.
    var phaseDeadline: Int64 = 0
    var clientActivity: Int64 = 0
    var serverActivity: Int64 = 0
    /// The earliest deadline pushed on the timer heap and not yet popped.
    var scheduled: Int64 = 0

    var bytesIn: UInt64 = 0
    var bytesOut: UInt64 = 0

    init(index: Int) { self.index = index }

    var token: UInt64 { UInt64(generation) << 32 | UInt64(index) << Worker.kindBits }

    func reset() {
        state = .idle
        backend = -1
        client = FileDescriptor(-1)
        server = FileDescriptor(-1)
        serverIndex = -1
        holdsServerSlot = false
        retriesUsed = 0
        excludedServer = nil
        immediateFailure = false
        clientReadable = false; clientWritable = false
        serverReadable = false; serverWritable = false
        clientEOFPending = false; serverEOFPending = false
        toServer = Flow(); toClient = Flow()
        phaseDeadline = 0; clientActivity = 0; serverActivity = 0; scheduled = 0
        bytesIn = 0; bytesOut = 0
    }
}

/// One direction of a stream: bytes read from one side and not yet written to
/// the other, held either in a pooled buffer or in a pipe (splice path).
struct Flow {
    var buffer: UnsafeMutableRawPointer? = nil
    var start = 0
    var end = 0
    var pipe: Pipe? = nil
    var inPipe = 0
    /// The source sent FIN (or failed); nothing more will be read.
    var sourceClosed = false
    /// FIN was forwarded to the destination.
    var shutdownSent = false
    /// Switched to splice after a read filled the whole buffer.
    var bulk = false

    var pending: Int { end - start + inPipe }
    var finished: Bool { sourceClosed && shutdownSent }
}
