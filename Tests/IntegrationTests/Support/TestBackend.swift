import Foundation
import Glibc

/// A real TCP server on 127.0.0.1 for the daemon to proxy to. One accept
/// thread plus one thread per connection (capped by `maxConnections`); every
/// blocking call polls in short slices so `stop()` always finishes.
final class TestBackend {
    enum Mode {
        /// Writes back whatever it reads; on the client's FIN it sends FIN too.
        case echo
        /// Writes "NAME\n" on accept, then echoes: tells a test which server
        /// the balancer picked.
        case identify(String)
        /// Sends `bytes` bytes of `TestPattern` on accept, then closes
        /// gracefully (FIN, then drains what the client sends until its FIN).
        case source(bytes: Int)
        /// Reads until the client's FIN, checking the bytes against
        /// `TestPattern`, records a `SinkResult`, replies "COUNT\n" and closes.
        case sink
        /// Reads and discards, never writes, until the client closes: keeps a
        /// connection open for leastconn and maxconn tests.
        case hold
        /// Closes each connection right after accepting it.
        case closeImmediately
        /// A health-check target: reads one HTTP request (head up to the
        /// blank line, then a Content-Length body), answers `status` with
        /// `body` and "connection: close", then closes. Each request head is
        /// kept in `requests`.
        case http(status: Int, body: String)
        /// Writes `text` on accept (a greeting like POP's "+OK" or "-ERR"),
        /// closes its sending side (FIN), then reads and discards until the
        /// client closes: the whole answer, then the end of it.
        case banner(String)
        /// Reads lines ("\n" or "\r\n" ended, kept in `requests` without the
        /// ending) and answers each with `replies[line]`, or with nothing for
        /// a line it does not know, until the client closes.
        case lineReplies([String: String])
        /// Waits for the client's first bytes (a request), sends `head`, then
        /// `count` pieces of `chunk` bytes of `TestPattern`, one every
        /// `interval` seconds, and closes gracefully: a long transfer.
        case trickle(head: String, chunk: Int, count: Int, interval: Double)
    }

    /// What a `.sink` connection received in total.
    struct SinkResult: Equatable {
        var byteCount: Int
        /// Whether the bytes were exactly `TestPattern` from offset 0.
        var matchesPattern: Bool
    }

    /// The threads hold the engine, not the backend, so releasing the last
    /// reference to a backend runs `deinit`, which stops them.
    private let engine: TestBackendEngine

    init(_ mode: Mode, port: UInt16 = 0, acceptDelay: Double = 0, responseDelay: Double = 0,
         maxConnections: Int = 512) throws {
        // An explicit port is used as is; otherwise one outside the ephemeral
        // range, so it is still free when the backend restarts on it.
        engine = TestBackendEngine(mode, port: port == 0 ? try FreePort.next() : port, acceptDelay: acceptDelay, responseDelay: responseDelay,
                        maxConnections: maxConnections)
        try engine.startListening()
    }

    deinit { engine.stop() }

    var mode: Mode { engine.mode }
    /// The port, fixed at first start so `startListening()` reuses it.
    var port: UInt16 { engine.port }
    /// Connections accepted since start or the last `resetCounters()`.
    var acceptedCount: Int { engine.acceptedCount }
    /// Connections open right now.
    var activeCount: Int { engine.activeCount }
    /// Connections closed at once because `maxConnections` were open.
    var rejectedCount: Int { engine.rejectedCount }
    /// Bytes read from clients, all connections together.
    var bytesReceived: Int { engine.bytesReceived }
    /// One entry per finished `.sink` connection, in completion order.
    var sinkResults: [SinkResult] { engine.sinkResults }
    /// What `.http` (request heads) and `.lineReplies` (lines) received, in
    /// arrival order.
    var requests: [String] { engine.requests }
    var isListening: Bool { engine.isListening }

    func resetCounters() { engine.resetCounters() }

    @discardableResult
    func waitForAccepted(atLeast count: Int, timeout: Double = 5) -> Bool {
        waitUntil(timeout: timeout) { acceptedCount >= count }
    }

    @discardableResult
    func waitForActive(_ count: Int, timeout: Double = 5) -> Bool {
        waitUntil(timeout: timeout) { activeCount == count }
    }

    /// Listens again (on the same port after the first start). No-op if
    /// already listening.
    func startListening() throws { try engine.startListening() }

    /// Closes the listening socket so new connections are refused; open
    /// connections keep being served. Returns once the socket is closed.
    func stopListening() { engine.stopListening() }

    /// Stops listening and closes every open connection (FIN to the peer).
    func stop() { engine.stop() }

    /// `stop()` then `startListening()` on the same port.
    func restart() throws {
        engine.stop()
        try engine.startListening()
    }
}

/// The server proper, shared with its threads.
private final class TestBackendEngine {
    typealias Mode = TestBackend.Mode
    typealias SinkResult = TestBackend.SinkResult

    let mode: Mode
    /// The port, fixed at first start so `startListening()` reuses it.
    private(set) var port: UInt16
    /// Pause before each accept(): connections wait in the kernel's queue.
    let acceptDelay: Double
    /// Pause after accept before the mode's first read or write.
    let responseDelay: Double
    /// Connections beyond this many open ones are closed at once and counted
    /// in `rejectedCount`, so a runaway test cannot spawn unbounded threads.
    let maxConnections: Int

    private let lock = NSLock()
    private var acceptGeneration = 0
    private var acceptThreadRunning = false
    private var connectionGeneration = 0
    private var connectionDescriptors: Set<Int32> = []
    private var accepted = 0
    private var active = 0
    private var rejected = 0
    private var received = 0
    private var sinkResultList: [SinkResult] = []
    private var requestList: [String] = []

    init(_ mode: Mode, port: UInt16, acceptDelay: Double, responseDelay: Double, maxConnections: Int) {
        self.mode = mode
        self.port = port
        self.acceptDelay = acceptDelay
        self.responseDelay = responseDelay
        self.maxConnections = maxConnections
    }

    // MARK: Counters

    /// Connections accepted since start or the last `resetCounters()`.
    var acceptedCount: Int { locked { accepted } }
    /// Connections open right now.
    var activeCount: Int { locked { active } }
    /// Connections closed at once because `maxConnections` were open.
    var rejectedCount: Int { locked { rejected } }
    /// Bytes read from clients, all connections together.
    var bytesReceived: Int { locked { received } }
    /// One entry per finished `.sink` connection, in completion order.
    var sinkResults: [SinkResult] { locked { sinkResultList } }
    var requests: [String] { locked { requestList } }
    var isListening: Bool { locked { acceptThreadRunning } }

    func resetCounters() {
        locked {
            accepted = 0
            rejected = 0
            received = 0
            sinkResultList = []
            requestList = []
        }
    }

    // MARK: Lifecycle

    /// Listens again (on the same port after the first start). No-op if
    /// already listening.
    func startListening() throws {
        lock.lock()
        defer { lock.unlock() }
        if acceptThreadRunning { return }
        let fd = try LoopbackSocket.listen(port: port)
        if port == 0 {
            do { port = try LoopbackSocket.localPort(fd) } catch { close(fd); throw error }
        }
        acceptGeneration += 1
        acceptThreadRunning = true
        let generation = acceptGeneration
        let thread = Thread { self.acceptLoop(fd, generation: generation) }
        thread.name = "TestBackend:\(port) accept"
        thread.start()
    }

    /// Closes the listening socket so new connections are refused; open
    /// connections keep being served. Returns once the socket is closed.
    func stopListening() {
        locked { acceptGeneration += 1 }
        if !waitUntil(timeout: 5, interval: 0.005, { !isListening }) {
            fatalError("TestBackend:\(port) accept thread did not stop within 5 s")
        }
    }

    /// Stops listening and closes every open connection (FIN to the peer).
    func stop() {
        stopListening()
        locked {
            connectionGeneration += 1
            for fd in connectionDescriptors { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        if !waitUntil(timeout: 5, { activeCount == 0 }) {
            fatalError("TestBackend:\(port) connection threads did not stop within 5 s")
        }
    }

    // MARK: Threads

    private func acceptLoop(_ listenFd: Int32, generation: Int) {
        defer {
            close(listenFd)
            locked { acceptThreadRunning = false }
        }
        let stillCurrent = { self.locked { self.acceptGeneration == generation } }
        while stillCurrent() {
            if acceptDelay > 0 && !pause(acceptDelay, while: stillCurrent) { return }
            if LoopbackSocket.poll(listenFd, events: Int16(POLLIN), deadline: Deadline(seconds: 0.05)) == 0 { continue }
            // accept4 is not imported; the instant before FD_CLOEXEC is set
            // is covered by ChildProcess closing inherited descriptors.
            let fd = accept(listenFd, nil, nil)
            if fd < 0 { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let admitted: Bool = locked {
                accepted += 1
                if active >= maxConnections {
                    rejected += 1
                    return false
                }
                active += 1
                connectionDescriptors.insert(fd)
                return true
            }
            guard admitted else { close(fd); continue }
            if case .closeImmediately = mode {
                finish(fd)
                continue
            }
            let connectionGeneration = locked { self.connectionGeneration }
            let thread = Thread { self.serve(fd, generation: connectionGeneration) }
            thread.name = "TestBackend:\(port) connection"
            thread.start()
        }
    }

    private func finish(_ fd: Int32) {
        locked {
            connectionDescriptors.remove(fd)
            active -= 1
        }
        close(fd)
    }

    private func serve(_ fd: Int32, generation: Int) {
        defer { finish(fd) }
        let stopping = { self.locked { self.connectionGeneration != generation } }
        LoopbackSocket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        if responseDelay > 0 && !pause(responseDelay, while: { !stopping() }) { return }
        let transferDeadline = Deadline(seconds: 120)
        var buffer = [UInt8](repeating: 0, count: 65536)
        do {
            switch mode {
            case .echo:
                try echo(fd, &buffer, deadline: transferDeadline, stopping: stopping)
            case let .identify(name):
                try Array("\(name)\n".utf8).withUnsafeBytes {
                    try LoopbackSocket.sendAll(fd, $0, deadline: transferDeadline, shouldStop: stopping)
                }
                try echo(fd, &buffer, deadline: transferDeadline, stopping: stopping)
            case let .source(count):
                var offset = 0
                while offset < count {
                    let chunk = TestPattern.bytes(count: min(65536, count - offset), from: offset)
                    try chunk.withUnsafeBytes {
                        try LoopbackSocket.sendAll(fd, $0, deadline: transferDeadline, shouldStop: stopping)
                    }
                    offset += chunk.count
                }
                shutdown(fd, Int32(SHUT_WR))
                // Drain before close: closing with unread input sends RST,
                // which can destroy data the client has not read yet.
                let drainDeadline = Deadline(seconds: 5)
                while !drainDeadline.hasExpired, readSome(fd, &buffer, stopping: stopping) > 0 {}
            case .sink:
                var total = 0
                var matches = true
                while true {
                    let n = readSome(fd, &buffer, stopping: stopping)
                    if n <= 0 {
                        if n < 0 { return }
                        break
                    }
                    if matches, TestPattern.firstMismatch(in: buffer[0..<n], from: total) != nil { matches = false }
                    total += n
                }
                locked { sinkResultList.append(SinkResult(byteCount: total, matchesPattern: matches)) }
                try Array("\(total)\n".utf8).withUnsafeBytes {
                    try LoopbackSocket.sendAll(fd, $0, deadline: transferDeadline, shouldStop: stopping)
                }
                shutdown(fd, Int32(SHUT_WR))
            case .hold:
                while readSome(fd, &buffer, stopping: stopping) > 0 {}
            case .closeImmediately:
                return
            case let .http(status, body):
                try answerHTTP(fd, &buffer, status: status, body: body, deadline: transferDeadline, stopping: stopping)
            case let .banner(text):
                try Array(text.utf8).withUnsafeBytes {
                    try LoopbackSocket.sendAll(fd, $0, deadline: transferDeadline, shouldStop: stopping)
                }
                shutdown(fd, Int32(SHUT_WR))
                let drainDeadline = Deadline(seconds: 5)
                while !drainDeadline.hasExpired, readSome(fd, &buffer, stopping: stopping) > 0 {}
            case let .trickle(head, chunk, count, interval):
                guard readSome(fd, &buffer, stopping: stopping) > 0 else { return }
                var out = Array(head.utf8)
                for i in 0..<count {
                    out += TestPattern.bytes(count: chunk, from: i * chunk)
                    try out.withUnsafeBytes { try LoopbackSocket.sendAll(fd, $0, deadline: transferDeadline, shouldStop: stopping) }
                    out = []
                    if i + 1 < count && !pause(interval, while: { !stopping() }) { return }
                }
                shutdown(fd, Int32(SHUT_WR))
                let drainDeadline = Deadline(seconds: 5)
                while !drainDeadline.hasExpired, readSome(fd, &buffer, stopping: stopping) > 0 {}
            case let .lineReplies(replies):
                try answerLines(fd, &buffer, replies: replies, deadline: transferDeadline, stopping: stopping)
            }
        } catch {
            // The peer went away or the backend is stopping: nothing to report.
        }
    }

    private func echo(_ fd: Int32, _ buffer: inout [UInt8], deadline: Deadline, stopping: () -> Bool) throws {
        while true {
            let n = readSome(fd, &buffer, stopping: stopping)
            if n < 0 { return }
            if n == 0 {
                shutdown(fd, Int32(SHUT_WR))
                return
            }
            try buffer.withUnsafeBytes {
                try LoopbackSocket.sendAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<n]),
                                           deadline: deadline, shouldStop: stopping)
            }
        }
    }

    private func answerHTTP(_ fd: Int32, _ buffer: inout [UInt8], status: Int, body: String,
                            deadline: Deadline, stopping: () -> Bool) throws {
        var request: [UInt8] = []
        let blankLine = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            let n = readSome(fd, &buffer, stopping: stopping)
            if n <= 0 { return }
            request.append(contentsOf: buffer[0..<n])
            headEnd = TestBackendEngine.find(blankLine, in: request).map { $0 + blankLine.count }
            if request.count > 65536 { return }
        }
        let head = String(decoding: request[0..<headEnd!], as: UTF8.self)
        locked { requestList.append(head) }
        let length = head.split(separator: "\r\n").lazy.compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first ?? 0
        while request.count < headEnd! + length {
            let n = readSome(fd, &buffer, stopping: stopping)
            if n <= 0 { return }
            request.append(contentsOf: buffer[0..<n])
        }
        let reasons = [200: "OK", 204: "No Content", 404: "Not Found", 500: "Internal Server Error",
                       503: "Service Unavailable"]
        var response = "HTTP/1.1 \(status) \(reasons[status] ?? "Status")\r\n"
        if status != 204 && status != 304 { response += "content-length: \(body.utf8.count)\r\n" }
        response += "connection: close\r\n\r\n" + (status == 204 || status == 304 ? "" : body)
        try Array(response.utf8).withUnsafeBytes {
            try LoopbackSocket.sendAll(fd, $0, deadline: deadline, shouldStop: stopping)
        }
        shutdown(fd, Int32(SHUT_WR))
        // Drain before close, so unread input cannot turn the close into an RST.
        let drainDeadline = Deadline(seconds: 5)
        while !drainDeadline.hasExpired, readSome(fd, &buffer, stopping: stopping) > 0 {}
    }

    private func answerLines(_ fd: Int32, _ buffer: inout [UInt8], replies: [String: String],
                             deadline: Deadline, stopping: () -> Bool) throws {
        var pending: [UInt8] = []
        while true {
            let n = readSome(fd, &buffer, stopping: stopping)
            if n <= 0 { return }
            pending.append(contentsOf: buffer[0..<n])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[0..<newline])
                pending.removeFirst(newline + 1)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                let text = String(decoding: line, as: UTF8.self)
                locked { requestList.append(text) }
                guard let reply = replies[text] else { continue }
                try Array(reply.utf8).withUnsafeBytes {
                    try LoopbackSocket.sendAll(fd, $0, deadline: deadline, shouldStop: stopping)
                }
            }
        }
    }

    /// First index of `needle` in `haystack`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    /// Reads what is available: >0 bytes read, 0 on EOF, -1 on error or stop.
    private func readSome(_ fd: Int32, _ buffer: inout [UInt8], stopping: () -> Bool) -> Int {
        while !stopping() {
            let revents = LoopbackSocket.poll(fd, events: Int16(POLLIN), deadline: Deadline(seconds: 0.1))
            if revents == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                locked { received += n }
                return n
            }
            if n == 0 { return 0 }
            if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
            return -1
        }
        return -1
    }

    /// Sleeps `seconds` in short slices; false if `condition` stopped holding.
    private func pause(_ seconds: Double, while condition: () -> Bool) -> Bool {
        let deadline = Deadline(seconds: seconds)
        while !deadline.hasExpired {
            if !condition() { return false }
            sleepSeconds(min(0.02, Double(deadline.remainingMilliseconds()) / 1000))
        }
        return condition()
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
