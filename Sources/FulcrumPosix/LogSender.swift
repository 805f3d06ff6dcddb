import Glibc

/// Sends one `log` target's framed lines without ever making its process
/// wait: every socket is non-blocking, a line the kernel cannot take now
/// waits in a bounded queue (`LogFrameQueue`) flushed when the loop reports
/// the socket writable, and a line that finds the queue full is dropped and
/// counted. Lines arrive already framed (FulcrumLog's `SyslogFramer`): this
/// layer deals in bytes and addresses only.
///
/// The role routes its events here: the sender registers its socket with
/// `EventToken(kind:index:generation:)` built from the `kind` and `index` it
/// was given, and the role passes every event and timer of that kind and
/// index to `descriptorReady` / `timerDue`. The generation changes with
/// each new socket, so an event left over from a closed one is ignored.
public final class LogSender {
    /// Where the lines go (HAProxy's `log` addresses).
    public enum Target: Equatable, CustomStringConvertible {
        /// A unix datagram socket (`/dev/log`, any path): connected; a missing
        /// or dead receiver drops lines until a reconnection succeeds.
        case unixDatagram(path: String)
        /// `udp@` / `ipv4@` / `ipv6@` host:port, or a bare address.
        case udp(SocketAddress)
        /// A syslog server over TCP: lines wait in the queue while it is
        /// connecting or away; the sender reconnects with a backoff.
        case tcp(SocketAddress)
        /// `stdout`, `stderr`, `fd@N`: made non-blocking unless a terminal
        /// (as HAProxy does); never closed by the sender.
        case fileDescriptor(FileDescriptor)

        public var description: String {
            switch self {
            case .unixDatagram(let path): return path
            case .udp(let a): return "udp@\(a)"
            case .tcp(let a): return "tcp@\(a)"
            case .fileDescriptor(let fd): return "fd@\(fd.rawValue)"
            }
        }

        /// Whether bytes form a stream (partial writes; frames are never cut
        /// short on the wire) rather than one datagram per line.
        var isStream: Bool {
            switch self {
            case .tcp, .fileDescriptor: return true
            case .unixDatagram, .udp: return false
            }
        }
    }

    /// For `show info` and the stats: every line handed to `send` ends up
    /// in exactly one of sent, dropped or (still) queued.
    public struct Counters: Equatable, Sendable {
        /// Lines the kernel took whole.
        public var sent: UInt64 = 0
        /// Lines lost: queue full, receiver absent or refusing, a stream
        /// cut in the middle of a line, lines still queued at `close`.
        public var dropped: UInt64 = 0
        /// Failed system calls (connect, send) other than "would block".
        public var errors: UInt64 = 0
        /// Sockets opened and connected.
        public var connections: UInt64 = 0
        public init() {}
    }

    /// What became of one line handed to `send`.
    public enum Outcome: Equatable, Sendable {
        case sent, queued, dropped
    }

    public let target: Target
    public private(set) var counters = Counters()
    /// The last error a system call returned (for logs), nil if none yet.
    public private(set) var lastError: Errno?

    let loop: EventLoop
    let kind: UInt8
    let index: Int
    var queue: LogFrameQueue
    var socket: FileDescriptor?
    var generation: UInt32 = 0
    /// The kernel refused more (EAGAIN, a partial write): wait for EPOLLOUT.
    var blocked = false
    /// A TCP connect in progress.
    var connecting = false
    /// Bytes of the first queued frame already written (streams only).
    var firstFrameSent = 0
    var retryDelay: Int64
    let initialRetryDelay: Int64
    let maximumRetryDelay: Int64
    var retryAt: Int64 = 0
    var timer = LazyTimer()
    /// TCP: a connection attempt longer than this (ms) is abandoned and
    /// retried; a connection that takes nothing for this long while lines
    /// wait is closed and reopened (a ring's `timeout connect` / `timeout
    /// server`). nil: the kernel's own limits.
    public var connectTimeout: Int64?
    public var stallTimeout: Int64?
    /// When the current connection attempt ends, or the current stall.
    var connectDeadline: Int64 = 0
    var stallDeadline: Int64 = 0

    /// - queueBytes: what the target may hold while its socket is full or
    ///   away (frames plus 4–7 bytes each); allocated once, here.
    /// - retryDelay: the first reconnection delay (ms), doubled after each
    ///   failure up to `maximumRetryDelay`, reset by a success.
    public init(target: Target, loop: EventLoop, kind: UInt8, index: Int, queueBytes: Int = 256 * 1024,
                retryDelay: Int64 = 100, maximumRetryDelay: Int64 = 5000) {
        self.target = target
        self.loop = loop
        self.kind = kind
        self.index = index
        queue = LogFrameQueue(capacity: max(queueBytes, 64))
        self.retryDelay = retryDelay
        initialRetryDelay = retryDelay
        self.maximumRetryDelay = maximumRetryDelay
    }

    deinit {
        if let socket { loop.remove(socket); if case .fileDescriptor = target {} else { socket.close() } }
        queue.deallocate()
    }

    /// Lines waiting for the socket, and their bytes.
    public var queuedLines: Int { queue.count }
    public var queuedBytes: Int { queue.bytes }
    /// Whether a line sent now goes straight to the kernel: connected, not
    /// refused last time, nothing queued. A ring's forwarder sends while
    /// this holds and leaves the rest in the ring (on its cursor).
    public var isReady: Bool { socket != nil && !connecting && !blocked && queue.isEmpty }
    /// Whether a socket is open (and, for TCP, connected).
    public var isConnected: Bool { socket != nil && !connecting }

    /// Opens the socket (or schedules the next attempt); call once, before
    /// the first `send`. Never throws: failures are counted and retried.
    public func start() { open() }

    /// Hands one framed line to the target. Never blocks and, once the
    /// queue has its block, never allocates.
    @discardableResult
    public func send(_ frame: UnsafeRawBufferPointer) -> Outcome {
        guard socket != nil else {
            // TCP keeps lines for the next connection; datagrams are lost
            // while nobody listens, as HAProxy's are (and so are lines for
            // a descriptor that could not be used).
            if case .tcp = target { return enqueue(frame) }
            return drop()
        }
        guard queue.isEmpty, !blocked, !connecting else { return enqueue(frame) }
        switch write(frame) {
        case .all:
            counters.sent += 1
            return .sent
        case .part(let n):
            // Streams only: the rest goes first once writable again. An
            // empty queue always takes a frame no larger than its block.
            blocked = true
            guard queue.push(frame) else { return drop() }
            firstFrameSent = n
            armStall()
            return .queued
        case .wouldBlock:
            blocked = true
            let outcome = enqueue(frame)
            armStall()
            return outcome
        case .failed(let e):
            return failed(e, frame: frame)
        }
    }

    @discardableResult
    public func send(_ frame: [UInt8]) -> Outcome { frame.withUnsafeBytes { send($0) } }

    /// An event for this sender's socket (the role matched kind and index).
    public func descriptorReady(_ token: EventToken, _ events: Epoll.Events) {
        guard let socket, token.generation == generation else { return }
        if connecting {
            let err = events.contains(.error) || events.contains(.hangup) ? Socket.pendingError(socket) : 0
            if err != 0 || events.contains(.hangup) {
                note(Errno(err == 0 ? ECONNREFUSED : err))
                disconnect()
                return
            }
            guard events.contains(.writable) else { return }
            connecting = false
            connected()
        }
        if case .tcp = target, !events.intersection([.readable, .readHangup, .hangup, .error]).isEmpty {
            // A syslog server sends nothing; readable means it closed (or reset).
            guard drainReads(socket) else { disconnect(); return }
        }
        if events.contains(.writable) { blocked = false; stallDeadline = 0 }
        flush()
        armStall()
    }

    /// A stream the kernel stopped taking while lines wait: bounded by `stallTimeout`.
    func armStall() {
        guard let stallTimeout, blocked, stallDeadline == 0, !queue.isEmpty else { return }
        stallDeadline = loop.now + stallTimeout
        timer.arm(stallDeadline, timerToken, in: loop)
    }

    /// A timer this sender set is due: the reconnection attempt, or the end
    /// of a connection attempt or of a stall.
    public func timerDue(_ token: EventToken, deadline: Int64) {
        guard timer.fire(deadline) else { return }
        let now = loop.now
        if socket == nil && retryAt != 0 {
            if now >= retryAt { open() } else { timer.arm(retryAt, timerToken, in: loop) }
            return
        }
        if connecting && connectDeadline != 0 {
            if now >= connectDeadline { note(Errno(ETIMEDOUT)); disconnect() } else { timer.arm(connectDeadline, timerToken, in: loop) }
            return
        }
        if blocked && stallDeadline != 0 && !queue.isEmpty {
            if now >= stallDeadline { note(Errno(ETIMEDOUT)); disconnect() } else { timer.arm(stallDeadline, timerToken, in: loop) }
        }
    }

    /// Closes the socket; lines still queued are counted as dropped.
    public func close() {
        closeSocket()
        dropQueued()
        retryAt = 0
    }

    // MARK: internals

    enum WriteResult { case all, part(Int), wouldBlock, failed(Errno) }

    var timerToken: EventToken { EventToken(kind: kind, index: index, generation: generation) }

    func write(_ bytes: UnsafeRawBufferPointer) -> WriteResult {
        guard let socket, let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1) else { return .failed(Errno(EBADF)) }
        var attempt = 0
        while true {
            do throws(Errno) {
                let n: Int
                if case .fileDescriptor = target {
                    n = try socket.write(base, count: bytes.count)
                } else {
                    n = try Socket.send(socket, base, count: bytes.count)
                }
                return n == bytes.count ? .all : .part(n)
            } catch {
                if error == .again { return .wouldBlock }
                // UDP: an ICMP error left by an earlier datagram fails this
                // send without sending it; the error is consumed, try again.
                if case .udp = target, error.rawValue == ECONNREFUSED, attempt == 0 { attempt += 1; continue }
                return .failed(error)
            }
        }
    }

    func enqueue(_ frame: UnsafeRawBufferPointer) -> Outcome {
        queue.push(frame) ? .queued : drop()
    }

    func drop() -> Outcome {
        counters.dropped += 1
        return .dropped
    }

    func note(_ error: Errno) {
        counters.errors += 1
        lastError = error
    }

    /// A send failed with `error` for a frame not queued (queue empty).
    func failed(_ error: Errno, frame: UnsafeRawBufferPointer) -> Outcome {
        note(error)
        switch target {
        case .tcp:
            disconnect()
            return enqueue(frame)
        case .unixDatagram:
            if LogSender.receiverGone(error) { disconnect() }
            return drop()
        case .udp, .fileDescriptor:
            return drop()
        }
    }

    /// A unix datagram socket whose receiver closed stays dead: connect anew.
    static func receiverGone(_ error: Errno) -> Bool {
        switch error.rawValue {
        case ECONNREFUSED, ENOTCONN, ECONNRESET, EPIPE: return true
        default: return false
        }
    }

    /// Writes queued frames until the queue is empty or the kernel refuses.
    func flush() {
        while socket != nil, !blocked, !connecting, let frame = queue.first {
            let rest = UnsafeRawBufferPointer(rebasing: frame[firstFrameSent...])
            switch write(rest) {
            case .all:
                queue.removeFirst()
                firstFrameSent = 0
                counters.sent += 1
            case .part(let n):
                firstFrameSent += n
                blocked = true
            case .wouldBlock:
                blocked = true
            case .failed(let e):
                note(e)
                if case .tcp = target {
                    disconnect()
                } else if case .unixDatagram = target, LogSender.receiverGone(e) {
                    disconnect()
                } else {
                    firstFrameSent = 0
                    queue.removeFirst()
                    counters.dropped += 1
                }
            }
        }
    }

    /// Reads and discards what a TCP server sent; false once it closed.
    func drainReads(_ socket: FileDescriptor) -> Bool {
        withUnsafeTemporaryAllocation(byteCount: 256, alignment: 8) { buffer in
            while true {
                do throws(Errno) {
                    if try socket.read(into: buffer.baseAddress!, count: buffer.count) == 0 { return false }
                } catch {
                    if error == .again { return true }
                    note(error)
                    return false
                }
            }
        }
    }

    func open() {
        retryAt = 0
        do throws(Errno) {
            let fd: FileDescriptor
            var events: Epoll.Events = [.writable, .edgeTriggered]
            switch target {
            case .fileDescriptor(let given):
                if !given.isTerminal { try given.setNonBlocking() }
                fd = given
            case .udp(let address):
                fd = try Socket.datagram(family: address.family)
                do { _ = try Socket.connect(fd, to: address) } catch { fd.close(); throw error }
            case .unixDatagram(let path):
                fd = try UnixSocket.connectDatagram(path: path)
            case .tcp(let address):
                fd = try Socket.stream(family: address.family)
                do { connecting = try !Socket.connect(fd, to: address) } catch { fd.close(); throw error }
                events.formUnion([.readable, .readHangup])
            }
            generation &+= 1
            socket = fd
            blocked = false
            do {
                try loop.register(fd, events, EventToken(kind: kind, index: index, generation: generation))
            } catch {
                // Regular files cannot be watched (EPERM) and never refuse a write.
                if case .fileDescriptor = target, error.rawValue == EPERM {} else { note(error); disconnect(); return }
            }
            if !connecting { connected() } else if let connectTimeout {
                connectDeadline = loop.now + connectTimeout
                timer.arm(connectDeadline, timerToken, in: loop)
            }
        } catch {
            connecting = false
            note(error)
            scheduleRetry()
        }
    }

    func connected() {
        connectDeadline = 0
        counters.connections += 1
        retryDelay = initialRetryDelay
        flush()
    }

    /// Drops the socket and tries again later. A frame cut in the middle
    /// is lost: its rest would corrupt the next connection's stream.
    func disconnect() {
        closeSocket()
        if firstFrameSent > 0 {
            queue.removeFirst()
            firstFrameSent = 0
            counters.dropped += 1
        }
        if !target.isStream { dropQueued() }
        scheduleRetry()
    }

    func closeSocket() {
        guard let fd = socket else { return }
        loop.remove(fd)
        if case .fileDescriptor = target {} else { fd.close() }
        socket = nil
        connecting = false
        blocked = false
        connectDeadline = 0
        stallDeadline = 0
        generation &+= 1
    }

    func dropQueued() {
        counters.dropped += UInt64(queue.removeAll())
        firstFrameSent = 0
    }

    func scheduleRetry() {
        if case .fileDescriptor = target { return }
        retryAt = loop.now + retryDelay
        retryDelay = min(retryDelay * 2, maximumRetryDelay)
        timer.arm(retryAt, timerToken, in: loop)
    }
}
