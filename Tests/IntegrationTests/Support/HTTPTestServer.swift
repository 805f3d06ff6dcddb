import Foundation
import Glibc

/// An HTTP/1.1 origin server on 127.0.0.1 for `mode http` tests. It keeps
/// every byte each accepted connection sent (so a test can prove that nothing,
/// or exactly what, reached the server), parses each request (head, then a
/// Content-Length or chunked body) and answers what `handler` returns, keeping
/// the connection alive unless the request or the response says otherwise.
/// One accept thread and one thread per connection; every blocking call polls
/// in short slices so `stop()` always finishes.
final class HTTPTestServer {
    /// One request as the server parsed it.
    struct Request {
        var method: String
        var target: String
        var version: String
        var headers: [(name: String, value: String)]
        /// The body with chunked framing removed.
        var body: [UInt8]
        /// The head exactly as received, blank line included.
        var rawHead: [UInt8]
        /// Index of the connection it came on (0 = first accepted).
        var connection: Int
        /// 1 for the first request on its connection, 2 for the next...
        var sequence = 1

        var path: String { String(target.prefix { $0 != "?" }) }
        /// Values of every field named `name` (case-insensitive), in order.
        func values(_ name: String) -> [String] {
            headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
        }
        /// The first value of `name`, if any.
        func header(_ name: String) -> String? { values(name).first }
        var headText: String { String(decoding: rawHead, as: UTF8.self) }
    }

    /// What to answer to one request.
    struct Response {
        var status: Int = 200
        var reason: String? = nil
        var headers: [(name: String, value: String)] = []
        var body: [UInt8] = []
        /// Sends the body chunked (in `chunkSize` pieces) instead of with
        /// Content-Length.
        var chunked = false
        var chunkSize = 1024
        /// Adds "Connection: close" and closes after the response.
        var close = false
        /// Sent as is instead of building a response (framing is then the
        /// test's business); the connection is closed after it when `close`.
        var raw: [UInt8]? = nil
        /// Pause before answering.
        var delay: Double = 0
        /// After sending, the connection is reset (RST, SO_LINGER 0) instead
        /// of kept or closed: a server dying mid-response.
        var reset = false

        static func text(_ text: String, status: Int = 200, headers: [(name: String, value: String)] = [],
                         close: Bool = false) -> Response {
            Response(status: status, headers: [("Content-Type", "text/plain")] + headers, body: Array(text.utf8), close: close)
        }
    }

    typealias Handler = @Sendable (Request) -> Response

    private let engine: HTTPTestServerEngine

    /// `handler` answers each request; the default answers 200 with
    /// "X-Server: NAME" and the body "NAME METHOD TARGET".
    init(name: String, port: UInt16 = 0, sendsContinue: Bool = true, handler: Handler? = nil) throws {
        let handler = handler ?? { request in
            .text("\(name) \(request.method) \(request.target)", headers: [("X-Server", name)])
        }
        engine = HTTPTestServerEngine(port: port == 0 ? try FreePort.next() : port, sendsContinue: sendsContinue,
                                      handler: handler)
        try engine.startListening()
    }

    deinit { engine.stop() }

    var port: UInt16 { engine.port }
    /// Connections accepted since start.
    var acceptedCount: Int { engine.snapshot { $0.connections.count } }
    /// Every byte each connection sent, byte-exact, in accept order.
    var connectionBytes: [[UInt8]] { engine.snapshot { $0.connections } }
    /// All bytes received, all connections together.
    var totalBytes: Int { engine.snapshot { $0.connections.reduce(0) { $0 + $1.count } } }
    /// Requests parsed, in arrival order.
    var requests: [Request] { engine.snapshot { $0.requests } }
    /// Connections open right now.
    var activeCount: Int { engine.snapshot { $0.active } }

    @discardableResult
    func waitForRequests(_ count: Int, timeout: Double = 5) -> Bool {
        waitUntil(timeout: timeout) { requests.count >= count }
    }

    /// Closes the listening socket (new connections are refused).
    func stopListening() { engine.stopListening() }
    func startListening() throws { try engine.startListening() }
    /// Stops listening and closes every connection.
    func stop() { engine.stop() }
}

/// The server proper, shared with its threads.
private final class HTTPTestServerEngine: @unchecked Sendable {
    struct State {
        var connections: [[UInt8]] = []
        var requests: [HTTPTestServer.Request] = []
        var active = 0
    }

    let port: UInt16
    let sendsContinue: Bool
    let handler: HTTPTestServer.Handler
    private let lock = NSLock()
    private var state = State()
    private var listener: Int32 = -1
    private var generation = 0
    private var stopped = false
    private var descriptors: Set<Int32> = []

    init(port: UInt16, sendsContinue: Bool, handler: @escaping HTTPTestServer.Handler) {
        self.port = port
        self.sendsContinue = sendsContinue
        self.handler = handler
    }

    func snapshot<T>(_ body: (State) -> T) -> T { locked { body(state) } }

    func startListening() throws {
        let fd: Int32 = try locked {
            guard listener < 0 else { return -1 }
            let fd = try LoopbackSocket.listen(port: port)
            listener = fd
            generation += 1
            stopped = false
            return fd
        }
        guard fd >= 0 else { return }
        let mine = locked { generation }
        let thread = Thread { [self] in acceptLoop(fd, generation: mine) }
        thread.start()
    }

    func stopListening() {
        let fd: Int32 = locked {
            let fd = listener
            listener = -1
            generation += 1
            return fd
        }
        // The accept loop polls in 50 ms slices and checks the generation
        // before each accept, so closing here cannot race a reuse of fd.
        if fd >= 0 {
            sleepSeconds(0.06)
            close(fd)
        }
    }

    func stop() {
        stopListening()
        let open: Set<Int32> = locked {
            stopped = true
            return descriptors
        }
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
        waitUntil(timeout: 3) { locked { state.active == 0 } }
    }

    private func acceptLoop(_ listener: Int32, generation mine: Int) {
        for _ in 0..<10_000_000 {
            if locked({ generation != mine }) { return }
            if LoopbackSocket.poll(listener, events: Int16(POLLIN), deadline: Deadline(seconds: 0.05)) == 0 { continue }
            if locked({ generation != mine }) { return }
            let fd = accept(listener, nil, nil)
            if fd < 0 { continue }
            // Close-on-exec, so a daemon started later never inherits it.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            LoopbackSocket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
            let index: Int = locked {
                state.connections.append([])
                state.active += 1
                descriptors.insert(fd)
                return state.connections.count - 1
            }
            Thread { [self] in
                serve(fd, index: index)
                locked {
                    descriptors.remove(fd)
                    state.active -= 1
                }
                close(fd)
            }.start()
        }
    }

    // MARK: one connection

    private struct Connection {
        let fd: Int32
        let index: Int
        var pending: [UInt8] = []
        var eof = false
    }

    private func serve(_ fd: Int32, index: Int) {
        var c = Connection(fd: fd, index: index)
        for sequence in 1...100_000 {
            guard var request = readRequest(&c) else { break }
            request.sequence = sequence
            locked { state.requests.append(request) }
            let response = handler(request)
            if response.delay > 0 { sleepSeconds(response.delay) }
            guard send(fd, bytes(of: response, for: request)) else { break }
            if response.reset {
                var option = linger(l_onoff: 1, l_linger: 0)
                setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
                break
            }
            if response.raw == nil && response.status == 101 {
                tunnelEcho(&c)
                break
            }
            if response.close || wantsClose(request) {
                shutdown(fd, Int32(SHUT_WR))
                drain(&c)
                break
            }
        }
    }

    private func wantsClose(_ r: HTTPTestServer.Request) -> Bool {
        let tokens = r.values("Connection").flatMap { $0.lowercased().split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        if r.version == "HTTP/1.0" { return !tokens.contains("keep-alive") }
        return tokens.contains("close")
    }

    private func bytes(of response: HTTPTestServer.Response, for request: HTTPTestServer.Request) -> [UInt8] {
        if let raw = response.raw { return raw }
        let reasons = [100: "Continue", 101: "Switching Protocols", 200: "OK", 204: "No Content",
                       301: "Moved Permanently", 302: "Found", 304: "Not Modified", 404: "Not Found",
                       500: "Internal Server Error", 503: "Service Unavailable"]
        var text = "HTTP/1.1 \(response.status) \(response.reason ?? reasons[response.status] ?? "Status")\r\n"
        for h in response.headers { text += "\(h.name): \(h.value)\r\n" }
        let bodyless = request.method == "HEAD" || response.status == 204 || response.status == 304
            || response.status / 100 == 1
        if response.chunked {
            text += "Transfer-Encoding: chunked\r\n"
        } else if response.status != 204 && response.status / 100 != 1 {
            text += "Content-Length: \(response.body.count)\r\n"
        }
        if response.close { text += "Connection: close\r\n" }
        text += "\r\n"
        var out = Array(text.utf8)
        guard !bodyless else { return out }
        if response.chunked {
            var offset = 0
            while offset < response.body.count {
                let n = min(response.chunkSize, response.body.count - offset)
                out += Array((String(n, radix: 16) + "\r\n").utf8) + response.body[offset..<offset + n] + [13, 10]
                offset += n
            }
            out += Array("0\r\n\r\n".utf8)
        } else {
            out += response.body
        }
        return out
    }

    /// Parses one request; nil on EOF, error or garbage (the bytes are still
    /// recorded).
    private func readRequest(_ c: inout Connection) -> HTTPTestServer.Request? {
        var headEnd: Int?
        for _ in 0..<100_000 {
            if let end = Self.headEnd(c.pending) { headEnd = end; break }
            if c.pending.count > 1 << 20 || !fill(&c) { return nil }
        }
        guard let end = headEnd else { return nil }
        let rawHead = Array(c.pending[0..<end])
        c.pending.removeFirst(end)
        // Split on bytes: as Characters, "\r\n" is one grapheme and never equals "\n".
        let lines = rawHead.split(separator: 10, omittingEmptySubsequences: false)
            .map { String(decoding: $0.last == 13 ? $0.dropLast() : $0[...], as: UTF8.self) }
        let requestLine = lines[0].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard requestLine.count == 3 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var request = HTTPTestServer.Request(method: requestLine[0], target: requestLine[1], version: requestLine[2],
                                             headers: headers, body: [], rawHead: rawHead, connection: c.index)
        let chunked = request.values("Transfer-Encoding").contains { $0.lowercased().contains("chunked") }
        let length = request.header("Content-Length").flatMap { Int($0) } ?? 0
        if sendsContinue, request.header("Expect")?.lowercased() == "100-continue", chunked || length > 0 {
            guard send(c.fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return nil }
        }
        if chunked {
            guard let body = readChunked(&c) else { return nil }
            request.body = body
        } else if length > 0 {
            while c.pending.count < length { if !fill(&c) { return nil } }
            request.body = Array(c.pending[0..<length])
            c.pending.removeFirst(length)
        }
        return request
    }

    private func readChunked(_ c: inout Connection) -> [UInt8]? {
        var body: [UInt8] = []
        for _ in 0..<100_000 {
            guard let line = readLine(&c) else { return nil }
            let sizeText = line.split(separator: ";").first.map(String.init) ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return nil }
            if size == 0 {
                // Trailers up to the blank line.
                for _ in 0..<1000 {
                    guard let trailer = readLine(&c) else { return nil }
                    if trailer.isEmpty { return body }
                }
                return nil
            }
            while c.pending.count < size { if !fill(&c) { return nil } }
            body += c.pending[0..<size]
            c.pending.removeFirst(size)
            guard readLine(&c) == "" else { return nil }
        }
        return nil
    }

    private func readLine(_ c: inout Connection) -> String? {
        for _ in 0..<100_000 {
            if let nl = c.pending.firstIndex(of: 10) {
                var line = Array(c.pending[0..<nl])
                c.pending.removeFirst(nl + 1)
                if line.last == 13 { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            if !fill(&c) { return nil }
        }
        return nil
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 2 else { return nil }
        for i in 1..<bytes.count where bytes[i] == 10 {
            if bytes[i - 1] == 10 { return i + 1 }
            if i >= 2 && bytes[i - 1] == 13 && bytes[i - 2] == 10 { return i + 1 }
        }
        return nil
    }

    /// Reads more into `pending` (and the connection's record). False on EOF,
    /// error, stop or 10 s of silence.
    private func fill(_ c: inout Connection) -> Bool {
        guard !c.eof else { return false }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Deadline(seconds: 10)
        while !deadline.hasExpired && !locked({ stopped }) {
            if LoopbackSocket.poll(c.fd, events: Int16(POLLIN), deadline: Deadline(seconds: 0.05)) == 0 { continue }
            let n = buffer.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                c.pending += buffer[0..<n]
                let index = c.index
                locked { state.connections[index] += buffer[0..<n] }
                return true
            }
            if n == 0 { c.eof = true; return false }
            if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
            c.eof = true
            return false
        }
        return false
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        (try? bytes.withUnsafeBytes {
            try LoopbackSocket.sendAll(fd, $0, deadline: Deadline(seconds: 5), shouldStop: { self.locked { self.stopped } })
        }) != nil
    }

    /// After a 101: echoes what arrives (the pending bytes first) until EOF.
    private func tunnelEcho(_ c: inout Connection) {
        if !c.pending.isEmpty {
            guard send(c.fd, c.pending) else { return }
            c.pending = []
        }
        for _ in 0..<100_000 {
            guard fill(&c) else { break }
            guard send(c.fd, c.pending) else { return }
            c.pending = []
        }
        shutdown(c.fd, Int32(SHUT_WR))
    }

    private func drain(_ c: inout Connection) {
        let deadline = Deadline(seconds: 2)
        while !deadline.hasExpired, fill(&c) { c.pending = [] }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
