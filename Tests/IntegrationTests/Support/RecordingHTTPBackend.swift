import Foundation
import Glibc

/// One request as a `RecordingHTTPBackend` received it, so a test can say
/// what the proxy in front actually forwarded (rewritten path, added and
/// removed headers, X-Forwarded-For, the de-chunked body).
struct RecordedRequest {
    /// The backend's name: which server the proxy chose.
    let backend: String
    /// Connection number on this backend (1, 2, ... in accept order).
    let connection: Int
    /// 1 for the first request on its connection, 2 for the next...
    let sequence: Int
    let method: String
    let target: String
    let version: String
    /// Fields in arrival order, names as sent (case kept).
    let headers: [(name: String, value: String)]
    let body: [UInt8]
    /// The head as received, request line to the blank line excluded.
    let rawHead: String

    /// Values of the fields named `name` (case-insensitive), in order.
    func values(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// Path part of the target (before "?").
    var path: String { String(target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]) }
}

/// What a `RecordingHTTPBackend` answers to one request.
struct ScriptedResponse {
    var status: Int = 200
    var reason: String = "OK"
    /// Sent as given; Content-Length or Transfer-Encoding is added by the
    /// backend according to `chunked`.
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    /// Chunked framing (two chunks when the body has two bytes or more).
    var chunked = false
    /// Adds "connection: close" and closes after the response.
    var close = false

    init(status: Int = 200, reason: String = "OK", headers: [(String, String)] = [], body: String = "",
         chunked: Bool = false, close: Bool = false) {
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = Array(body.utf8)
        self.chunked = chunked
        self.close = close
    }

    /// The default answer: 200, text/plain, `X-Served-By: NAME` and a body
    /// naming the backend and the request line it saw.
    static func identify(_ request: RecordedRequest) -> ScriptedResponse {
        ScriptedResponse(headers: [("Content-Type", "text/plain"), ("X-Served-By", request.backend)],
                         body: "\(request.backend) \(request.method) \(request.target)\n")
    }
}

/// An HTTP/1.1 origin server on 127.0.0.1 for side-by-side tests: keeps
/// connections alive, records every request (head and body, per connection)
/// and answers with `responder`. Thread per connection, every wait bounded.
final class RecordingHTTPBackend {
    typealias Responder = (RecordedRequest) -> ScriptedResponse

    let name: String
    let port: UInt16
    private let engine: RecordingHTTPEngine

    init(name: String, responder: @escaping Responder = ScriptedResponse.identify) throws {
        self.name = name
        port = try FreePort.next()
        engine = RecordingHTTPEngine(name: name, responder: responder)
        try engine.start(port: port)
    }

    deinit { engine.stop() }

    /// Every request received since the start or the last `takeRequests()`.
    var requests: [RecordedRequest] { engine.requests }
    /// Connections accepted since the start.
    var connectionCount: Int { engine.connectionCount }

    /// Returns the recorded requests and forgets them.
    func takeRequests() -> [RecordedRequest] { engine.takeRequests() }

    /// Stops listening and closes every connection.
    func stop() { engine.stop() }
}

private final class RecordingHTTPEngine {
    let name: String
    let responder: RecordingHTTPBackend.Responder
    private let lock = NSLock()
    private var running = false
    private var listenerStopped = true
    private var open: Set<Int32> = []
    private var recorded: [RecordedRequest] = []
    private var connections = 0

    init(name: String, responder: @escaping RecordingHTTPBackend.Responder) {
        self.name = name
        self.responder = responder
    }

    var requests: [RecordedRequest] { locked { recorded } }
    var connectionCount: Int { locked { connections } }

    func takeRequests() -> [RecordedRequest] {
        locked {
            defer { recorded = [] }
            return recorded
        }
    }

    func start(port: UInt16) throws {
        let fd = try LoopbackSocket.listen(port: port)
        locked { running = true; listenerStopped = false }
        let thread = Thread { self.acceptLoop(fd) }
        thread.name = "RecordingHTTPBackend:\(name)"
        thread.start()
    }

    func stop() {
        locked {
            running = false
            for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        if !waitUntil(timeout: 5, interval: 0.005, { locked { listenerStopped && open.isEmpty } }) {
            fatalError("RecordingHTTPBackend \(name) did not stop within 5 s")
        }
    }

    private var isRunning: Bool { locked { running } }

    private func acceptLoop(_ listenFd: Int32) {
        defer {
            close(listenFd)
            locked { listenerStopped = true }
        }
        while isRunning {
            if LoopbackSocket.poll(listenFd, events: Int16(POLLIN), deadline: Deadline(seconds: 0.05)) == 0 { continue }
            let fd = accept(listenFd, nil, nil)
            if fd < 0 { continue }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            let (admitted, number): (Bool, Int) = locked {
                // A bound on threads, should a test go astray.
                guard running, open.count < 256 else { return (false, 0) }
                connections += 1
                open.insert(fd)
                return (true, connections)
            }
            guard admitted else { close(fd); continue }
            let thread = Thread { self.serve(fd, connection: number) }
            thread.name = "RecordingHTTPBackend:\(name) #\(number)"
            thread.start()
        }
    }

    private func serve(_ fd: Int32, connection: Int) {
        defer {
            locked { _ = open.remove(fd) }
            close(fd)
        }
        LoopbackSocket.setOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
        var reader = RequestReader(fd: fd, isRunning: { self.isRunning })
        // A keep-alive connection serves at most this many requests.
        for sequence in 1...1000 {
            guard let request = reader.readRequest(backend: name, connection: connection, sequence: sequence) else {
                return
            }
            locked { recorded.append(request) }
            let reply = responder(request)
            let clientCloses = request.values("Connection").contains { $0.lowercased().contains("close") }
                || (request.version == "HTTP/1.0"
                    && !request.values("Connection").contains { $0.lowercased().contains("keep-alive") })
            let bytes = RecordingHTTPEngine.serialize(reply, head: request.method == "HEAD")
            let sent: Void? = try? bytes.withUnsafeBytes {
                try LoopbackSocket.sendAll(fd, $0, deadline: Deadline(seconds: 10), shouldStop: { !self.isRunning })
            }
            if sent == nil || reply.close || clientCloses {
                shutdown(fd, Int32(SHUT_WR))
                reader.drain()
                return
            }
        }
    }

    static func serialize(_ reply: ScriptedResponse, head: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(reply.status) \(reply.reason)\r\n"
        for (name, value) in reply.headers { text += "\(name): \(value)\r\n" }
        let bodyless = reply.status == 204 || reply.status == 304 || reply.status < 200
        var body: [UInt8] = []
        if !bodyless {
            if reply.chunked {
                text += "Transfer-Encoding: chunked\r\n"
                let half = reply.body.count / 2
                for part in [reply.body[..<half], reply.body[half...]] where !part.isEmpty {
                    body += Array(String(part.count, radix: 16).utf8) + [13, 10] + part + [13, 10]
                }
                body += Array("0\r\n\r\n".utf8)
            } else {
                text += "Content-Length: \(reply.body.count)\r\n"
                body = reply.body
            }
        }
        if reply.close { text += "Connection: close\r\n" }
        text += "\r\n"
        return Array(text.utf8) + (head ? [] : body)
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

/// Reads HTTP/1 requests from one connection: head, then the body framed
/// by chunked encoding or Content-Length. Gives up (nil) on EOF, on a
/// framing it cannot follow, or after 10 s without a whole request.
private struct RequestReader {
    let fd: Int32
    let isRunning: () -> Bool
    var pending: [UInt8] = []

    init(fd: Int32, isRunning: @escaping () -> Bool) {
        self.fd = fd
        self.isRunning = isRunning
    }

    mutating func readRequest(backend: String, connection: Int, sequence: Int) -> RecordedRequest? {
        let deadline = Deadline(seconds: 10)
        var headEnd: Int?
        while headEnd == nil {
            headEnd = RequestReader.find([13, 10, 13, 10], in: pending)
            if headEnd == nil && (pending.count > 1 << 20 || !fill(deadline)) { return nil }
        }
        let headText = String(decoding: pending[..<headEnd!], as: UTF8.self)
        pending.removeFirst(headEnd! + 4)
        let lines = headText.components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard requestLine.count == 3 else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            headers.append((String(line[..<colon]),
                            line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        let field = { (name: String) in headers.filter { $0.name.lowercased() == name }.map(\.value) }
        var body: [UInt8] = []
        if field("transfer-encoding").contains(where: { $0.lowercased().contains("chunked") }) {
            guard let decoded = readChunked(deadline) else { return nil }
            body = decoded
        } else if let length = field("content-length").first.flatMap({ Int($0) }) {
            guard let bytes = read(count: length, deadline) else { return nil }
            body = bytes
        }
        return RecordedRequest(backend: backend, connection: connection, sequence: sequence,
                               method: requestLine[0], target: requestLine[1], version: requestLine[2],
                               headers: headers, body: body, rawHead: headText)
    }

    /// Reads until the peer closes (bounded), so closing sends no RST.
    mutating func drain() {
        let deadline = Deadline(seconds: 2)
        while fill(deadline) { pending.removeAll(keepingCapacity: true) }
    }

    private mutating func readChunked(_ deadline: Deadline) -> [UInt8]? {
        var body: [UInt8] = []
        for _ in 0..<100_000 {
            guard let line = readLine(deadline) else { return nil }
            let sizeText = line.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else { return nil }
            if size == 0 {
                // Trailers, up to the blank line.
                for _ in 0..<1000 {
                    guard let trailer = readLine(deadline) else { return nil }
                    if trailer.isEmpty { return body }
                }
                return nil
            }
            guard let data = read(count: size, deadline) else { return nil }
            body += data
            guard readLine(deadline) == "" else { return nil }
        }
        return nil
    }

    private mutating func readLine(_ deadline: Deadline) -> String? {
        while true {
            if let end = RequestReader.find([13, 10], in: pending) {
                let line = String(decoding: pending[..<end], as: UTF8.self)
                pending.removeFirst(end + 2)
                return line
            }
            if pending.count > 65536 || !fill(deadline) { return nil }
        }
    }

    private mutating func read(count: Int, _ deadline: Deadline) -> [UInt8]? {
        while pending.count < count {
            if !fill(deadline) { return nil }
        }
        defer { pending.removeFirst(count) }
        return Array(pending[..<count])
    }

    /// One read into `pending`; false on EOF, error, stop or deadline.
    private mutating func fill(_ deadline: Deadline) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while isRunning() && !deadline.hasExpired {
            let slice = Deadline(seconds: min(0.1, Double(deadline.remainingMilliseconds()) / 1000))
            if LoopbackSocket.poll(fd, events: Int16(POLLIN), deadline: slice) == 0 { continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 {
                pending += chunk[..<n]
                return true
            }
            if n == 0 { return false }
            if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
            return false
        }
        return false
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
