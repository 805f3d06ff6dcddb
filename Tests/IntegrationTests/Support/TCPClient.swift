import Glibc

/// A blocking TCP client on 127.0.0.1 where every read has a timeout and
/// reports why it stopped, so tests can tell "the proxy closed" from "the
/// proxy is silent". Bytes read past a line end are kept for the next read.
final class TCPClient {
    /// Why a receive returned.
    enum End: Equatable {
        /// The requested number of bytes (or a full line) arrived.
        case complete
        /// The peer closed its sending side (FIN).
        case eof
        /// The peer reset the connection (RST).
        case reset
        /// The time limit passed first.
        case timeout
    }

    struct Received {
        var bytes: [UInt8]
        var end: End
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    let port: UInt16
    private(set) var fd: Int32
    private var pending: [UInt8] = []
    private var sawEnd: End?

    /// Connects within `timeout` seconds; throws on refusal or timeout.
    init(port: UInt16, timeout: Double = 2) throws {
        self.port = port
        fd = try LoopbackSocket.connect(port: port, timeout: timeout)
    }

    /// A stream socket already connected elsewhere (a unix socket: UnixStreamClient).
    init(descriptor: Int32) {
        port = 0
        fd = descriptor
    }

    static func connect(port: UInt16, timeout: Double = 2) throws -> TCPClient {
        try TCPClient(port: port, timeout: timeout)
    }

    deinit { close() }

    /// The client side's port (getsockname), as the proxy sees it in `src`.
    var localPort: UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return ok == 0 ? UInt16(bigEndian: address.sin_port) : 0
    }

    func send(_ bytes: [UInt8], timeout: Double = 5) throws {
        try checkOpen()
        try bytes.withUnsafeBytes { try LoopbackSocket.sendAll(fd, $0, deadline: Deadline(seconds: timeout)) }
    }

    func send(_ text: String, timeout: Double = 5) throws {
        try send(Array(text.utf8), timeout: timeout)
    }

    /// Reads until `count` bytes, EOF, reset or `timeout`, whichever is first.
    func receive(count: Int, timeout: Double = 5) throws -> Received {
        try checkOpen()
        let deadline = Deadline(seconds: timeout)
        while pending.count < count {
            if let end = fill(deadline: deadline, atMost: count - pending.count) {
                let bytes = pending
                pending = []
                return Received(bytes: bytes, end: end)
            }
        }
        let bytes = Array(pending[0..<count])
        pending.removeFirst(count)
        return Received(bytes: bytes, end: .complete)
    }

    /// Reads until EOF, reset or `timeout`; stops with `.complete` if `limit`
    /// bytes arrive first.
    func receiveUntilEOF(timeout: Double = 5, limit: Int = 256 << 20) throws -> Received {
        try receive(count: limit, timeout: timeout)
    }

    /// One line without its "\n" (and without a "\r" before it), or nil if
    /// EOF, reset or the timeout came before a newline.
    func readLine(timeout: Double = 5) throws -> String? {
        try checkOpen()
        let deadline = Deadline(seconds: timeout)
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[0..<newline])
                pending.removeFirst(newline + 1)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            if fill(deadline: deadline, atMost: 65536) != nil { return nil }
        }
    }

    /// Waits for the peer to close (EOF or reset), discarding data. Returns
    /// `.eof`, `.reset` or `.timeout`.
    func waitForClose(timeout: Double = 5) throws -> End {
        try checkOpen()
        let deadline = Deadline(seconds: timeout)
        for _ in 0..<1_000_000 {
            pending.removeAll(keepingCapacity: true)
            if let end = fill(deadline: deadline, atMost: 65536) { return end }
        }
        return .timeout
    }

    /// Half-close: sends FIN; the connection stays open for reading.
    func shutdownWrite() throws {
        try checkOpen()
        guard shutdown(fd, Int32(SHUT_WR)) == 0 else { throw HarnessError.posix("shutdown(SHUT_WR)") }
    }

    /// Closes with an RST instead of a FIN (SO_LINGER 0), like a crashing client.
    func reset() {
        guard fd >= 0 else { return }
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close()
    }

    func close() {
        if fd >= 0 {
            Glibc.close(fd)
            fd = -1
        }
    }

    private func checkOpen() throws {
        guard fd >= 0 else { throw HarnessError.failed("TCPClient to port \(port) is closed") }
    }

    /// Reads once into `pending`. Returns nil if bytes arrived, else why not.
    /// EOF and reset are sticky: later reads report them again at once.
    private func fill(deadline: Deadline, atMost: Int) -> End? {
        if let sawEnd { return sawEnd }
        let revents = LoopbackSocket.poll(fd, events: Int16(POLLIN), deadline: deadline)
        if revents == 0 { return .timeout }
        var chunk = [UInt8](repeating: 0, count: max(1, min(atMost, 65536)))
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                pending.append(contentsOf: chunk[0..<n])
                return nil
            }
            if n == 0 {
                sawEnd = .eof
                return .eof
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return deadline.hasExpired ? .timeout : nil
            default:
                sawEnd = .reset
                return .reset
            }
        }
    }
}
